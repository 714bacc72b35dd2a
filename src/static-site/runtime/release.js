'use strict';
// The release program of StaticSitePipeline's atomic releases. The go-live and rollback steps run
// it in CodeBuild (`node release.js <command> ...`); it drives the AWS CLI and needs nothing but
// the CLI, Node.js 16+ and the environment variables of release-contract.json.
//
// - `publish <dir> <releasesToKeep> <notFoundPage> <redirects 0|1>`: after the upload of
//   releases/$RELEASE_ID/, checks _redirects, verifies the upload, carries over the files of recent
//   releases that this one no longer has (open tabs still load them), writes the release's
//   redirects and its marker releases/<id>.json, switches `live` (one put-key with the store's
//   ETag), publishes the release's not-found page at the bucket root (CloudFront fetches error
//   pages without running the function), and deletes releases beyond the newest releasesToKeep
//   (never the live one or the one before it) with their redirect keys, and unfinished uploads.
// - `rollback <notFoundPage>`: switches `live` to $RELEASE, or to the newest release older than
//   the live one, and publishes its not-found page.
//
// A release is complete once its marker exists; only complete releases can go live.

const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const [command, ...args] = process.argv.slice(2);
const CONTRACT = require('./release-contract.json');
const PREFIX = CONTRACT.releasesPrefix;
const LIVE = CONTRACT.liveReleaseKey;
const ENV = CONTRACT.environment;
// Ids are made by the deploy step: UTC time, short commit, short execution id. Nothing else under
// the prefix is ever touched.
const RELEASE_ID = /^\d{8}T\d{6}Z-[0-9A-Za-z]*-[0-9A-Za-z]*$/;
const STATUSES = CONTRACT.redirectStatuses.map(String);
const LIMITS = CONTRACT.keyValueStoreLimits;
// Pages are never carried over: an open tab has its page already.
const PAGE = /\.html?$/;
// Bytes of --include/--exclude arguments in one CLI call: far below Linux's limit on a command's
// arguments and environment (a quarter of the stack limit, 2 MiB by default; execve(2)).
const FILTER_BYTES = 100000;

function fail(message) {
  console.error((command === 'rollback' ? 'Rollback' : 'Deploy') + ' failed: ' + message);
  process.exit(1);
}

function env(name) {
  const value = process.env[name];
  if (!value) {
    fail('environment variable ' + name + ' is not set.');
  }
  return value;
}

// Runs the AWS CLI without a shell (arguments are passed as they are); returns its output.
function run(argv) {
  try {
    return execFileSync('aws', argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  } catch (e) {
    throw new Error('aws ' + argv.slice(0, 2).join(' ') + ' failed: ' + String(e.stderr || e.message).trim());
  }
}

function json(argv) {
  const out = run(argv.concat(['--output', 'json'])).trim();
  return out ? JSON.parse(out) : {};
}

function kvs(operation, extra) {
  return json(['cloudfront-keyvaluestore', operation, '--kvs-arn', env(ENV.keyValueStoreArn)].concat(extra || []));
}

function etag() {
  return kvs('describe-key-value-store').ETag;
}

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

// Puts and deletes keys in batches; every write names the ETag of the store it read.
function updateKeys(puts, deletes, tag) {
  const ops = puts.map((p) => ['puts', p]).concat(deletes.map((k) => ['deletes', { Key: k }]));
  for (let i = 0; i < ops.length; i += LIMITS.keysPerUpdate) {
    const batch = ops.slice(i, i + LIMITS.keysPerUpdate);
    const argv = ['--if-match', tag];
    for (const kind of ['puts', 'deletes']) {
      const items = batch.filter((op) => op[0] === kind).map((op) => op[1]);
      if (items.length) {
        argv.push('--' + kind, JSON.stringify(items));
      }
    }
    tag = kvs('update-keys', argv).ETag;
  }
  return tag;
}

function s3(key) {
  return 's3://' + env(ENV.bucket) + '/' + key;
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

// Files under dir (following links, as the CLI does): relative path -> size.
function localFiles(dir, rel, files) {
  files = files || new Map();
  for (const name of fs.readdirSync(path.join(dir, rel || ''))) {
    const file = rel ? rel + '/' + name : name;
    const stat = fs.statSync(path.join(dir, file));
    if (stat.isDirectory()) {
      localFiles(dir, file, files);
    } else {
      files.set(file, stat.size);
    }
  }
  return files;
}

// _redirects rules (Netlify syntax, the subset CloudFront can answer from the store):
// "<from> <to> [status][!]", exact paths, statuses 301 (default), 302, 303, 307, 308. Any other
// line fails the deploy rather than being dropped. Returns path -> "<status> <to>".
function parseRedirects(dir) {
  const file = path.join(dir, '_redirects');
  const rules = new Map();
  if (!fs.existsSync(file)) {
    return rules;
  }
  const errors = [];
  fs.readFileSync(file, 'utf8').split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) {
      return;
    }
    const [from, to, status, ...rest] = line.split(/\s+/);
    const code = (status || '301').replace(/!$/, '');
    const problem = redirectRuleProblem(from, to, code, rest);
    if (problem) {
      errors.push('_redirects line ' + (i + 1) + ' "' + line + '": ' + problem);
      return;
    }
    // A trailing slash does not count, as in the routing function.
    const key = from.length > 1 ? from.replace(/\/$/, '') : from;
    if (rules.has(key)) {
      console.log('_redirects line ' + (i + 1) + ': ' + from + ' already has a rule; the first one wins.');
    } else {
      rules.set(key, code + ' ' + to);
    }
  });
  if (errors.length) {
    fail(errors.length + ' unsupported line(s) in _redirects:\n' + errors.join('\n'));
  }
  return rules;
}

// What is wrong with a _redirects rule, '' when nothing: the store answers exact paths only.
function redirectRuleProblem(from, to, code, rest) {
  if (!to) return 'it has no target';
  if (rest.length) return 'conditions (query, Country, Language, Role, Cookie) are not supported';
  if (!STATUSES.includes(code)) return 'status ' + code + ' is not supported, only redirects: ' + STATUSES.join(', ');
  if (!from.startsWith('/')) return 'the source must be a path starting with /';
  if (/[*?#]|\/:/.test(from)) return 'splats (*), placeholders (:name), query strings and fragments are not supported in the source';
  if (!/^(\/|https?:\/\/)/.test(to)) return 'the target must be a path starting with / or an http(s) URL';
  if (/[*#]|\/:[A-Za-z]/.test(to)) return 'splats, placeholders and fragments are not supported in the target';
  if (Buffer.byteLength(to) + 4 > LIMITS.valueBytes) return 'the target is longer than the store allows';
  if (Buffer.byteLength(from) + 64 > LIMITS.keyBytes) return 'the source is longer than the store allows';
  return '';
}

// Objects under a prefix: path relative to it -> { size, modified (ms since the epoch) }.
function objectsUnder(prefix) {
  const objects = listObjects(prefix).Contents || [];
  return new Map(objects.map((o) => [o.Key.slice(prefix.length), { size: o.Size, modified: Date.parse(o.LastModified) }]));
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

// A path as an --include/--exclude pattern that matches only itself.
function literal(file) {
  return file.replace(/[*?[]/g, '[$&]');
}

function filters(option, patterns) {
  return patterns.flatMap((pattern) => [option, pattern]);
}

function filterBytes(patterns) {
  return patterns.reduce((sum, pattern) => sum + Buffer.byteLength(pattern) + '--include '.length + 1, 0);
}

// Patterns in groups of at most `bytes` of arguments.
function batches(patterns, bytes) {
  const groups = [[]];
  for (const pattern of patterns) {
    if (groups[groups.length - 1].length && filterBytes(groups[groups.length - 1].concat([pattern])) > bytes) {
      groups.push([]);
    }
    groups[groups.length - 1].push(pattern);
  }
  return groups;
}

function writeMarker(id, files) {
  const own = [...files.keys()].filter((file) => !PAGE.test(file));
  const body = JSON.stringify({ id, files: own });
  const tmp = path.join(require('os').tmpdir(), id + '.json');
  fs.writeFileSync(tmp, body);
  run(['s3', 'cp', tmp, s3(PREFIX + id + '.json'), '--only-show-errors', '--content-type', 'application/json']);
}

function writeRedirects(id, rules, tag) {
  const puts = [...rules].map(([from, rule]) => ({ Key: id + from, Value: rule }));
  const bytes = puts.reduce((sum, p) => sum + Buffer.byteLength(p.Key) + Buffer.byteLength(p.Value), 0);
  const used = kvs('describe-key-value-store').TotalSizeInBytes || 0;
  if (used + bytes > LIMITS.storeBytes) {
    fail('the ' + puts.length + ' redirects (' + bytes + ' bytes) do not fit in the KeyValueStore (' + used + ' of ' +
      LIMITS.storeBytes + ' bytes used); remove redirects or keep fewer releases (releasesToKeep).');
  }
  console.log('Writing ' + puts.length + ' redirect(s) of release ' + id);
  return updateKeys(puts, [], tag);
}

function switchLive(id, tag) {
  kvs('put-key', ['--key', LIVE, '--value', id, '--if-match', tag || etag()]);
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
// uploads, and redirect keys of releases that are gone.
function prune(keep, redirects) {
  const found = releases();
  const live = liveRelease();
  const kept = new Set(found.complete.slice(-keep).concat([live, found.complete.filter((id) => id < live).pop()]));
  const gone = found.complete.filter((id) => !kept.has(id)).concat(found.unfinished.filter((id) => !kept.has(id)));
  for (const id of gone) {
    run(['s3', 'rm', s3(PREFIX + id + '/'), '--recursive', '--only-show-errors']);
    run(['s3', 'rm', s3(PREFIX + id + '.json'), '--only-show-errors']);
    console.log('Deleted release ' + id);
  }
  if (redirects === '1') {
    const stale = (kvs('list-keys').Items || []).map((item) => item.Key)
      .filter((key) => key !== LIVE && !kept.has(key.split('/')[0]));
    if (stale.length) {
      updateKeys([], stale, etag());
      console.log('Deleted ' + stale.length + ' redirect(s) of deleted releases');
    }
  }
}

function publish(dir, keep, page, redirects) {
  const id = env(ENV.releaseId);
  const rules = redirects === '1' ? parseRedirects(dir) : new Map();
  const files = localFiles(dir);
  const uploaded = verify(dir, id, files);
  carryOver(id, uploaded, releases().complete.slice(-(Number(keep) - 1)));
  let tag = etag();
  if (rules.size) {
    tag = writeRedirects(id, rules, tag);
  }
  writeMarker(id, files);
  const previous = liveRelease();
  switchLive(id, tag);
  console.log('Release ' + id + ' is live (it was ' + (previous || 'none') + ').');
  publishNotFound(page, files.has(page) ? path.join(dir, page) : '');
  prune(Number(keep), redirects);
}

function rollback(page) {
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
  switchLive(target);
  const pageKey = PREFIX + target + '/' + page;
  const hasPage = (listObjects(pageKey).Contents || []).some((o) => o.Key === pageKey);
  publishNotFound(page, hasPage ? s3(pageKey) : '');
  console.log('The live release was ' + (live || 'none') + '; it is now ' + target + '.');
  if (live) {
    console.log('To undo: aws codebuild start-build --project-name ' + String(process.env.CODEBUILD_BUILD_ID).split(':')[0] +
      ' --environment-variables-override name=' + ENV.rollbackTarget + ',value=' + live + ',type=PLAINTEXT');
  }
}

try {
  if (command === 'publish') {
    publish(args[0], args[1], args[2], args[3]);
  } else if (command === 'rollback') {
    rollback(args[0]);
  } else {
    fail('unknown command ' + command);
  }
} catch (e) {
  fail(e.message);
}
