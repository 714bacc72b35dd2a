'use strict';
// The release program of StaticSitePipeline's atomic releases. The go-live and rollback steps run
// it in CodeBuild (`node release.js <command> ...`); it drives the AWS CLI and needs nothing but
// the CLI, Node.js 16+ (18+ with verified releases: global fetch) and the environment variables of
// release-contract.json.
//
// - `publish <dir> <releasesToKeep> <notFoundPage> <rules settings JSON>`: after the upload of
//   releases/$RELEASE_ID/, checks _redirects and _headers (release-rules.js), verifies the upload,
//   carries over the files of recent releases that this one no longer has (open tabs still load
//   them), uploads again the files `_headers` gives a Cache-Control, copies the pages of 404 and
//   410 rules, writes the release's rules and its marker releases/<id>.json, switches `live` (one put-key with the store's
//   ETag), publishes the release's not-found page at the bucket root (CloudFront fetches error
//   pages without running the function), and deletes releases beyond the newest releasesToKeep
//   (never the live one or the one before it) with their rule keys, and unfinished uploads.
//   With $VERIFY_RELEASE (verified releases), the release is fetched through the distribution
//   before its marker and the switch (as preview `go-live.check`) and after the switch (as live), then
//   CloudFront's 5xx error rate is watched for a bake time; a failure before the switch changes
//   nothing for visitors, a failure after it switches back to the release that was live. Pruning
//   waits for the bake.
// - `rollback <notFoundPage>`: switches `live` to $RELEASE, or to the newest release older than
//   the live one, and publishes its not-found page.
//
// A release is complete once its marker exists; only complete releases can go live.
//
// Both know when CodeBuild stops their step (step-clock.js): `live` is switched only when the checks
// after it and a switch back fit; the bake and pruning end early when time runs short. `live` is
// switched only while it names the release the step read (site-cli.js writeStore).

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

const [command, ...args] = process.argv.slice(2);
const CONTRACT = require('./release-contract.json');
const { siteCli, localFiles, literal, filters, batches, filterBytes, FILTER_BYTES } = require('./site-cli.js');
const { stepClock, sleep, seconds, isoTime } = require('./step-clock.js');
const PREFIX = CONTRACT.releasesPrefix;
const LIVE = CONTRACT.liveReleaseKey;
const ENV = CONTRACT.environment;
// Ids are made by the deploy step: UTC time, short commit, short execution id. Nothing else under
// the prefix is ever touched: preview releases (`<time>-p<commit>-<name>`, a commit in hex never
// starts with p) belong to the preview program.
const RELEASE_ID = /^\d{8}T\d{6}Z-(?!p)[0-9A-Za-z]*-[0-9A-Za-z]*$/;
const LIMITS = CONTRACT.keyValueStoreLimits;
// Pages are never carried over: an open tab has its page already.
const PAGE = /\.html?$/;

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error((command === 'rollback' ? 'Rollback' : 'Deploy') + ' failed: ' + message);
  process.exit(1);
}

const { env, run, json, kvs, writeStore, s3 } = siteCli(fail);

/** @typedef {ReturnType<typeof stepClock>} StepClock */

/** Time kept for a store write with its retries, a copy of the not-found page, or a metrics read. */
const WRITE_MS = 20000;
/** A switch back: the live key and the not-found page. */
const SWITCH_BACK_MS = 2 * WRITE_MS;

// The live release id, '' when no release was ever made live.
function liveRelease() {
  try {
    return kvs('get-key', ['--key', LIVE]).Value;
  } catch (e) {
    if (/ResourceNotFound/.test(e.message)) {
      return '';
    }
    throw e;
  }
}

function listObjects(prefix, delimiter) {
  const argv = ['s3api', 'list-objects-v2', '--bucket', env(ENV.bucket), '--prefix', prefix];
  return json(delimiter ? argv.concat(['--delimiter', delimiter]) : argv);
}

// Complete releases (those with a marker), oldest first, and unfinished uploads.
function releases() {
  const out = listObjects(PREFIX, '/');
  const marked = new Set((out.Contents || []).map((o) => o.Key.slice(PREFIX.length, -'.json'.length)));
  const uploaded = (out.CommonPrefixes || []).map((p) => p.Prefix.slice(PREFIX.length, -1)).filter((id) => RELEASE_ID.test(id)).sort();
  return { complete: uploaded.filter((id) => marked.has(id)), unfinished: uploaded.filter((id) => !marked.has(id)) };
}

function marker(id) {
  return JSON.parse(run(['s3', 'cp', s3(PREFIX + id + '.json'), '-']));
}

// Objects under a prefix: path relative to it -> { size, modified (ms since the epoch), etag }.
function objectsUnder(prefix) {
  const objects = listObjects(prefix).Contents || [];
  return new Map(objects.map((o) => [o.Key.slice(prefix.length), { size: o.Size, modified: Date.parse(o.LastModified), etag: o.ETag }]));
}

// Every file of the build must be in the bucket with its size: a file no upload matched, or an
// upload that failed quietly, stops the release before it goes live. Returns the release's objects.
function verify(dir, id, files) {
  const prefix = PREFIX + id + '/';
  const remote = objectsUnder(prefix);
  const missing = [...files].filter(([file, size]) => (remote.get(file) || {}).size !== size).map(([file]) => file);
  if (missing.length) {
    fail(missing.length + ' of ' + files.size + ' files are missing or incomplete in ' + s3(prefix) + ': ' +
      missing.slice(0, 10).join(', ') + (missing.length > 10 ? ', ...' : '') + '. The live release was not changed.');
  }
  console.log('Verified ' + files.size + ' files in ' + s3(prefix));
  return remote;
}

// Tabs opened on a recent release still load its files (lazy chunks, images) after the switch:
// the new release gets copies of the non-HTML files of the kept releases that it does not have,
// each from the newest kept release whose marker lists it. Markers list each release's own files,
// so copies are never carried twice and age out with the release that made them.
// `--copy-props metadata-directive`: a copy keeps Cache-Control and Content-Type (as `default` does)
// without the GetObjectTagging/PutObjectTagging calls `default` makes for multipart (8 MB+) copies,
// which the role is not granted; `none` would drop both headers.
// https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/cp.html
//
// The CLI tests every key it lists against every --include and --exclude, so each kept release is
// listed once and copied from with one command whose filters name the smaller of two sets: the
// files to copy (`cp`), or the files `sync` would copy but must not. `sync` skips by itself a file
// the new release has with the same size and a time no older, which is most of a rebuild:
// https://awscli.amazonaws.com/v2/documentation/api/latest/reference/s3/sync.html
// A copy a kept release holds of an older kept release's file may be taken instead of that file:
// it was copied from it (the newest kept release with the file), with its headers.
function carryOver(id, uploaded, recent) {
  const wanted = new Set();
  for (const old of recent) {
    for (const file of marker(old).files) {
      if (!uploaded.has(file)) {
        wanted.add(file);
      }
    }
  }
  // What the new release holds: its own files, then the copies, newer than any source.
  const held = new Map(uploaded);
  for (const old of recent.slice().reverse()) {
    const source = objectsUnder(PREFIX + old + '/');
    const copies = [...source.keys()].filter((file) => wanted.has(file) && !held.has(file));
    if (!copies.length) {
      continue;
    }
    const copied = new Set(copies);
    const syncWouldCopy = (file, object) => {
      const own = held.get(file);
      return !own || own.size !== object.size || own.modified < object.modified;
    };
    const refused = [...source].filter(([file, object]) => !PAGE.test(file) && !copied.has(file) && syncWouldCopy(file, object))
      .map(([file]) => literal(file));
    const from = s3(PREFIX + old + '/');
    const to = s3(PREFIX + id + '/');
    const copyProps = ['--only-show-errors', '--copy-props', 'metadata-directive'];
    // Pattern tests each way: sync filters the listings of both releases, cp the source's only.
    const syncTests = (source.size + held.size) * (refused.length + 2);
    if (syncTests < source.size * (copies.length + 1) && filterBytes(refused) <= FILTER_BYTES) {
      run(['s3', 'sync', from, to].concat(copyProps, filters('--exclude', ['*.html', '*.htm']), filters('--exclude', refused)));
    } else {
      for (const batch of batches(copies.map(literal), FILTER_BYTES)) {
        run(['s3', 'cp', from, to, '--recursive'].concat(copyProps, filters('--exclude', ['*']), filters('--include', batch)));
      }
    }
    for (const file of copies) {
      held.set(file, { size: source.get(file).size, modified: Infinity });
    }
    console.log('Carried over ' + copies.length + ' file(s) of release ' + old);
  }
}

function writeMarker(id, files) {
  const own = [...files.keys()].filter((file) => !PAGE.test(file));
  // The commit, which the changes check of a CodeCommit source with file paths compares pushes with.
  const body = JSON.stringify({ id, files: own, commit: process.env[ENV.commitId] || undefined });
  const tmp = path.join(require('os').tmpdir(), id + '.json');
  fs.writeFileSync(tmp, body);
  run(['s3', 'cp', tmp, s3(PREFIX + id + '.json'), '--only-show-errors', '--content-type', 'application/json']);
}

// The records of the release's rules (release-rules.js), if they fit in the store; shared records
// already there (an earlier release had the same rules) are not written again. The records are the
// release's own or shared by content: no other program writes them differently.
async function writeRules(id, records) {
  const written = await writeStore((store) => {
    const there = new Map((kvs('list-keys').Items || []).map((/** @type {{ Key: string, Value: string }} */ item) => [item.Key, item.Value]));
    const puts = records.filter((record) => there.get(record.Key) !== record.Value);
    const bytes = puts.reduce((sum, p) => sum + Buffer.byteLength(p.Key) + Buffer.byteLength(p.Value), 0);
    if (store.size + bytes > LIMITS.storeBytes) {
      fail('the rules of _redirects and _headers (' + puts.length + ' keys, ' + bytes + ' bytes) do not fit in the KeyValueStore (' + store.size + ' of ' +
        LIMITS.storeBytes + ' bytes used); remove rules or keep fewer releases (releasesToKeep) or previews. The live release was not changed.');
    }
    return { puts, deletes: [] };
  });
  console.log('Wrote ' + written.puts.length + ' rule record(s) of release ' + id);
}

// Names `id` live, only while `live` still names `expected` (what the step read before deciding):
// a rollback started by hand, or another deploy, that switched meanwhile is never undone.
async function switchLive(id, expected) {
  await writeStore(() => {
    const current = liveRelease();
    if (current !== expected) {
      throw new Error('the live release changed from ' + (expected || 'none') + ' to ' + (current || 'none') +
        ' while this step ran (a rollback or another deploy switched it); it is left as it is, and ' + id + ' was not made live.');
    }
    return { puts: [{ Key: LIVE, Value: id }], deletes: [] };
  }, true);
}

// CloudFront fetches the error page from the bucket without running the routing function, so the
// live release's page is copied to the bucket root (revalidated: it changes with the release).
function publishNotFound(page, source) {
  if (source) {
    run(['s3', 'cp', source, s3(page), '--only-show-errors', '--copy-props', 'metadata-directive', '--cache-control', 'no-cache', '--metadata-directive', 'REPLACE']);
  } else {
    run(['s3', 'rm', s3(page), '--only-show-errors']);
  }
}

// Deletes releases beyond the newest keep (never the live one or the one before it), unfinished
// uploads, and the rule keys of releases that are gone (release-rules.js); `live` and the preview
// and token keys are left alone. Stops where the step's time runs out: what is left is deleted by
// the next deploy.
async function prune(keep, rules, clock) {
  const found = releases();
  const live = liveRelease();
  const kept = new Set(found.complete.slice(-keep).concat([live, found.complete.filter((id) => id < live).pop()]));
  const gone = found.complete.filter((id) => !kept.has(id)).concat(found.unfinished.filter((id) => !kept.has(id)));
  for (const [i, id] of gone.entries()) {
    const short = clock.shortOf(2 * WRITE_MS, 'deleting a release');
    if (short) {
      console.log('Pruning stopped with ' + (gone.length - i) + ' release(s) left to delete, which the next deploy deletes: ' + short);
      return;
    }
    // The marker first: a release stopped halfway is then an unfinished upload, which nothing makes
    // live and the next deploy deletes, rather than a complete release with files missing.
    run(['s3', 'rm', s3(PREFIX + id + '.json'), '--only-show-errors']);
    run(['s3', 'rm', s3(PREFIX + id + '/'), '--recursive', '--only-show-errors']);
    console.log('Deleted release ' + id);
  }
  if (!rules.redirects && !rules.headers) {
    return;
  }
  const short = clock.shortOf(2 * WRITE_MS, 'deleting rule records');
  if (short) {
    console.log('The rule records of deleted releases are left for the next deploy to delete: ' + short);
    return;
  }
  // Loaded here: the rollback runs without the rule programs.
  const { staleRuleKeys } = require('./rule-table.js');
  const deleted = await writeStore(() => ({ puts: [], deletes: staleRuleKeys(kvs('list-keys').Items || [], kept, RELEASE_ID) }));
  if (deleted.deletes.length) {
    console.log('Deleted ' + deleted.deletes.length + ' rule record(s) of deleted releases');
  }
}

// ---- Verified releases ----------------------------------------------------------------------
//
// $VERIFY_RELEASE holds the settings the construct wrote (JSON, see VerifySettings); without it
// the release goes live unchecked, as before. The release is fetched through the distribution
// ($DISTRIBUTION_DOMAIN): the root page, the configured paths, and the scripts, style sheets and
// images of those pages on the same host. Each response must be a 200 whose ETag is that of the
// file the routing function serves from the release (CloudFront passes S3's ETag on; the listing
// of the release gives the same ETag as HeadObject), retried while the store's change reaches the
// edge locations.

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
/** CloudFront publishes its metrics to CloudWatch in us-east-1 only, each a minute long. */
const METRICS_REGION = 'us-east-1';
const MINUTE_MS = 60000;

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

/** `https://<distribution domain>`; a full origin (http://127.0.0.1:8080) is taken as it is, for tests. */
function siteOrigin() {
  const domain = env(ENV.distributionDomain);
  return /^https?:\/\//.test(domain) ? domain.replace(/\/+$/, '') : 'https://' + domain;
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
 * How long a check through the distribution may take: the store's propagation, then the last
 * rounds of requests, each up to REQUEST_MS.
 * @param {VerifySettings} settings
 */
function checkMs(settings) {
  return settings.propagationSeconds * 1000 + 3 * REQUEST_MS;
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
 * Watches CloudFront's 5xx error rate of the distribution for the bake time, from the end of the
 * check after the switch, once a minute and at least once; the minutes since the switch count.
 * Throws when it breaches. Ends early, saying what was not watched, at `until`: the last moment
 * that leaves the step time to switch back.
 * @param {number} since when the switch was made (ms since the epoch)
 * @param {VerifySettings} settings
 * @param {number} until
 * @param {StepClock} clock
 */
async function bake(since, settings, until, clock) {
  if (!settings.bakeSeconds) {
    return;
  }
  const planned = Date.now() + settings.bakeSeconds * 1000;
  const end = Math.min(planned, until);
  console.log('Baking for ' + settings.bakeSeconds + ' s: more than ' + settings.maxErrorRatePercent + '% 5xx responses in ' +
    settings.breachMinutes + ' consecutive minute(s) of at least ' + settings.minRequests + ' requests rolls back.');
  let watched = since;
  do {
    await sleep(Math.min(MINUTE_MS, end - Date.now()));
    watched = Date.now();
    const breach = errorRateBreach(since, settings);
    if (breach) {
      throw new Error(breach);
    }
  } while (Date.now() < end);
  if (end < planned) {
    console.log('Bake time cut short: the 5xx error rate was watched from the switch at ' + isoTime(since) + ' to ' + isoTime(watched) +
      ' and stayed within ' + settings.maxErrorRatePercent + '%; the ' + seconds(planned - watched) + ' to ' + isoTime(planned) +
      ' were not watched, because ' + clock.when + ' and a switch back must stay possible until then. The release stays live.');
  } else {
    console.log('Bake time over: the 5xx error rate stayed within ' + settings.maxErrorRatePercent + '%.');
  }
}

/**
 * What breached in the minutes since the switch ('' when nothing): `breachMinutes` consecutive
 * minutes, each with at least `minRequests` requests and a 5xx rate above the maximum. CloudFront
 * metrics are read in us-east-1 whatever the stack's region.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html
 * @param {number} since
 * @param {VerifySettings} settings
 */
function errorRateBreach(since, settings) {
  const distribution = env(ENV.distributionId);
  const metric = (/** @type {string} */ id, /** @type {string} */ name, /** @type {string} */ stat) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/CloudFront',
        MetricName: name,
        Dimensions: [{ Name: 'DistributionId', Value: distribution }, { Name: 'Region', Value: 'Global' }],
      },
      Period: 60,
      Stat: stat,
    },
    ReturnData: true,
  });
  const start = Math.floor(since / MINUTE_MS) * MINUTE_MS;
  const end = Math.max(start + MINUTE_MS, Math.ceil(Date.now() / MINUTE_MS) * MINUTE_MS);
  const out = json(['cloudwatch', 'get-metric-data', '--region', METRICS_REGION,
    '--start-time', new Date(start).toISOString(), '--end-time', new Date(end).toISOString(), '--scan-by', 'TimestampAscending',
    '--metric-data-queries', JSON.stringify([metric('errors', '5xxErrorRate', 'Average'), metric('requests', 'Requests', 'Sum')])]);
  const series = (/** @type {string} */ id) => {
    const result = (out.MetricDataResults || []).find((r) => r.Id === id) || { Timestamps: [], Values: [] };
    return new Map(result.Timestamps.map((t, i) => [Date.parse(t), result.Values[i]]));
  };
  const errors = series('errors');
  const requests = series('requests');
  /** @type {string[]} */
  let streak = [];
  let last = 0;
  for (const minute of [...errors.keys()].sort((a, b) => a - b)) {
    const rate = errors.get(minute) || 0;
    const count = requests.get(minute) || 0;
    if (rate <= settings.maxErrorRatePercent || count < settings.minRequests) {
      streak = [];
      continue;
    }
    streak = minute - last === MINUTE_MS ? streak : [];
    streak.push(rate.toFixed(1) + '% of ' + count + ' requests at ' + new Date(minute).toISOString());
    last = minute;
    if (streak.length >= settings.breachMinutes) {
      return 'CloudFront\'s 5xxErrorRate of distribution ' + distribution + ' was above ' + settings.maxErrorRatePercent +
        '% for ' + streak.length + ' consecutive minute(s) after the switch: ' + streak.join(', ') + '.';
    }
  }
  return '';
}

async function publish(dir, keep, page, rulesSettings, clock) {
  const id = env(ENV.releaseId);
  const checks = verifySettings();
  const settings = JSON.parse(rulesSettings);
  const files = localFiles(dir);
  // Loaded here: the rollback runs without the rule programs.
  const { releaseRules } = require('./release-rules.js');
  const rules = releaseRules(dir, [...files.keys()], id, s3(PREFIX + id + '/'), settings, fail);
  if (checks) {
    checks.answeredByRule = rules.answeredByRule;
  }
  const uploaded = verify(dir, id, files);
  carryOver(id, uploaded, releases().complete.slice(-(Number(keep) - 1)));
  rules.uploads.concat(rules.copies).forEach(run);
  if (rules.records.length) {
    await writeRules(id, rules.records);
  }
  // After the switch: the not-found page, and with checks the check as a visitor and a switch back.
  const afterSwitch = WRITE_MS + (checks ? checkMs(checks) + SWITCH_BACK_MS : 0);
  const previous = liveRelease();
  if (checks) {
    // Before the marker: a release that fails its check is never complete, so never made live by
    // a rollback, and pruned as an unfinished upload.
    // The check, its records written and deleted, the marker, the switch, and what follows it.
    requireTime(clock, checkMs(checks) + 4 * WRITE_MS + afterSwitch, 'the check before the switch, the switch and what follows it');
    await checkCandidate(id, checks, clock.stopsAt - (3 * WRITE_MS + afterSwitch));
  }
  requireTime(clock, 2 * WRITE_MS + afterSwitch, checks ? 'the switch, the checks after it and a switch back' : 'the switch and the not-found page');
  writeMarker(id, files);
  await switchLive(id, previous);
  const since = Date.now();
  console.log('Release ' + id + ' is live (it was ' + (previous || 'none') + ').');
  publishNotFound(page, files.has(page) ? path.join(dir, page) : '');
  if (checks) {
    try {
      await checkServed(id, '', checks, clock.stopsAt - SWITCH_BACK_MS);
      await bake(since, checks, clock.stopsAt - SWITCH_BACK_MS - WRITE_MS, clock);
    } catch (e) {
      if (!previous) {
        fail(e.message + '\nNo release was live before ' + id + ', so it stays live.');
      }
      try {
        await switchBack(previous, page, id);
      } catch (back) {
        fail(e.message + '\nSwitching back to release ' + previous + ' failed: ' + back.message);
      }
      fail(e.message + '\nRolled back: release ' + previous + ' is live again; ' + id + ' stays in the bucket until pruned.');
    }
  }
  await prune(Number(keep), settings, clock);
}

/**
 * Fails, changing nothing more, unless `needMs` are left before CodeBuild stops the step for `what`.
 * @param {StepClock} clock
 * @param {number} needMs
 * @param {string} what
 */
function requireTime(clock, needMs, what) {
  const short = clock.shortOf(needMs, what);
  if (short) {
    fail('too little time is left to go live: ' + short + ' The live release was not changed; run the stage again. ' +
      'If the step runs short often, keep fewer releases (fewer files to carry over) or use DeployCompute.EC2 (20 minutes).');
  }
}

// Makes `target` live and publishes its not-found page: the rollback, and the go-live step's
// automatic rollback after a failed check. `expected` is the release the step read as live.
async function switchBack(target, page, expected) {
  await switchLive(target, expected);
  const pageKey = PREFIX + target + '/' + page;
  const hasPage = (listObjects(pageKey).Contents || []).some((o) => o.Key === pageKey);
  publishNotFound(page, hasPage ? s3(pageKey) : '');
}

async function rollback(page, clock) {
  const found = releases().complete;
  const live = liveRelease();
  const wanted = process.env[ENV.rollbackTarget];
  const list = 'releases (oldest first): ' + (found.map((id) => id === live ? id + ' (live)' : id).join(', ') || 'none');
  const target = wanted || found.filter((id) => id < live).pop();
  if (wanted && !found.includes(wanted)) {
    fail('release ' + wanted + ' does not exist; ' + list);
  }
  if (!target) {
    fail((live ? 'no release is older than the live release ' + live : 'no release is live') + '; ' + list);
  }
  if (target === live) {
    console.log('Release ' + target + ' is already live; nothing changed.');
    return;
  }
  const short = clock.shortOf(SWITCH_BACK_MS, 'the switch and the not-found page');
  if (short) {
    fail('too little time is left to switch: ' + short + ' The live release was not changed; start the rollback again.');
  }
  await switchBack(target, page, live);
  console.log('The live release was ' + (live || 'none') + '; it is now ' + target + '.');
  if (live) {
    console.log('To undo: aws codebuild start-build --project-name ' + String(process.env.CODEBUILD_BUILD_ID).split(':')[0] +
      ' --environment-variables-override name=' + ENV.rollbackTarget + ',value=' + live + ',type=PLAINTEXT');
  }
}

async function main() {
  if (command === 'publish') {
    await publish(args[0], args[1], args[2], args[3], stepClock(env));
  } else if (command === 'rollback') {
    await rollback(args[0], stepClock(env));
  } else {
    fail('unknown command ' + command);
  }
}

main().catch((e) => fail(e.message));
