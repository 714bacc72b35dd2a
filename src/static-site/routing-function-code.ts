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
 * 2. A URI ending in `/` gets `index.html` appended.
 * 3. A URI whose last segment has no `.` becomes `/index.html` (`singlePageApp`) or `<uri>/index.html`.
 * 4. Any other URI (a file with an extension) is left unchanged, so a missing asset stays a 404.
 *
 * The query string is never touched by the rewrites.
 */
export function routingFunctionCode(options: RoutingFunctionOptions): string {
  const lines: string[] = [
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
    );
  }

  lines.push(
    '',
    'function handler(event) {',
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

  lines.push(
    '  if (uri.endsWith(\'/\')) {',
    '    // Directory URI: serve its index document.',
    '    request.uri = uri + \'index.html\';',
    '  } else if (uri.slice(uri.lastIndexOf(\'/\') + 1).indexOf(\'.\') === -1) {',
    '    // No "." in the last segment (dots in directory names do not count): not a file.',
    options.singlePageApp
      ? '    request.uri = \'/index.html\';'
      : '    request.uri = uri + \'/index.html\';',
    '  }',
    '  // Anything else is a file (e.g. /app.3f9a.js) and is fetched as is, so a missing one stays a 404.',
    '  return request;',
    '}',
    '',
  );

  return lines.join('\n');
}
