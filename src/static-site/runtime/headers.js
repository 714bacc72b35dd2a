// @ts-check
'use strict';
// `_headers` (Netlify's syntax) made into a release's header table in the KeyValueStore, which the
// viewer-response function (runtime/preview-response.js) adds to responses, and into the
// Cache-Control of the files it names, stored on the objects before the release goes live.
// https://docs.netlify.com/manage/routing/headers/
//
// A block is a path line (splats and placeholders as in `_redirects`) and its `Name: value` lines;
// a name repeated in a block, or in several blocks matching one path, is sent once with its values
// joined by ", ". Lines whose header CloudFront Functions may not set, or that contradict the
// security headers policy of the distribution, fail the deploy with their line.
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/edge-functions-restrictions.html

const fs = require('fs');
const path = require('path');
const { servedPaths } = require('./redirect-records.js');
const { browserForm } = require('./redirects.js');
const CONTRACT = require('./release-contract.json');
const { normalizePath, matchPath, firstSegment, tableRecords, contentTag, lineProblem } = require('./rule-table.js');
const { literal, filters, batches, FILTER_BYTES } = require('./site-cli.js');

// Headers no CloudFront Function may add (CloudFront answers 502), read-only ones in viewer
// response events, and those that describe the body CloudFront sends (a wrong one breaks it).
const FORBIDDEN = /^(connection|expect|keep-alive|proxy-authenticate|proxy-authorization|proxy-connection|trailer|upgrade|x-accel-.*|x-amz-cf-.*|x-amzn-.*|x-cache|x-edge-.*|x-forwarded-proto|x-real-ip|warning|via|content-length|content-encoding|transfer-encoding|set-cookie|host|x-amz-meta-.*)$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * @typedef {object} Block
 * @property {number} line
 * @property {string} text
 * @property {string} path normalized pattern
 * @property {[string, string][]} headers lower-case names, in order, each once
 */

/**
 * The blocks of a `_headers` file, and what is wrong with its lines.
 *
 * @param {string} text
 * @param {Record<string, string>} securityHeaders lower-case name -> value the distribution sends
 * @returns {{ blocks: Block[], problems: string[], notes: string[] }}
 */
function parseHeaders(text, securityHeaders) {
  /** @type {Block[]} */
  const blocks = [];
  /** @type {string[]} */
  const problems = [];
  /** @type {string[]} */
  const notes = [];
  /** @type {Block | null} */
  let block = null;
  text.split('\n').forEach((raw, i) => {
    const number = i + 1;
    const line = raw.replace(/\r$/, '').trim();
    if (!line || line.startsWith('#')) {
      return;
    }
    if (line.startsWith('/') || /^https?:\/\//i.test(line)) {
      const problem = pathProblem(line);
      // A block of a bad path is checked all the same, and left out.
      block = { line: number, text: line, path: normalizePath(browserForm(line)), headers: [] };
      if (problem) {
        problems.push(lineProblem(number, line, problem));
      } else {
        blocks.push(block);
      }
      return;
    }
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const problem = headerProblem(block, colon, name, value, securityHeaders);
    if (problem === 'same') {
      notes.push(lineProblem(number, line, 'the security headers policy already sends it'));
    } else if (problem) {
      problems.push(lineProblem(number, line, problem));
    } else if (block) {
      const existing = block.headers.find(([n]) => n === name);
      if (existing) {
        existing[1] += ', ' + value;
      } else {
        block.headers.push([name, value]);
      }
    }
  });
  return { blocks: blocks.filter((b) => b.headers.length), problems, notes };
}

/**
 * What is wrong with a path line, '' when nothing.
 *
 * @param {string} line
 */
function pathProblem(line) {
  if (!line.startsWith('/')) {
    return 'a path must start with /; headers are matched on the path, not on a host';
  }
  if (/\s/.test(line)) {
    return 'a path line holds one path; put each header on a line of its own below it';
  }
  const parts = line.split(/[?#]/)[0].split('/');
  if (/[?#]/.test(line) || parts.some((p, i) => (p.includes('*') && (p !== '*' || i !== parts.length - 1)) || p.slice(1).includes(':'))) {
    return 'paths take a final splat (/assets/*) and whole-segment placeholders (/blog/:slug) only, without a query string';
  }
  return '';
}

/**
 * What is wrong with a header line, '' when nothing, 'same' when the policy sends it already.
 *
 * @param {Block | null} block
 * @param {number} colon
 * @param {string} name
 * @param {string} value
 * @param {Record<string, string>} securityHeaders
 */
function headerProblem(block, colon, name, value, securityHeaders) {
  if (!block) {
    return 'a header line must follow a path line (a line starting with /)';
  }
  if (colon < 1 || !TOKEN.test(name)) {
    return 'expected "Name: value", with a header name of letters, digits and -';
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) {
    return 'the value holds a control character (a line break would inject a header)';
  }
  if (name === 'basic-auth') {
    return 'Basic-Auth is Netlify\'s password protection, which CloudFront does not have; protect the site with AWS WAF or CloudFront signed cookies instead';
  }
  if (FORBIDDEN.test(name)) {
    return 'CloudFront Functions may not set ' + name + ' (CloudFront sets it, or it describes the body it sends)';
  }
  if (name in securityHeaders) {
    return securityHeaders[name] === value ? 'same' : 'the security headers policy of the site sends ' + name + ': ' + securityHeaders[name] +
      ', which a path may not change; remove the line (or change the policy: StaticSitePipeline contentSecurityPolicy)';
  }
  return '';
}

/**
 * The header table of a release: its index `<release id>#` and the records it shares (see
 * rule-table.js), a rule being `[line, pattern, [[name, value], ...]]`.
 *
 * @param {Block[]} blocks
 * @param {string} id
 * @param {{ keyBytes: number, valueBytes: number }} limits
 */
function compileHeaders(blocks, id, limits) {
  const rules = blocks.map((b) => ({ rank: b.line, segment: firstSegment(b.path), entry: [b.line, b.path, b.headers] }));
  const tag = contentTag(rules.map((r) => r.entry));
  return tableRecords(id + CONTRACT.rules.headersKind, '~' + tag + CONTRACT.rules.headersKind, rules, limits, { t: tag });
}

/**
 * The Cache-Control of each file a block names through one of the paths it answers, its values
 * joined in the order of the file.
 *
 * @param {Block[]} blocks
 * @param {Iterable<string>} files
 * @returns {Map<string, string>} file -> Cache-Control
 */
function cacheControlOf(blocks, files) {
  const withCache = blocks.filter((b) => b.headers.some(([name]) => name === 'cache-control'));
  /** @type {Map<string, string>} */
  const result = new Map();
  for (const file of files) {
    const paths = servedPaths(file);
    /** @type {string[]} */
    const values = [];
    for (const block of withCache) {
      if (paths.some((p) => matchPath(block.path, p))) {
        const value = /** @type {[string, string]} */ (block.headers.find(([name]) => name === 'cache-control'))[1];
        if (!values.includes(value)) {
          values.push(value);
        }
      }
    }
    if (values.length) {
      result.set(file, values.join(', '));
    }
  }
  return result;
}

/**
 * The blocks of `<dir>/_headers` (none without the file); exits with every problem.
 *
 * @param {string} dir
 * @param {Record<string, string>} securityHeaders
 * @param {(message: string) => never} fail
 */
function readHeaders(dir, securityHeaders, fail) {
  const file = path.join(dir, '_headers');
  if (!fs.existsSync(file)) {
    return [];
  }
  const { blocks, problems, notes } = parseHeaders(fs.readFileSync(file, 'utf8'), securityHeaders);
  notes.forEach((note) => console.error('_headers ' + note));
  if (problems.length) {
    fail(problems.length + ' unsupported line(s) in _headers:\n' + problems.map((p) => '_headers ' + p).join('\n'));
  }
  return blocks;
}

/**
 * The CLI arguments of the uploads that give the files a block with Cache-Control names that
 * Cache-Control, grouped by Cache-Control and Content-Type, each file named by a literal filter.
 *
 * @param {Block[]} blocks
 * @param {string} dir the build
 * @param {Iterable<string>} files its files
 * @param {string} destination `s3://<bucket>/releases/<id>/`
 * @param {string} metadata the `--metadata` of every object of the release
 * @param {Record<string, string>} contentTypes extension -> Content-Type the uploads set
 * @returns {string[][]}
 */
function cacheControlUploads(blocks, dir, files, destination, metadata, contentTypes) {
  /** @type {Map<string, string[]>} */
  const groups = new Map();
  for (const [file, cacheControl] of cacheControlOf(blocks, files)) {
    const key = JSON.stringify([cacheControl, contentTypes[file.slice(file.lastIndexOf('.') + 1)] || '']);
    groups.set(key, (groups.get(key) || []).concat([literal(file)]));
  }
  return [...groups].flatMap(([key, names]) => {
    const [cacheControl, type] = JSON.parse(key);
    return batches(names, FILTER_BYTES).map((batch) => ['s3', 'cp', dir, destination, '--recursive', '--only-show-errors',
      '--cache-control', cacheControl, '--metadata', metadata].concat(type ? ['--content-type', type] : [], filters('--exclude', ['*']), filters('--include', batch)));
  });
}

module.exports = { parseHeaders, compileHeaders, cacheControlOf, cacheControlUploads, readHeaders };
