import * as path from 'path';
import { Tokenization } from 'aws-cdk-lib';
import { failUnless, requireVariable, siteDirectoryChecks, uploadCommands, UploadOptions, uploadStepProgram } from './upload-commands';
import { unpackRuntimeFilesCommands } from '../../runtime-program';
import { exportOutput, shellQuote } from '../../shell';
import { PREVIEW_ENV, RELEASE_ENV, RELEASES_PREFIX } from '../release-contract';

/** The folder of StaticSitePipeline, whose runtime/ holds the preview program. */
const STATIC_SITE_DIR = path.join(__dirname, '..');

/** Shell variable holding the directory the preview program is unpacked in. */
const PROGRAM_DIR = 'PREVIEW_PROGRAM_DIR';

/** The shell variable holding the preview's name (`pr-<n>`, or the branch as a name). */
export const PREVIEW_NAME_VARIABLE = 'PREVIEW_NAME';

/** The shell variable holding the preview link once published. */
export const PREVIEW_LINK_VARIABLE = 'PREVIEW_LINK';

/**
 * The commands that name the preview after a pull request number held in `variable`: `pr-<n>`.
 * Shell builtins only: a variable of anything but digits stops the step.
 */
export function previewNameFromNumber(variable: string): string[] {
  return [
    requireVariable(variable),
    // `${X##*[!0-9]*}` is empty when X holds anything but a digit.
    failUnless(`test -n "\${${variable}##*[!0-9]*}"`, `Deploy failed: ${variable} must be a pull request number.`),
    `export ${PREVIEW_NAME_VARIABLE}="pr-$${variable}"`,
  ];
}

/**
 * The commands that name the preview after the branch held in `variable`: lower case, every run of
 * other characters than letters and digits made one `-`, at most 40 characters (a name the store and
 * host names take: `^[a-z0-9][a-z0-9-]{0,39}$`).
 */
export function previewNameFromBranch(variable: string): string[] {
  return [
    requireVariable(variable),
    `export ${PREVIEW_NAME_VARIABLE}="$(printf '%s' "$${variable}" | tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '-' | sed 's/^-*//' | cut -c1-40 | sed 's/-*$//')"`,
  ];
}

/**
 * The upload commands, run in the build output's parent: upload the build as a release named
 * `<UTC time>-p<12 of the commit>-<8 of the name>` (the `p` marks it a preview for the IAM grant),
 * with the cache headers of every release, exported as `$RELEASE_ID`. Nothing is served yet.
 */
export function previewUploadCommands(options: UploadOptions): string[] {
  return [
    requireVariable(RELEASE_ENV.bucket),
    requireVariable(RELEASE_ENV.commitId),
    requireVariable(PREVIEW_NAME_VARIABLE),
    ...siteDirectoryChecks(options.sourceDirectory),
    ...exportOutput(RELEASE_ENV.releaseId, `${uploadStepProgram()} preview-release-id "$${RELEASE_ENV.commitId}" "$${PREVIEW_NAME_VARIABLE}"`),
    `echo "Uploading preview $${PREVIEW_NAME_VARIABLE} as release $${RELEASE_ENV.releaseId}"`,
    ...uploadCommands(options, `"s3://\${${RELEASE_ENV.bucket}}/${RELEASES_PREFIX}\${${RELEASE_ENV.releaseId}}/"`),
  ];
}

/**
 * The publish commands: `preview.js publish`, which checks the upload (against the build in
 * `sourceDirectory` when the step has it), names the release `preview:<name>` and prints the link,
 * kept in `$PREVIEW_LINK`.
 */
export function previewPublishCommands(sourceDirectory?: string): string[] {
  const directory = sourceDirectory === undefined ? '' : ` ${shellQuote(sourceDirectory)}`;
  return [
    requireVariable(RELEASE_ENV.bucket),
    requireVariable(RELEASE_ENV.keyValueStoreArn),
    requireVariable(RELEASE_ENV.releaseId),
    requireVariable(PREVIEW_NAME_VARIABLE),
    ...unpackPreviewProgram(),
    ...exportOutput(PREVIEW_LINK_VARIABLE, `${previewProgram()} publish "$${PREVIEW_NAME_VARIABLE}"${directory}`),
    `echo "Preview $${PREVIEW_NAME_VARIABLE}: $${PREVIEW_LINK_VARIABLE}"`,
  ];
}

/** The commands that remove the preview `$PREVIEW_NAME`: its store records and its files. */
export function previewRemoveCommands(): string[] {
  return [
    requireVariable(RELEASE_ENV.bucket),
    requireVariable(RELEASE_ENV.keyValueStoreArn),
    requireVariable(PREVIEW_NAME_VARIABLE),
    ...unpackPreviewProgram(),
    `${previewProgram()} remove "$${PREVIEW_NAME_VARIABLE}"`,
  ];
}

/** The environment variables of the preview program, other than the site's. */
export function previewProgramEnvironment(options: { url: string; maxPreviews: number; linkSeconds: number }): Record<string, string> {
  return {
    [PREVIEW_ENV.url]: options.url,
    // stringifyNumber keeps a token (a maxPreviews given as a token) a token.
    [PREVIEW_ENV.maxPreviews]: Tokenization.stringifyNumber(options.maxPreviews),
    [PREVIEW_ENV.linkSeconds]: Tokenization.stringifyNumber(options.linkSeconds),
  };
}

/** Unpacks the preview program (runtime/preview.js and the contract it reads) from the buildspec. */
function unpackPreviewProgram(): string[] {
  return unpackRuntimeFilesCommands(PROGRAM_DIR, STATIC_SITE_DIR, ['preview.js', 'site-cli.js', 'release-contract.json']);
}

/** `node <preview program>`, once unpacked. */
function previewProgram(): string {
  return `node "$${PROGRAM_DIR}/preview.js"`;
}
