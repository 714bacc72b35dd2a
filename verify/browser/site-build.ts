import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A site built in a temporary directory. */
export interface SiteBuild {
  /** Directory holding the build output (what the deploy step uploads). */
  readonly outputDir: string;
  /** Seconds `npm ci` and the build took together. */
  readonly seconds: number;
  /** Deletes the temporary directory. */
  dispose(): void;
}

// Long enough for a cold npm cache on a slow link; a hung install must not hang the whole verify run.
const STEP_TIMEOUT_MS = 5 * 60 * 1000;

/**
 * Builds the app in `appDir` as the pipeline's build step does (`npm ci`, then `npm run build`),
 * in a temporary copy so the working tree is never touched, and returns where `outputDirectory`
 * ended up. Throws with the tail of npm's output when a step fails.
 */
export function buildSite(appDir: string, outputDirectory: string): SiteBuild {
  if (!fs.existsSync(path.join(appDir, 'package-lock.json'))) {
    throw new Error(`${appDir}/package-lock.json is missing: the site cannot be built with npm ci`);
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-site-'));
  const dispose = () => fs.rmSync(workDir, { recursive: true, force: true });
  try {
    const appCopy = path.join(workDir, 'app');
    // What the build recreates is left out: a stale copy would hide a broken lock file or build.
    const produced = ['node_modules', path.normalize(outputDirectory)];
    fs.cpSync(appDir, appCopy, { recursive: true, filter: (src) => !produced.includes(path.relative(appDir, src)) });
    const started = Date.now();
    runNpm(appCopy, ['ci', '--no-audit', '--no-fund']);
    runNpm(appCopy, ['run', 'build']);
    const outputDir = path.join(appCopy, outputDirectory);
    if (!fs.existsSync(path.join(outputDir, 'index.html'))) {
      throw new Error(`npm run build left no ${outputDirectory}/index.html`);
    }
    return { outputDir, seconds: (Date.now() - started) / 1000, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}

/** Runs `npm <args>` in `cwd`; throws with the last lines of its output when it fails. */
function runNpm(cwd: string, args: string[]): void {
  try {
    execFileSync('npm', args, { cwd, stdio: 'pipe', timeout: STEP_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as { stdout?: Buffer; stderr?: Buffer; message: string };
    const output = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`npm ${args.join(' ')} failed in a copy of the app: ${output || err.message}`);
  }
}
