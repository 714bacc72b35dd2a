import * as vm from 'vm';
import {
  CLOUDFRONT_FUNCTION_MAX_BYTES,
  responseFunctionCode,
  RoutingFunctionOptions,
  routingFunctionCode,
  TokenReleases,
} from '../../src/static-site/routing-function';

/** CloudFront Functions' representation of a query string, header or cookie. */
interface CfValues {
  [name: string]: { value: string; multiValue?: { value: string }[] };
}

interface CfRequest {
  method: string;
  uri: string;
  querystring: CfValues;
  headers: CfValues;
  cookies: CfValues;
}

interface CfResponse {
  statusCode: number;
  statusDescription?: string;
  headers: CfValues;
}

type Handler = (event: unknown) => CfRequest | CfResponse;

const STATIC_SITE: RoutingFunctionOptions = { singlePageApp: false };
/** What a function may grow to: 10 KB less 1 KB kept free for what comes next (rules took most of the former 30 %). */
const FUNCTION_BUDGET = CLOUDFRONT_FUNCTION_MAX_BYTES - 1024;
const SPA: RoutingFunctionOptions = { singlePageApp: true };
const REDIRECT = { fromHosts: ['example.com'], toHost: 'www.example.com' };

/**
 * Evaluates the generated source in a fresh context, like CloudFront Functions does:
 * strict mode, no `require`, `process`, timers or network, just the ECMAScript built-ins.
 */
function loadHandler(options: RoutingFunctionOptions): Handler {
  const context = vm.createContext({});
  vm.runInContext(`'use strict';\n${routingFunctionCode(options)}`, context);
  return context.handler as Handler;
}

/** A viewer-request event shaped like the one CloudFront passes to the function. */
function viewerRequest(uri: string, host = 'www.example.com', querystring: CfValues = {}) {
  return {
    version: '1.0',
    context: {
      distributionDomainName: 'd111111abcdef8.cloudfront.net',
      distributionId: 'EDFDVBD6EXAMPLE',
      eventType: 'viewer-request',
      requestId: 'EXAMPLEntjQpEXAMPLE_SG5Z-EXAMPLEPmPfEXAMPLEu3EqEXAMPLE==',
    },
    viewer: { ip: '198.51.100.11' },
    request: {
      method: 'GET',
      uri,
      querystring,
      headers: {
        host: { value: host },
        accept: { value: 'text/html' },
      },
      cookies: {},
    },
  };
}

function routedUri(options: RoutingFunctionOptions, uri: string): string {
  const result = loadHandler(options)(viewerRequest(uri)) as CfRequest;
  return result.uri;
}

describe('directory URIs', () => {
  test.each([
    ['/', '/index.html'],
    ['/docs/', '/docs/index.html'],
    ['/docs/guide/install/', '/docs/guide/install/index.html'],
    ['/v1.2/', '/v1.2/index.html'],
  ])('%s is served from %s on a static site', (uri, expected) => {
    expect(routedUri(STATIC_SITE, uri)).toBe(expected);
  });

  test.each([
    ['/', '/index.html'],
    // A trailing slash is a route of the app too (/about/ shows About), not a directory.
    ['/about/', '/index.html'],
    ['/docs/guide/install/', '/index.html'],
  ])('%s is served from %s in a single-page app', (uri, expected) => {
    expect(routedUri(SPA, uri)).toBe(expected);
  });
});

describe('extensionless paths on a static site', () => {
  test.each([
    ['/docs', '/docs/index.html'],
    ['/docs/guide/install', '/docs/guide/install/index.html'],
    ['/v1.2/guide', '/v1.2/guide/index.html'],
    ['/.well-known/x', '/.well-known/x/index.html'],
  ])('%s is served from its directory index %s', (uri, expected) => {
    expect(routedUri(STATIC_SITE, uri)).toBe(expected);
  });
});

describe('extensionless paths in a single-page app', () => {
  test.each([
    ['/users/42'],
    ['/docs'],
    ['/settings/profile/edit'],
    ['/v1.2/guide'],
    ['/.well-known/x'],
  ])('deep link %s is served from /index.html', (uri) => {
    expect(routedUri(SPA, uri)).toBe('/index.html');
  });
});

describe('paths with a file extension', () => {
  test.each([
    ['/app.3f9a.js'],
    ['/missing.png'],
    ['/robots.txt'],
    ['/docs/guide/diagram.svg'],
    ['/v1.2/guide/intro.html'],
  ])('%s is left unchanged on a static site', (uri) => {
    expect(routedUri(STATIC_SITE, uri)).toBe(uri);
  });

  test.each([
    ['/app.3f9a.js'],
    ['/missing.png'],
    ['/robots.txt'],
    ['/docs/guide/diagram.svg'],
    ['/v1.2/guide/intro.html'],
  ])('%s is left unchanged in a single-page app', (uri) => {
    expect(routedUri(SPA, uri)).toBe(uri);
  });

  test('a missing JavaScript chunk in a single-page app is requested as is, so it stays a 404 instead of becoming HTML', () => {
    expect(routedUri(SPA, '/static/js/chunk-7d1e.deadbeef.js')).toBe('/static/js/chunk-7d1e.deadbeef.js');
  });
});

describe('query strings on rewrites', () => {
  const querystring = (): CfValues => ({
    page: { value: '2' },
    tag: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b%20c' }] },
    debug: { value: '' },
  });

  test.each([
    { name: 'a static site', options: STATIC_SITE, uri: '/docs', expectedUri: '/docs/index.html' },
    { name: 'a static site', options: STATIC_SITE, uri: '/docs/', expectedUri: '/docs/index.html' },
    { name: 'a single-page app', options: SPA, uri: '/users/42', expectedUri: '/index.html' },
    { name: 'a single-page app with a host redirect', options: { ...SPA, hostRedirect: REDIRECT }, uri: '/users/42', expectedUri: '/index.html' },
  ])('in $name, rewriting $uri to $expectedUri keeps the query string, including repeated parameters', ({ options, uri, expectedUri }) => {
    const result = loadHandler(options)(viewerRequest(uri, 'www.example.com', querystring())) as CfRequest;

    expect(result.uri).toBe(expectedUri);
    expect(result.querystring).toEqual(querystring());
  });

  test('a rewrite returns the request object itself, so its headers and cookies go to the origin unchanged', () => {
    const event = viewerRequest('/docs');

    expect(loadHandler(STATIC_SITE)(event)).toBe(event.request);
  });
});

describe('host redirect', () => {
  const redirectOf = (host: string, uri: string, querystring: CfValues = {}) =>
    loadHandler({ ...STATIC_SITE, hostRedirect: REDIRECT })(viewerRequest(uri, host, querystring)) as CfResponse;

  test('a request for fromHost gets a 301 Moved Permanently', () => {
    const response = redirectOf('example.com', '/docs/');

    expect(response.statusCode).toBe(301);
    expect(response.statusDescription).toBe('Moved Permanently');
  });

  test('the redirect location is https://toHost plus the original path, without a "?" when there is no query string', () => {
    expect(redirectOf('example.com', '/docs/').headers.location.value).toBe('https://www.example.com/docs/');
  });

  test('the redirect keeps the original path rather than the rewritten index document', () => {
    expect(redirectOf('example.com', '/docs').headers.location.value).toBe('https://www.example.com/docs');
  });

  test('the redirect is cacheable for an hour', () => {
    expect(redirectOf('example.com', '/').headers['cache-control'].value).toBe('max-age=3600');
  });

  test.each([
    ['one parameter', { page: { value: '2' } }, '?page=2'],
    ['parameters in their original order', { b: { value: '2' }, a: { value: '1' } }, '?b=2&a=1'],
    ['repeated parameters', { tag: { value: 'x', multiValue: [{ value: 'x' }, { value: 'y' }] } }, '?tag=x&tag=y'],
    ['a parameter without a value', { debug: { value: '' } }, '?debug'],
    ['percent-encoded values, without encoding them twice', { q: { value: 'a%20b%26c%3Dd' } }, '?q=a%20b%26c%3Dd'],
    ['percent-encoded UTF-8', { q: { value: '%E5%AE%B6' } }, '?q=%E5%AE%B6'],
    ['an encoded literal plus', { q: { value: '1%2B1' } }, '?q=1%2B1'],
    ['a plus that stands for a space', { q: { value: 'a+b' } }, '?q=a+b'],
    ['a lone percent sign, encoded', { discount: { value: '100%' } }, '?discount=100%25'],
    ['unescaped reserved characters, encoded', { q: { value: 'a b&c=d#e' } }, '?q=a%20b%26c%3Dd%23e'],
    ['unescaped parameter names, encoded', { 'a b': { value: '1' } }, '?a%20b=1'],
  ])('the redirect keeps the query string: %s', (_name, querystring, expectedQuery) => {
    expect(redirectOf('example.com', '/search', querystring).headers.location.value)
      .toBe(`https://www.example.com/search${expectedQuery}`);
  });

  test.each([
    ['Example.COM'],
    ['EXAMPLE.COM'],
  ])('the Host header %s matches fromHost case-insensitively', (host) => {
    expect(redirectOf(host, '/').statusCode).toBe(301);
  });

  test('fromHost configured in mixed case matches a lower-case Host header', () => {
    const handler = loadHandler({ ...STATIC_SITE, hostRedirect: { fromHosts: ['Example.Com'], toHost: 'www.example.com' } });

    const response = handler(viewerRequest('/', 'example.com')) as CfResponse;

    expect(response.statusCode).toBe(301);
  });

  test.each([
    ['the target host', 'www.example.com'],
    ['a subdomain of fromHost', 'docs.example.com'],
    ['a host that merely ends with fromHost', 'notexample.com'],
  ])('a request for %s (%s) is routed, not redirected', (_name, host) => {
    const result = loadHandler({ ...STATIC_SITE, hostRedirect: REDIRECT })(viewerRequest('/docs', host)) as CfRequest;

    expect(result).not.toHaveProperty('statusCode');
    expect(result.uri).toBe('/docs/index.html');
  });

  test('a request without a Host header is routed, not redirected', () => {
    const event = viewerRequest('/docs', 'example.com');
    delete (event.request.headers as Partial<typeof event.request.headers>).host;

    const result = loadHandler({ ...STATIC_SITE, hostRedirect: REDIRECT })(event) as CfRequest;

    expect(result.uri).toBe('/docs/index.html');
  });

  test.each([
    ['a static site', STATIC_SITE],
    ['a single-page app', SPA],
  ])('without hostRedirect, %s never redirects, even for the apex host', (_name, options) => {
    const result = loadHandler(options)(viewerRequest('/', 'example.com')) as CfRequest;

    expect(result).not.toHaveProperty('statusCode');
    expect(result.uri).toBe('/index.html');
  });
});

describe('function size', () => {
  test.each([
    ['a static site', { singlePageApp: false }],
    ['a static site with a host redirect', { singlePageApp: false, hostRedirect: REDIRECT }],
    ['a single-page app', { singlePageApp: true }],
    ['a single-page app with a host redirect', { singlePageApp: true, hostRedirect: REDIRECT }],
  ])('the code for %s is smaller than the CloudFront Functions limit', (_name, options: RoutingFunctionOptions) => {
    expect(Buffer.byteLength(routingFunctionCode(options), 'utf8')).toBeLessThan(CLOUDFRONT_FUNCTION_MAX_BYTES);
  });

  test('the size limit constant is the documented 10 KB', () => {
    expect(CLOUDFRONT_FUNCTION_MAX_BYTES).toBe(10 * 1024);
  });
});

// ---------------------------------------------------------------------------------------------
// Atomic releases: the function reads the live release (and its redirects) from a KeyValueStore.
// ---------------------------------------------------------------------------------------------

const KVS_ID = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';
const LIVE = '20261125T150102Z-3f9a1c2b7d4e-8c1f2a3b';
const IMPORT_LINE = "import cf from 'cloudfront';";

/**
 * What the stand-in store holds; 'broken' for a store whose every call fails, 'unreadable' for one
 * whose `get` fails although `exists` finds the key.
 */
type Store = Record<string, string> | 'broken' | 'unreadable';

interface ReleaseHandler {
  /** Ids passed to cf.kvs(), and keys read, in order. */
  readonly opened: string[];
  readonly reads: string[];
  handle(event: unknown): Promise<CfRequest | CfResponse>;
}

/**
 * Evaluates the generated source like CloudFront Functions does, with a stand-in for the
 * `cloudfront` module: `kvs(id)` returns a store whose `get` rejects for a missing key (as the
 * documented helper does) and whose `exists` resolves to a boolean.
 */
function loadReleaseHandler(options: Partial<RoutingFunctionOptions>, store: Store, redirects = false,
  tokenReleases?: TokenReleases, nowSeconds?: number): ReleaseHandler {
  const code = routingFunctionCode({ singlePageApp: false, ...options, releases: { keyValueStoreId: KVS_ID, redirects, tokenReleases } });
  const lines = code.split('\n');
  // The import must be the first line; vm runs scripts, not modules, so it is replaced by the stand-in.
  expect(lines[0]).toBe(IMPORT_LINE);
  expect(lines.filter((line) => line.includes('import '))).toEqual([IMPORT_LINE]);
  const opened: string[] = [];
  const reads: string[] = [];
  const cloudfront = {
    kvs(id: string) {
      opened.push(id);
      return {
        async get(key: string) {
          reads.push(key);
          if (typeof store === 'string') throw new Error('KeyValueStore unavailable');
          if (!(key in store)) throw new Error(`Key ${key} not found`);
          return store[key];
        },
        async exists(key: string) {
          if (store === 'broken') throw new Error('KeyValueStore unavailable');
          return store === 'unreadable' || key in store;
        },
      };
    },
  };
  const context = vm.createContext({ __cloudfront: cloudfront });
  if (nowSeconds !== undefined) {
    // The context's own clock, stopped at the test's time.
    vm.runInContext(`Date.now = function () { return ${nowSeconds * 1000}; };`, context);
  }
  vm.runInContext(`'use strict';\nvar cf = __cloudfront;\n${lines.slice(1).join('\n')}`, context);
  return { handle: context.handler, opened, reads };
}

async function releaseUri(options: Partial<RoutingFunctionOptions>, uri: string, store: Store = { live: LIVE }): Promise<string> {
  const result = await loadReleaseHandler(options, store).handle(viewerRequest(uri)) as CfRequest;
  return result.uri;
}

describe('atomic releases: routing into the live release', () => {
  test('the store is opened once, with the id given at synth time', async () => {
    const handler = loadReleaseHandler({}, { live: LIVE });
    await handler.handle(viewerRequest('/'));
    await handler.handle(viewerRequest('/docs'));
    expect(handler.opened).toEqual([KVS_ID]);
  });

  test.each([
    ['/', `/releases/${LIVE}/index.html`],
    ['/docs/', `/releases/${LIVE}/docs/index.html`],
    ['/docs', `/releases/${LIVE}/docs/index.html`],
    ['/v1.2/guide', `/releases/${LIVE}/v1.2/guide/index.html`],
    ['/app.3f9a.js', `/releases/${LIVE}/app.3f9a.js`],
    ['/missing.png', `/releases/${LIVE}/missing.png`],
  ])('on a static site, %s is served from %s', async (uri, expected) => {
    expect(await releaseUri({}, uri)).toBe(expected);
  });

  test.each([
    ['/', `/releases/${LIVE}/index.html`],
    ['/users/42', `/releases/${LIVE}/index.html`],
    ['/docs/', `/releases/${LIVE}/index.html`],
    ['/static/js/chunk-7d1e.deadbeef.js', `/releases/${LIVE}/static/js/chunk-7d1e.deadbeef.js`],
  ])('in a single-page app, %s is served from %s', async (uri, expected) => {
    expect(await releaseUri({ singlePageApp: true }, uri)).toBe(expected);
  });

  test('switching the live key switches the release served, with no other change', async () => {
    const store = { live: LIVE };
    const handler = loadReleaseHandler({}, store);
    const before = await handler.handle(viewerRequest('/docs')) as CfRequest;
    store.live = '20261126T090000Z-0123456789ab-cdef0123';
    const after = await handler.handle(viewerRequest('/docs')) as CfRequest;
    expect([before.uri, after.uri]).toEqual([`/releases/${LIVE}/docs/index.html`, '/releases/20261126T090000Z-0123456789ab-cdef0123/docs/index.html']);
  });

  test('the query string and the request object are passed on unchanged', async () => {
    const querystring = { page: { value: '2' }, tag: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b%20c' }] } };
    const event = viewerRequest('/users/42', 'www.example.com', querystring);
    const result = await loadReleaseHandler({ singlePageApp: true }, { live: LIVE }).handle(event);
    expect(result).toBe(event.request);
    expect((result as CfRequest).querystring).toEqual({ page: { value: '2' }, tag: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b%20c' }] } });
  });

  test('reads only the live key when redirects are off', async () => {
    const handler = loadReleaseHandler({}, { live: LIVE, [`${LIVE}/docs`]: '301 /guide' });
    const result = await handler.handle(viewerRequest('/docs')) as CfRequest;
    expect(result.uri).toBe(`/releases/${LIVE}/docs/index.html`);
    expect(handler.reads).toEqual(['live']);
  });

  test('the host redirect still comes first, without reading the store', async () => {
    const handler = loadReleaseHandler({ hostRedirect: REDIRECT }, { live: LIVE });
    const response = await handler.handle(viewerRequest('/docs', 'example.com', { a: { value: '1' } })) as CfResponse;
    expect([response.statusCode, response.headers.location.value]).toEqual([301, 'https://www.example.com/docs?a=1']);
    expect(handler.reads).toEqual([]);
  });
});

describe('atomic releases: no release, or no store', () => {
  test.each([
    ['a static site', {}, '/docs', '/docs/index.html'],
    ['a single-page app', { singlePageApp: true }, '/users/42', '/index.html'],
  ])('before the first release (no live key), %s is served from the bucket root, as in place', async (_name, options, uri, expected) => {
    expect(await releaseUri(options, uri, {})).toBe(expected);
  });

  test('when the store cannot be read, the answer is an uncached 503 with a Retry-After and a short body', async () => {
    const response = await loadReleaseHandler({}, 'broken').handle(viewerRequest('/docs')) as CfResponse & { body: { encoding: string; data: string } };
    expect(response).toEqual({
      statusCode: 503,
      statusDescription: 'Service Unavailable',
      headers: {
        'retry-after': { value: '30' },
        'cache-control': { value: 'no-store' },
        'content-type': { value: 'text/plain; charset=utf-8' },
      },
      body: { encoding: 'text', data: 'The site is unavailable for a moment. Please retry in 30 seconds.' },
    });
  });

  test('when the live key exists but cannot be read, the answer is a 503, never a guess', async () => {
    const response = await loadReleaseHandler({}, 'unreadable').handle(viewerRequest('/')) as CfResponse;
    expect(response.statusCode).toBe(503);
  });

});

describe('atomic releases: redirects', () => {
  const store = {
    'live': LIVE,
    [`${LIVE}/old-page`]: '301 /new-page',
    [`${LIVE}/blog`]: '302 /news/',
    [`${LIVE}/docs`]: '308 https://docs.example.com/start?from=site',
    [`${LIVE}/see`]: '303 /other',
    '20250101T000000Z-aaaaaaaaaaaa-bbbbbbbb/retired': '301 /gone',
  };
  const redirectOf = async (uri: string, querystring: CfValues = {}) =>
    await loadReleaseHandler({}, store, true).handle(viewerRequest(uri, 'www.example.com', querystring)) as CfResponse;

  test.each([
    ['/old-page', 301, '/new-page'],
    ['/old-page/', 301, '/new-page'],
    ['/blog/', 302, '/news/'],
    ['/blog', 302, '/news/'],
    ['/see', 303, '/other'],
  ])('%s is redirected (%i) to %s', async (uri, status, location) => {
    const response = await redirectOf(uri);
    expect([response.statusCode, response.headers.location.value]).toEqual([status, location]);
  });

  test('the query string is kept, appended to one the target already has', async () => {
    expect((await redirectOf('/old-page', { q: { value: 'a b' }, page: { value: '2' } })).headers.location.value).toBe('/new-page?q=a%20b&page=2');
    expect((await redirectOf('/docs', { q: { value: '1' } })).headers.location.value).toBe('https://docs.example.com/start?from=site&q=1');
  });

  test('permanent redirects are cached for an hour, temporary ones revalidated', async () => {
    expect((await redirectOf('/old-page')).headers['cache-control'].value).toBe('max-age=3600');
    expect((await redirectOf('/docs')).headers['cache-control'].value).toBe('max-age=3600');
    expect((await redirectOf('/blog')).headers['cache-control'].value).toBe('no-cache');
  });

  test('only the live release\'s redirects apply', async () => {
    const result = await loadReleaseHandler({}, store, true).handle(viewerRequest('/retired', 'www.example.com')) as CfRequest;
    expect(result.uri).toBe(`/releases/${LIVE}/retired/index.html`);
  });

  test('a path without a redirect is routed, after one more store read', async () => {
    const handler = loadReleaseHandler({}, store, true);
    const result = await handler.handle(viewerRequest('/about/')) as CfRequest;
    expect(result.uri).toBe(`/releases/${LIVE}/about/index.html`);
    // A release made before rule tables has no table: its exact record is read as before.
    expect(handler.reads).toEqual(['live', `${LIVE}*`, `${LIVE}/about`]);
  });

  test('the root path is looked up as "/"', async () => {
    const handler = loadReleaseHandler({}, store, true);
    await handler.handle(viewerRequest('/'));
    expect(handler.reads).toEqual(['live', `${LIVE}*`, `${LIVE}/`]);
  });

  test('before the first release, no redirect is looked up', async () => {
    const handler = loadReleaseHandler({}, {}, true);
    const result = await handler.handle(viewerRequest('/old-page')) as CfRequest;
    expect(result.uri).toBe('/old-page/index.html');
    expect(handler.reads).toEqual(['live']);
  });
});

describe('atomic releases: CloudFront Functions limits', () => {
  const variants: Array<[string, Partial<RoutingFunctionOptions>, boolean]> = [
    ['a static site', {}, false],
    ['a single-page app with a host redirect', { singlePageApp: true, hostRedirect: REDIRECT }, false],
    ['a single-page app with a host redirect and redirects', { singlePageApp: true, hostRedirect: REDIRECT }, true],
  ];

  // Every site deploys the whole of runtime/routing.js (but its comment lines): room is left for its settings.
  test.each(variants)('the code for %s is within 9 KB (the limit is 10 KB)', (_name, options, redirects) => {
    const code = routingFunctionCode({ singlePageApp: false, ...options, releases: { keyValueStoreId: KVS_ID, redirects } });
    expect(Buffer.byteLength(code, 'utf8')).toBeLessThan(FUNCTION_BUDGET);
  });

  test.each(variants)('the code for %s uses no network, timer, module or Node API but the cloudfront module', (_name, options, redirects) => {
    const code = routingFunctionCode({ singlePageApp: false, ...options, releases: { keyValueStoreId: KVS_ID, redirects } });
    expect(code).not.toMatch(/\b(require|fetch|XMLHttpRequest|setTimeout|setInterval|process|Promise\.(all|any|race))\b|\.then\(|\.catch\(/);
  });
});

// ---------------------------------------------------------------------------------------------
// Previews: a request with a valid preview token reads the preview it names; anything else, live.
// ---------------------------------------------------------------------------------------------

describe('previews: serving a named release', () => {
  const NOW = 1_798_000_000;
  const PREVIEW_ID = '20261206T120000Z-aaaaaaaaaaaa-11111111';
  const OTHER_ID = '20261206T130000Z-bbbbbbbbbbbb-22222222';
  const TOKEN = '0123456789abcdef0123456789abcdef';
  const OTHER_TOKEN = 'fedcba9876543210fedcba9876543210';
  const EXPIRED = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
  const ORPHAN = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
  const UNKNOWN = 'cccccccccccccccccccccccccccccccc';
  const DOMAIN = 'preview.example.com';
  const store = (): Record<string, string> => ({
    'live': LIVE,
    'preview:pr-42': PREVIEW_ID,
    'preview:pr-7': OTHER_ID,
    [`token:${TOKEN}`]: `${NOW + 3600} pr-42`,
    [`token:${OTHER_TOKEN}`]: `${NOW + 600} pr-7`,
    [`token:${EXPIRED}`]: `${NOW - 1} pr-42`,
    [`token:${ORPHAN}`]: `${NOW + 3600} pr-9`,
    [`token:${UNKNOWN.replace(/c/g, 'd')}`]: 'not a grant',
    [`${PREVIEW_ID}/old`]: '301 /new',
    [`${LIVE}/live-only`]: '302 /elsewhere',
  });

  /** How the request proves it may read a preview. */
  interface Proof {
    readonly host?: string;
    readonly header?: string;
    readonly cookie?: string;
    readonly query?: CfValues;
  }

  function request(uri: string, proof: Proof = {}) {
    const event = viewerRequest(uri, proof.host ?? 'www.example.com', proof.query ?? {});
    const sent = event.request as unknown as CfRequest;
    if (proof.header !== undefined) sent.headers['x-preview-token'] = { value: proof.header };
    if (proof.cookie !== undefined) sent.cookies['preview-token'] = { value: proof.cookie };
    return event;
  }

  const load = (tokenReleases: TokenReleases = {}, redirects = false, options: Partial<RoutingFunctionOptions> = {}) =>
    loadReleaseHandler(options, store(), redirects, tokenReleases, NOW);

  async function served(uri: string, proof: Proof, tokenReleases: TokenReleases = {}) {
    const handler = load(tokenReleases);
    const result = await handler.handle(request(uri, proof)) as CfRequest;
    return { uri: result.uri, marker: result.headers['x-preview']?.value, reads: handler.reads };
  }

  test('a request without a token is served live, reading only the live key, unmarked', async () => {
    expect(await served('/docs', {})).toEqual({ uri: `/releases/${LIVE}/docs/index.html`, marker: undefined, reads: ['live'] });
  });

  test.each([
    ['a header', { header: TOKEN }],
    ['a cookie', { cookie: TOKEN }],
  ])('a valid token in %s reads the preview it names, from its own release path, and marks the request', async (_name, proof) => {
    expect(await served('/docs', proof)).toEqual({
      uri: `/releases/${PREVIEW_ID}/docs/index.html`,
      marker: 'pr-42',
      reads: [`token:${TOKEN}`, 'preview:pr-42'],
    });
  });

  test('a preview and live are cached apart: the same path is a different object (the release id is in the URI)', async () => {
    const handler = load();
    const preview = await handler.handle(request('/app.3f9a.js', { cookie: TOKEN })) as CfRequest;
    const live = await handler.handle(request('/app.3f9a.js')) as CfRequest;
    expect([preview.uri, live.uri]).toEqual([`/releases/${PREVIEW_ID}/app.3f9a.js`, `/releases/${LIVE}/app.3f9a.js`]);
  });

  test.each([
    ['an unknown token', { header: UNKNOWN }, [`token:${UNKNOWN}`, 'live']],
    ['an expired token', { cookie: EXPIRED }, [`token:${EXPIRED}`, 'live']],
    ['a token whose preview record is gone', { header: ORPHAN }, [`token:${ORPHAN}`, 'preview:pr-9', 'live']],
    ['a token record that is not a grant', { header: UNKNOWN.replace(/c/g, 'd') }, [`token:${UNKNOWN.replace(/c/g, 'd')}`, 'live']],
  ])('%s is served live, unmarked', async (_name, proof, reads) => {
    expect(await served('/docs', proof)).toEqual({ uri: `/releases/${LIVE}/docs/index.html`, marker: undefined, reads });
  });

  test.each([
    ['upper-case hex', TOKEN.toUpperCase()],
    ['31 characters', TOKEN.slice(1)],
    ['33 characters', `${TOKEN}0`],
    ['not hex', 'g'.repeat(32)],
    ['a key of another kind', `x:${TOKEN.slice(2)}`],
    ['an empty value', ''],
    ['a live key', 'live'],
  ])('a malformed token (%s) is served live without reading it', async (_name, token) => {
    for (const proof of [{ header: token }, { cookie: token }]) {
      expect(await served('/docs', proof)).toEqual({ uri: `/releases/${LIVE}/docs/index.html`, marker: undefined, reads: ['live'] });
    }
  });

  test('the token expires at the second of its record', async () => {
    const atExpiry = loadReleaseHandler({}, { ...store(), [`token:${TOKEN}`]: `${NOW} pr-42` }, false, {}, NOW);
    const before = loadReleaseHandler({}, { ...store(), [`token:${TOKEN}`]: `${NOW + 1} pr-42` }, false, {}, NOW);
    expect((await atExpiry.handle(request('/', { header: TOKEN })) as CfRequest).uri).toBe(`/releases/${LIVE}/index.html`);
    expect((await before.handle(request('/', { header: TOKEN })) as CfRequest).uri).toBe(`/releases/${PREVIEW_ID}/index.html`);
  });

  test('a site without previews never reads a token: a valid one gets live', async () => {
    const handler = loadReleaseHandler({}, store(), false, undefined, NOW);
    const result = await handler.handle(request('/docs', { header: TOKEN, cookie: TOKEN })) as CfRequest;
    expect([result.uri, handler.reads]).toEqual([`/releases/${LIVE}/docs/index.html`, ['live']]);
  });

  test('the redirects of the preview apply to it, not those of live', async () => {
    const handler = load({}, true);
    const redirect = await handler.handle(request('/old', { cookie: TOKEN })) as CfResponse;
    const routed = await handler.handle(request('/live-only', { cookie: TOKEN })) as CfRequest;
    expect([redirect.statusCode, redirect.headers.location.value]).toEqual([301, '/new']);
    expect(routed.uri).toBe(`/releases/${PREVIEW_ID}/live-only/index.html`);
  });

  test('with the store unreadable, a request with a token gets the 503 of live, never a guess', async () => {
    const handler = loadReleaseHandler({}, 'broken', false, {}, NOW);
    expect((await handler.handle(request('/', { cookie: TOKEN })) as CfResponse).statusCode).toBe(503);
  });

  test('the host redirect comes first, keeping the link for the primary host', async () => {
    const handler = load({}, false, { hostRedirect: REDIRECT });
    const response = await handler.handle(request('/docs', { host: 'example.com', query: { 'preview-token': { value: TOKEN } } })) as CfResponse;
    expect([response.statusCode, response.headers.location.value, handler.reads]).toEqual([301, `https://www.example.com/docs?preview-token=${TOKEN}`, []]);
  });

  describe('a preview link (?preview-token=)', () => {
    type Cookies = Record<string, { value: string; attributes: string }>;
    const follow = async (uri: string, query: CfValues, nowSeconds = NOW) => {
      const handler = loadReleaseHandler({}, store(), false, {}, nowSeconds);
      return await handler.handle(request(uri, { query })) as CfResponse & { cookies?: Cookies };
    };

    test('answers an uncached 302 to the same URL without the parameter, and sets the cookie until the token expires', async () => {
      expect(await follow('/docs', { 'preview-token': { value: TOKEN } })).toEqual({
        statusCode: 302,
        statusDescription: 'Found',
        headers: { 'location': { value: '/docs' }, 'cache-control': { value: 'no-store' } },
        cookies: { 'preview-token': { value: TOKEN, attributes: 'Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax' } },
      });
    });

    test('Max-Age counts the seconds left', async () => {
      const response = await follow('/', { 'preview-token': { value: OTHER_TOKEN } }, NOW + 100);
      expect(response.cookies?.['preview-token'].attributes).toBe('Path=/; Max-Age=500; Secure; HttpOnly; SameSite=Lax');
    });

    test('strips only its own parameter: the others are kept in order, repeated and encoded as sent', async () => {
      const response = await follow('/users/42', {
        'page': { value: '2' },
        'preview-token': { value: TOKEN },
        'tag': { value: 'a', multiValue: [{ value: 'a' }, { value: 'b%20c' }] },
        'debug': { value: '' },
      });
      expect(response.headers.location.value).toBe('/users/42?page=2&tag=a&tag=b%20c&debug');
    });

    test('a link to the root (the default root object, /index.html, to the function) goes back to /', async () => {
      expect((await follow('/index.html', { 'preview-token': { value: TOKEN } })).headers.location.value).toBe('/');
    });

    test.each([
      ['an expired token', EXPIRED],
      ['an unknown token', UNKNOWN],
      ['a malformed token', 'nope'],
    ])('with %s, the page is served live, with no cookie', async (_name, token) => {
      const result = await follow('/docs', { 'preview-token': { value: token } }) as unknown as CfRequest;
      expect(result.uri).toBe(`/releases/${LIVE}/docs/index.html`);
      expect(result).not.toHaveProperty('statusCode');
    });
  });

  describe('preview hosts under previews.domain', () => {
    const previews = { previewDomain: { domainName: DOMAIN } };

    test.each([
      ['its own preview with a token for it', 'pr-42.preview.example.com', TOKEN, PREVIEW_ID],
      ['its own preview, whatever the case of the Host header', 'PR-42.Preview.Example.COM', TOKEN, PREVIEW_ID],
      ['live with the token of another preview', 'pr-42.preview.example.com', OTHER_TOKEN, LIVE],
      ['live without a token', 'pr-42.preview.example.com', undefined, LIVE],
      ['live on a host of no preview', 'pr-9.preview.example.com', TOKEN, LIVE],
      ['live on a deeper host', 'x.pr-42.preview.example.com', TOKEN, LIVE],
      ['the preview a token names on the site\'s own host', 'www.example.com', OTHER_TOKEN, OTHER_ID],
    ])('a request serves %s', async (_name, host, token, release) => {
      expect((await served('/docs', { host, cookie: token }, previews)).uri).toBe(`/releases/${release}/docs/index.html`);
    });

    test('a link of another preview on a preview host sets no cookie', async () => {
      const handler = load(previews);
      const result = await handler.handle(request('/', { host: 'pr-42.preview.example.com', query: { 'preview-token': { value: OTHER_TOKEN } } }));
      expect(result).not.toHaveProperty('statusCode');
      expect((result as CfRequest).uri).toBe(`/releases/${LIVE}/index.html`);
    });
  });
});

describe('previews: the viewer-response function', () => {
  type ResponseHandler = (event: unknown) => CfResponse;

  function loadResponseHandler(tokenReleases: TokenReleases): ResponseHandler {
    const context = vm.createContext({});
    vm.runInContext(`'use strict';\n${responseFunctionCode({ tokenReleases })}`, context);
    return context.handler as ResponseHandler;
  }

  /** A viewer-response event: the request as the viewer sent it (and as the routing function may have marked it), S3's 200. */
  function viewerResponse(host: string, extra: { headers?: CfValues; cookies?: CfValues; querystring?: CfValues } = {}) {
    return {
      version: '1.0',
      context: { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-response', requestId: 'r' },
      viewer: { ip: '198.51.100.11' },
      request: {
        method: 'GET',
        uri: '/docs',
        querystring: extra.querystring ?? {},
        headers: { host: { value: host }, ...extra.headers },
        cookies: extra.cookies ?? {},
      },
      response: {
        statusCode: 200,
        statusDescription: 'OK',
        headers: { 'content-type': { value: 'text/html' }, 'etag': { value: '"abc"' } },
        cookies: {},
      },
    };
  }

  const TOKEN = '0123456789abcdef0123456789abcdef';

  test.each([
    ['marked by the routing function', viewerResponse('www.example.com', { headers: { 'x-preview': { value: 'pr-42' } } })],
    ['with the token header', viewerResponse('www.example.com', { headers: { 'x-preview-token': { value: TOKEN } } })],
    ['with the token cookie', viewerResponse('www.example.com', { cookies: { 'preview-token': { value: TOKEN } } })],
    ['with the link parameter', viewerResponse('www.example.com', { querystring: { 'preview-token': { value: TOKEN } } })],
    ['for a preview host', viewerResponse('pr-42.preview.example.com')],
    ['for a preview host in upper case', viewerResponse('PR-42.PREVIEW.EXAMPLE.COM')],
  ])('the response to a request %s carries x-robots-tag: noindex, and nothing else changes', (_name, event) => {
    const response = loadResponseHandler({ previewDomain: { domainName: 'preview.example.com' } })(event);
    expect(response).toEqual({ ...event.response, headers: { ...event.response.headers, 'x-robots-tag': { value: 'noindex' } } });
  });

  test.each([
    ['the site\'s host', 'www.example.com'],
    ['the preview domain itself', 'preview.example.com'],
    ['a host that merely ends like the preview domain', 'notpreview.example.com'],
  ])('a live response for %s has no x-robots-tag and is returned unchanged', (_name, host) => {
    const event = viewerResponse(host);
    const headers = { ...event.response.headers };
    const response = loadResponseHandler({ previewDomain: { domainName: 'preview.example.com' } })(event);
    expect(response).toBe(event.response);
    expect(response.headers).toEqual(headers);
  });

  test('without a preview domain, no host marks a response', () => {
    expect(loadResponseHandler({})(viewerResponse('pr-42.preview.example.com')).headers).not.toHaveProperty('x-robots-tag');
  });
});

describe('previews: CloudFront Functions limits', () => {
  const previewOptions = (domain?: string): RoutingFunctionOptions => ({
    singlePageApp: true,
    hostRedirect: REDIRECT,
    releases: { keyValueStoreId: KVS_ID, redirects: true, tokenReleases: { previewDomain: domain ? { domainName: domain } : undefined } },
  });

  test.each([
    ['the routing function with previews', routingFunctionCode(previewOptions('pr.preview.example.com'))],
    ['the routing function with previews, no preview domain', routingFunctionCode(previewOptions())],
    ['the viewer-response function', responseFunctionCode({ tokenReleases: { previewDomain: { domainName: 'pr.preview.example.com' } } })],
  ])('%s is within 9 KB (the limit is 10 KB), without comment lines, and uses no network, timer, module or Node API', (_name, code) => {
    expect(Buffer.byteLength(code, 'utf8')).toBeLessThan(FUNCTION_BUDGET);
    expect(code).not.toMatch(/^\s*\/\//m);
    expect(code).not.toMatch(/\b(require|fetch|XMLHttpRequest|setTimeout|setInterval|process|Promise\.(all|any|race))\b|\.then\(|\.catch\(/);
  });
});
