// @ts-check
// Static site routing: the viewer-request CloudFront Function of StaticSitePipeline (cloudfront-js-2.0).
// Deployed as it is, after the lines the construct puts above it: the `cloudfront` module as `cf` (with
// releases) and `var ROUTING = {...};`, the site's settings (RoutingSettings in routing-function.ts).
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-20.html

// The KeyValueStore naming the live release (its redirects, previews and tokens), when the site has releases.
var kvs = ROUTING.keyValueStoreId ? cf.kvs(ROUTING.keyValueStoreId) : null;
var FROM_HOSTS = (ROUTING.fromHosts || []).map(function (h) { return h.toLowerCase(); });
// With previews: the names a preview token goes by, the marker of a preview request, the preview domain.
var PREVIEW = ROUTING.preview;

// Without releases the handler answers at once; with them it returns the promise of an async route.
function handler(event) {
  return kvs ? routeRelease(event.request) : route(event.request);
}

// Host redirect, then the path: an extensionless path is a page, anything else a file.
function route(request) {
  var redirect = hostRedirect(request);
  if (redirect) {
    return redirect;
  }
  var uri = request.uri;
  var page = uri.endsWith('/') || uri.slice(uri.lastIndexOf('/') + 1).indexOf('.') === -1;
  if (page && ROUTING.singlePageApp) {
    // A route of the app (no "." in the last segment; dots in directory names do not count).
    request.uri = '/index.html';
  } else if (page) {
    // A directory index: /docs/ and /docs are served from /docs/index.html.
    request.uri = uri.endsWith('/') ? uri + 'index.html' : uri + '/index.html';
  }
  // A file (e.g. /app.3f9a.js) is fetched as is, so a missing one stays a 404.
  return request;
}

// The release to serve (a preview the request may read, else live), its redirect for the path, then
// the route under /<prefix><release id>: a new cache key per release, so switching releases needs
// no invalidation and a cached preview never reaches a visitor of live.
async function routeRelease(request) {
  var redirect = hostRedirect(request);
  if (redirect) {
    return redirect;
  }
  var preview = PREVIEW ? await previewOf(request) : null;
  if (preview && typeof preview === 'object') {
    return preview;
  }
  var release = preview || await liveRelease();
  if (release === undefined) {
    return unavailable();
  }
  var rule = release && ROUTING.redirects ? await redirectOf(release, request.uri, request.querystring) : null;
  if (rule) {
    return rule;
  }
  var routed = route(request);
  if (release) {
    routed.uri = '/' + ROUTING.releasesPrefix + release + routed.uri;
  }
  return routed;
}

// The preview release a token lets the request read (marking the request), a 302 that keeps the
// token of a link in a cookie, or null (serve live): no store read without a well-formed token.
async function previewOf(request) {
  var P = PREVIEW;
  var link = request.querystring[P.query];
  var token = (link || request.headers[P.header] || request.cookies[P.cookie] || { value: '' }).value;
  if (!/^[0-9a-f]{32}$/.test(token)) {
    return null;
  }
  // "<expires epoch seconds> <name>"; a preview host <name>.<domain> takes a token for <name> only.
  var grant = (await read(P.tokenKeyPrefix + token)).split(' ');
  var seconds = Number(grant[0]) - Math.floor(Date.now() / 1000);
  var host = request.headers.host ? request.headers.host.value.toLowerCase() : '';
  var suffix = '.' + P.domain;
  if (!(seconds > 0) || (P.domain && host.endsWith(suffix) && host.slice(0, -suffix.length) !== grant[1])) {
    return null;
  }
  if (link) {
    delete request.querystring[P.query];
    var cookies = {};
    cookies[P.cookie] = { value: token, attributes: 'Path=/; Max-Age=' + seconds + '; Secure; HttpOnly; SameSite=Lax' };
    return {
      statusCode: 302,
      statusDescription: 'Found',
      headers: {
        // The default root object is the function's /index.html for a request of /: back to /.
        'location': { value: (request.uri === '/index.html' ? '/' : request.uri) + queryString(request.querystring) },
        'cache-control': { value: 'no-store' },
      },
      cookies: cookies,
    };
  }
  var release = await read(P.keyPrefix + grant[1]);
  if (release) {
    request.headers[P.marker] = { value: grant[1] };
  }
  return release || null;
}

// The value of a key, "" when it is missing or the store cannot be read.
async function read(key) {
  try {
    return await kvs.get(key);
  } catch (e) {
    return '';
  }
}

// A 301 to the primary host for a request to another of the site's hosts, else null.
function hostRedirect(request) {
  var host = request.headers.host;
  if (!host || FROM_HOSTS.indexOf(host.value.toLowerCase()) === -1) {
    return null;
  }
  return {
    statusCode: 301,
    statusDescription: 'Moved Permanently',
    headers: {
      'location': { value: 'https://' + ROUTING.toHost + request.uri + queryString(request.querystring) },
      'cache-control': { value: 'max-age=3600' },
    },
  };
}

// The live release id; "" before the first release; undefined when the store cannot be read.
async function liveRelease() {
  try {
    return await kvs.get(ROUTING.liveReleaseKey);
  } catch (e) {
    // get() fails alike for a missing key and a store error; exists() tells them apart. With no
    // release yet the bucket root is served: a site switched from in-place deploys stays up.
    try {
      return (await kvs.exists(ROUTING.liveReleaseKey)) ? undefined : '';
    } catch (e2) {
      return undefined;
    }
  }
}

// Never a guess at which release to serve: a short, uncached 503.
function unavailable() {
  return {
    statusCode: 503,
    statusDescription: 'Service Unavailable',
    headers: {
      'retry-after': { value: '30' },
      'cache-control': { value: 'no-store' },
      'content-type': { value: 'text/plain; charset=utf-8' },
    },
    body: { encoding: 'text', data: 'The site is unavailable for a moment. Please retry in 30 seconds.' },
  };
}

// The redirect of the release served for this path: key "<release id><path>" (a trailing slash does
// not count), value "<status> <location>". One more store read per request.
async function redirectOf(release, uri, qs) {
  var rule = await read(release + (uri.length > 1 && uri.endsWith('/') ? uri.slice(0, -1) : uri));
  if (!rule) {
    return null;
  }
  var space = rule.indexOf(' ');
  var status = Number(rule.slice(0, space));
  var location = rule.slice(space + 1);
  var query = queryString(qs);
  return {
    statusCode: status,
    headers: {
      'location': { value: query && location.indexOf('?') !== -1 ? location + '&' + query.slice(1) : location + query },
      // Permanent redirects are cached by browsers; an hour keeps them changeable.
      'cache-control': { value: status === 301 || status === 308 ? 'max-age=3600' : 'no-cache' },
    },
  };
}

// Re-encode a query string name or value. CloudFront passes them as the viewer sent them: decode
// once and encode again, keep "+" (a form-encoded space), and encode malformed escapes as text.
function enc(s) {
  return s.split('+').map(function (part) {
    try { part = decodeURIComponent(part); } catch (e) { /* not a valid escape: encode as text */ }
    return encodeURIComponent(part);
  }).join('+');
}

// Rebuild "?a=1&b=2&b=3" from the querystring object, keeping repeated names; "" when empty.
function queryString(qs) {
  var pairs = [];
  Object.keys(qs).forEach(function (name) {
    (qs[name].multiValue || [qs[name]]).forEach(function (v) {
      pairs.push(v.value === '' ? enc(name) : enc(name) + '=' + enc(v.value));
    });
  });
  return pairs.length ? '?' + pairs.join('&') : '';
}
