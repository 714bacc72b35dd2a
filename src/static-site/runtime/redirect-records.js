// @ts-check
'use strict';
// The rules of `_redirects` (read by runtime/redirects.js) made into a release's records in the
// KeyValueStore, which the routing function (runtime/routing.js) answers from: what a 404 or 410
// page is, which rules never apply (a file of the build answers their path: shadowing), and which
// paths the function must know a file answers. Loaded by the release program at go-live.
//
// Records of release R (see runtime/rule-table.js for the tables and the shared records `~T`):
// - the table `R*`: rules with a splat or placeholder, with `e` in its index: the first segments of
//   the paths that have a record (or 1: any may), and `t`, the tag T of its shared records;
// - `~T<path>` (path normalized): `[1 when a file answers it else 0, ...rules whose <from> is that path]`,
//   or `<line> <status> <to>` for one rule without force, query, conditions or host.
// A rule is `[line, pattern (0 in a path's record), status, to, force, query, conditions, host]`,
// trailing empty fields left out.

const { browserForm } = require('./redirects.js');
const CONTRACT = require('./release-contract.json');
const { normalizePath, matchPath, firstSegment, tableRecords, contentTag, lineProblem } = require('./rule-table.js');

const RULES = CONTRACT.rules;

/** @typedef {import('./redirects.js').Rule} Rule */

/**
 * The request paths a file of the build answers through the routing function: a directory's
 * index.html its directory and itself, a file with an extension its own path. (An extensionless
 * file is never served: the function takes its path for a directory.)
 *
 * @param {string} file relative to the site root
 * @returns {string[]}
 */
function servedPaths(file) {
  const uri = '/' + browserForm(file);
  if (uri === '/index.html' || uri.endsWith('/index.html')) {
    return [normalizePath(uri.slice(0, -'index.html'.length)), normalizePath(uri)];
  }
  return uri.slice(uri.lastIndexOf('/') + 1).includes('.') ? [normalizePath(uri)] : [];
}

/**
 * The file a path of the site is served from ('' when none of the build): what a 404 or 410 page
 * must be.
 *
 * @param {string} path
 * @param {Map<string, string>} byPath served path -> file
 */
function fileAt(path, byPath) {
  return byPath.get(normalizePath(browserForm(path))) || '';
}

/**
 * The records of a release's rules, and what is wrong with them.
 *
 * @param {Rule[]} rules
 * @param {Iterable<string>} files the files of the build, relative to its root
 * @param {string} id the release id
 * @param {{ keyBytes: number, valueBytes: number }} limits
 * @returns {{ records: { Key: string, Value: string }[], statusPages: { status: number, file: string }[], problems: string[], notes: string[], stats: RedirectStats }}
 */
function compileRedirects(rules, files, id, limits) {
  /** @type {Map<string, string>} */
  const byPath = new Map();
  for (const file of files) {
    for (const path of servedPaths(file)) {
      byPath.set(path, file);
    }
  }
  /** @type {string[]} */
  const problems = [];
  /** @type {string[]} */
  const notes = [];
  /** @type {Map<string, { r: unknown[][], f?: number }>} */
  const exact = new Map();
  /** @type {{ rank: number, segment: string, entry: unknown[] }[]} */
  const patterns = [];
  /** @type {Map<string, { status: number, file: string }>} */
  const statusPages = new Map();
  for (const rule of rules) {
    let to = rule.to;
    if (rule.status === 404 || rule.status === 410) {
      const file = fileAt(to, byPath);
      if (!file) {
        problems.push(lineProblem(rule.line, rule.text, 'the ' + rule.status + ' page ' + to + ' is not a file of the build'));
        continue;
      }
      statusPages.set(rule.status + '/' + file, { status: rule.status, file });
      to = '/' + browserForm(file);
    }
    const pattern = /[:*]/.test(rule.path);
    // An exact rule's record is read by its path: the rule needs no pattern (0).
    const entry = trimmed([rule.line, pattern ? rule.path : 0, rule.status, to, rule.force ? 1 : 0, rule.query.length ? rule.query : 0,
      Object.keys(rule.conditions).length ? rule.conditions : 0, rule.host || 0]);
    if (pattern) {
      patterns.push({ rank: rule.line, segment: firstSegment(rule.path), entry });
      continue;
    }
    if (!rule.force && byPath.has(rule.path) && (rule.query.length || Object.keys(rule.conditions).length)) {
      // A file hides every rule without `!`; with conditions that is seldom what was meant (and
      // whether Netlify lets a condition pass a file is not documented): say so rather than guess.
      problems.push(lineProblem(rule.line, rule.text, byPath.get(rule.path) + ' answers ' + rule.path +
        ', which hides a rule without ! (shadowing), conditions or not; add ! to apply the rule (e.g. 302!)'));
      continue;
    }
    if (!rule.force && byPath.has(rule.path)) {
      notes.push(lineProblem(rule.line, rule.text, 'never applies: ' + byPath.get(rule.path) + ' answers ' + rule.path + ' (shadowing; add ! to force the rule)'));
      continue;
    }
    const record = exact.get(rule.path) || { r: [] };
    const first = record.r.find((earlier) => earlier.length <= 5);
    if (first) {
      notes.push(lineProblem(rule.line, rule.text, 'never applies: line ' + first[0] + ' answers ' + rule.path + ' first'));
      continue;
    }
    record.r.push(entry);
    exact.set(rule.path, record);
  }
  // Paths a file answers that a rule without `!` could hide: the function must know they exist.
  const unforced = patterns.filter((p) => !p.entry[4]);
  for (const path of byPath.keys()) {
    if (unforced.some((p) => matchPath(/** @type {string} */ (p.entry[1]), path))) {
      const record = exact.get(path) || { r: [] };
      record.f = 1;
      exact.set(path, record);
    }
  }
  // Shared by every release whose rules are the same (rule-table.js): under a tag of their content.
  const values = [...exact].map(([path, record]) => [path, recordValue(record)]);
  const tag = '~' + contentTag([values, patterns.map((p) => p.entry)]);
  /** @type {{ Key: string, Value: string }[]} */
  const shared = [];
  for (const [path, value] of values) {
    const key = tag + path;
    if (Buffer.byteLength(key) > limits.keyBytes || Buffer.byteLength(value) > limits.valueBytes) {
      const line = /** @type {{ r: unknown[][] }} */ (exact.get(path)).r.map((r) => r[0])[0] || 0;
      problems.push('line ' + line + ': the rules of ' + path + ' take ' + Buffer.byteLength(key) + ' bytes of key and ' +
        Buffer.byteLength(value) + ' of value, more than the store takes (' + limits.keyBytes + ' and ' + limits.valueBytes + ')');
      continue;
    }
    shared.push({ Key: key, Value: value });
  }
  const segments = [...new Set([...exact.keys()].map(firstSegment))];
  const e = !exact.size ? 0 : Buffer.byteLength(JSON.stringify(segments)) <= limits.valueBytes / 4 ? segments : 1;
  /** @type {{ Key: string, Value: string }[]} */
  let table = [];
  try {
    table = tableRecords(id + RULES.redirectsKind, tag + RULES.redirectsKind, patterns, limits, { t: tag.slice(1), e });
  } catch (error) {
    problems.push(/** @type {Error} */ (error).message);
  }
  const records = table.concat(shared);
  return {
    records,
    statusPages: [...statusPages.values()],
    problems,
    notes,
    stats: {
      exact: [...exact.values()].reduce((sum, r) => sum + r.r.length, 0),
      patterns: patterns.length,
      fileMarkers: [...exact.values()].filter((r) => r.f).length,
      bytes: records.reduce((sum, r) => sum + Buffer.byteLength(r.Key) + Buffer.byteLength(r.Value), 0),
      keys: records.length,
    },
  };
}

/**
 * @typedef {object} RedirectStats
 * @property {number} exact rules whose source is one path
 * @property {number} patterns rules with a splat or placeholder
 * @property {number} fileMarkers paths marked as answered by a file
 * @property {number} bytes of keys and values
 * @property {number} keys
 */

/**
 * The value of a path's record: `<line> <status> <to>` for one rule that needs nothing but its path
 * (most of a long `_redirects`: 9 bytes less than its JSON), else `[file, ...rules]` in JSON.
 *
 * @param {{ r: unknown[][], f?: number }} record
 */
function recordValue(record) {
  const only = record.r[0];
  if (record.r.length === 1 && !record.f && only.length === 4) {
    return only[0] + ' ' + only[2] + ' ' + only[3];
  }
  return JSON.stringify([record.f ? 1 : 0, ...record.r]);
}

/**
 * An entry without its trailing empty fields.
 *
 * @param {unknown[]} entry
 */
function trimmed(entry) {
  while (entry.length > 4 && !entry[entry.length - 1]) {
    entry.pop();
  }
  return entry;
}

module.exports = { compileRedirects, servedPaths };
