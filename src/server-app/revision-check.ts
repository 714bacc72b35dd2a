import { unpackRuntimeFilesCommands } from '../runtime-program';
import { shellQuote } from '../shell';

/** Shell variable holding the directory the appspec check is unpacked in. */
const PROGRAM_DIR = 'APPSPEC_CHECK_DIR';

/**
 * Returns shell commands for a buildspec post_build phase that run the revision check
 * (runtime/appspec-check.js, with its YAML reader runtime/yaml-subset.js) against `dir` (relative to CODEBUILD_SRC_DIR, or to the working
 * directory outside CodeBuild).
 *
 * The check finds `appspec.yml` (or `appspec.yaml`) at the root of the revision and parses it;
 * checks that `version` is 0.0 and `os` is linux or windows; that every `files` source exists; that
 * every hook event is a scriptable lifecycle event whose scripts exist (and are executable on
 * linux); and that hook timeouts are 1..3600 seconds and add up to at most 3600 per event. Each
 * problem is printed on its own line to stderr, prefixed `appspec check: `, and fails the build.
 *
 * The commands work in bash and POSIX sh.
 */
export function revisionCheckCommands(dir: string): string[] {
  return [
    ...unpackRuntimeFilesCommands(PROGRAM_DIR, __dirname, ['appspec-check.js', 'yaml-subset.js']),
    // A subshell, so the cd does not leak into later commands of the phase.
    `(cd "\${CODEBUILD_SRC_DIR:-.}" && node "$${PROGRAM_DIR}/appspec-check.js" ${shellQuote(dir)})`,
  ];
}
