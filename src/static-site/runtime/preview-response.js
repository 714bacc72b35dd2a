// @ts-check
// The viewer-response CloudFront Function of a StaticSitePipeline (cloudfront-js-2.0): preview
// responses are not indexed, and a release's `_redirects` pages and `_headers` rules are applied.
// Deployed as it is (comment lines removed), after what the construct puts above it: with rules,
// the `cloudfront` module as `cf` and runtime/edge-rules.js; and the settings `var PREVIEW = {...};`
// (PreviewSettings in routing-function.ts, or null) and `var RULES = {...};` (or null).
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html

// The site's KeyValueStore, which holds the releases' rules, when there are rules.
var rulesStore = RULES ? cf.kvs(RULES.keyValueStoreId) : null;

// A preview is never indexed: the response to a request that may have read one gets
// `x-robots-tag: noindex`. CloudFront documents the request of the event as "the actual request
// that CloudFront received from the viewer", so the marker the viewer-request function adds to a
// request it serves a preview to is not relied on alone: what the viewer sent to read a preview
// (the token's header, cookie or link parameter, a preview host) marks the response too. A live
// page a viewer read with a token that turned out invalid is marked as well; only that viewer sees it.
// CloudFront runs no viewer-response function on an origin error (400 and above) or on a response
// the viewer-request function made (the link's 302), which are not pages to index anyway.
function handler(event) {
  var request = event.request;
  var host = request.headers.host ? request.headers.host.value.toLowerCase() : '';
  if (PREVIEW && (request.headers[PREVIEW.marker] || request.headers[PREVIEW.header] || request.cookies[PREVIEW.cookie]
    || request.querystring[PREVIEW.query] || (PREVIEW.domain && host.endsWith('.' + PREVIEW.domain)))) {
    event.response.headers['x-robots-tag'] = { value: 'noindex' };
  }
  return RULES ? withRules(event) : event.response;
}

// The release's rules on a response from the bucket. The objects say which: the upload gives every
// object of a release with `_headers` the metadata headers=<release id> (S3 sends it as
// x-amz-meta-headers), and the release program gives the copy of a 404 or 410 rule's page
// status=<status>. The request is the viewer's, so the path is the one `_headers` names.
async function withRules(event) {
  var response = event.response;
  var headers = response.headers;
  var status = headers['x-amz-meta-' + RULES.statusMetadata];
  var release = headers['x-amz-meta-' + RULES.releaseMetadata];
  delete headers['x-amz-meta-' + RULES.statusMetadata];
  delete headers['x-amz-meta-' + RULES.releaseMetadata];
  if (status) {
    response.statusCode = Number(status.value);
    response.statusDescription = status.value === '410' ? 'Gone' : 'Not Found';
  }
  if (!release || release.value === '-') {
    return response;
  }
  var path = edgePath(event.request.uri);
  var table = await edgeTable(read, release.value, RULES.headers, path.split('/')[1] || '');
  var set = {};
  (table ? table.rules : []).forEach(function (rule) {
    if (edgeMatch(rule[1], path)) {
      rule[2].forEach(function (header) {
        headers[header[0]] = { value: set[header[0]] ? headers[header[0]].value + ', ' + header[1] : header[1] };
        set[header[0]] = 1;
      });
    }
  });
  return response;
}

// The value of a key, "" when it is missing or the store cannot be read: headers are left out then.
async function read(key) {
  try {
    return await rulesStore.get(key);
  } catch (e) {
    return '';
  }
}
