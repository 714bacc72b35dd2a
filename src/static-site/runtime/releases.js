'use strict';
// The site's releases as the go-live and rollback steps of the release program (release.js) read
// and change them: the folders releases/<id>/ and their markers releases/<id>.json in the bucket,
// and the `live` key of the KeyValueStore that names the live one. The steps, each changing one
// thing: the check that every file of the build was uploaded, the carry-over of recent releases'
// files, the marker, the release's rule records, the switch of `live` (and back), the not-found
// page at the bucket root, and pruning.

const fs = require('fs');
const path = require('path');

const CONTRACT = require('./release-contract.json');
const { literal, filters, batches, filterBytes, FILTER_BYTES } = require('./site-cli.js');
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

/** @typedef {ReturnType<typeof import('./site-cli.js').siteCli>} SiteCli */

/** Time kept for a store write with its retries, a copy of the not-found page, or a metrics read. */
const WRITE_MS = 20000;

/**
 * The steps on the releases of the site, through the CLI helpers of the program.
 *
 * @param {SiteCli} cli
 * @param {(message: string) => never} fail
 */
function siteReleases(cli, fail) {
  const { env, run, json, kvs, writeStore, s3 } = cli;

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

  // Makes `target` live and publishes its not-found page: the rollback, and the go-live step's
  // automatic rollback after a failed check. `expected` is the release the step read as live.
  async function switchBack(target, page, expected) {
    await switchLive(target, expected);
    const pageKey = PREFIX + target + '/' + page;
    const hasPage = (listObjects(pageKey).Contents || []).some((o) => o.Key === pageKey);
    publishNotFound(page, hasPage ? s3(pageKey) : '');
  }

  return { liveRelease, releases, objectsUnder, verify, carryOver, writeMarker, writeRules, switchLive, publishNotFound, switchBack, prune };
}

module.exports = { siteReleases, WRITE_MS };
