// @ts-check
// Static site routing: the viewer-request CloudFront Function of StaticSitePipeline (cloudfront-js-2.0).
// Deployed as it is, after the lines the construct puts above it: the `cloudfront` module as `cf` (with
// releases) and `var ROUTING = {...};`, the site's settings (RoutingSettings in routing-function.ts).
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-javascript-runtime-20.html

// The KeyValueStore naming the live release (and its redirects), when the site has releases.
var kvs = ROUTING.keyValueStoreId ? cf.kvs(ROUTING.keyValueStoreId) : null;
var FROM_HOSTS = (ROUTING.fromHosts || []).map(function (h) { return h.toLowerCase(); });

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

// The live release, its redirect for the path, then the route under /<prefix><live id>: a new cache
// key per release, so switching releases needs no invalidation.
async function routeRelease(request) {
  var redirect = hostRedirect(request);
  if (redirect) {
    return redirect;
  }
  var live = await liveRelease();
  if (live === undefined) {
    return unavailable();
  }
  var rule = live && ROUTING.redirects ? await redirectOf(live, request.uri, request.querystring) : null;
  if (rule) {
    return rule;
  }
  var routed = route(request);
  if (live) {
    routed.uri = '/' + ROUTING.releasesPrefix + live + routed.uri;
  }
  return routed;
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

// The redirect of the live release for this path: key "<release id><path>" (a trailing slash does
// not count), value "<status> <location>". One more store read per request.
async function redirectOf(live, uri, qs) {
  var rule;
  try {
    rule = await kvs.get(live + (uri.length > 1 && uri.endsWith('/') ? uri.slice(0, -1) : uri));
  } catch (e) {
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
