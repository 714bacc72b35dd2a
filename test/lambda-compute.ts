import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * How CodeBuild's Lambda compute runs a build: not as root, and with /tmp the only place it may
 * write. As root, the tests take the uid of `nobody` to run the commands; otherwise they already
 * run as a user who may not write to the build's directory or to a home.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.limitations
 */
const LAMBDA_COMPUTE_UID = 65534;
const runningAsRoot = process.getuid?.() === 0;

/** A home directory that does not exist and cannot be made: a program that writes to ~ fails. */
export const NO_HOME = '/nonexistent';

/**
 * A new directory under /tmp that commands run by `asLambdaCompute` may write to, or, when not
 * `writable`, only read. The caller removes it.
 */
export function lambdaComputeDir(label: string, writable: boolean): string {
  const dir = fs.mkdtempSync(path.join('/tmp', `lambda-compute-${label}-`));
  makeLambdaComputeWritable(dir, writable);
  fs.chmodSync(dir, writable ? 0o700 : 0o555);
  return dir;
}

/** Lets the commands run by `asLambdaCompute` write to `file` (or read only, when not `writable`). */
export function makeLambdaComputeWritable(file: string, writable = true): void {
  if (writable && runningAsRoot) fs.chownSync(file, LAMBDA_COMPUTE_UID, LAMBDA_COMPUTE_UID);
}

/** Makes a directory tree readable by anyone and writable by no one but root. */
export function makeReadOnly(dir: string): void {
  execFileSync('chmod', ['-R', 'a+rX,a-w', dir]);
}

/** The command and arguments that run `bash -e -c <commands>` as Lambda compute would: as a user who is not root. */
export function asLambdaCompute(commands: string[]): [string, ...string[]] {
  const notRoot = '[ "$(id -u)" -ne 0 ] || { echo "ran as root" >&2; exit 1; }';
  const shell = ['bash', '-e', '-c', [notRoot, ...commands].join('\n')];
  return runningAsRoot
    ? ['setpriv', `--reuid=${LAMBDA_COMPUTE_UID}`, `--regid=${LAMBDA_COMPUTE_UID}`, '--clear-groups', ...shell]
    : shell as [string, ...string[]];
}
