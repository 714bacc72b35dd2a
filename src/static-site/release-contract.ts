import { readRuntimeFile } from '../runtime-program';

/**
 * What the constructs and the release program (runtime/release.js) agree on, read from the one
 * file both read: runtime/release-contract.json.
 */
interface ReleaseContract {
  /** The S3 key prefix (no leading slash) under which each release lives, in `releases/<release id>/`. */
  readonly releasesPrefix: string;
  /** The KeyValueStore key naming the live release. */
  readonly liveReleaseKey: string;
  /**
   * Environment variables the release program reads (set by the CodeBuild projects, the build
   * command, or `aws codebuild start-build --environment-variables-override`).
   */
  readonly environment: {
    readonly bucket: string;
    readonly keyValueStoreArn: string;
    readonly releaseId: string;
    readonly commitId: string;
    readonly executionId: string;
    readonly rollbackTarget: string;
  };
  /** The statuses a `_redirects` rule may have: redirects only (rewrites and custom 404s need a file check at the edge). */
  readonly redirectStatuses: number[];
  /**
   * CloudFront KeyValueStore limits: key and value length, the size of the store, keys per UpdateKeys call.
   *
   * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-keyvaluestores
   */
  readonly keyValueStoreLimits: {
    readonly keyBytes: number;
    readonly valueBytes: number;
    readonly storeBytes: number;
    readonly keysPerUpdate: number;
  };
}

const CONTRACT: ReleaseContract = JSON.parse(readRuntimeFile(__dirname, 'release-contract.json'));

/** The S3 key prefix (no leading slash) under which each release lives, in `releases/<release id>/`. */
export const RELEASES_PREFIX = CONTRACT.releasesPrefix;

/** The KeyValueStore key naming the live release. */
export const LIVE_RELEASE_KEY = CONTRACT.liveReleaseKey;

/** Environment variables the release program reads. */
export const RELEASE_ENV = CONTRACT.environment;

/** What the preview program (runtime/preview.js) takes: the names it accepts, the release ids it makes, its variables. */
export const PREVIEW_CONTRACT: {
  readonly namePattern: string;
  readonly releaseIdPattern: string;
  readonly environment: { readonly url: string; readonly maxPreviews: string; readonly linkSeconds: string };
} = (CONTRACT as unknown as { preview: typeof PREVIEW_CONTRACT }).preview;

/** Environment variables of the preview program besides the release ones. */
export const PREVIEW_ENV = PREVIEW_CONTRACT.environment;
