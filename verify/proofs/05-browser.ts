/**
 * A real browser sees the site right. The example app is built as the pipeline builds it,
 * served by a local emulation of the README example's CloudFront distribution (its own routing
 * function code, error responses and security headers policy, read from the synthesized
 * template), and opened in headless Chromium.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Browser, BrowserContext, chromium, ConsoleMessage, Page, Response } from 'playwright-core';
import { LIVE_RELEASE_KEY, RELEASES_PREFIX } from '../../src/static-site/release-contract';
import { KeyValueStores } from '../../test/support/cloudfront-function';
import { startCloudFrontEmulator } from '../browser/cloudfront-emulator';
import { distributionConfig, DistributionConfig, PolicyHeader } from '../browser/distribution-config';
import { PREVIEW_DOMAIN, PREVIEW_MARKER, PREVIEW_NAME, previewSite, TOKEN_SECONDS } from '../browser/preview-site';
import { rulesSite } from '../browser/rules-site';
import { buildSite } from '../browser/site-build';
import { exampleStacks } from '../example-stacks';
import { Proof, ProofResult } from '../proof';

const PROOF = 'Browser: a real browser sees the site right';
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  // The preview hosts of the site with previews are served by the emulator too.
  `--host-resolver-rules=MAP *.${PREVIEW_DOMAIN} 127.0.0.1`];
// The README example: a single-page app built into dist/.
const STACK_ID = 'StaticSiteExample';
const APP_DIR = path.join(__dirname, '..', '..', 'examples', 'static-site-app');
const OUTPUT_DIRECTORY = 'dist';
const NOT_FOUND_PAGE = '404.html';
// A release id as go-live writes it: <UTC time>-<commit>-<execution>.
const RELEASE_ID = '20250102T030405Z-0123456789ab-0a1b2c3d';

// Names shaped like the build's hashed files, so only the routing decides what happens to them.
const MISSING_ASSET = '/assets/missing-0000aaaa.js';
const MISSING_CHUNK = '/assets/missing-chunk-0000bbbb.js';
const CHUNK_TEST_PAGE = 'chunk-test.html';
const CHUNK_TEST_SCRIPT = 'chunk-test.js';
const WAIT_MS = 10_000;

// The security headers the README promises on every response. A case expects these values even
// when the synthesized policy says otherwise, so a weakened policy fails the proof.
const PROMISED_HEADERS: Record<string, string> = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

/** The site under test, as each case sees it. */
interface Site {
  /** Base URL of the emulated distribution, without a trailing slash. */
  readonly url: string;
  readonly browser: Browser;
  /** The headers every response must carry: the policy's, with the promised values where the README promises one. */
  readonly expectedHeaders: Record<string, string>;
  /** Contents of the build's not-found page and index page. */
  readonly notFoundHtml: string;
  readonly indexHtml: string;
  /** Contents of the build's robots.txt. */
  readonly robotsTxt: string;
}

/** Opens a path of the site in the case's browser context. */
type Open = (pathname: string, options?: OpenOptions) => Promise<Visit>;

/** How a page is opened: on another host of the site (same port), with request headers of its own. */
interface OpenOptions {
  readonly host?: string;
  readonly headers?: Record<string, string>;
}

/** One thing the browser must see; `check` returns what was wrong (nothing when it passed). */
interface Case {
  readonly name: string;
  readonly check: (site: Site, open: Open) => Promise<string[]>;
}

const CASES: Case[] = [
  { name: 'home page', check: homePage },
  { name: 'deep link loaded directly', check: deepLink },
  { name: 'client-side navigation', check: clientNavigation },
  { name: 'missing asset', check: missingAsset },
  { name: 'missing chunk in a script tag', check: missingChunk },
  { name: 'robots.txt', check: robotsTxt },
  { name: 'query string preserved', check: queryString },
  { name: 'security headers on the 404 response', check: notFoundHeaders },
];

/** The cases of the site with `_redirects` and `_headers` (Netlify's examples, rules-site.ts). */
const RULES_CASES: Case[] = [
  { name: '_redirects: a 301 the browser follows (/home → /)', check: followedRedirect },
  { name: '_redirects: a rewrite (200) keeps the address', check: rewrite },
  { name: '_redirects: a section\'s custom 404 page, with status 404', check: (site, open) => statusPage(site, open, '/shop/hats', 404) },
  { name: '_redirects: a page gone (410), with its page', check: (site, open) => statusPage(site, open, '/old-product', 410) },
  { name: '_redirects: a splat carried into a 302, the query string kept', check: splatRedirect },
  { name: '_headers: a header of every path, and one of a single file', check: headersOfPaths },
];

/** The cases of the site with previews, whose store holds `token` for the preview. */
function previewCases(token: string): Case[] {
  return [
    { name: `preview ${PREVIEW_NAME} opened through its link`, check: (site, open) => previewLink(site, open, token) },
    { name: 'a visitor without the preview cookie sees live', check: liveVisitor },
    { name: 'a link with an unknown token shows live and sets no cookie', check: unknownLink },
    { name: `preview host ${PREVIEW_NAME}.${PREVIEW_DOMAIN} with the token in a header`, check: (_site, open) => previewHost(open, token) },
  ];
}

const proof: Proof = {
  async run(): Promise<ProofResult> {
    if (!fs.existsSync(CHROMIUM)) {
      return setupFailure(`Chromium is not at ${CHROMIUM}: install it: apt-get install -y chromium`);
    }
    const cleanups: Array<() => Promise<void> | void> = [];
    try {
      const stack = exampleStacks().find((s) => s.node.id === STACK_ID);
      if (!stack) {
        return setupFailure(`exampleStacks() has no stack ${STACK_ID} (the README example)`);
      }
      const config = distributionConfig(stack);
      const build = buildSite(APP_DIR, OUTPUT_DIRECTORY);
      cleanups.push(() => build.dispose());
      addChunkTestPage(build.outputDir);
      const bucket = publishedBucket(config, build.outputDir);
      cleanups.push(() => bucket.dispose());
      const emulator = await startCloudFrontEmulator(config, bucket.dir, bucket.stores);
      cleanups.push(() => emulator.close());
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      cleanups.push(() => browser.close());

      const previews = previewSite(build.outputDir, NOT_FOUND_PAGE);
      cleanups.push(() => previews.dispose());
      const previewEmulator = await startCloudFrontEmulator(previews.config, previews.dir, previews.stores);
      cleanups.push(() => previewEmulator.close());

      const rules = rulesSite(build.outputDir, NOT_FOUND_PAGE);
      cleanups.push(() => rules.dispose());
      const rulesEmulator = await startCloudFrontEmulator(rules.config, rules.dir, rules.stores, rules.metadata);
      cleanups.push(() => rulesEmulator.close());

      const read = (file: string) => fs.readFileSync(path.join(build.outputDir, file), 'utf8');
      const site: Site = {
        url: emulator.url,
        browser,
        expectedHeaders: expectedHeaders(config.policyHeaders),
        notFoundHtml: read(NOT_FOUND_PAGE),
        indexHtml: read('index.html'),
        robotsTxt: read('robots.txt'),
      };
      const cases = previewCases(previews.token);
      const failures = [
        ...await runCases(site, CASES),
        ...await runCases({ ...site, url: previewEmulator.url, expectedHeaders: expectedHeaders(previews.config.policyHeaders) }, cases),
        ...await runCases({ ...site, url: rulesEmulator.url, expectedHeaders: expectedHeaders(rules.config.policyHeaders) }, RULES_CASES),
      ];
      const tried = CASES.length + cases.length + RULES_CASES.length;
      return {
        proof: PROOF,
        tried,
        passed: tried - failures.length,
        failures,
        details: [
          `built ${path.relative(process.cwd(), APP_DIR)} (npm ci, npm run build) in ${build.seconds.toFixed(1)} s; Chromium ${browser.version()}`,
          `emulated ${STACK_ID}/${configSummary(config)}`,
          `emulated a site with previews (${previews.config.distributionId}): viewer-request and viewer-response functions run, `
          + `live and preview ${PREVIEW_NAME} releases, a token for the preview in the KeyValueStore`,
          `emulated a site with _redirects and _headers (${rules.config.distributionId}): the release's records in the KeyValueStore, `
          + 'status copies of its 404 and 410 pages, objects naming their release',
        ],
      };
    } catch (e) {
      return setupFailure(`could not set up the site: ${(e as Error).message}`);
    } finally {
      for (const cleanup of cleanups.reverse()) {
        await cleanup();
      }
    }
  },
};

export default proof;

/** Runs every case; returns one line per failed case (the table counts failed cases by failure lines). */
async function runCases(site: Site, cases: Case[]): Promise<string[]> {
  const failures: string[] = [];
  for (const c of cases) {
    const problems = await runCase(c, site);
    if (problems.length > 0) {
      failures.push(`${c.name}: ${problems.join('; ')}`);
    }
  }
  return failures;
}

/** The site bucket as a deploy leaves it, and the KeyValueStore naming the live release. */
interface PublishedBucket {
  readonly dir: string;
  readonly stores: KeyValueStores;
  dispose(): void;
}

/**
 * The bucket after the build is deployed. In place, the build is the bucket. With releases (the
 * function reads a KeyValueStore), the build is the release RELEASE_ID under releases/, its
 * not-found page is also at the root (where go-live publishes it for the error response), and
 * the store's live key names the release.
 */
function publishedBucket(config: DistributionConfig, buildDir: string): PublishedBucket {
  if (!config.keyValueStoreId) {
    return { dir: buildDir, stores: {}, dispose: () => undefined };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'site-bucket-'));
  fs.mkdirSync(path.join(dir, RELEASES_PREFIX));
  fs.symlinkSync(buildDir, path.join(dir, RELEASES_PREFIX, RELEASE_ID), 'dir');
  fs.copyFileSync(path.join(buildDir, NOT_FOUND_PAGE), path.join(dir, NOT_FOUND_PAGE));
  return {
    dir,
    stores: { [config.keyValueStoreId]: { [LIVE_RELEASE_KEY]: RELEASE_ID } },
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** One line saying what the emulator took from the template. */
function configSummary(config: DistributionConfig): string {
  const errors = config.errorResponses.map((e) => `${e.errorCode}→${e.responsePagePath} (${e.responseCode})`);
  return `${config.distributionId}: viewer-request function ${config.viewerRequestCode ? 'run' : 'absent'}, `
    + `${config.keyValueStoreId ? `live release ${RELEASE_ID} from the KeyValueStore, ` : ''}`
    + `default root object ${config.defaultRootObject ?? 'none'}, error responses ${errors.join(', ') || 'none'}, `
    + `policy headers ${config.policyHeaders.map((h) => h.name).join(', ') || 'none'}`;
}

/** `/`: the app starts, every script and stylesheet loads, and each response carries the security headers. */
async function homePage(site: Site, open: Open): Promise<string[]> {
  const visit = await open('/');
  return [
    ...expectStatus(visit, 200),
    ...await expectTitle(visit, 'Home'),
    ...visit.pageProblems,
    ...visit.responses.filter((r) => r.url().startsWith(site.url))
      .flatMap((r) => expectHeaders(r, site.expectedHeaders)),
  ];
}

/** `/users/42` typed into the address bar: the SPA fallback serves the app, which shows the user. */
async function deepLink(_site: Site, open: Open): Promise<string[]> {
  const visit = await open('/users/42');
  return [...expectStatus(visit, 200), ...await expectTitle(visit, 'User 42'), ...visit.pageProblems];
}

/** A click on a `data-link` to `/about`: the app changes the view without loading a new document. */
async function clientNavigation(_site: Site, open: Open): Promise<string[]> {
  const visit = await open('/');
  const problems = await expectTitle(visit, 'Home');
  const documentsBefore = visit.documentRequests;
  await visit.page.click('a[data-link][href="/about"]');
  problems.push(...await expectTitle(visit, 'About'));
  const pathname = await visit.page.evaluate('location.pathname');
  if (pathname !== '/about') {
    problems.push(`${visit.url} → click About: expected location.pathname /about, got ${pathname}`);
  }
  if (visit.documentRequests !== documentsBefore) {
    problems.push(`${visit.url} → click About: expected no new document request, got ${visit.documentRequests - documentsBefore}`);
  }
  return [...problems, ...visit.pageProblems];
}

/** A hashed asset that is not in the build: a real 404 with the not-found page, never the app's index.html. */
async function missingAsset(site: Site, open: Open): Promise<string[]> {
  const visit = await open(MISSING_ASSET);
  const problems = expectStatus(visit, 404);
  const body = await visit.document?.text();
  if (body !== site.notFoundHtml) {
    const got = body === site.indexHtml ? 'index.html' : `${JSON.stringify(body?.slice(0, 80))}...`;
    problems.push(`${visit.url}: expected the body of ${NOT_FOUND_PAGE}, got ${got}`);
  }
  const contentType = visit.document?.headers()['content-type'] ?? 'none';
  if (/javascript|ecmascript/i.test(contentType)) {
    problems.push(`${visit.url}: expected a content-type that is not JavaScript, got ${contentType}`);
  }
  return problems;
}

/**
 * A page whose `<script>` names a chunk missing from the build (as after a deploy removed it): the
 * browser fires the script's `error` event, and never parses an HTML fallback as JavaScript.
 */
async function missingChunk(site: Site, open: Open): Promise<string[]> {
  const visit = await open(`/${CHUNK_TEST_PAGE}`);
  const problems = expectStatus(visit, 200);
  const outcome = await visit.page.waitForFunction('window.chunkOutcome', undefined, { timeout: WAIT_MS })
    .then((handle) => handle.jsonValue(), () => 'neither load nor error');
  if (outcome !== 'error') {
    problems.push(`${visit.url}: expected the script ${MISSING_CHUNK} to fire error, got ${outcome}`);
  }
  const chunk = visit.responses.find((r) => r.url() === `${site.url}${MISSING_CHUNK}`);
  if (chunk?.status() !== 404) {
    problems.push(`${visit.url}: expected ${MISSING_CHUNK} to answer 404, got ${chunk?.status() ?? 'no response'}`);
  }
  problems.push(...visit.pageErrors.map((e) => `${visit.url}: expected no script error, got ${e}`));
  return problems;
}

/** `/robots.txt`: served as is, as plain text (not rewritten to the app). */
async function robotsTxt(site: Site, open: Open): Promise<string[]> {
  const visit = await open('/robots.txt');
  const problems = expectStatus(visit, 200);
  const contentType = visit.document?.headers()['content-type'] ?? 'none';
  if (!contentType.startsWith('text/plain')) {
    problems.push(`${visit.url}: expected content-type text/plain, got ${contentType}`);
  }
  if (await visit.document?.text() !== site.robotsTxt) {
    problems.push(`${visit.url}: expected the build's robots.txt, got other content`);
  }
  return problems;
}

/** `/users/7?tab=posts`: the rewrite to index.html keeps the address, query string included. */
async function queryString(_site: Site, open: Open): Promise<string[]> {
  const visit = await open('/users/7?tab=posts');
  const problems = [...expectStatus(visit, 200), ...await expectTitle(visit, 'User 7'), ...visit.pageProblems];
  const search = await visit.page.evaluate('location.search');
  if (search !== '?tab=posts') {
    problems.push(`${visit.url}: expected location.search ?tab=posts, got ${JSON.stringify(search)}`);
  }
  return problems;
}

/** The not-found response carries the security headers too (CloudFront adds them to error responses). */
async function notFoundHeaders(site: Site, open: Open): Promise<string[]> {
  const visit = await open(MISSING_ASSET);
  return visit.document ? expectHeaders(visit.document, site.expectedHeaders) : [`${visit.url}: no response`];
}

/** `/home`: a 301 to `/`, which the browser follows to the app's home page. */
async function followedRedirect(_site: Site, open: Open): Promise<string[]> {
  const visit = await open('/home');
  const problems = [...expectStatus(visit, 200), ...await expectTitle(visit, 'Home'), ...visit.pageProblems];
  const redirect = await visit.document?.request().redirectedFrom()?.response();
  if (redirect?.status() !== 301 || redirect.headers().location !== '/') {
    problems.push(`${visit.url}: expected a 301 to /, got ${redirect?.status() ?? 'no redirect'} to ${redirect?.headers().location ?? 'nowhere'}`);
  }
  if (new URL(visit.page.url()).pathname !== '/') {
    problems.push(`${visit.url}: expected to land on /, got ${visit.page.url()}`);
  }
  return problems;
}

/** `/pass-through`: the app's index.html, with status 200, at the same address. */
async function rewrite(_site: Site, open: Open): Promise<string[]> {
  const visit = await open('/pass-through');
  const problems = [...expectStatus(visit, 200), ...visit.pageProblems];
  if (visit.document?.request().redirectedFrom()) {
    problems.push(`${visit.url}: expected no redirect, got one from ${visit.document.request().redirectedFrom()?.url()}`);
  }
  if (new URL(visit.page.url()).pathname !== '/pass-through') {
    problems.push(`${visit.url}: expected the address to stay /pass-through, got ${visit.page.url()}`);
  }
  return problems;
}

/** A 404 or 410 rule: the rule's page with the rule's status, and the security headers. */
async function statusPage(site: Site, open: Open, pathname: string, status: number): Promise<string[]> {
  const visit = await open(pathname);
  const problems = expectStatus(visit, status);
  if (await visit.document?.text() !== site.notFoundHtml) {
    problems.push(`${visit.url}: expected the body of ${NOT_FOUND_PAGE}`);
  }
  const metadata = Object.keys(visit.document?.headers() ?? {}).filter((name) => name.startsWith('x-amz-meta-'));
  if (metadata.length) {
    problems.push(`${visit.url}: expected no x-amz-meta-* header, got ${metadata.join(', ')}`);
  }
  return [...problems, ...(visit.document ? expectHeaders(visit.document, site.expectedHeaders) : [])];
}

/** `/news/7?tab=posts`: a 302 to `/users/7?tab=posts`, which the app shows. */
async function splatRedirect(_site: Site, open: Open): Promise<string[]> {
  const visit = await open('/news/7?tab=posts');
  const problems = [...expectStatus(visit, 200), ...await expectTitle(visit, 'User 7'), ...visit.pageProblems];
  const redirect = await visit.document?.request().redirectedFrom()?.response();
  if (redirect?.status() !== 302 || redirect.headers().location !== '/users/7?tab=posts') {
    problems.push(`${visit.url}: expected a 302 to /users/7?tab=posts, got ${redirect?.status() ?? 'no redirect'} to ${redirect?.headers().location ?? 'nowhere'}`);
  }
  return problems;
}

/** `/` gets the header of `/*`; `/robots.txt` that one and its own. */
async function headersOfPaths(site: Site, open: Open): Promise<string[]> {
  const home = await open('/');
  const robots = await open('/robots.txt');
  return [
    ...(home.document ? expectHeaders(home.document, { ...site.expectedHeaders, 'x-xss-protection': '1; mode=block' }) : ['/: no response']),
    ...(robots.document ? expectHeaders(robots.document, { 'x-xss-protection': '1; mode=block', 'x-robots-tag': 'noindex' }) : ['/robots.txt: no response']),
    ...home.document?.headers()['x-robots-tag'] ? [`${home.url}: expected no x-robots-tag, got ${home.document.headers()['x-robots-tag']}`] : [],
  ];
}

/**
 * A preview link (`?preview-token=`) on a deep link: a 302 (not cached) to the same address without
 * the token, which the browser keeps in a cookie (HttpOnly, Secure, SameSite=Lax) until the token
 * expires; the preview's page, marked noindex, and the next page of the visit from the preview too.
 */
async function previewLink(site: Site, open: Open, token: string): Promise<string[]> {
  const visit = await open(`/users/42?tab=posts&preview-token=${token}`);
  const problems = [...expectStatus(visit, 200), ...await expectTitle(visit, 'User 42'), ...visit.pageProblems];
  const redirect = await visit.document?.request().redirectedFrom()?.response();
  if (redirect?.status() !== 302 || redirect.headers()['cache-control'] !== 'no-store') {
    problems.push(`${visit.url}: expected a 302 with cache-control: no-store, got ${redirect?.status() ?? 'no redirect'} `
      + `with cache-control ${redirect?.headers()['cache-control'] ?? 'none'}`);
  }
  const address = visit.page.url();
  if (address !== `${site.url}/users/42?tab=posts`) {
    problems.push(`${visit.url}: expected the address ${site.url}/users/42?tab=posts, got ${address}`);
  }
  const cookies = await visit.page.context().cookies(site.url);
  const cookie = cookies.find((c) => c.name === 'preview-token');
  const secondsLeft = cookie ? cookie.expires - Date.now() / 1000 : 0;
  if (!cookie || cookie.value !== token || !cookie.httpOnly || !cookie.secure || cookie.sameSite !== 'Lax'
    || cookie.path !== '/' || secondsLeft > TOKEN_SECONDS || secondsLeft < TOKEN_SECONDS - 60) {
    problems.push(`${visit.url}: expected the cookie preview-token=<token>; Path=/; HttpOnly; Secure; SameSite=Lax for about ${TOKEN_SECONDS} s, `
      + `got ${cookie ? JSON.stringify({ ...cookie, value: cookie.value === token ? '<token>' : cookie.value }) : 'none'}`);
  }
  problems.push(...await expectRelease(visit, 'preview'));
  const next = await open('/about');
  problems.push(...expectStatus(next, 200), ...await expectTitle(next, 'About'), ...await expectRelease(next, 'preview'), ...next.pageProblems);
  return problems;
}

/** `/` in a browser that never followed a preview link: live, not marked noindex. */
async function liveVisitor(_site: Site, open: Open): Promise<string[]> {
  const visit = await open('/');
  return [...expectStatus(visit, 200), ...await expectTitle(visit, 'Home'), ...await expectRelease(visit, 'live'), ...visit.pageProblems];
}

/** A link whose token the store does not hold: live at that address, no redirect, no cookie. */
async function unknownLink(site: Site, open: Open): Promise<string[]> {
  const visit = await open(`/?preview-token=${'0'.repeat(32)}`);
  const problems = [...expectStatus(visit, 200), ...await expectTitle(visit, 'Home'), ...visit.pageProblems];
  const release = await visit.page.evaluate(RELEASE_MARKER);
  if (release !== null) {
    problems.push(`${visit.url}: expected the live page, got the preview's`);
  }
  if (visit.document?.request().redirectedFrom()) {
    problems.push(`${visit.url}: expected no redirect, got one`);
  }
  const cookies = await visit.page.context().cookies(site.url);
  if (cookies.length) {
    problems.push(`${visit.url}: expected no cookie, got ${cookies.map((c) => c.name).join(', ')}`);
  }
  return problems;
}

/**
 * The preview's own host with its token in the `x-preview-token` header: the preview, noindex; the
 * host of another preview with the same token: live, still noindex (a preview host is never indexed).
 */
async function previewHost(open: Open, token: string): Promise<string[]> {
  const headers = { 'x-preview-token': token };
  const own = await open('/', { host: `${PREVIEW_NAME}.${PREVIEW_DOMAIN}`, headers });
  const other = await open('/', { host: `pr-7.${PREVIEW_DOMAIN}`, headers });
  const problems = [
    ...expectStatus(own, 200), ...await expectTitle(own, 'Home'), ...await expectRelease(own, 'preview'), ...own.pageProblems,
    ...expectStatus(other, 200), ...await expectTitle(other, 'Home'), ...other.pageProblems,
  ];
  if (await other.page.evaluate(RELEASE_MARKER) !== null || other.document?.headers()['x-robots-tag'] !== 'noindex') {
    problems.push(`${other.url}: expected the live page with x-robots-tag: noindex, got the ${await other.page.evaluate(RELEASE_MARKER) ? 'preview' : 'live'} `
      + `page with x-robots-tag ${other.document?.headers()['x-robots-tag'] ?? 'none'}`);
  }
  return problems;
}

/** The content of the preview's marker tag in the page, null on live. */
const RELEASE_MARKER = 'document.querySelector(\'meta[name="release"]\')?.content ?? null';

/** What is wrong when the page is not from `release`, or its x-robots-tag does not say so (noindex for a preview only). */
async function expectRelease(visit: Visit, release: 'preview' | 'live'): Promise<string[]> {
  const problems: string[] = [];
  const marker = await visit.page.evaluate(RELEASE_MARKER);
  if ((marker === 'preview') !== (release === 'preview')) {
    problems.push(`${visit.url}: expected the ${release} page${release === 'preview' ? ` (with ${PREVIEW_MARKER})` : ''}, got the ${marker ? 'preview' : 'live'} one`);
  }
  const robots = visit.document?.headers()['x-robots-tag'];
  if (robots !== (release === 'preview' ? 'noindex' : undefined)) {
    problems.push(`${visit.url}: expected ${release === 'preview' ? 'x-robots-tag: noindex' : 'no x-robots-tag'}, got ${robots ?? 'none'}`);
  }
  return problems;
}

/** A page of the site, and what the browser saw while loading and using it. */
interface Visit {
  readonly url: string;
  readonly page: Page;
  /** The response to the navigation; null when there was none. */
  document: Response | null;
  /** Every response the page received. */
  readonly responses: Response[];
  /** Uncaught script errors. */
  readonly pageErrors: string[];
  /** Console errors, uncaught script errors and scripts or stylesheets that did not load with 200. */
  readonly pageProblems: string[];
  /** Top-level document requests so far. */
  documentRequests: number;
}

/**
 * Runs one case in a browser context of its own (no cache, storage or service worker shared with
 * another case); a thrown error, such as a timeout, is a failure of the case.
 */
async function runCase(c: Case, site: Site): Promise<string[]> {
  const context = await site.browser.newContext();
  context.setDefaultTimeout(WAIT_MS);
  try {
    return await c.check(site, (pathname, options = {}) => {
      const base = options.host ? site.url.replace('127.0.0.1', options.host) : site.url;
      return openPage(context, `${base}${pathname}`, options.headers);
    });
  } catch (e) {
    return [`threw ${(e as Error).message.split('\n')[0]}`];
  } finally {
    await context.close();
  }
}

/** Opens `url` in a new page of `context` and waits for it to load. */
async function openPage(context: BrowserContext, url: string, headers?: Record<string, string>): Promise<Visit> {
  const page = await context.newPage();
  if (headers) {
    await page.setExtraHTTPHeaders(headers);
  }
  const visit: Visit = { url, page, document: null, responses: [], pageErrors: [], pageProblems: [], documentRequests: 0 };
  page.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === page.mainFrame()) visit.documentRequests++;
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && !isFaviconProbe(m)) visit.pageProblems.push(`${url}: expected no console error, got ${m.text()}`);
  });
  page.on('pageerror', (e) => {
    visit.pageErrors.push(e.message);
    visit.pageProblems.push(`${url}: expected no uncaught error, got ${e.message}`);
  });
  page.on('response', (r) => {
    visit.responses.push(r);
    if (['script', 'stylesheet'].includes(r.request().resourceType()) && r.status() !== 200) {
      visit.pageProblems.push(`${url}: expected ${r.url()} to answer 200, got ${r.status()}`);
    }
  });
  page.on('requestfailed', (r) => {
    visit.pageProblems.push(`${url}: expected ${r.url()} to load, got ${r.failure()?.errorText}`);
  });
  visit.document = await page.goto(url, { waitUntil: 'load', timeout: WAIT_MS });
  return visit;
}

/**
 * Whether a console message reports Chromium's own request for /favicon.ico. The browser makes it
 * once per run, for the first page that declares no icon: a 404 there is the app's choice, and
 * counting it would make a case's result depend on the order of the cases.
 */
function isFaviconProbe(message: ConsoleMessage): boolean {
  return new URL(message.location().url || 'about:blank').pathname === '/favicon.ico';
}

/** What is wrong with the status of the page's document response. */
function expectStatus(visit: Visit, status: number): string[] {
  const got = visit.document?.status();
  return got === status ? [] : [`${visit.url}: expected status ${status}, got ${got ?? 'no response'}`];
}

/** Waits for the app to show `title` in `#title`; what is wrong when it does not. */
async function expectTitle(visit: Visit, title: string): Promise<string[]> {
  const shown = `document.getElementById('title')?.textContent === ${JSON.stringify(title)}`;
  try {
    await visit.page.waitForFunction(shown, undefined, { timeout: WAIT_MS });
    return [];
  } catch {
    const got = await visit.page.evaluate('document.getElementById("title")?.textContent ?? "no #title"');
    return [`${visit.url}: expected #title ${JSON.stringify(title)}, got ${JSON.stringify(got)}`];
  }
}

/** The headers each response must carry: those of the policy, overridden and completed by the promised ones. */
function expectedHeaders(policyHeaders: PolicyHeader[]): Record<string, string> {
  return { ...Object.fromEntries(policyHeaders.map((h) => [h.name, h.value])), ...PROMISED_HEADERS };
}

/** What is wrong with the headers of `response`: each expected one must be there with its value. */
function expectHeaders(response: Response, expected: Record<string, string>): string[] {
  const got = response.headers();
  return Object.entries(expected)
    .filter(([name, value]) => got[name] !== value)
    .map(([name, value]) => `${response.url()}: expected header ${name}: ${value}, got ${got[name] ?? 'none'}`);
}

/**
 * Adds a test page to the build output: its `<script>` tag names a chunk the build does not have,
 * and a script of its own records whether that tag fired `load` or `error` (script events do
 * not bubble, hence capturing listeners on window; external, so a Content-Security-Policy
 * without 'unsafe-inline' would not block it).
 */
function addChunkTestPage(outputDir: string): void {
  fs.writeFileSync(path.join(outputDir, CHUNK_TEST_SCRIPT), [
    'for (const type of [\'load\', \'error\']) {',
    '  window.addEventListener(type, (event) => {',
    `    if (event.target instanceof HTMLScriptElement && event.target.src.endsWith('${MISSING_CHUNK}')) window.chunkOutcome = type;`,
    '  }, true);',
    '}',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(outputDir, CHUNK_TEST_PAGE), [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="UTF-8"><title>Missing chunk</title>',
    `<script src="/${CHUNK_TEST_SCRIPT}"></script>`,
    `<script src="${MISSING_CHUNK}"></script>`,
    '</head><body></body></html>',
    '',
  ].join('\n'));
}

/** The result of a proof that could not get as far as opening a page. */
function setupFailure(message: string): ProofResult {
  return { proof: PROOF, tried: 1, passed: 0, failures: [message] };
}
