// @ts-check
// Preview responses: the viewer-response CloudFront Function of a StaticSitePipeline with previews
// (cloudfront-js-2.0). Deployed as it is (comment lines removed), after the line of settings the
// construct puts above it, `var PREVIEW = {...};` (PreviewSettings in routing-function.ts).
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html

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
  if (request.headers[PREVIEW.marker] || request.headers[PREVIEW.header] || request.cookies[PREVIEW.cookie]
    || request.querystring[PREVIEW.query] || (PREVIEW.domain && host.endsWith('.' + PREVIEW.domain))) {
    event.response.headers['x-robots-tag'] = { value: 'noindex' };
  }
  return event.response;
}
