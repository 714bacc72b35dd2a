/**
 * Where the Python tools of the proofs and the bench live: the venv that
 * tools/setup-verify-tools.sh installs from the pinned tools/verify-tools/requirements.txt.
 */
import * as fs from 'fs';
import * as path from 'path';

const REPO_ROOT = path.resolve(__dirname, '..');
const VENV = path.join(REPO_ROOT, '.tmp', 'verify-tools');

/**
 * The path of one of the venv's programs (`cfn-lint`, `checkov`, `moto_server`, `aws`, `python`).
 * Throws when it is missing, so a proof that needs it fails (CI installs it; nothing is skipped).
 */
export function pythonTool(name: string): string {
  const program = path.join(VENV, 'bin', name);
  if (!fs.existsSync(program)) {
    throw new Error(`${program} is missing: run "npx projen verify:tools" (npm test does) to install the pinned Python tools`);
  }
  return program;
}

/** The venv's bin directory, to put first on PATH (so `aws` is the pinned CLI). */
export function pythonToolsBin(): string {
  return path.dirname(pythonTool('python'));
}
