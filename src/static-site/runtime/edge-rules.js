// @ts-check
// The rules of a release as the CloudFront Functions read them (runtime/rule-table.js lays them
// out in the KeyValueStore): deployed in front of runtime/routing.js and of
// runtime/preview-response.js, which call these with their own store read. The release program
// loads this very file to compare paths as the edge does (cloudfront-js-2.0 has no modules).

// A path as the rules compare it: escapes in upper case, no trailing slash but for the root, and
// `/index.html` as `/` (CloudFront's default root object turns a request of `/` into it).
function edgePath(uri) {
  var path = uri.replace(/%[0-9a-f]{2}/gi, function (e) { return e.toUpperCase(); });
  if (path === '/index.html') {
    return '/';
  }
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

// The captures of `path` by `pattern` (`:name` one segment, a final `*` the rest as `splat`), or null.
function edgeMatch(pattern, path) {
  var want = pattern.split('/');
  var have = path.split('/');
  var captures = {};
  for (var i = 1; i < want.length; i++) {
    if (want[i] === '*') {
      captures.splat = have.slice(i).join('/');
      return captures;
    }
    if (i >= have.length || (want[i][0] === ':' ? !have[i] : want[i] !== have[i])) {
      return null;
    }
    if (want[i][0] === ':') {
      captures[want[i].slice(1)] = have[i];
    }
  }
  return have.length === want.length ? captures : null;
}

// A value as JSON, null when empty or not JSON.
function edgeParse(value) {
  try {
    return JSON.parse(value);
  } catch (e) {
    return null;
  }
}

// The value of a key as JSON, null when missing or not JSON.
async function edgeJson(get, key) {
  return edgeParse(await get(key));
}

// A release's table of kind `kind` (index `<release><kind>`, shared records `~<tag><kind>...`) for
// the first segment `segment`: its index's fields and the rules that may match (the index's, its
// continuations, the segment's), by rank; null without one.
async function edgeTable(get, release, kind, segment) {
  var index = await edgeJson(get, release + kind);
  if (!index) {
    return null;
  }
  var prefix = '~' + index.t + kind;
  var rules = index.w;
  for (var i = 1; i <= index.x; i++) {
    rules = rules.concat((await edgeJson(get, prefix + ' ' + i) || { r: [] }).r);
  }
  if (segment && (index.c === 1 || (index.c && index.c.indexOf(segment) !== -1))) {
    var chunk = await edgeJson(get, prefix + segment) || { r: [] };
    rules = rules.concat(chunk.r);
    for (i = 1; i <= (chunk.n || 0); i++) {
      rules = rules.concat((await edgeJson(get, prefix + segment + ' ' + i) || { r: [] }).r);
    }
  }
  index.rules = rules.sort(function (a, b) { return a[0] - b[0]; });
  return index;
}

if (typeof module === 'object') {
  module.exports = { edgePath, edgeMatch, edgeTable };
}
