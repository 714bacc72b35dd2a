import * as http from 'http';
import { AddressInfo } from 'net';
import { FunctionResponse, FunctionResult, ViewerRequestFunction, ViewerResponseFunction } from './cloudfront-function';
import { DistributionConfig } from './distribution-config';
import { OriginResponse, S3Origin } from './s3-origin';
import { KeyValueStores } from '../../test/support/cloudfront-function';

/** A running emulator. */
export interface RunningEmulator {
  /** Base URL, e.g. 'http://127.0.0.1:41234', without a trailing slash. */
  readonly url: string;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

/**
 * Serves the files of `siteDir` the way the distribution described by `config` serves its S3
 * bucket: the default root object, then the viewer-request function (run on every request, with
 * the KeyValueStores `stores`; objects carry the user metadata `metadataOf` gives them),
 * then an exact-key S3 lookup, the custom error responses, the response headers policy's
 * headers on every response from the origin or an error page, and the viewer-response function
 * on an origin response below 400. Listens on 127.0.0.1 only, on a port the system picks.
 *
 * Caching, compression, TLS and HTTP/2 are left out: nothing the browser checks depends on them.
 */
export async function startCloudFrontEmulator(config: DistributionConfig, siteDir: string, stores: KeyValueStores = {},
  metadataOf?: (key: string) => Record<string, string>): Promise<RunningEmulator> {
  const origin = new S3Origin(siteDir, metadataOf);
  const functions: ViewerFunctions = {
    request: config.viewerRequestCode === undefined ? undefined : new ViewerRequestFunction(config.viewerRequestCode, stores),
    response: config.viewerResponseCode === undefined ? undefined : new ViewerResponseFunction(config.viewerResponseCode, stores),
  };

  const server = http.createServer((req, res) => {
    respond(req, config, origin, functions)
      .then((answer) => send(res, answer, req.method === 'HEAD'))
      .catch((e) => send(res, textResponse(503, `emulator error: ${(e as Error).message}`), false));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A response as the emulator sends it. */
interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** The functions associated with the default behavior. */
interface ViewerFunctions {
  readonly request?: ViewerRequestFunction;
  readonly response?: ViewerResponseFunction;
}

/** CloudFront's answer to one viewer request. */
async function respond(req: http.IncomingMessage, config: DistributionConfig, origin: S3Origin,
  functions: ViewerFunctions): Promise<Answer> {
  if (!config.allowedMethods.includes(req.method ?? '')) {
    return withPolicyHeaders(textResponse(403, 'This distribution is not configured to allow the HTTP request method.'), config);
  }
  const url = withDefaultRootObject(req.url ?? '/', config.defaultRootObject);
  let uri = url.split('?')[0];
  try {
    if (functions.request) {
      const result: FunctionResult = await functions.request.run(req, url);
      if ('response' in result) {
        // Sent as it is: no viewer-response function runs on a response the viewer-request function made.
        return functionAnswer(result.response);
      }
      uri = result.request.uri;
    }
    const answer = withPolicyHeaders(fromOrigin(uri, config, origin), config);
    // CloudFront runs no viewer-response function when the origin answers 400 or above.
    if (!functions.response || answer.status >= 400) {
      return answer;
    }
    const response = await functions.response.run(req, url, functionResponse(answer));
    // The function never sees the body; without one of its own, the origin's is sent.
    return response.body === undefined ? { ...functionAnswer(response), body: answer.body } : functionAnswer(response);
  } catch (e) {
    // CloudFront answers 503 when a function throws or returns something invalid.
    return textResponse(503, `The CloudFront function associated with this distribution failed: ${(e as Error).message}`);
  }
}

/**
 * An origin's answer as a viewer-response function gets it: lower-case header names, repeated
 * ones in `multiValue`, `Set-Cookie` in `cookies` (S3 sends none), no body.
 */
function functionResponse(answer: Answer): FunctionResponse {
  const headers: Record<string, { value: string; multiValue?: Array<{ value: string }> }> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    const values = Array.isArray(value) ? value : [value];
    headers[name.toLowerCase()] = values.length > 1 ? { value: values[0], multiValue: values.map((v) => ({ value: v })) } : { value: values[0] };
  }
  return { statusCode: answer.status, statusDescription: http.STATUS_CODES[answer.status], headers, cookies: {} };
}

/**
 * `url` with the default root object in place of a path of exactly `/`. CloudFront does this
 * before choosing the behavior, so the viewer-request function sees the object's path.
 */
function withDefaultRootObject(url: string, defaultRootObject?: string): string {
  return defaultRootObject && (url === '/' || url.startsWith('/?')) ? `/${defaultRootObject}${url.slice(1)}` : url;
}

/** The origin's response for `uri`, replaced by the matching custom error response's page and status. */
function fromOrigin(uri: string, config: DistributionConfig, origin: S3Origin): OriginResponse {
  const response = origin.get(uri);
  const rule = config.errorResponses.find((e) => e.errorCode === response.status);
  if (!rule) {
    return response;
  }
  // The error page is fetched from the origin directly, without running the function again.
  const page = rule.responsePagePath ? origin.get(rule.responsePagePath) : response;
  if (page.status !== 200) {
    // CloudFront falls back to the origin's own error when the error page cannot be fetched.
    return response;
  }
  return { ...page, status: rule.responseCode ?? response.status };
}

/** `response` with the policy's headers added (or replacing the origin's where the policy overrides). */
function withPolicyHeaders(response: OriginResponse, config: DistributionConfig): Answer {
  const headers: Record<string, string | string[]> = { ...response.headers };
  for (const header of config.policyHeaders) {
    if (header.override || !(header.name in headers)) {
      headers[header.name] = header.value;
    }
  }
  return { ...response, headers };
}

/**
 * The answer a function's response makes, sent as the function wrote it (whether the policy's
 * headers apply to a response the viewer-request function generated is not modelled).
 */
function functionAnswer(response: FunctionResponse): Answer {
  const headers: Record<string, string | string[]> = {};
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    headers[name] = header.multiValue ? header.multiValue.map((v) => v.value) : header.value;
  }
  const cookies = Object.entries(response.cookies ?? {})
    .map(([name, c]) => `${name}=${c.value}${c.attributes ? `; ${c.attributes}` : ''}`);
  if (cookies.length) {
    headers['set-cookie'] = cookies;
  }
  const body = response.body;
  const data = typeof body === 'string' ? Buffer.from(body)
    : body ? Buffer.from(body.data, body.encoding === 'base64' ? 'base64' : 'utf8') : Buffer.alloc(0);
  return { status: response.statusCode, headers, body: data };
}

/** A plain-text response of CloudFront's own. */
function textResponse(status: number, message: string): OriginResponse {
  return { status, headers: { 'content-type': 'text/plain' }, body: Buffer.from(`${message}\n`) };
}

/** Writes `answer` to the viewer; a HEAD request gets the headers only. */
function send(res: http.ServerResponse, answer: Answer, headOnly: boolean): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
  res.end(headOnly ? undefined : answer.body);
}
