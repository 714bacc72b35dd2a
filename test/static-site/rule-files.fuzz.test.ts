import * as fc from 'fast-check';
import { EdgeSite, EdgeSiteError } from './edge-site';

/*
 * Generated `_redirects` and `_headers` files, valid and hostile (huge, deeply nested splats, header
 * injection with CR/LF, `..` segments, non-ASCII, control characters): the release program never
 * crashes on them (it answers problems, each naming its line), and the CloudFront Functions never
 * crash on any request to a site that compiled, nor send a header with a line break.
 */

const FILES = ['index.html', '404.html', 'docs/index.html', 'docs/a.html', 'app.js', 'caf\u00e9/index.html'];

const segment = fc.oneof(
  fc.constantFrom('docs', 'blog', 'a', 'b', '..', '.', '', 'caf\u00e9', 'x%20y', '%C3%A9', '*', ':id', ':splat', 'a:b', '**', 'index.html'),
  fc.string({ maxLength: 12 }),
);
const path = fc.array(segment, { maxLength: 8 }).map((parts) => `/${parts.join('/')}`);
const hostile = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('\r\n', '\r', '\u0000', '\u2028', '\t', ' ', '!', '#', '?a=b', '\uFEFF'),
  fc.string({ minLength: 1000, maxLength: 3000 }),
);
const status = fc.constantFrom('', '200', '301', '302', '404', '410', '200!', '301!', '418', '!', 'abc');
const condition = fc.constantFrom('', 'Country=us,ca', 'Language=de', 'Cookie=ab', 'Role=admin', 'Foo=bar', 'id=:id', 'q=1');
const target = fc.oneof(path, fc.constantFrom('https://example.com/:splat', 'http://x', '/index.html', '/404.html', '/docs/a.html', 'relative'));

const redirectLine = fc.oneof(
  fc.tuple(path, condition, target, status, condition).map((parts) => parts.filter(Boolean).join(' ')),
  hostile,
  fc.constantFrom('/*/*/*/*/*/* /x', '/a/*/b /c', `/${'*/'.repeat(200)}* /x`, '# comment'),
);
const headerLine = fc.oneof(
  path,
  fc.tuple(fc.constantFrom('X-A', 'Cache-Control', 'Link', 'Set-Cookie', 'X-Frame-Options', 'Bad Name', 'x-amz-cf-id', ''), hostile)
    .map(([name, value]) => `  ${name}: ${value}`),
  hostile,
);
const file = (line: fc.Arbitrary<string>) => fc.array(line, { maxLength: 40 }).map((lines) => lines.join('\n'));

// Rules a site would have: literal segments and placeholders, a final splat, the statuses and conditions the edge serves.
const safeSegment = fc.constantFrom('docs', 'blog', 'a', 'b', 'caf%C3%A9', ':id', ':slug');
const safePath = fc.tuple(fc.array(safeSegment, { maxLength: 4 }), fc.boolean()).map(([parts, splat]) => `/${[...parts, ...splat ? ['*'] : []].join('/')}`);
const validRedirect = fc.tuple(safePath, fc.constantFrom('', 'q=:q'), fc.constantFrom('/x/:splat', '/docs/a.html', '/y/:id', 'https://example.com/:splat'),
  fc.constantFrom('', '301', '302', '301!', '302!', '308'), fc.constantFrom('', 'Country=us,ca', 'Language=de', 'Cookie=ab'))
  .map((parts) => parts.filter(Boolean).join(' '));
const validHeaders = fc.tuple(safePath, fc.constantFrom('X-A: 1', 'Link: </a.css>; rel=preload', 'Cache-Control: no-cache', 'X-Robots-Tag: noindex, nofollow'))
  .map(([p, h]) => `${p}\n  ${h}`);

describe('generated _redirects and _headers', () => {
  test('never crash the release program: every problem names its line, and a site that compiles answers every request', async () => {
    let compiled = 0;
    const redirectFile = fc.oneof({ weight: 1, arbitrary: file(redirectLine) }, { weight: 3, arbitrary: file(validRedirect) });
    const headerFile = fc.oneof({ weight: 1, arbitrary: file(headerLine) }, { weight: 3, arbitrary: file(validHeaders) });
    const requestLists = fc.array(path, { minLength: 1, maxLength: 5 });
    await fc.assert(fc.asyncProperty(redirectFile, headerFile, requestLists, async (redirects, headers, requests) => {
      let site: EdgeSite;
      try {
        site = new EdgeSite({ files: FILES, redirects, headers, securityHeaders: { 'x-frame-options': 'DENY' } });
      } catch (e) {
        expect(e).toBeInstanceOf(EdgeSiteError);
        for (const problem of (e as Error).message.split('\n').filter((line) => /^line /.test(line) || !line.startsWith(' '))) {
          expect(problem).toMatch(/^line \d+/);
        }
        return;
      }
      compiled++;
      for (const uri of requests) {
        const answer = await site.get(encodeURI(uri).replace(/%25([0-9A-F]{2})/gi, '%$1'), { headers: { 'CloudFront-Viewer-Country': 'US', 'Accept-Language': 'de' } });
        expect([200, 301, 302, 303, 307, 308, 404, 410]).toContain(answer.status);
        for (const value of Object.values(answer.headers)) {
          expect(value).not.toMatch(/[\r\n]/);
        }
      }
    }), { numRuns: 300 });
    // The requests ran on enough sites to mean something.
    expect(compiled).toBeGreaterThan(30);
  });

  test('a huge file of valid rules compiles, and a hostile one fails with line numbers, without a crash', () => {
    const huge = Array.from({ length: 5000 }, (_, i) => `/p${i}/* /q${i}/:splat 302`).join('\n');
    expect(() => new EdgeSite({ files: FILES, redirects: huge })).not.toThrow();
    // A CRLF line end is a line end; a header it would inject is checked as a line of its own.
    const injection = '/*\n  X-A: ok\r\n  Set-Cookie: stolen=1\n  X-B: a\u0000b';
    expect(() => new EdgeSite({ files: FILES, headers: injection })).toThrow([
      'line 3 "Set-Cookie: stolen=1": CloudFront Functions may not set set-cookie (CloudFront sets it, or it describes the body it sends)',
      'line 4 "X-B: a\\x00b": the value holds a control character (a line break would inject a header)',
    ].join('\n'));
  });
});
