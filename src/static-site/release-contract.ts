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
  /** Prefix of the KeyValueStore keys naming a preview release: `preview:<name>` → `<release id>`. */
  readonly previewKeyPrefix: string;
  /** Prefix of the KeyValueStore keys of preview tokens: `token:<token>` → `<expires epoch seconds> <name>`. */
  readonly tokenKeyPrefix: string;
  /** The request header that carries a preview token. */
  readonly previewTokenHeader: string;
  /** The cookie that carries a preview token. */
  readonly previewTokenCookie: string;
  /** The query string parameter of a preview link, answered with a 302 that sets the cookie. */
  readonly previewTokenQuery: string;
  /** The request header the routing function adds to a request it serves a preview to (value: the preview's name). */
  readonly previewMarkerHeader: string;
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
    /** The distribution's domain name, which the go-live step fetches the release through. */
    readonly distributionDomain: string;
    /** The distribution's id, whose CloudFront metrics the go-live step watches. */
    readonly distributionId: string;
    /** The settings of verified releases (JSON); verification is off without it. */
    readonly verifyRelease: string;
    /**
     * How many minutes CodeBuild lets the step run (its compute's limit), from which the programs
     * know their deadline, counted from $CODEBUILD_START_TIME.
     */
    readonly timeLimitMinutes: string;
    /** The CodeCommit repository the changes check of `filePaths` compares commits in. */
    readonly repositoryName: string;
  };
  /** How a release's `_redirects` and `_headers` rules are written and found (runtime/rule-table.js). */
  readonly rules: ReleaseRules;
  /** What the preview program (runtime/preview.js) takes: the names it accepts, the release ids it makes, its variables. */
  readonly preview: PreviewContract;
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

/** How a release's `_redirects` and `_headers` rules are written and found (runtime/rule-table.js). */
export interface ReleaseRules {
  /** The statuses a `_redirects` rule may have. */
  readonly statuses: number[];
  /** The character after the release id of its `_redirects` table's keys. */
  readonly redirectsKind: string;
  /** The character after the release id of its `_headers` table's keys. */
  readonly headersKind: string;
  /** Where in a release the copies of 404 and 410 rules' pages are, under `<status>/`. */
  readonly statusPagesPrefix: string;
  /** The S3 metadata naming the release whose `_headers` apply to an object. */
  readonly releaseMetadata: string;
  /** The S3 metadata naming the status of a 404 or 410 page's copy. */
  readonly statusMetadata: string;
}

/** What the preview program takes and makes. */
interface PreviewContract {
  /** The names of previews it accepts (a regular expression). */
  readonly namePattern: string;
  /** The ids of the preview releases it makes (a regular expression). */
  readonly releaseIdPattern: string;
  /** The name of the preview the go-live check reads, which no pull request's preview can have. */
  readonly goLiveCheckName: string;
  /** Environment variables it reads besides the release ones. */
  readonly environment: { readonly url: string; readonly maxPreviews: string; readonly linkSeconds: string };
}

const CONTRACT: ReleaseContract = JSON.parse(readRuntimeFile(__dirname, 'release-contract.json'));

/** The S3 key prefix (no leading slash) under which each release lives, in `releases/<release id>/`. */
export const RELEASES_PREFIX = CONTRACT.releasesPrefix;

/**
 * The preview projects write releases whose id starts `<UTC time>-p`; a pipeline release has
 * a hex commit there. IAM's `?` matches one character and `*` any run, `/` included, so this
 * matches the objects of preview releases and nothing else.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
 */
export const PREVIEW_RELEASE_OBJECTS = `${RELEASES_PREFIX}????????T??????Z-p*`;

/** The KeyValueStore key naming the live release. */
export const LIVE_RELEASE_KEY = CONTRACT.liveReleaseKey;

/** Prefix of the KeyValueStore keys naming a preview release: `preview:<name>` → `<release id>`. */
export const PREVIEW_KEY_PREFIX = CONTRACT.previewKeyPrefix;

/** Prefix of the KeyValueStore keys of preview tokens: `token:<token>` → `<expires epoch seconds> <name>`. */
export const TOKEN_KEY_PREFIX = CONTRACT.tokenKeyPrefix;

/** How a request carries a preview token (header, cookie, link parameter), and how the routing function marks a preview request. */
export const PREVIEW_TOKEN = {
  header: CONTRACT.previewTokenHeader,
  cookie: CONTRACT.previewTokenCookie,
  query: CONTRACT.previewTokenQuery,
  marker: CONTRACT.previewMarkerHeader,
};

/** How a release's `_redirects` and `_headers` rules are written and found. */
export const RELEASE_RULES = CONTRACT.rules;

/** Environment variables the release program reads. */
export const RELEASE_ENV = CONTRACT.environment;

/** What the preview program (runtime/preview.js) takes: the names it accepts, the release ids it makes, its variables. */
export const PREVIEW_CONTRACT: PreviewContract = CONTRACT.preview;

/** Environment variables of the preview program besides the release ones. */
export const PREVIEW_ENV = PREVIEW_CONTRACT.environment;
