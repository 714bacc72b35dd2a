// @ts-check
'use strict';
// `_redirects` (Netlify's syntax) read into rules, each line checked: the release program turns the
// rules into the release's records in the KeyValueStore (runtime/redirect-records.js), which the
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

const CONTRACT = require('./release-contract.json');
const { normalizePath, lineProblem } = require('./rule-table.js');

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

module.exports = { parseRedirects, browserForm };
