import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';

/** The environment every benchmarked stack is synthesized for (the one of the example apps). */
export const BENCH_ENV = { account: '123456789012', region: 'eu-west-1' };

/** Builds one stack to benchmark in `app`. */
export type StackFactory = (app: App) => Stack;

/**
 * Which feature flags the apps are synthesized with:
 * - `recommended`: what `cdk init` writes into a new project's cdk.json with this aws-cdk-lib,
 *   i.e. what a CDK user who writes the baseline by hand has;
 * - `none`: a bare `new App()`, like the example apps of `npm run demo`.
 */
export type FeatureFlags = 'recommended' | 'none';

/** One side of a comparison: a stack, and the module that times it in a process of its own. */
export interface Subject {
  /** What the stack is, for the report (e.g. 'examples/static-site.ts StaticSiteStack'). */
  readonly description: string;
  /** The subject module, which calls `timeSynthInChildProcess` when it is the main module. */
  readonly file: string;
  /** Builds the stack. */
  readonly createStack: StackFactory;
}

/** What a forked timing run sends back. */
export interface SynthTiming {
  /** Milliseconds to construct the app and stack and synthesize it, modules already loaded. */
  readonly synthMs: number;
  /**
   * CPU milliseconds (user and system) of the same: less disturbed than `synthMs` by other
   * processes competing for the CPU.
   */
  readonly synthCpuMs: number;
  /** Milliseconds from process start to the end of synthesis: node, ts-node, module load and synth. */
  readonly processMs: number;
}

/** The app context of `flags`. */
export function appContext(flags: FeatureFlags): Record<string, unknown> {
  return flags === 'recommended'
    ? { ...cxapi.NEW_PROJECT_DEFAULT_CONTEXT, ...cxapi.CURRENTLY_RECOMMENDED_FLAGS }
    : {};
}

/**
 * The body of a subject module that `bench/run.ts` forked: synthesizes the stack once, timed, with
 * the feature flags named by the first argument, and sends the `SynthTiming` to the parent. The
 * subject's modules are loaded before this runs, so `synthMs` excludes module load and
 * `processMs` includes it.
 */
export function timeSynthInChildProcess(createStack: StackFactory): void {
  const flags = process.argv[2];
  if (flags !== 'recommended' && flags !== 'none') {
    throw new Error(`expected the feature flags (recommended or none) as the first argument, got '${flags}'`);
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-bench-'));
  try {
    const startedCpu = process.cpuUsage();
    const started = performance.now();
    const app = new App({ outdir, context: appContext(flags) });
    createStack(app);
    app.synth();
    // performance.now() counts from the start of this process.
    const finished = performance.now();
    const cpu = process.cpuUsage(startedCpu);
    const timing: SynthTiming = {
      synthMs: finished - started,
      synthCpuMs: (cpu.user + cpu.system) / 1000,
      processMs: finished,
    };
    // Closing the IPC channel once the message is out lets the process exit.
    process.send!(timing, () => process.disconnect());
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
