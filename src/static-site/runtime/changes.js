// @ts-check
'use strict';
// The changes check of a StaticSitePipeline whose CodeCommit source has `filePaths`: CodePipeline's
// triggers filter file paths on connections only, so the first step after the source compares the
// commit with the live release's (the commit its marker names) through CodeCommit's
// GetDifferences, and prints `true` when a changed file matches the filter, else `false`; the
// later stages are skipped on `false`. Without a live release, or one whose marker names no
// commit, it prints `true`. Run as `node changes.js '<{"includes": [...], "excludes": [...]}>'`.
// https://docs.aws.amazon.com/codecommit/latest/APIReference/API_GetDifferences.html

const CONTRACT = require('./release-contract.json');
const { siteCli } = require('./site-cli.js');

const ENV = CONTRACT.environment;

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error('Changes check failed: ' + message);
  process.exit(1);
}

const { env, json, kvs, run, s3 } = siteCli(fail);

/**
 * A glob of CodePipeline's file path filters as a regular expression: `**` any folders, `*` and `?`
 * within one.
 *
 * @param {string} glob
 */
function globPattern(glob) {
  const source = glob.replace(/\*\*\/|\*\*|\*|\?|[.+^${}()|[\]\\]/g, (token) => ({ '**/': '(?:.*/)?', '**': '.*', '*': '[^/]*', '?': '[^/]' })[token] || '\\' + token);
  return new RegExp('^' + source + '$');
}

/**
 * Whether a change to `path` passes the filter.
 *
 * @param {{ includes?: string[], excludes?: string[] }} filter
 * @param {string} path
 */
function passes(filter, path) {
  const matches = (/** @type {string[]} */ globs) => globs.some((glob) => globPattern(glob).test(path));
  return (!filter.includes || !filter.includes.length || matches(filter.includes)) && !matches(filter.excludes || []);
}

/** The commit of the live release, '' when there is none or its marker names none. */
function liveCommit() {
  let id = '';
  try {
    id = kvs('get-key', ['--key', CONTRACT.liveReleaseKey]).Value;
  } catch (e) {
    if (/ResourceNotFound/.test(/** @type {Error} */ (e).message)) {
      return '';
    }
    throw e;
  }
  try {
    return JSON.parse(run(['s3', 'cp', s3(CONTRACT.releasesPrefix + id + '.json'), '-'])).commit || '';
  } catch (e) {
    console.error('The marker of the live release ' + id + ' cannot be read: ' + /** @type {Error} */ (e).message);
    return '';
  }
}

/** @param {string[]} argv */
function main(argv) {
  const filter = JSON.parse(argv[0] || '{}');
  const commit = env(ENV.commitId);
  const live = liveCommit();
  if (!live) {
    console.error('No live release names its commit: this push is released.');
    return true;
  }
  if (live === commit) {
    console.error('Commit ' + commit + ' is the live release\'s: nothing changed.');
    return false;
  }
  /** @type {{ beforeBlob?: { path: string }, afterBlob?: { path: string } }[]} */
  const differences = json(['codecommit', 'get-differences', '--repository-name', env(ENV.repositoryName),
    '--before-commit-specifier', live, '--after-commit-specifier', commit]).differences || [];
  const blobs = differences.flatMap((d) => [d.beforeBlob, d.afterBlob]);
  const paths = [...new Set(blobs.filter(Boolean).map((blob) => /** @type {{ path: string }} */ (blob).path))];
  const matching = paths.filter((path) => passes(filter, path));
  console.error(paths.length + ' file(s) changed since the live release\'s commit ' + live + ', ' + matching.length + ' of them in source.filePaths' +
    (matching.length ? ' (' + matching.slice(0, 5).join(', ') + (matching.length > 5 ? ', ...' : '') + '): this push is released.' : ': the later stages are skipped.'));
  return matching.length > 0;
}

if (require.main === module) {
  try {
    process.stdout.write(String(main(process.argv.slice(2))));
  } catch (e) {
    fail(/** @type {Error} */ (e).message);
  }
}

module.exports = { globPattern, passes };
