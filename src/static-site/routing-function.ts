import { LIVE_RELEASE_KEY, RELEASES_PREFIX } from './release-contract';
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
  /** Look up a redirect of the live release for each request (`<release id><path>` → `<status> <location>`). */
  readonly redirects: boolean;
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

// Characters that can never appear in a host name and would change the meaning of the location URL.
const INVALID_HOST = /[\s/?#@\\]/;

function validateHost(name: string, value: string): void {
  if (value.length === 0 || INVALID_HOST.test(value)) {
    throw new Error(`hostRedirect.${name} must be a bare host name such as 'www.example.com', got '${value}'`);
  }
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
 * The query string is never touched by the rewrites.
 */
export function routingFunctionCode(options: RoutingFunctionOptions): string {
  const redirect = options.hostRedirect;
  if (redirect) {
    redirect.fromHosts.forEach((host) => validateHost('fromHosts', host));
    validateHost('toHost', redirect.toHost);
    if (redirect.fromHosts.some((host) => host.toLowerCase() === redirect.toHost.toLowerCase())) {
      throw new Error(`hostRedirect.fromHosts includes hostRedirect.toHost ('${redirect.toHost}'), which would redirect forever`);
    }
  }
  const settings: RoutingSettings = {
    singlePageApp: options.singlePageApp,
    ...redirect ? { fromHosts: redirect.fromHosts, toHost: redirect.toHost } : {},
    ...options.releases ? {
      keyValueStoreId: options.releases.keyValueStoreId,
      redirects: options.releases.redirects,
      releasesPrefix: RELEASES_PREFIX,
      liveReleaseKey: LIVE_RELEASE_KEY,
    } : {},
  };
  return [
    // The KeyValueStore helpers come from this module, imported in the first line.
    // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-custom-methods.html
    ...options.releases ? ['import cf from \'cloudfront\';'] : [],
    `var ROUTING = ${JSON.stringify(settings)};`,
    readRuntimeFile(__dirname, 'routing.js'),
  ].join('\n');
}

/** What runtime/routing.js reads from `ROUTING`: the options, and the names shared with the release program. */
interface RoutingSettings {
  readonly singlePageApp: boolean;
  readonly fromHosts?: string[];
  readonly toHost?: string;
  readonly keyValueStoreId?: string;
  readonly redirects?: boolean;
  readonly releasesPrefix?: string;
  readonly liveReleaseKey?: string;
}
