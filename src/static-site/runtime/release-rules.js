// @ts-check
'use strict';
// A release's rules at go-live: `_redirects` and `_headers` of the build checked and made into the
// records the CloudFront functions read (runtime/redirects.js and runtime/redirect-records.js,
// runtime/headers.js), the copies of the pages that 404 and 410 rules answer with, marked with their
// status for the viewer-response function, and the uploads that give files the Cache-Control of
// `_headers`. Every problem of both files is reported at once, with its line, before anything is
// written: a bad file fails the deploy and leaves the live release as it was.

const fs = require('fs');
const path = require('path');
const { readHeaders, compileHeaders, cacheControlUploads } = require('./headers.js');
const { compileRedirects, servedPaths } = require('./redirect-records.js');
const { parseRedirects } = require('./redirects.js');
const CONTRACT = require('./release-contract.json');
const { normalizePath, matchPath } = require('./rule-table.js');

/**
 * What the go-live step is told of rules (RulesSettings in release-buildspecs.ts).
 *
 * @typedef {object} RulesSettings
 * @property {boolean} redirects load `_redirects`
 * @property {boolean} headers load `_headers`
 * @property {Record<string, string>} securityHeaders the headers the distribution's policy sends (lower-case names)
 * @property {string} pageCacheControl the Cache-Control of the copies of 404 and 410 pages
 * @property {Record<string, string>} contentTypes extension -> Content-Type the uploads set
 */

/**
 * The records of the release's rules, the pages to copy and the files to upload again with the
 * Cache-Control of `_headers`; exits through `fail` with every problem.
 *
 * @param {string} dir the build
 * @param {string[]} files its files
 * @param {string} id the release
 * @param {string} destination `s3://<bucket>/releases/<id>/`
 * @param {RulesSettings} settings
 * @param {(message: string) => never} fail
 */
function releaseRules(dir, files, id, destination, settings, fail) {
  const limits = CONTRACT.keyValueStoreLimits;
  /** @type {{ Key: string, Value: string }[]} */
  const records = [];
  /** @type {{ status: number, file: string }[]} */
  let statusPages = [];
  /** @type {string[][]} */
  let uploads = [];
  /** @type {(path: string) => number} */
  let answeredByRule = () => 0;
  const file = path.join(dir, '_redirects');
  if (settings.redirects) {
    // Without the file too: the table's index tells the routing function there is no rule.
    const { rules, problems } = parseRedirects(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
    const compiled = compileRedirects(rules, files, id, limits);
    compiled.notes.forEach((note) => console.log('_redirects ' + note));
    const all = problems.concat(compiled.problems);
    if (all.length) {
      fail(all.length + ' unsupported line(s) in _redirects:\n' + all.map((p) => '_redirects ' + p).join('\n') +
        '\nThe live release was not changed.');
    }
    records.push(...compiled.records);
    statusPages = compiled.statusPages;
    answeredByRule = (uri) => ruleAnswering(rules, files, uri);
    console.log('_redirects: ' + compiled.stats.exact + ' exact and ' + compiled.stats.patterns + ' pattern rule(s), ' +
      compiled.stats.fileMarkers + ' path(s) marked as files, ' + compiled.stats.bytes + ' bytes in ' + compiled.stats.keys + ' key(s)');
  }
  if (settings.headers) {
    const blocks = readHeaders(dir, settings.securityHeaders, fail);
    if (blocks.length) {
      /** @type {{ Key: string, Value: string }[]} */
      let table = [];
      try {
        table = compileHeaders(blocks, id, limits);
      } catch (e) {
        fail('_headers ' + /** @type {Error} */ (e).message + '\nThe live release was not changed.');
      }
      records.push(...table);
      uploads = cacheControlUploads(blocks, dir, files, destination, CONTRACT.rules.releaseMetadata + '=' + id, settings.contentTypes);
      console.log('_headers: ' + blocks.length + ' block(s), ' + table.reduce((sum, r) => sum + Buffer.byteLength(r.Key) + Buffer.byteLength(r.Value), 0) +
        ' bytes in ' + table.length + ' key(s)');
    }
  }
  return { records, uploads, copies: statusPageCopies(dir, destination, id, statusPages, settings), answeredByRule };
}

/**
 * The line of the first rule that may answer `uri` instead of its file (whatever its query or
 * conditions: the go-live check's request may meet them), 0 when none: the check does not expect
 * that path's file.
 *
 * @param {import('./redirects.js').Rule[]} rules
 * @param {string[]} files
 * @param {string} uri
 */
function ruleAnswering(rules, files, uri) {
  const requested = normalizePath(uri);
  const answered = new Set(files.flatMap(servedPaths));
  const rule = rules.find((r) => matchPath(r.path, requested) && (r.force || !answered.has(requested)));
  return rule ? rule.line : 0;
}

/**
 * The S3 copy commands (CLI arguments) of the pages that 404 and 410 rules answer with: each page
 * again under `<status pages prefix><status>/`, with metadata naming the status.
 *
 * @param {string} dir
 * @param {string} releasePrefix `s3://<bucket>/releases/<id>/`
 * @param {string} id
 * @param {{ status: number, file: string }[]} pages
 * @param {RulesSettings} settings
 * @returns {string[][]}
 */
function statusPageCopies(dir, releasePrefix, id, pages, settings) {
  const rules = CONTRACT.rules;
  return pages.map(({ status, file }) => ['s3', 'cp', path.join(dir, file), releasePrefix + rules.statusPagesPrefix + status + '/' + file,
    '--only-show-errors', '--cache-control', settings.pageCacheControl,
    '--metadata', rules.statusMetadata + '=' + status + (settings.headers ? ',' + rules.releaseMetadata + '=' + id : '')]);
}

module.exports = { releaseRules };
