import type { PreviewDomainOptions } from './previews';
import { LIVE_RELEASE_KEY, PREVIEW_KEY_PREFIX, PREVIEW_TOKEN, RELEASE_RULES, RELEASES_PREFIX, TOKEN_KEY_PREFIX } from './release-contract';
import { readRuntimeFile } from '../runtime-program';

/**
 * CloudFront Functions' maximum function size in bytes (10 KB).
 *
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-functions
 */
export const CLOUDFRONT_FUNCTION_MAX_BYTES = 10240;

/** A permanent redirect from one host name to another. */
export interface HostRedirect {
  /** Host names to redirect away from, compared case-insensitively with the request's `Host` header (e.g. `example.com`). */
  readonly fromHosts: string[];
  /** Host name to redirect to (e.g. `www.example.com`); the location is `https://<toHost><uri><querystring>`. */
  readonly toHost: string;
}

/** Serving the site from immutable releases, the live one named in a CloudFront KeyValueStore. */
export interface ReleaseRouting {
  /** Id of the KeyValueStore associated with the function (a CDK token at synth time is fine). */
  readonly keyValueStoreId: string;
  /** Answer each request by the `_redirects` rules of its release (runtime/redirect-records.js writes them, runtime/routing.js reads them). */
  readonly redirects: boolean;
  /** Serve the release a valid token names to a request carrying it; absent: live only, with no token ever read. */
  readonly tokenReleases?: TokenReleases;
}

/**
 * Releases read with a token: a request carrying a valid token (`token:<token>` → `<expires> <name>`
 * in the store, given by header, cookie or link) reads the release named `preview:<name>` instead of
 * live, and its responses are not indexed. Two features read releases so: pull-request previews
 * (each preview's link carries its token) and release verification (the go-live check reads the
 * candidate release as the preview `go-live.check`, with a token of its own). The runtime programs
 * call this reading "preview" (`ROUTING.preview`, `PREVIEW`), after the feature that came first.
 */
export interface TokenReleases {
  /**
   * The domain under which each preview has a host of its own (`<name>.<domainName>`, e.g.
   * `pr-42.preview.example.com`), where only that preview's tokens are taken, as the user gave it
   * (checked by `validatePreviewDomain`). Absent: tokens are read on the site's own hosts.
   */
  readonly previewDomain?: PreviewDomainOptions;
}

/** Options for the routing CloudFront Function. */
export interface RoutingFunctionOptions {
  /**
   * Serve `/index.html` (status 200, i.e. a rewrite, not a redirect) for extensionless paths.
   *
   * When `false`, an extensionless path `/docs` is served from `/docs/index.html` instead
   * (the directory index layout of Hugo, MkDocs, Gatsby and similar generators).
   */
  readonly singlePageApp: boolean;
  /** Optional host redirect: requests whose Host header is one of `fromHosts` get a 301 to `https://<toHost><uri><querystring>`. */
  readonly hostRedirect?: HostRedirect;
  /** Serve every request from the live release (and its redirects) instead of the bucket root. */
  readonly releases?: ReleaseRouting;
}

/**
 * Returns the code of the viewer-request CloudFront Function (runtime `cloudfront-js-2.0`) that
 * routes requests of a static site served from S3: runtime/routing.js as it is, after the import of
 * CloudFront's helper module (with releases) and one line of settings, `var ROUTING = {...};`.
 *
 * 1. With `hostRedirect`, a request for one of `fromHosts` (case-insensitive) gets a 301 to
 *    `https://<toHost><uri><querystring>` with `cache-control: max-age=3600`.
 * 2. With `releases`, the live release is read from the KeyValueStore (a 503 when the store cannot
 *    be read), and with `releases.redirects` a redirect of that release for the path is answered.
 * 3. With `singlePageApp`, a URI ending in `/` or whose last segment has no `.` becomes `/index.html`.
 * 4. Otherwise a URI ending in `/` gets `index.html` appended, and one whose last segment has no `.`
 *    becomes `<uri>/index.html`.
 * 5. Any other URI (a file with an extension) is left unchanged, so a missing asset stays a 404.
 * 6. With `releases`, the routed URI is prefixed with `/releases/<live release id>`.
 *
 * With `releases.tokenReleases`, a request carrying a well-formed token (link parameter, header or
 * cookie; see PREVIEW_TOKEN) whose store record has not expired, on a preview host only for that
 * host's preview, reads the preview the token names instead of live (step 2 onwards, with the
 * preview's release id), and is marked with the header PREVIEW_TOKEN.marker. A link answers a 302
 * to the same URL without its parameter, setting the cookie until the token expires. Anything else
 * is served live, with no store read more than without previews.
 *
 * The query string is never touched by the rewrites.
 */
export function routingFunctionCode(options: RoutingFunctionOptions): string {
  // The hosts are the site's domain names, checked by the construct (domain names, each listed once).
  const redirect = options.hostRedirect;
  const tokenReleases = options.releases?.tokenReleases;
  const settings: RoutingSettings = {
    singlePageApp: options.singlePageApp,
    ...redirect ? { fromHosts: redirect.fromHosts, toHost: redirect.toHost } : {},
    ...options.releases ? {
      keyValueStoreId: options.releases.keyValueStoreId,
      releasesPrefix: RELEASES_PREFIX,
      liveReleaseKey: LIVE_RELEASE_KEY,
    } : {},
    ...options.releases?.redirects ? { rules: { redirects: RELEASE_RULES.redirectsKind, statusPages: RELEASE_RULES.statusPagesPrefix } } : {},
    ...tokenReleases ? { preview: tokenReleaseSettings(tokenReleases) } : {},
  };
  return [
    // The KeyValueStore helpers come from this module, imported in the first line.
    // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-custom-methods.html
    ...options.releases ? ['import cf from \'cloudfront\';'] : [],
    `var ROUTING = ${JSON.stringify(settings)};`,
    ...options.releases?.redirects ? [deployedText('edge-rules.js')] : [],
    deployedText('routing.js'),
  ].join('\n');
}

/** What the viewer-response function does: token releases, release rules, or both. */
export interface ResponseFunctionOptions {
  /** Mark the responses of releases read with a token `x-robots-tag: noindex`. */
  readonly tokenReleases?: TokenReleases;
  /** Apply the releases' `_headers` rules and the status of `_redirects` 404 and 410 pages, read from this KeyValueStore. */
  readonly rules?: { readonly keyValueStoreId: string };
}

/**
 * Returns the code of the viewer-response CloudFront Function (runtime `cloudfront-js-2.0`):
 * runtime/preview-response.js after its settings, `var PREVIEW = {...};` and `var RULES = {...};`.
 * With `tokenReleases`, it adds `x-robots-tag: noindex` to the response to a request that was marked
 * by the routing function as reading a preview, or that carries a token (link parameter, header or
 * cookie), or that is for a host under the preview domain. With `rules`, a response whose
 * object names a status (the copy of a 404 or 410 rule's page) gets that status, and one whose
 * object names its release gets the headers of that release's `_headers` for the viewer's path.
 */
export function responseFunctionCode(options: ResponseFunctionOptions): string {
  const rules = options.rules && {
    keyValueStoreId: options.rules.keyValueStoreId,
    headers: RELEASE_RULES.headersKind,
    statusMetadata: RELEASE_RULES.statusMetadata,
    releaseMetadata: RELEASE_RULES.releaseMetadata,
  };
  return [
    ...rules ? ['import cf from \'cloudfront\';'] : [],
    `var PREVIEW = ${JSON.stringify(options.tokenReleases ? tokenReleaseSettings(options.tokenReleases) : null)};`,
    `var RULES = ${JSON.stringify(rules ?? null)};`,
    ...rules ? [deployedText('edge-rules.js')] : [],
    deployedText('preview-response.js'),
  ].join('\n');
}

/** The settings both functions read of token releases: the names of the contract, and the preview domain. */
function tokenReleaseSettings(tokenReleases: TokenReleases): PreviewSettings {
  const domain = tokenReleases.previewDomain?.domainName;
  return {
    keyPrefix: PREVIEW_KEY_PREFIX,
    tokenKeyPrefix: TOKEN_KEY_PREFIX,
    ...PREVIEW_TOKEN,
    ...domain !== undefined ? { domain } : {},
  };
}

/**
 * The text of a runtime file as CloudFront runs it: without its comment lines and indentation (a
 * function is limited to 10 KB, comments and spaces included). No line of these programs starts
 * inside a string, and none ends in one.
 */
function deployedText(name: string): string {
  return readRuntimeFile(__dirname, name).split('\n').filter((line) => !/^\s*\/\//.test(line) && line.trim()).map((line) => line.trim()).join('\n');
}

/** What runtime/routing.js reads from `ROUTING`: the options, and the names shared with the release program. */
interface RoutingSettings {
  readonly singlePageApp: boolean;
  readonly fromHosts?: string[];
  readonly toHost?: string;
  readonly keyValueStoreId?: string;
  readonly rules?: { readonly redirects: string; readonly statusPages: string };
  readonly releasesPrefix?: string;
  readonly liveReleaseKey?: string;
  readonly preview?: PreviewSettings;
}

/** What runtime/routing.js (`ROUTING.preview`) and runtime/preview-response.js (`PREVIEW`) read of previews. */
interface PreviewSettings {
  readonly keyPrefix: string;
  readonly tokenKeyPrefix: string;
  readonly header: string;
  readonly cookie: string;
  readonly query: string;
  readonly marker: string;
  readonly domain?: string;
}
