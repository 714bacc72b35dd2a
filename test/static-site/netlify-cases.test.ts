import { EdgeAnswer, EdgeRequest, EdgeSite } from './edge-site';

/*
 * Every example of Netlify's redirects and headers pages, as a case: the file, the request, and
 * what Netlify answers (status, Location or file served, headers), run through both CloudFront
 * Functions of the site with the records the release program writes. A rule the edge would answer
 * otherwise fails the deploy with its line number instead (the `rejected` cases).
 * https://docs.netlify.com/manage/routing/redirects/overview/
 * https://docs.netlify.com/manage/routing/redirects/redirect-options/
 * https://docs.netlify.com/manage/routing/redirects/rewrites-proxies/
 * https://docs.netlify.com/manage/routing/headers/
 */

/** The build every case deploys (paths relative to the site root). */
const FILES = [
  'index.html', '404.html', 'blog/index.html', 'blog/my-post/index.html', 'blog/typo-free-title/index.html',
  'authors/about-c\u00e9line/index.html', 'store-closed/index.html', 'en/404.html', 'en/about/index.html', 'de/404.html',
  'app/index.html', 'app/assets/app.js', 'anz/index.html', 'gone.html', 'templates/index.html', 'templates/index2.html',
  'style.css', 'script.js', 'sw.js',
];

interface NetlifyCase {
  /** Where Netlify documents it. */
  readonly page: 'overview' | 'redirect-options' | 'rewrites-proxies' | 'headers';
  readonly name: string;
  readonly redirects?: string;
  readonly headers?: string;
  readonly uri: string;
  readonly request?: EdgeRequest;
  readonly expected: Partial<EdgeAnswer>;
}

export const NETLIFY_CASES: NetlifyCase[] = [
  // Overview: the syntax, first match wins.
  { page: 'overview', name: 'a rule with the default status', redirects: '/home /', uri: '/home', expected: { status: 301, location: '/' } },
  { page: 'overview', name: 'a file name to a pretty URL', redirects: '/blog/my-post.php /blog/my-post', uri: '/blog/my-post.php', expected: { status: 301, location: '/blog/my-post' } },
  { page: 'overview', name: 'a path to a section', redirects: '/news /blog', uri: '/news', expected: { status: 301, location: '/blog' } },
  { page: 'overview', name: 'a path to another site', redirects: '/cuties https://www.petsofnetlify.com', uri: '/cuties', expected: { status: 301, location: 'https://www.petsofnetlify.com' } },
  { page: 'overview', name: 'a url-encoded path', redirects: '/authors/c%C3%A9line /authors/about-c%C3%A9line', uri: '/authors/c%C3%A9line', expected: { status: 301, location: '/authors/about-c%C3%A9line' } },
  { page: 'overview', name: 'a url-encoded path, escapes in lower case', redirects: '/authors/c%C3%A9line /authors/about-c%C3%A9line', uri: '/authors/c%c3%a9line', expected: { status: 301, location: '/authors/about-c%C3%A9line' } },
  { page: 'overview', name: 'paths are case-sensitive', redirects: '/home /', uri: '/Home', expected: { status: 404, file: null } },
  {
    page: 'overview',
    name: 'the first matching rule wins',
    redirects: '/blog/my-old-title /blog/my-new-title 301\n/blog/my-old-title /blog/an-even-better-title 301',
    uri: '/blog/my-old-title',
    expected: { status: 301, location: '/blog/my-new-title' },
  },
  // Redirect options: statuses.
  { page: 'redirect-options', name: 'a 301', redirects: '/home / 301', uri: '/home', expected: { status: 301, location: '/' } },
  { page: 'redirect-options', name: 'a 302', redirects: '/my-redirect / 302', uri: '/my-redirect', expected: { status: 302, location: '/' } },
  { page: 'redirect-options', name: 'a custom 404 for a path', redirects: '/ecommerce /store-closed 404', uri: '/ecommerce', expected: { status: 404, file: '.status/404/store-closed/index.html' } },
  { page: 'redirect-options', name: 'a rewrite', redirects: '/pass-through /index.html 200', uri: '/pass-through', expected: { status: 200, file: 'index.html' } },
  // Custom 404 page handling, per section.
  { page: 'redirect-options', name: 'a section\'s 404 page', redirects: '/en/* /en/404.html 404\n/de/* /de/404.html 404', uri: '/en/missing', expected: { status: 404, file: '.status/404/en/404.html' } },
  { page: 'redirect-options', name: 'another section\'s 404 page', redirects: '/en/* /en/404.html 404\n/de/* /de/404.html 404', uri: '/de/missing/deeper', expected: { status: 404, file: '.status/404/de/404.html' } },
  { page: 'redirect-options', name: 'a section\'s page that exists is served', redirects: '/en/* /en/404.html 404', uri: '/en/about', expected: { status: 200, file: 'en/about/index.html' } },
  // Trailing slash.
  { page: 'redirect-options', name: 'a rule ignores the trailing slash', redirects: '/blog/title-with-typo /blog/typo-free-title 301', uri: '/blog/title-with-typo/', expected: { status: 301, location: '/blog/typo-free-title' } },
  { page: 'redirect-options', name: 'a rule matches without the trailing slash', redirects: '/blog/title-with-typo /blog/typo-free-title 301', uri: '/blog/title-with-typo', expected: { status: 301, location: '/blog/typo-free-title' } },
  // Placeholders and splats.
  {
    page: 'redirect-options',
    name: 'placeholders',
    redirects: '/news/:year/:month/:date/:slug /blog/:year/:month/:date/:slug',
    uri: '/news/2004/02/12/my-story',
    expected: { status: 301, location: '/blog/2004/02/12/my-story' },
  },
  { page: 'redirect-options', name: 'placeholders match whole segments only', redirects: '/news/:year/:month/:date/:slug /blog/:year/:month/:date/:slug', uri: '/news/2004/02/12', expected: { status: 404, file: null } },
  { page: 'redirect-options', name: 'a splat', redirects: '/news/* /blog/:splat', uri: '/news/2004/01/10/my-story', expected: { status: 301, location: '/blog/2004/01/10/my-story' } },
  // Query parameters.
  { page: 'redirect-options', name: 'a query parameter', redirects: '/store id=:id /blog/:id 301', uri: '/store', request: { query: { id: 'my-blog-post' } }, expected: { status: 301, location: '/blog/my-blog-post' } },
  { page: 'redirect-options', name: 'a rule with a query parameter needs it', redirects: '/store id=:id /blog/:id 301', uri: '/store', expected: { status: 404, file: null } },
  {
    page: 'redirect-options',
    name: 'several query parameters',
    redirects: '/articles id=:id tag=:tag /posts/:tag/:id 301',
    uri: '/articles',
    request: { query: { id: '123', tag: 'abc' } },
    expected: { status: 301, location: '/posts/abc/123' },
  },
  { page: 'redirect-options', name: 'the query string goes along with a redirect without query parameters', redirects: '/home /', uri: '/home', request: { query: { utm_source: 'x' } }, expected: { status: 301, location: '/?utm_source=x' } },
  // Domain-level redirects.
  {
    page: 'redirect-options',
    name: 'a domain-level redirect',
    redirects: 'http://blog.yoursite.com/* https://www.yoursite.com/blog/:splat 301!',
    uri: '/my-post',
    request: { host: 'blog.yoursite.com' },
    expected: { status: 301, location: 'https://www.yoursite.com/blog/my-post' },
  },
  { page: 'redirect-options', name: 'a domain-level redirect leaves other hosts alone', redirects: 'https://blog.yoursite.com/* https://www.yoursite.com/blog/:splat 301!', uri: '/', expected: { status: 200, file: 'index.html' } },
  // Shadowing and force.
  { page: 'rewrites-proxies', name: 'a rewrite of a section (history pushstate)', redirects: '/app/* /app/index.html 200', uri: '/app/dashboard', expected: { status: 200, file: 'app/index.html' } },
  { page: 'redirect-options', name: 'a rule without ! does not hide a file', redirects: '/app/* /app/index.html 200', uri: '/app/assets/app.js', expected: { status: 200, file: 'app/assets/app.js' } },
  { page: 'redirect-options', name: 'a rule with ! hides the file', redirects: '/app/* /app/index.html 200!', uri: '/app/assets/app.js', expected: { status: 200, file: 'app/index.html' } },
  { page: 'redirect-options', name: 'an exact rule without ! does not hide a page', redirects: '/blog /news 301', uri: '/blog', expected: { status: 200, file: 'blog/index.html' } },
  { page: 'redirect-options', name: 'an exact rule with ! hides the page', redirects: '/blog /news 301!', uri: '/blog', expected: { status: 301, location: '/news' } },
  // Country and language.
  // Netlify's example has no !, but index.html answers /: see REJECTED_CASES.
  { page: 'redirect-options', name: 'a country condition', redirects: '/ /anz 302! Country=au,nz', uri: '/', request: { headers: { 'CloudFront-Viewer-Country': 'NZ' } }, expected: { status: 302, location: '/anz' } },
  { page: 'redirect-options', name: 'a country condition on a path without a file', redirects: '/shop /anz 302 Country=au,nz', uri: '/shop', request: { headers: { 'CloudFront-Viewer-Country': 'au' } }, expected: { status: 302, location: '/anz' } },
  { page: 'redirect-options', name: 'a country condition not met', redirects: '/ /anz 302! Country=au,nz', uri: '/', request: { headers: { 'CloudFront-Viewer-Country': 'US' } }, expected: { status: 200, file: 'index.html' } },
  {
    page: 'redirect-options',
    name: 'a language condition',
    redirects: '/israel/* /israel/he/:splat 302 Language=he',
    uri: '/israel/news',
    request: { headers: { 'Accept-Language': 'he-IL,he;q=0.9,en;q=0.5' } },
    expected: { status: 302, location: '/israel/he/news' },
  },
  { page: 'redirect-options', name: 'a language condition not met', redirects: '/israel/* /israel/he/:splat 302 Language=he', uri: '/israel/news', request: { headers: { 'Accept-Language': 'en-US' } }, expected: { status: 404, file: null } },
  // Rewrites: single-page apps.
  { page: 'rewrites-proxies', name: 'a single-page app\'s route', redirects: '/* /index.html 200', uri: '/some/route', expected: { status: 200, file: 'index.html' } },
  { page: 'rewrites-proxies', name: 'a single-page app\'s file is served', redirects: '/* /index.html 200', uri: '/sw.js', expected: { status: 200, file: 'sw.js' } },
  { page: 'rewrites-proxies', name: 'a single-page app answers a missing file with the app', redirects: '/* /index.html 200', uri: '/missing.png', expected: { status: 200, file: 'index.html' } },
  // 410.
  { page: 'redirect-options', name: 'a page gone for good', redirects: '/old-product /gone.html 410', uri: '/old-product', expected: { status: 410, file: '.status/410/gone.html' } },
  // Headers.
  {
    page: 'headers',
    name: 'headers for a path',
    headers: '/templates/index.html\n  X-Frame-Options: DENY\n  X-XSS-Protection: 1; mode=block',
    uri: '/templates/index.html',
    expected: { status: 200, file: 'templates/index.html', headers: { 'x-xss-protection': '1; mode=block' } },
  },
  {
    page: 'headers',
    name: 'headers for every path',
    headers: '/*\n  X-XSS-Protection: 1; mode=block\n  Permissions-Policy: geolocation=()',
    uri: '/blog/my-post/',
    expected: { status: 200, file: 'blog/my-post/index.html', headers: { 'x-xss-protection': '1; mode=block', 'permissions-policy': 'geolocation=()' } },
  },
  {
    page: 'headers',
    name: 'a header given several times is sent once with its values',
    headers: '/*\n  Cache-Control: max-age=0\n  Cache-Control: no-cache\n  Cache-Control: no-store\n  Cache-Control: must-revalidate',
    uri: '/style.css',
    expected: { status: 200, headers: { 'cache-control': 'max-age=0, no-cache, no-store, must-revalidate' } },
  },
  {
    page: 'headers',
    name: 'link headers to preload',
    headers: '/\n  Link: </style.css>; rel=preload; as=style\n  Link: </script.js>; rel=preload; as=script',
    uri: '/',
    expected: { status: 200, file: 'index.html', headers: { link: '</style.css>; rel=preload; as=style, </script.js>; rel=preload; as=script' } },
  },
  { page: 'headers', name: 'headers for a path only', headers: '/templates/index.html\n  X-XSS-Protection: 1; mode=block', uri: '/templates/index2.html', expected: { status: 200, headers: {} } },
];

/** Cases the deploy rejects with the line: the edge would answer otherwise than Netlify. */
export const REJECTED_CASES: Array<{ page: string; name: string; redirects?: string; headers?: string; message: string }> = [
  { page: 'rewrites-proxies', name: 'proxying to another origin', redirects: '/api/* https://api.example.com/:splat 200', message: 'line 1 "/api/* https://api.example.com/:splat 200": proxying to another origin' },
  { page: 'redirect-options', name: 'a role condition', redirects: '/admin/* /admin/:splat 200! Role=admin', message: 'line 1 "/admin/* /admin/:splat 200! Role=admin": Role conditions need Netlify Identity' },
  { page: 'headers', name: 'a header the security headers policy sends otherwise', headers: '/templates/index2.html\n  X-Frame-Options: SAMEORIGIN', message: 'line 2 "X-Frame-Options: SAMEORIGIN": the security headers policy of the site sends x-frame-options: DENY' },
  { page: 'headers', name: 'Basic-Auth', headers: '/something/*\n  Basic-Auth: someuser:somepassword anotheruser:anotherpassword', message: 'line 2 "Basic-Auth: someuser:somepassword anotheruser:anotherpassword": Basic-Auth is Netlify\'s password protection' },
  {
    page: 'redirect-options',
    name: 'a condition on a path a file answers, without !',
    redirects: '/ /anz 302 Country=au,nz',
    message: 'line 1 "/ /anz 302 Country=au,nz": index.html answers /, which hides a rule without ! (shadowing), conditions or not; add ! to apply the rule (e.g. 302!)',
  },
  { page: 'redirect-options', name: 'a redirect of a path to itself with a trailing slash', redirects: '/blog/ /blog 301!', message: 'line 1 "/blog/ /blog 301!": the rule redirects a path to itself' },
];

const SECURITY_HEADERS = { 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff' };

describe('Netlify\'s examples, through both CloudFront Functions', () => {
  test.each(NETLIFY_CASES.map((c) => [`${c.page}: ${c.name}`, c] as const))('%s', async (_name, c) => {
    const site = new EdgeSite({ files: FILES, redirects: c.redirects, headers: c.headers, securityHeaders: SECURITY_HEADERS });

    const answer = await site.get(c.uri, c.request);

    const { headers, ...rest } = c.expected;
    expect(answer).toMatchObject(rest);
    if (headers) {
      const sent = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !['location', 'cache-control'].includes(name) || name in headers));
      expect(sent).toEqual(headers);
    }
  });

  test.each(REJECTED_CASES.map((c) => [`${c.page}: ${c.name}`, c] as const))('%s fails the deploy with its line', (_name, c) => {
    expect(() => new EdgeSite({ files: FILES, redirects: c.redirects, headers: c.headers, securityHeaders: SECURITY_HEADERS }))
      .toThrow(c.message);
  });
});
