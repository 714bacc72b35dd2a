import * as path from 'path';
import { Tokenization } from 'aws-cdk-lib';
import { requireVariable, siteDirectoryChecks, uploadCommands, UploadOptions, uploadStepProgram } from './upload-commands';
import { unpackRuntimeFilesCommands } from '../../runtime-program';
import { exportOutput, failUnless, shellQuote } from '../../shell';
import { PREVIEW_ENV, RELEASE_ENV, RELEASES_PREFIX } from '../release-contract';

/** The folder of StaticSitePipeline, whose runtime/ holds the preview program. */
const STATIC_SITE_DIR = path.join(__dirname, '..');

/** Shell variable holding the directory the preview program is unpacked in. */
const PROGRAM_DIR = 'PREVIEW_PROGRAM_DIR';

/** The shell variable holding the preview's name (`pr-<n>`, or `<readable branch>-<hash>`). */
export const PREVIEW_NAME_VARIABLE = 'PREVIEW_NAME';

/** The shell variable holding the preview link once published. */
export const PREVIEW_LINK_VARIABLE = 'PREVIEW_LINK';

/** The shell variable holding what started a preview pipeline's execution (its trigger type). */
export const EXECUTION_TRIGGER_VARIABLE = 'EXECUTION_TRIGGER';

/** Shell variable holding the directory the pull-request program (runtime/pull-request.js) is unpacked in. */
const PULL_REQUEST_DIR = 'PULL_REQUEST_PROGRAM_DIR';

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

/** What the commands of a preview pipeline's first step read: the pipeline, the execution, the branch. */
export interface PullRequestStepVariables {
  /** The variable holding the pipeline's name. */
  readonly pipeline: string;
  /** The variable holding the execution's id. */
  readonly execution: string;
  /** The variable holding the source branch of the execution. */
  readonly branch: string;
}

/**
 * The commands of a connection's preview pipeline's first step (runtime/pull-request.js): export
 * what started the execution as `$EXECUTION_TRIGGER` (from CodePipeline's GetPipelineExecution,
 * for the later stages' entry conditions) and the preview's name as `$PREVIEW_NAME`: the readable
 * branch and a hash of its exact name.
 */
export function pullRequestStepCommands(variables: PullRequestStepVariables): string[] {
  return [
    ...[variables.pipeline, variables.execution, variables.branch].map(requireVariable),
    ...unpackPullRequestProgram(),
    ...exportOutput(EXECUTION_TRIGGER_VARIABLE, `${pullRequestProgram()} trigger "$${variables.pipeline}" "$${variables.execution}"`),
    ...exportOutput(PREVIEW_NAME_VARIABLE, `${pullRequestProgram()} name-of-branch "$${variables.branch}"`),
    `echo "Execution started by $${EXECUTION_TRIGGER_VARIABLE}; the preview of branch $${variables.branch} is named $${PREVIEW_NAME_VARIABLE}"`,
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

/** Unpacks the preview program (runtime/preview.js, the files it requires and the contract it reads) from the buildspec. */
function unpackPreviewProgram(): string[] {
  return unpackRuntimeFilesCommands(PROGRAM_DIR, STATIC_SITE_DIR, ['preview.js', 'site-cli.js', 'step-clock.js', 'release-contract.json']);
}

/** Unpacks the pull-request program (runtime/pull-request.js, and what it reads) from the buildspec. */
function unpackPullRequestProgram(): string[] {
  return unpackRuntimeFilesCommands(PULL_REQUEST_DIR, STATIC_SITE_DIR, ['pull-request.js', 'site-cli.js', 'step-clock.js', 'release-contract.json']);
}

/** `node <pull-request program>`, once unpacked. */
function pullRequestProgram(): string {
  return `node "$${PULL_REQUEST_DIR}/pull-request.js"`;
}

/** `node <preview program>`, once unpacked. */
function previewProgram(): string {
  return `node "$${PROGRAM_DIR}/preview.js"`;
}
