'use strict';
// The check of verified releases: the release program (release.js) fetches a release through the
// distribution before it goes live (as preview `go-live.check`, with a token of its own) and once
// it is live (as a visitor), and fails the go-live step when the distribution does not serve it.
//
// $VERIFY_RELEASE holds the settings the construct wrote (JSON, see VerifySettings); without it
// the release goes live unchecked, as before. The release is fetched through the distribution
// ($DISTRIBUTION_DOMAIN): the root page, the configured paths, and the scripts, style sheets and
// images of those pages on the same host. Each response must be a 200 whose ETag is that of the
// file the routing function serves from the release (CloudFront passes S3's ETag on; the listing
// of the release gives the same ETag as HeadObject), retried while the store's change reaches the
// edge locations.

const crypto = require('crypto');

const CONTRACT = require('./release-contract.json');
const { sleep, isoTime } = require('./step-clock.js');
const PREFIX = CONTRACT.releasesPrefix;
const ENV = CONTRACT.environment;

/** @typedef {ReturnType<typeof import('./site-cli.js').siteCli>} SiteCli */

/**
 * @typedef {object} VerifySettings
 * @property {string[]} paths pages fetched besides the root page
 * @property {boolean} singlePageApp routes without a file extension are served index.html
 * @property {number} propagationSeconds how long a response may still come from another release
 * @property {number} bakeSeconds how long the error rate is watched after the switch
 * @property {number} maxErrorRatePercent the 5xx rate (percent) a minute may reach
 * @property {number} breachMinutes consecutive minutes above the rate that roll back
 * @property {number} minRequests requests a minute needs to count
 * @property {(path: string) => number} [answeredByRule] the line of the release's `_redirects` rule
 *   that answers a path instead of its file (such a page is not checked), 0 when none
 */

/** How long a request may take. */
const REQUEST_MS = 10000;
/** Requests in flight at once. */
const PARALLEL_REQUESTS = 8;
/** How long the go-live check's token lives (a check takes about a minute; a stray token expires). */
const CHECK_TOKEN_SECONDS = 900;
/** The preview the go-live check reads. */
// A name no pull request's preview can have (theirs match CONTRACT.preview.namePattern, without a dot).
const CHECK_PREVIEW = CONTRACT.preview.goLiveCheckName;

/**
 * The checks through the distribution, through the CLI helpers of the program.
 *
 * @param {SiteCli} cli
 * @param {(prefix: string) => Map<string, { etag: string }>} objectsUnder the objects under a prefix of the bucket (releases.js)
 * @param {(message: string) => never} fail
 */
function distributionChecks(cli, objectsUnder, fail) {
  const { env, writeStore, s3 } = cli;

  /** @returns {VerifySettings | null} */
  function verifySettings() {
    const raw = process.env[ENV.verifyRelease];
    if (!raw) {
      return null;
    }
    if (typeof fetch !== 'function') {
      fail('verifying a release needs Node.js 18 or later (its global fetch); this is ' + process.version + '.');
    }
    return JSON.parse(raw);
  }

  /**
   * The go-live check: names the release preview `go-live.check` with a new token in the store, fetches it
   * through the distribution with that token, and deletes both records whatever the outcome (the
   * records are the step's own: no other program writes them).
   * @param {string} id
   * @param {VerifySettings} settings
   * @param {number} until when the check must end, for the step to finish
   */
  async function checkCandidate(id, settings, until) {
    const token = crypto.randomBytes(16).toString('hex');
    const records = [
      { Key: CONTRACT.previewKeyPrefix + CHECK_PREVIEW, Value: id },
      { Key: CONTRACT.tokenKeyPrefix + token, Value: (Math.floor(Date.now() / 1000) + CHECK_TOKEN_SECONDS) + ' ' + CHECK_PREVIEW },
    ];
    await writeStore(() => ({ puts: records, deletes: [] }));
    let problem = '';
    try {
      await checkServed(id, token, settings, until);
    } catch (e) {
      problem = e.message;
    }
    await writeStore(() => ({ puts: [], deletes: records.map((r) => r.Key) }));
    if (problem) {
      fail(problem + '\nThe live release was not changed.');
    }
  }

  /**
   * Checks that the distribution serves release `id`: with `token` as the preview it names, without
   * one as the live release. The pages first, then the files they reference; retried until the
   * store's change has propagated, and never past `until` (ms since the epoch).
   * @param {string} id
   * @param {string} token
   * @param {VerifySettings} settings
   * @param {number} until
   */
  async function checkServed(id, token, settings, until) {
    const origin = siteOrigin();
    const objects = objectsUnder(PREFIX + id + '/');
    const deadline = Math.min(Date.now() + settings.propagationSeconds * 1000, until);
    const retryMs = Math.min(5000, settings.propagationSeconds * 250);
    const check = (/** @type {string} */ target) => checkPath(origin, target, token, id, objects, settings.singlePageApp);
    const what = token ? 'preview ' + CHECK_PREVIEW + ' (release ' + id + ')' : 'the live release ' + id;
    try {
      const targets = [...new Set(['/'].concat(settings.paths))].filter((target) => {
        const line = settings.answeredByRule ? settings.answeredByRule(new URL(target, origin).pathname) : 0;
        if (line) {
          console.log('Not checked: ' + target + ', which _redirects line ' + line + ' answers.');
        }
        return !line;
      });
      const pages = await untilServed(targets, check, deadline, retryMs);
      const files = [...new Set([...pages].flatMap(([page, html]) => referencedFiles(html, new URL(page, origin), origin)))];
      await untilServed(files, check, Math.min(Math.max(deadline, Date.now() + retryMs), until), retryMs);
      console.log('Checked ' + what + ' through ' + origin + ': ' + (settings.paths.length + 1) + ' page(s) and the ' +
        files.length + ' script(s), style sheet(s) and image(s) they reference are served from it.');
    } catch (e) {
      const cut = Date.now() >= until ? ' (retried until ' + isoTime(until) + ', the last moment that leaves the step time to finish)' : '';
      throw new Error(origin + ' does not serve ' + what + ' as uploaded: ' + e.message + cut);
    }
  }

  /**
   * Fetches one path and says what is wrong with the response ('' when nothing).
   * @param {string} origin
   * @param {string} target path and query
   * @param {string} token '' for a visitor's request
   * @param {string} id the release that must answer
   * @param {Map<string, {etag: string}>} objects the release's files
   * @param {boolean} singlePageApp
   * @returns {Promise<{problem: string, html: string}>}
   */
  async function checkPath(origin, target, token, id, objects, singlePageApp) {
    const key = servedKey(new URL(target, origin).pathname, singlePageApp);
    const object = objects.get(key);
    const expected = 'expected 200 with the ETag of ' + s3(PREFIX + id + '/' + key);
    if (!object) {
      return { problem: 'GET ' + target + ': ' + s3(PREFIX + id + '/' + key) + ' is not in the release', html: '' };
    }
    /** @type {Record<string, string>} */
    const headers = { 'accept-encoding': 'identity', 'cache-control': 'no-cache' };
    if (token) {
      headers[CONTRACT.previewTokenHeader] = token;
    }
    let response;
    try {
      response = await fetch(origin + target, { headers, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_MS) });
    } catch (e) {
      return { problem: 'GET ' + target + ': no response (' + (e.cause && e.cause.message || e.message) + '), ' + expected, html: '' };
    }
    const html = /^text\/html/i.test(response.headers.get('content-type') || '') && response.status === 200 ? await response.text() : '';
    if (!html && response.body) {
      await response.body.cancel();
    }
    const served = bareETag(response.headers.get('etag'));
    if (response.status !== 200) {
      return { problem: 'GET ' + target + ': answered ' + response.status + ', ' + expected + ' ("' + bareETag(object.etag) + '")', html };
    }
    if (served !== bareETag(object.etag)) {
      return { problem: 'GET ' + target + ': answered 200 with ETag "' + served + '", ' + expected + ' ("' + bareETag(object.etag) + '"): another release answered', html };
    }
    return { problem: '', html };
  }

  /** `https://<distribution domain>`; a full origin (http://127.0.0.1:8080) is taken as it is, for tests. */
  function siteOrigin() {
    const domain = env(ENV.distributionDomain);
    return /^https?:\/\//.test(domain) ? domain.replace(/\/+$/, '') : 'https://' + domain;
  }

  return { verifySettings, checkCandidate, checkServed };
}

/**
 * How long a check through the distribution may take: the store's propagation, then the last
 * rounds of requests, each up to REQUEST_MS.
 * @param {VerifySettings} settings
 */
function checkMs(settings) {
  return settings.propagationSeconds * 1000 + 3 * REQUEST_MS;
}

/**
 * Fetches every target until each is served from the release, retrying those that are not until
 * `deadline`; returns the HTML of the pages. Throws with every problem left at the deadline.
 * @param {string[]} targets
 * @param {(target: string) => Promise<{problem: string, html: string}>} check
 * @param {number} deadline ms since the epoch
 * @param {number} retryMs
 */
async function untilServed(targets, check, deadline, retryMs) {
  /** @type {Map<string, string>} */
  const pages = new Map();
  let pending = targets;
  for (;;) {
    /** @type {string[]} */
    const problems = [];
    /** @type {string[]} */
    const failed = [];
    for (let i = 0; i < pending.length; i += PARALLEL_REQUESTS) {
      const batch = pending.slice(i, i + PARALLEL_REQUESTS);
      const results = await Promise.all(batch.map(check));
      results.forEach((result, j) => {
        if (result.problem) {
          problems.push(result.problem);
          failed.push(batch[j]);
        } else if (result.html) {
          pages.set(batch[j], result.html);
        }
      });
    }
    if (!failed.length) {
      return pages;
    }
    if (Date.now() >= deadline) {
      throw new Error(problems.length + ' of ' + targets.length + ' request(s) failed:\n  ' + problems.join('\n  '));
    }
    pending = failed;
    await sleep(retryMs);
  }
}

/**
 * The key (relative to the release) the routing function serves for a path: an extensionless path
 * is a page (index.html of a single-page app, else the directory's index.html), anything else a file.
 * @param {string} pathname
 * @param {boolean} singlePageApp
 */
function servedKey(pathname, singlePageApp) {
  let uri = pathname;
  try {
    uri = decodeURIComponent(pathname);
  } catch (e) {
    // Not a valid escape: S3 would not find it decoded either.
  }
  const page = uri.endsWith('/') || !uri.slice(uri.lastIndexOf('/') + 1).includes('.');
  if (page && singlePageApp) {
    return 'index.html';
  }
  if (page) {
    return (uri.endsWith('/') ? uri + 'index.html' : uri + '/index.html').slice(1);
  }
  return uri.slice(1);
}

/** An ETag without its weak marker (CloudFront weakens it when it compresses) and quotes. */
function bareETag(value) {
  return String(value || '').replace(/^W\//, '').replace(/"/g, '');
}

/**
 * Same-origin paths (with query) of the scripts, style sheets and images a page references:
 * <script src>, <link rel=stylesheet href>, <img src> and the URLs of <img srcset> (a srcset
 * with a candidate it cannot read is skipped, rather than guessed at).
 * @param {string} html
 * @param {URL} base the page's URL
 * @param {string} origin
 */
function referencedFiles(html, base, origin) {
  /** @type {string[]} */
  const refs = [];
  const tags = html.replace(/<!--[\s\S]*?-->/g, '').match(/<(script|link|img)\b[^>]*>/gi) || [];
  for (const tag of tags) {
    const name = tag.slice(1).split(/[\s>/]/)[0].toLowerCase();
    const attrs = attributesOf(tag);
    if (name === 'script' && attrs.src) {
      refs.push(attrs.src);
    } else if (name === 'link' && /(^|\s)stylesheet(\s|$)/i.test(attrs.rel || '') && attrs.href) {
      refs.push(attrs.href);
    } else if (name === 'img') {
      refs.push(...[attrs.src || ''].concat(srcsetUrls(attrs.srcset || '')));
    }
  }
  /** @type {string[]} */
  const paths = [];
  for (const ref of refs.filter((r) => r && !/^(data|blob|javascript):/i.test(r))) {
    try {
      const url = new URL(ref, base);
      if (url.origin === origin) {
        paths.push(url.pathname + url.search);
      }
    } catch (e) {
      // Not a URL: the browser would not load it either.
    }
  }
  return paths;
}

/** @type {Record<string, string>} The entities a URL in an attribute may hold. */
const ENTITIES = { 'amp': '&', 'quot': '"', '#39': "'", 'apos': "'", 'lt': '<', 'gt': '>' };

/**
 * The attributes of a start tag, names lowercased, entities of values decoded.
 * @param {string} tag
 * @returns {Record<string, string>}
 */
function attributesOf(tag) {
  /** @type {Record<string, string>} */
  const attrs = {};
  const pattern = /\s([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  let match;
  while ((match = pattern.exec(tag))) {
    const value = match[2] ?? match[3] ?? match[4] ?? '';
    attrs[match[1].toLowerCase()] = value.replace(/&(amp|quot|#39|apos|lt|gt);/g, (all, entity) => ENTITIES[entity] || all).trim();
  }
  return attrs;
}

/**
 * The URLs of a srcset ("a.png 1x, b.png 2x"); none when a candidate is not "<url> [<n>w|<n>x]".
 * @param {string} srcset
 */
function srcsetUrls(srcset) {
  const candidates = srcset.split(/,\s+/).map((c) => c.trim()).filter(Boolean);
  const parsed = candidates.map((c) => /^(\S+?)(?:\s+\d+(?:\.\d+)?[wx])?$/.exec(c));
  return parsed.every(Boolean) ? parsed.map((m) => /** @type {RegExpExecArray} */ (m)[1].replace(/,$/, '')) : [];
}

module.exports = { distributionChecks, checkMs };
