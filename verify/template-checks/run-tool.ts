import { spawnSync } from 'child_process';
import { pythonTool } from '../python-tools';

/**
 * Runs one of the pinned Python tools and returns its standard output; throws when it could not
 * run or exited with a status other than those in `okStatuses` (linters exit non-zero on findings).
 */
export function runTool(name: string, args: string[], okStatuses: number[]): string {
  const result = spawnSync(pythonTool(name), args, { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  if (result.error || !okStatuses.includes(result.status ?? -1)) {
    const why = result.error?.message ?? `exit status ${result.status}`;
    throw new Error(`${name} ${args.slice(0, 4).join(' ')} ... failed (${why}): ${(result.stderr || result.stdout).trim().slice(-2000)}`);
  }
  return result.stdout;
}

/** `<tool> <version>` as the tool prints it. */
export function toolVersion(name: string): string {
  const version = runTool(name, ['--version'], [0]).trim().split('\n').pop() ?? '';
  return version.startsWith(name) ? version : `${name} ${version}`;
}
