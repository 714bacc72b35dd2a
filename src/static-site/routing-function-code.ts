import { LIVE_RELEASE_KEY, RELEASES_PREFIX } from './release-contract';

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
 * Returns the JavaScript source of a viewer-request CloudFront Function (runtime `cloudfront-js-2.0`)
 * that routes requests of a static site served from S3:
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
  const releases = options.releases;
  const lines: string[] = [
    // The KeyValueStore helpers come from this module, imported in the first line.
    // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-custom-methods.html
    ...(releases ? ['import cf from \'cloudfront\';'] : []),
    '// Static site routing: viewer-request CloudFront Function, runtime cloudfront-js-2.0.',
    `// Extensionless paths are served from ${options.singlePageApp ? '/index.html (single-page app)' : '<path>/index.html (directory index)'}.`,
  ];

  const redirect = options.hostRedirect;
  if (redirect) {
    redirect.fromHosts.forEach((host) => validateHost('fromHosts', host));
    validateHost('toHost', redirect.toHost);
    if (redirect.fromHosts.some((host) => host.toLowerCase() === redirect.toHost.toLowerCase())) {
      throw new Error(`hostRedirect.fromHosts includes hostRedirect.toHost ('${redirect.toHost}'), which would redirect forever`);
    }
    // Lower-cased at run time rather than here, so that an unresolved CDK token stays intact.
    lines.push(
      `var FROM_HOSTS = ${JSON.stringify(redirect.fromHosts)}.map(function (h) { return h.toLowerCase(); });`,
      `var TO_HOST = ${JSON.stringify(redirect.toHost)};`,
    );
  }
  if (releases) {
    lines.push(...releaseHelpers(releases));
  }
  if (redirect || releases?.redirects) {
    lines.push(...QUERY_STRING_HELPERS);
  }

  lines.push(
    '',
    `${releases ? 'async ' : ''}function handler(event) {`,
    '  var request = event.request;',
    '  var uri = request.uri;',
  );

  if (redirect) {
    lines.push(
      '  var host = request.headers.host;',
      '  if (host && FROM_HOSTS.indexOf(host.value.toLowerCase()) !== -1) {',
      '    return {',
      '      statusCode: 301,',
      '      statusDescription: \'Moved Permanently\',',
      '      headers: {',
      '        \'location\': { value: \'https://\' + TO_HOST + uri + queryString(request.querystring) },',
      '        \'cache-control\': { value: \'max-age=3600\' },',
      '      },',
      '    };',
      '  }',
    );
  }
  if (releases) {
    lines.push(
      '  var live = await liveRelease();',
      '  if (live === undefined) {',
      '    return unavailable();',
      '  }',
    );
  }
  if (releases?.redirects) {
    lines.push(
      '  var redirect = live ? await redirectOf(live, uri, request.querystring) : null;',
      '  if (redirect) {',
      '    return redirect;',
      '  }',
    );
  }

  lines.push(...options.singlePageApp ? [
    '  if (uri.endsWith(\'/\') || uri.slice(uri.lastIndexOf(\'/\') + 1).indexOf(\'.\') === -1) {',
    '    // A route of the app (no "." in the last segment; dots in directory names do not count).',
    '    request.uri = \'/index.html\';',
    '  }',
  ] : [
    '  if (uri.endsWith(\'/\')) {',
    '    // Directory URI: serve its index document.',
    '    request.uri = uri + \'index.html\';',
    '  } else if (uri.slice(uri.lastIndexOf(\'/\') + 1).indexOf(\'.\') === -1) {',
    '    // No "." in the last segment (dots in directory names do not count): not a file.',
    '    request.uri = uri + \'/index.html\';',
    '  }',
  ], '  // Anything else is a file (e.g. /app.3f9a.js) and is fetched as is, so a missing one stays a 404.');
  if (releases) {
    lines.push(
      '  if (live) {',
      '    // A new cache key per release: switching releases needs no invalidation.',
      `    request.uri = '/${RELEASES_PREFIX}' + live + request.uri;`,
      '  }',
    );
  }
  lines.push(
    '  return request;',
    '}',
    '',
  );

  return lines.join('\n');
}

// Rebuild a query string for a redirect location.
const QUERY_STRING_HELPERS = [
  '',
  '// Re-encode a query string name or value. CloudFront passes them as the viewer sent them:',
  '// decode once and encode again, keep "+" (a form-encoded space), and encode malformed escapes as text.',
  'function enc(s) {',
  '  return s.split(\'+\').map(function (part) {',
  '    try { part = decodeURIComponent(part); } catch (e) { /* not a valid escape: encode as text */ }',
  '    return encodeURIComponent(part);',
  '  }).join(\'+\');',
  '}',
  '',
  '// Rebuild "?a=1&b=2&b=3" from the querystring object, keeping repeated names; "" when empty.',
  'function queryString(qs) {',
  '  var pairs = [];',
  '  Object.keys(qs).forEach(function (name) {',
  '    (qs[name].multiValue || [qs[name]]).forEach(function (v) {',
  '      pairs.push(v.value === \'\' ? enc(name) : enc(name) + \'=\' + enc(v.value));',
  '    });',
  '  });',
  '  return pairs.length ? \'?\' + pairs.join(\'&\') : \'\';',
  '}',
];

/** The KeyValueStore handle and the helpers that read it: the live release, the 503, and redirects. */
function releaseHelpers(releases: ReleaseRouting): string[] {
  const lines = [
    `// Requests are served from /${RELEASES_PREFIX}<id>/, <id> being the value of the key "${LIVE_RELEASE_KEY}".`,
    `var kvs = cf.kvs(${JSON.stringify(releases.keyValueStoreId)});`,
    '',
    '// The live release id; "" before the first release; undefined when the store cannot be read.',
    'async function liveRelease() {',
    '  try {',
    `    return await kvs.get('${LIVE_RELEASE_KEY}');`,
    '  } catch (e) {',
    '    // get() fails alike for a missing key and a store error; exists() tells them apart. With no',
    '    // release yet the bucket root is served: a site switched from in-place deploys stays up.',
    '    try {',
    `      return (await kvs.exists('${LIVE_RELEASE_KEY}')) ? undefined : '';`,
    '    } catch (e2) {',
    '      return undefined;',
    '    }',
    '  }',
    '}',
    '',
    '// Never a guess at which release to serve: a short, uncached 503.',
    'function unavailable() {',
    '  return {',
    '    statusCode: 503,',
    '    statusDescription: \'Service Unavailable\',',
    '    headers: {',
    '      \'retry-after\': { value: \'30\' },',
    '      \'cache-control\': { value: \'no-store\' },',
    '      \'content-type\': { value: \'text/plain; charset=utf-8\' },',
    '    },',
    '    body: { encoding: \'text\', data: \'The site is unavailable for a moment. Please retry in 30 seconds.\' },',
    '  };',
    '}',
  ];
  if (releases.redirects) {
    lines.push(
      '',
      '// The redirect of the live release for this path: key "<release id><path>" (a trailing slash',
      '// does not count), value "<status> <location>". One more store read per request.',
      'async function redirectOf(live, uri, qs) {',
      '  var rule;',
      '  try {',
      '    rule = await kvs.get(live + (uri.length > 1 && uri.endsWith(\'/\') ? uri.slice(0, -1) : uri));',
      '  } catch (e) {',
      '    return null;',
      '  }',
      '  var space = rule.indexOf(\' \');',
      '  var status = Number(rule.slice(0, space));',
      '  var location = rule.slice(space + 1);',
      '  var query = queryString(qs);',
      '  return {',
      '    statusCode: status,',
      '    headers: {',
      '      \'location\': { value: query && location.indexOf(\'?\') !== -1 ? location + \'&\' + query.slice(1) : location + query },',
      '      // Permanent redirects are cached by browsers; an hour keeps them changeable.',
      '      \'cache-control\': { value: status === 301 || status === 308 ? \'max-age=3600\' : \'no-cache\' },',
      '    },',
      '  };',
      '}',
    );
  }
  return lines;
}
