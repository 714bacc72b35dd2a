import * as path from 'path';
import { requireVariable, siteDirectoryChecks, uploadCommands, UploadOptions, uploadStepProgram } from './upload-commands';
import { unpackRuntimeFilesCommands } from '../../runtime-program';
import { exportOutput, shellQuote } from '../../shell';
import { RELEASE_ENV, RELEASES_PREFIX } from '../release-contract';

/** The folder of StaticSitePipeline, whose runtime/ holds the release program. */
const STATIC_SITE_DIR = path.join(__dirname, '..');

/**
 * Cache-Control of the revalidated files (HTML, sw.js, manifest...) of a release. A release never
 * changes and each has its own cache key at CloudFront, so CloudFront may keep them a year
 * (`s-maxage`, honoured within the CachingOptimized policy's maximum TTL of a year), while browsers,
 * which see the same URL for every release, revalidate them on each use (`max-age=0`), which
 * CloudFront answers with a 304 when the file did not change.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/Expiration.html
 */
export const RELEASE_REVALIDATED_CACHE_CONTROL = 'public, max-age=0, must-revalidate, s-maxage=31536000';

/** What the go-live step does after the upload. */
export interface GoLiveOptions {
  /** Directory (relative to the build artifact root) holding the site, e.g. '.' */
  readonly sourceDirectory: string;
  /** Releases kept; older ones are deleted after the switch (never the live one or the one before it). */
  readonly releasesToKeep: number;
  /** Path (relative to the site root) of the page CloudFront answers misses with. */
  readonly notFoundPage: string;
  /** What the release program does with the build's `_redirects` and `_headers`. */
  readonly rules: RulesSettings;
}

/** What the go-live step is told of rules (RulesSettings in runtime/release-rules.js). */
export interface RulesSettings {
  /** Load `_redirects` of the build into the KeyValueStore. */
  readonly redirects: boolean;
  /** Load `_headers` of the build into the KeyValueStore. */
  readonly headers: boolean;
  /** The headers the distribution's response headers policy sends (lower-case names): `_headers` may not change them. */
  readonly securityHeaders: Record<string, string>;
  /** The Cache-Control of the copies of 404 and 410 rules' pages. */
  readonly pageCacheControl: string;
  /** Extension -> Content-Type the uploads set (CONTENT_TYPES), for the files uploaded again with the Cache-Control of `_headers`. */
  readonly contentTypes: Record<string, string>;
}

/**
 * The upload step's shell commands (POSIX sh, one string per command, run in order with
 * fail-fast semantics):
 *
 * 1. fail before touching the bucket if a variable is unset or the directory is missing or empty;
 * 2. name the release `<UTC time>-<12 characters of the commit>-<8 of the execution id>`
 *    (sortable and traceable), exported as `RELEASE_ID`;
 * 3. upload the site to `s3://$SITE_BUCKET/releases/$RELEASE_ID/` like an in-place deploy (assets
 *    first, HTML last), never touching another release. Nothing is live until the go-live step.
 */
export function releaseUploadCommands(options: UploadOptions): string[] {
  return [
    requireVariable(RELEASE_ENV.bucket),
    requireVariable(RELEASE_ENV.commitId),
    requireVariable(RELEASE_ENV.executionId),
    ...siteDirectoryChecks(options.sourceDirectory),
    ...exportOutput(RELEASE_ENV.releaseId, `${uploadStepProgram()} release-id "$${RELEASE_ENV.commitId}" "$${RELEASE_ENV.executionId}"`),
    `echo "Uploading release $${RELEASE_ENV.releaseId}"`,
    ...uploadCommands(options, `"s3://\${${RELEASE_ENV.bucket}}/${RELEASES_PREFIX}\${${RELEASE_ENV.releaseId}}/"`),
  ];
}

/**
 * The go-live step's commands: the release script's `publish` (check `_redirects`, verify the
 * upload, carry over, redirects, switch `live`, not-found page, prune; see runtime/release.js).
 */
export function releaseGoLiveCommands(options: GoLiveOptions): string[] {
  return [
    requireVariable(RELEASE_ENV.bucket),
    requireVariable(RELEASE_ENV.keyValueStoreArn),
    requireVariable(RELEASE_ENV.releaseId),
    ...siteDirectoryChecks(options.sourceDirectory),
    ...unpackReleaseProgram([...VERIFY_PROGRAMS, ...RULE_PROGRAMS]),
    `${releaseProgram()} publish ${shellQuote(options.sourceDirectory)} ${options.releasesToKeep} ${shellQuote(options.notFoundPage)} ${shellQuote(JSON.stringify(options.rules))}`,
  ];
}

/**
 * The rollback project's commands: switch `live` to `$RELEASE`, or to the newest release older
 * than the live one, and publish its not-found page.
 */
export function rollbackCommands(notFoundPage: string): string[] {
  return [
    requireVariable(RELEASE_ENV.bucket),
    requireVariable(RELEASE_ENV.keyValueStoreArn),
    ...unpackReleaseProgram(),
    `${releaseProgram()} rollback ${shellQuote(notFoundPage)}`,
  ];
}

/**
 * The upload buildspec (version 0.2: one shell for all commands, the phase stops at the first
 * failure). `RELEASE_ID` is exported for the go-live action, and shows in the pipeline console.
 */
export function releaseUploadBuildSpecObject(options: UploadOptions): object {
  return {
    version: '0.2',
    env: { 'exported-variables': [RELEASE_ENV.releaseId] },
    phases: { build: { commands: releaseUploadCommands(options) } },
  };
}

/** The go-live buildspec. */
export function releaseGoLiveBuildSpecObject(options: GoLiveOptions): object {
  return { version: '0.2', phases: { build: { commands: releaseGoLiveCommands(options) } } };
}

/** The rollback buildspec. */
export function rollbackBuildSpecObject(notFoundPage: string): object {
  return { version: '0.2', phases: { build: { commands: rollbackCommands(notFoundPage) } } };
}

/** Shell variable holding the directory the release program is unpacked in. */
const PROGRAM_DIR = 'RELEASE_PROGRAM_DIR';

/** The programs of verified releases (the check through the distribution, the bake), which the go-live step loads and the rollback does not. */
const VERIFY_PROGRAMS = ['release-check.js', 'release-bake.js'];

/** The programs of `_redirects` and `_headers`, which the go-live step loads and the rollback does not. */
const RULE_PROGRAMS = ['release-rules.js', 'redirects.js', 'redirect-records.js', 'headers.js', 'rule-table.js', 'edge-rules.js'];

/**
 * Unpacks the release program (runtime/release.js, the files it requires and the contract it reads),
 * with `more` programs, from the buildspec.
 */
function unpackReleaseProgram(more: string[] = []): string[] {
  return unpackRuntimeFilesCommands(PROGRAM_DIR, STATIC_SITE_DIR, ['release.js', 'releases.js', 'site-cli.js', 'step-clock.js', 'release-contract.json', ...more]);
}

/** `node <release program>`, once unpacked. */
function releaseProgram(): string {
  return `node "$${PROGRAM_DIR}/release.js"`;
}

/**
 * The longest release id: a preview's `<UTC time, 16 characters>-p<12 of the commit>-<8 of the name>`
 * (runtime/upload-step.js); a pipeline release's id is one character shorter (no `p`).
 */
export const MAX_RELEASE_ID_LENGTH = 16 + 2 + 12 + 1 + 8;
