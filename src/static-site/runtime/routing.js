// @ts-check
// Static site routing: the viewer-request CloudFront Function of StaticSitePipeline (cloudfront-js-2.0).
// Deployed as it is, after the lines the construct puts above it: the `cloudfront` module as `cf` (with
// releases), `var ROUTING = {...};`, the site's settings (RoutingSettings in routing-function.ts),
// and with rules, runtime/edge-rules.js.
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
  var rule = release && ROUTING.rules ? await ruleOf(release, request) : null;
  if (rule && rule.statusCode) {
    return rule;
  }
  var routed = rule || route(request);
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

// The answer of the release's first `_redirects` rule that matches the request (runtime/redirect-records.js
// writes them): a redirect response, the request rewritten (200 to a path, 404 and 410 to the copy
// of their page that the response function gives its status), or null. Reads the release's table,
// then the path's record when its first segment has records (a file there hides rules without `!`).
async function ruleOf(release, request) {
  var path = edgePath(request.uri);
  var segment = path.split('/')[1] || '';
  var table = await edgeTable(read, release, ROUTING.rules.redirects, segment);
  // The path's record: [1 when a file answers it, ...its rules].
  /** @type {any[]} */
  var record = [0];
  if (!table) {
    // A release made before rule tables: "<status> <to>" under its path.
    var old = await read(release + path);
    record = old ? [0, [0, 0, Number(old.split(' ')[0]), old.slice(old.indexOf(' ') + 1), 1]] : record;
  } else if (table.e === 1 || (table.e && table.e.indexOf(segment) !== -1)) {
    // JSON, or "<line> <status> <to>" for one plain rule.
    var value = await read('~' + table.t + path);
    var plain = /^(\d+) (\d+) (.*)$/.exec(value);
    record = plain ? [0, [Number(plain[1]), 0, Number(plain[2]), plain[3]]] : edgeParse(value) || record;
  }
  var rules = (table ? table.rules : []).concat(record.slice(1)).sort(function (a, b) { return a[0] - b[0]; });
  for (var i = 0; i < rules.length; i++) {
    var captures = !rules[i][4] && record[0] ? null : edgeMatch(rules[i][1] || path, path);
    if (captures && applies(rules[i], request, captures)) {
      return answer(rules[i], request, captures);
    }
  }
  return null;
}

// Whether the host, query parameters (capturing `:name` values) and conditions of a rule hold.
function applies(rule, request, captures) {
  var headers = request.headers;
  var query = rule[5] || [];
  var when = rule[6] || {};
  if (rule[7] && (!headers.host || headers.host.value.toLowerCase() !== rule[7])) {
    return false;
  }
  for (var i = 0; i < query.length; i++) {
    var value = request.querystring[query[i][0]];
    var named = query[i][1][0] === ':';
    if (!value || (!named && value.value !== query[i][1])) {
      return false;
    }
    if (named) {
      captures[query[i][1].slice(1)] = value.value;
    }
  }
  // CloudFront-Viewer-Country reaches the function because the origin request policy names it.
  var country = headers['cloudfront-viewer-country'];
  var languages = (headers['accept-language'] ? headers['accept-language'].value : '').toLowerCase().split(',')
    .map(function (tag) { return tag.split(';')[0].trim(); });
  return !(when.C && when.C.indexOf(country ? country.value.toUpperCase() : '') === -1)
    && !(when.L && !when.L.some(function (l) { return languages.some(function (tag) { return tag === l || tag.indexOf(l + '-') === 0; }); }))
    && !(when.K && !when.K.some(function (name) { return request.cookies[name]; }));
}

// What a rule answers: its target with the captures in place of `:name`.
function answer(rule, request, captures) {
  var status = rule[2];
  var to = rule[3].replace(/:(\w+)/g, function (all, name) { return name in captures ? captures[name] : all; });
  if (status === 200) {
    request.uri = to;
    return route(request);
  }
  if (status === 404 || status === 410) {
    request.uri = '/' + ROUTING.rules.statusPages + status + to;
    return request;
  }
  // The query string goes along, unless the rule matched on it.
  var query = rule[5] ? '' : queryString(request.querystring);
  return {
    statusCode: status,
    headers: {
      'location': { value: query && to.indexOf('?') !== -1 ? to + '&' + query.slice(1) : to + query },
      // Permanent redirects are cached by browsers; an hour keeps them changeable. Not when conditional.
      'cache-control': { value: (status === 301 || status === 308) && !rule[6] ? 'max-age=3600' : 'no-cache' },
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
