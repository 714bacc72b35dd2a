import * as vm from 'vm';
import {
  CLOUDFRONT_FUNCTION_MAX_BYTES,
  RoutingFunctionOptions,
  routingFunctionCode,
} from '../../src/static-site/routing-function-code';

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
    ['/docs/', '/docs/index.html'],
    ['/docs/guide/install/', '/docs/guide/install/index.html'],
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

describe('hostRedirect validation', () => {
  test.each([
    ['fromHosts', { fromHosts: [''], toHost: 'www.example.com' }],
    ['toHost', { fromHosts: ['example.com'], toHost: '' }],
  ])('an empty %s is rejected', (name, hostRedirect) => {
    expect(() => routingFunctionCode({ singlePageApp: false, hostRedirect })).toThrow(`hostRedirect.${name} must be a bare host name`);
  });

  test.each([
    ['a URL', 'https://www.example.com'],
    ['a path', 'www.example.com/docs'],
    ['a query string', 'www.example.com?a=1'],
    ['a space', 'www example.com'],
    ['user info', 'user@www.example.com'],
  ])('a toHost containing %s is rejected', (_name, toHost) => {
    expect(() => routingFunctionCode({ singlePageApp: false, hostRedirect: { fromHosts: ['example.com'], toHost } }))
      .toThrow('hostRedirect.toHost must be a bare host name');
  });

  test('fromHost equal to toHost (ignoring case) is rejected as a redirect loop', () => {
    expect(() => routingFunctionCode({ singlePageApp: true, hostRedirect: { fromHosts: ['WWW.example.com'], toHost: 'www.example.com' } }))
      .toThrow('redirect forever');
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
