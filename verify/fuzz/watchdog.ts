/**
 * Runs the fuzz worker and watches it: a case that runs longer than the idle limit is a hang, so
 * the worker is terminated and the case reported, instead of `npm run verify` never finishing.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { PropertyReport } from './fuzz-run';
import type { FuzzMessage, FuzzRequest } from './fuzz-worker';

/** How long the worker may take. */
export interface WatchdogLimits {
  /** Longest time one case (or the worker's start) may take. */
  readonly idleMillis: number;
  /** Longest time the whole run may take. */
  readonly totalMillis: number;
}

/** The reports, or why the worker was stopped and the case it was running. */
export type WatchedRun =
  | { readonly reports: PropertyReport[] }
  | {
    readonly stopped: string;
    /** Cases the worker started before it was stopped. */
    readonly casesStarted: number;
    readonly lastCase?: { readonly property: string; readonly case: string };
  };

/** Runs `request` in the fuzz worker under `limits`. */
export function runWatched(request: FuzzRequest, limits: WatchdogLimits): Promise<WatchedRun> {
  const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { request, ...loaderOf() } });
  const started = Date.now();
  let lastCase: { property: string; case: string } | undefined;
  let casesStarted = 0;
  let finished = false;
  return new Promise((resolve) => {
    const finish = (run: WatchedRun) => {
      if (finished) return;
      finished = true;
      clearTimeout(idle);
      void worker.terminate();
      resolve(run);
    };
    const stopAfter = (millis: number, why: string) => setTimeout(() => finish({ stopped: why, casesStarted, lastCase }), millis);
    let idle = stopAfter(limits.idleMillis, `the worker did not start within ${limits.idleMillis / 1000} s`);
    worker.on('message', (message: FuzzMessage) => {
      clearTimeout(idle);
      if (message.type === 'done') {
        finish({ reports: message.reports });
        return;
      }
      lastCase = { property: message.property, case: message.case };
      casesStarted++;
      const left = limits.totalMillis - (Date.now() - started);
      idle = left < limits.idleMillis
        ? stopAfter(left, `the fuzz run did not finish within ${limits.totalMillis / 1000} s`)
        : stopAfter(limits.idleMillis, `a case hung (no result within ${limits.idleMillis / 1000} s)`);
    });
    worker.on('error', (e) => finish({ stopped: `the worker crashed: ${e.stack ?? e}`, casesStarted, lastCase }));
    worker.on('exit', (code) => finish({ stopped: `the worker exited with code ${code} before reporting`, casesStarted, lastCase }));
  });
}

/**
 * Loads the worker module as the proof itself was loaded: through ts-node and tsconfig-paths with the
 * same tsconfig when the proof runs under ts-node (so 'cdk-deploy-pipelines' maps to src/ or lib/ alike).
 */
const BOOTSTRAP = `
const { workerData } = require('worker_threads');
if (workerData.tsProject) {
  require(workerData.tsNode).register({ project: workerData.tsProject, transpileOnly: true });
  const paths = require(workerData.tsconfigPaths);
  const config = paths.loadConfig(workerData.tsProject);
  paths.register({ baseUrl: config.absoluteBaseUrl, paths: config.paths });
}
require(workerData.entry);
`;

/** The worker entry module and, under ts-node, the loaders and tsconfig it needs. */
function loaderOf(): Record<string, string | undefined> {
  const tsNode = (process as unknown as Record<symbol, { configFilePath?: string } | undefined>)[Symbol.for('ts-node.register.instance')];
  const entry = path.join(__dirname, `fuzz-worker${path.extname(__filename)}`);
  if (!tsNode?.configFilePath) {
    return { entry };
  }
  return {
    entry,
    tsProject: tsNode.configFilePath,
    tsNode: require.resolve('ts-node'),
    tsconfigPaths: require.resolve('tsconfig-paths'),
  };
}
