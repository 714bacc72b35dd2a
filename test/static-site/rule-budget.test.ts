import { CLOUDFRONT_FUNCTION_MAX_BYTES, responseFunctionCode, routingFunctionCode } from '../../src/static-site/routing-function';
import { BUDGET_DEFAULTS, RULE_BUDGET, releaseRuleBytes, storeBytesAtBudget } from '../../verify/limits/rule-budget';

const STORE_BYTES = 5 * 1024 * 1024;

describe('the scale of _redirects and _headers (the README states these numbers)', () => {
  test('one release at the budget: 2,000 exact and 200 pattern redirects and 200 header blocks, each record within a key and a value', () => {
    const release = releaseRuleBytes();
    expect(RULE_BUDGET).toEqual({ exact: 2000, patterns: 200, headerBlocks: 200 });
    expect(release.largestKey).toBeLessThanOrEqual(512);
    expect(release.largestValue).toBeLessThanOrEqual(1024);
    expect(release.bytes).toBeLessThan(250_000);
  });

  test('at the defaults, every kept release, the new one and every preview hold the budget at once, each different', () => {
    expect(BUDGET_DEFAULTS).toEqual({ releasesToKeep: 10, maxPreviews: 10 });
    expect(storeBytesAtBudget(10, 10)).toBeLessThanOrEqual(STORE_BYTES);
  });

  test('negative control: 10 % more rules per release do not fit at the defaults', () => {
    const more = { exact: 2200, patterns: 220, headerBlocks: 220 };
    expect(storeBytesAtBudget(10, 10, more)).toBeGreaterThan(STORE_BYTES);
  });

  test('the functions with every feature (host redirect, previews on a domain, rules) stay under CloudFront\'s 10 KB', () => {
    const routing = routingFunctionCode({
      singlePageApp: true,
      hostRedirect: { fromHosts: ['example.com'], toHost: 'www.example.com' },
      releases: { keyValueStoreId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111', redirects: true, tokenReleases: { previewDomain: { domainName: 'preview.example.com' } } },
    });
    const response = responseFunctionCode({ tokenReleases: { previewDomain: { domainName: 'preview.example.com' } }, rules: { keyValueStoreId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111' } });
    expect(Buffer.byteLength(routing)).toBeLessThan(CLOUDFRONT_FUNCTION_MAX_BYTES);
    expect(Buffer.byteLength(response)).toBeLessThan(CLOUDFRONT_FUNCTION_MAX_BYTES);
  });
});
