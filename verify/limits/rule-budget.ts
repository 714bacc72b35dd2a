/**
 * The scale of `_redirects` and `_headers` as a checked limit: the rules one release may have at
 * the defaults (10 releases kept, 10 previews) inside CloudFront KeyValueStore's 5 MB, 1 KB per
 * value and 512 bytes per key. The files are generated at the budget, each rule of a stated size,
 * and compiled by the release program's own code; the store must hold every release's and every
 * preview's rules at once, each different (shared records save nothing then), the new release
 * included before pruning, and the preview records.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-keyvaluestores
 */
import { PREVIEW_LIMITS, PREVIEW_RECORD_BYTES } from '../../src/static-site/previews';

/* eslint-disable @typescript-eslint/no-require-imports */
const { parseHeaders, compileHeaders } = require('../../src/static-site/runtime/headers.js');
const { compileRedirects } = require('../../src/static-site/runtime/redirect-records.js');
const { parseRedirects } = require('../../src/static-site/runtime/redirects.js');
const CONTRACT = require('../../src/static-site/runtime/release-contract.json');
/* eslint-enable @typescript-eslint/no-require-imports */

/** Rules of one release: exact and pattern redirects, header blocks. */
export interface RuleCounts {
  readonly exact: number;
  readonly patterns: number;
  readonly headerBlocks: number;
}

/** What one release may have at the defaults. */
export const RULE_BUDGET: RuleCounts = { exact: 2000, patterns: 200, headerBlocks: 200 };

/** The defaults the budget holds at: releases kept, previews. */
export const BUDGET_DEFAULTS = { releasesToKeep: 10, maxPreviews: PREVIEW_LIMITS.maxPreviews.default } as const;

/** The longest release id: `<16>-<12>-<8>` (a preview's has a `p` more). */
const RELEASE_ID = '20261201T120000Z-p0123456789ab-cdef0123';

/**
 * A `_redirects` of `exact` rules whose source and target are 40 bytes each, and `patterns` rules
 * with two placeholders and a splat (sources and targets of 40 bytes), each in its own first segment.
 */
export function budgetRedirects(exact: number, patterns: number, seed = 0): string {
  const lines: string[] = [];
  for (let i = 0; i < exact; i++) {
    const n = String(i + seed * 100000).padStart(6, '0');
    lines.push(`/blog/2019/an-old-post-title-${n}-abc /articles/a-new-post-title-${n}-abcd 301`);
  }
  for (let i = 0; i < patterns; i++) {
    const n = String(i + seed * 1000).padStart(4, '0');
    lines.push(`/legacy-${n}/:year/:month/x-long-tail/* /archive/${n}/:year/:month/:splat-abc 301`);
  }
  return lines.join('\n');
}

/** A `_headers` of `blocks` blocks, each a path of its own with two headers (about 90 bytes a block). */
export function budgetHeaders(blocks: number, seed = 0): string {
  const lines: string[] = [];
  for (let i = 0; i < blocks; i++) {
    const n = String(i + seed * 1000).padStart(4, '0');
    lines.push(`/section-${n}/*`, '  Cache-Control: public, max-age=3600', `  X-Section: section-${n}-of-the-site`);
  }
  return lines.join('\n');
}

/** The store bytes (keys and values) of one release's rules at the budget, each release's different (`seed`). */
export function releaseRuleBytes(budget: RuleCounts = RULE_BUDGET, seed = 0):
{ bytes: number; keys: number; largestValue: number; largestKey: number } {
  const limits = CONTRACT.keyValueStoreLimits;
  const redirects = parseRedirects(budgetRedirects(budget.exact, budget.patterns, seed));
  const compiled = compileRedirects(redirects.rules, ['index.html'], RELEASE_ID, limits);
  const headers = parseHeaders(budgetHeaders(budget.headerBlocks, seed), {});
  const problems = [...redirects.problems, ...compiled.problems, ...headers.problems];
  if (problems.length) {
    throw new Error(`the budget's files do not compile: ${problems.slice(0, 3).join('; ')}`);
  }
  const records: Array<{ Key: string; Value: string }> = [...compiled.records, ...compileHeaders(headers.blocks, RELEASE_ID, limits)];
  return {
    bytes: records.reduce((sum, r) => sum + Buffer.byteLength(r.Key) + Buffer.byteLength(r.Value), 0),
    keys: records.length,
    largestValue: Math.max(...records.map((r) => Buffer.byteLength(r.Value))),
    largestKey: Math.max(...records.map((r) => Buffer.byteLength(r.Key))),
  };
}

/**
 * The store bytes at the budget with `releasesToKeep` releases and `maxPreviews` previews: every
 * kept release, the new one before pruning, and every preview each with different rules, the
 * preview records, and `live`.
 */
export function storeBytesAtBudget(releasesToKeep: number, maxPreviews: number, budget: RuleCounts = RULE_BUDGET): number {
  const perRelease = releaseRuleBytes(budget).bytes;
  return (releasesToKeep + 1 + maxPreviews) * perRelease + maxPreviews * PREVIEW_RECORD_BYTES + 'live'.length + RELEASE_ID.length;
}
