import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { distributionConfig, DistributionConfig } from './distribution-config';
import { PipelineSource, StaticSitePipeline } from '../../src';
import { LIVE_RELEASE_KEY, RELEASE_RULES, RELEASES_PREFIX } from '../../src/static-site/release-contract';
import { KeyValueStores } from '../../test/support/cloudfront-function';

/* eslint-disable @typescript-eslint/no-require-imports */
const { parseHeaders, compileHeaders } = require('../../src/static-site/runtime/headers.js');
const { compileRedirects } = require('../../src/static-site/runtime/redirect-records.js');
const { parseRedirects } = require('../../src/static-site/runtime/redirects.js');
const CONTRACT = require('../../src/static-site/runtime/release-contract.json');
/* eslint-enable @typescript-eslint/no-require-imports */

// A release id as go-live writes it: <UTC time>-<commit>-<execution>.
const RELEASE_ID = '20250104T050607Z-0a0b0c0d0e0f-5a6b7c8d';

/** Netlify's examples the browser opens (docs.netlify.com/manage/routing/redirects/ and .../headers/). */
export const RULES_REDIRECTS = [
  '/home / 301',
  '/pass-through /index.html 200',
  '/shop/* /404.html 404',
  '/old-product /404.html 410',
  '/news/* /users/:splat 302',
].join('\n');
export const RULES_HEADERS = ['/*', '  X-XSS-Protection: 1; mode=block', '/robots.txt', '  X-Robots-Tag: noindex'].join('\n');

/** A site with `_redirects` and `_headers` as the deploys leave it: its distribution, bucket, store and objects' metadata. */
export interface RulesSite {
  readonly config: DistributionConfig;
  readonly dir: string;
  readonly stores: KeyValueStores;
  /** The user metadata of each object (S3 sends it as x-amz-meta-*). */
  readonly metadata: (key: string) => Record<string, string>;
  dispose(): void;
}

/**
 * A StaticSitePipeline with `redirects` and `headers` (the single-page app settings of the README
 * example), synthesized in an app of its own, and its bucket and store after a release of
 * `buildDir` with RULES_REDIRECTS and RULES_HEADERS went live: the records the release program
 * writes (compiled by its own code), the status copies of the 404 and 410 pages, and objects that
 * name their release.
 */
export function rulesSite(buildDir: string, notFoundPage: string): RulesSite {
  const stack = new Stack(new App(), 'RulesSiteExample', { env: { account: '111111111111', region: 'eu-west-1' } });
  new StaticSitePipeline(stack, 'Site', {
    source: PipelineSource.codeCommit({ repositoryName: 'rules-site' }),
    singlePageApp: true,
    notFoundPage,
    redirects: true,
    headers: true,
  });
  const config = distributionConfig(stack);
  if (!config.keyValueStoreId || !config.viewerResponseCode) {
    throw new Error('the site with rules has no KeyValueStore or no viewer-response function');
  }
  const files = listFiles(buildDir);
  const limits = CONTRACT.keyValueStoreLimits;
  const redirects = parseRedirects(RULES_REDIRECTS);
  const compiled = compileRedirects(redirects.rules, files, RELEASE_ID, limits);
  const headers = parseHeaders(RULES_HEADERS, {});
  const problems = [...redirects.problems, ...compiled.problems, ...headers.problems];
  if (problems.length) {
    throw new Error(`the rules do not compile: ${problems.join('; ')}`);
  }
  const records: Array<{ Key: string; Value: string }> = [...compiled.records, ...compileHeaders(headers.blocks, RELEASE_ID, limits)];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-bucket-'));
  const release = path.join(dir, RELEASES_PREFIX, RELEASE_ID);
  fs.mkdirSync(path.dirname(release), { recursive: true });
  fs.cpSync(buildDir, release, { recursive: true });
  const statusOf = new Map<string, string>();
  for (const page of compiled.statusPages as Array<{ status: number; file: string }>) {
    const copy = `${RELEASE_RULES.statusPagesPrefix}${page.status}/${page.file}`;
    fs.mkdirSync(path.dirname(path.join(release, copy)), { recursive: true });
    fs.copyFileSync(path.join(buildDir, page.file), path.join(release, copy));
    statusOf.set(`${RELEASES_PREFIX}${RELEASE_ID}/${copy}`, String(page.status));
  }
  fs.copyFileSync(path.join(buildDir, notFoundPage), path.join(dir, notFoundPage));
  return {
    config,
    dir,
    stores: { [config.keyValueStoreId]: { [LIVE_RELEASE_KEY]: RELEASE_ID, ...Object.fromEntries(records.map((r) => [r.Key, r.Value])) } },
    metadata: (key) => key.startsWith(`${RELEASES_PREFIX}${RELEASE_ID}/`)
      ? { [RELEASE_RULES.releaseMetadata]: RELEASE_ID, ...statusOf.has(key) ? { [RELEASE_RULES.statusMetadata]: statusOf.get(key)! } : {} }
      : {},
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** The files under `dir`, relative to it. */
function listFiles(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((entry) => entry.isDirectory() ? listFiles(dir, rel ? `${rel}/${entry.name}` : entry.name) : [rel ? `${rel}/${entry.name}` : entry.name]);
}
