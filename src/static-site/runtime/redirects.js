// @ts-check
'use strict';
// `_redirects` (Netlify's syntax) made into a release's records in the KeyValueStore, which the
// routing function (runtime/routing.js) answers from. Loaded by the release program at go-live.
// https://docs.netlify.com/manage/routing/redirects/overview/
// https://docs.netlify.com/manage/routing/redirects/redirect-options/
// https://docs.netlify.com/manage/routing/redirects/rewrites-proxies/
//
// A line is `<from> [<name>=<value> ...] <to> [<status>[!]] [Country=..] [Language=..] [Cookie=..]`.
// What the edge serves as Netlify does: redirects (301, 302, 303, 307, 308), rewrites (200) to a
// path of the release, custom 404 and 410 pages, splats, placeholders, query parameters, a host in
// <from>, force (`!`), first match wins, trailing slashes ignored, and shadowing: a rule without
// `!` does not apply to a path a file of the build answers (the program knows the build's files and
// marks, in the records the function reads anyway, each path that such a rule could hide). Anything
// the edge would answer otherwise than Netlify fails the deploy with its line: proxying (a 200 to
// another origin), Role conditions, signed proxies, a splat before the end, partial placeholders.
//
// Records of release R (see runtime/rule-table.js for the tables and the shared records `~T`):
// - the table `R*`: rules with a splat or placeholder, with `e` in its index: the first segments of
//   the paths that have a record (or 1: any may), and `t`, the tag T of its shared records;
// - `~T<path>` (path normalized): `[1 when a file answers it else 0, ...rules whose <from> is that path]`,
//   or `<line> <status> <to>` for one rule without force, query, conditions or host.
// A rule is `[line, pattern (0 in a path's record), status, to, force, query, conditions, host]`,
// trailing empty fields left out.

const CONTRACT = require('./release-contract.json');
const { normalizePath, matchPath, firstSegment, tableRecords, contentTag, lineProblem } = require('./rule-table.js');

const RULES = CONTRACT.rules;
const STATUSES = RULES.statuses;
const REDIRECT = /^30[12378]$/;
// Conditions of Netlify this edge can test: the country CloudFront finds (CloudFront-Viewer-Country,
// given to the function by the origin request policy), the languages the browser accepts, cookies.
const CONDITIONS = { country: 'C', language: 'L', cookie: 'K' };

/**
 * @typedef {object} Rule
 * @property {number} line
 * @property {string} text
 * @property {string} host '' for any host
 * @property {string} path the source path, normalized
 * @property {[string, string][]} query parameters that must be present (`:name` captures)
 * @property {string} to
 * @property {number} status
 * @property {boolean} force
 * @property {Record<string, string[]>} conditions by letter (C, L, K)
 */

/**
 * The rules of a `_redirects` file, and what is wrong with its lines.
 *
 * @param {string} text
 * @returns {{ rules: Rule[], problems: string[] }}
 */
function parseRedirects(text) {
  /** @type {Rule[]} */
  const rules = [];
  /** @type {string[]} */
  const problems = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) {
      return;
    }
    const parsed = parseLine(line, i + 1);
    if (typeof parsed === 'string') {
      problems.push(lineProblem(i + 1, line, parsed));
    } else {
      rules.push(parsed);
    }
  });
  return { rules, problems };
}

/**
 * One rule, or what is wrong with it.
 *
 * @param {string} line
 * @param {number} number
 * @returns {Rule | string}
 */
function parseLine(line, number) {
  const words = line.split(/\s+/);
  const from = words.shift() || '';
  /** @type {[string, string][]} */
  const query = [];
  while (words.length && !isTarget(words[0]) && words[0].includes('=')) {
    const word = /** @type {string} */ (words.shift());
    const eq = word.indexOf('=');
    query.push([word.slice(0, eq), word.slice(eq + 1)]);
  }
  const to = words.shift();
  if (!to) {
    return 'it has no target';
  }
  let status = 301;
  let force = false;
  if (words.length && /^\d+!?$/.test(words[0])) {
    const word = /** @type {string} */ (words.shift());
    force = word.endsWith('!');
    status = Number(force ? word.slice(0, -1) : word);
  } else if (words[0] === '!') {
    words.shift();
    force = true;
  }
  /** @type {Record<string, string[]>} */
  const conditions = {};
  for (const word of words) {
    const eq = word.indexOf('=');
    const name = word.slice(0, eq).toLowerCase();
    if (eq < 1) {
      return 'unexpected "' + word + '" after the target: expected a status (e.g. 301 or 200!) or a condition (Country=, Language=, Cookie=)';
    }
    if (name === 'role') {
      return 'Role conditions need Netlify Identity, which this site does not have; remove the rule or serve the section elsewhere';
    }
    if (!(name in CONDITIONS)) {
      return 'the condition ' + word.slice(0, eq) + ' is not supported (only Country, Language and Cookie)';
    }
    const values = word.slice(eq + 1).split(',').filter(Boolean);
    conditions[CONDITIONS[/** @type {keyof CONDITIONS} */ (name)]] = name === 'country' ? values.map((v) => v.toUpperCase()) : values.map((v) => v.toLowerCase());
  }
  const source = sourceOf(from);
  if (typeof source === 'string') {
    return source;
  }
  const problem = targetProblem(from, source.path, query, to, status) || queryProblem(query);
  if (problem) {
    return problem;
  }
  return { line: number, text: line, host: source.host, path: source.path, query, to, status, force, conditions };
}

/**
 * Whether a word is a rule's target rather than a query parameter: a path or a URL.
 *
 * @param {string} word
 */
function isTarget(word) {
  return word.startsWith('/') || /^https?:\/\//i.test(word);
}

/**
 * The host ('' for any) and normalized path of a source, or what is wrong with it.
 *
 * @param {string} from
 * @returns {{ host: string, path: string } | string}
 */
function sourceOf(from) {
  let host = '';
  let path = from;
  const url = /^https?:\/\/([^/]+)(\/.*)?$/i.exec(from);
  if (url) {
    // CloudFront answers plain HTTP with a redirect to HTTPS before any function runs: the scheme of
    // a source never matters, its host does.
    host = url[1].toLowerCase();
    path = url[2] || '/';
  }
  if (!path.startsWith('/')) {
    return 'the source must be a path starting with / (or a URL with a host), got "' + from + '"';
  }
  if (/[?#]/.test(path)) {
    return 'the source has a query string or a fragment; match query parameters as name=value words after the source';
  }
  const parts = path.split('/');
  const splat = parts.indexOf('*');
  if (parts.some((part) => part.includes('*') && part !== '*') || (splat !== -1 && splat !== parts.length - 1)) {
    return 'a splat (*) must be the whole last segment of the source (e.g. /news/*)';
  }
  if (parts.some((part) => part.slice(1).includes(':') || (part.startsWith(':') && !/^:\w+$/.test(part)))) {
    return 'a placeholder must be a whole segment, ":" and a name of letters, digits and _ (e.g. /users/:id)';
  }
  return { host, path: normalizePath(browserForm(path)) };
}

/**
 * What is wrong with a target for its status, '' when nothing.
 *
 * @param {string} from
 * @param {string} path
 * @param {[string, string][]} query
 * @param {string} to
 * @param {number} status
 */
function targetProblem(from, path, query, to, status) {
  const url = /^https?:\/\//i.test(to);
  if (!STATUSES.includes(status)) {
    return 'status ' + status + ' is not supported; use ' + STATUSES.join(', ');
  }
  if (!url && !to.startsWith('/')) {
    return 'the target must be a path starting with / or an http(s) URL, got "' + to + '"';
  }
  if (/[\s"<>\\^`{|}]/.test(to) || to.includes('#')) {
    return 'the target has a character a Location header may not hold, or a fragment';
  }
  if (url && !REDIRECT.test(String(status))) {
    return status === 200
      ? 'proxying to another origin (a 200 to a URL) is not supported: CloudFront serves this site from its bucket only; redirect instead (301 or 302), or serve that path from its own CloudFront behavior'
      : 'a ' + status + ' page must be a path of the site, got a URL';
  }
  if (status === 200 && to.includes('?')) {
    return 'a rewrite (200) serves a path of the release; its target cannot have a query string';
  }
  if (REDIRECT.test(String(status)) && !url && !query.length && normalizePath(browserForm(to.split('?')[0])) === path && !from.includes('://')) {
    return 'the rule redirects a path to itself (trailing slashes are ignored, as on Netlify), which would loop forever';
  }
  return '';
}

/**
 * What is wrong with the query parameters of a rule, '' when nothing.
 *
 * @param {[string, string][]} query
 */
function queryProblem(query) {
  const bad = query.find(([name, value]) => !name || !value || (value.startsWith(':') && !/^:\w+$/.test(value)));
  return bad ? 'query parameter "' + bad.join('=') + '" must be name=value or name=:placeholder' : '';
}

/**
 * A path as a browser sends it: characters a path may not hold as they are (WHATWG's path
 * percent-encode set, and anything not ASCII) percent-encoded, escapes already there kept.
 *
 * @param {string} path
 */
function browserForm(path) {
  return Array.from(path).map((c) => (/^[\x21-\x7e]$/.test(c) && !/["#<>?`{}]/.test(c)) ? c : encodeURIComponent(c)).join('');
}

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

module.exports = { parseRedirects, compileRedirects, servedPaths, browserForm };
