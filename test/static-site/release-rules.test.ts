import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { releaseRules } = require('../../src/static-site/runtime/release-rules.js');

const SETTINGS = { redirects: true, headers: false, securityHeaders: {}, pageCacheControl: 'no-cache', contentTypes: {} };

/** The rules of a build holding `files` and this `_redirects`. */
function rulesOf(redirects: string, files: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'release-rules-'));
  try {
    fs.writeFileSync(path.join(dir, '_redirects'), redirects);
    const fail = (message: string) => {
      throw new Error(message);
    };
    return releaseRules(dir, files, '20260601T120000Z-3f9a1c2b7d4e-8c1f2a3b', 's3://b/releases/x/', SETTINGS, fail);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the go-live check and _redirects', () => {
  test('a page a rule answers instead of its file is not checked: the line says which rule', () => {
    const rules = rulesOf('/ /en/ 301!\n/about /team 301\n/shop/* /404.html 404', ['index.html', 'about/index.html', '404.html']);
    // Forced: it answers / although index.html exists.
    expect(rules.answeredByRule('/')).toBe(1);
    expect(rules.answeredByRule('/index.html')).toBe(1);
    // about/index.html hides the rule without !: the page is checked.
    expect(rules.answeredByRule('/about')).toBe(0);
    expect(rules.answeredByRule('/shop/hats')).toBe(3);
    expect(rules.answeredByRule('/docs/')).toBe(0);
  });
});
