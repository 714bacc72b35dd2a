// @ts-check
'use strict';
// What `_redirects` and `_headers` (runtime/redirect-records.js, runtime/headers.js) share: how a
// path is matched, and how a release's rules are laid out in the KeyValueStore so that the CloudFront
// functions read as few keys as they can. The functions (runtime/routing.js and
// runtime/preview-response.js) match paths with runtime/edge-rules.js, which this file loads too.
//
// A release R's rules of kind K ('*' redirects, '#' headers) are an index, `R K`, read first, and
// records shared by every release whose rules are the same, under `~T`, T a hash of their content
// (the next release of an unchanged file writes nothing but its index; pruning deletes what no
// index names any more):
// - `R K`: `{ t: T, w: [rules whose first path segment is not a literal], x: n (more of them in
//   `~T K 1` .. `~T K n`), c: [first segments that have rules] or 1 (any may), ... }`;
// - `~T K <segment>`: the rules whose pattern starts with that literal segment, `{ r: [...], n }`,
//   (n left out when 0)
//   continued in `~T K <segment> 1` .. `~T K <segment> n` when they do not fit in one value.
// Every rule carries its rank (its line), so the reader applies them in the order of the file.
// (No space between the parts above: `~<T><K><segment>`; a continuation adds ' <i>', and a path
// segment never holds a space.)

// How a path is normalized and matched: the functions' own code, so both sides agree.
const { edgePath: normalizePath, edgeMatch: matchPath } = require('./edge-rules.js');

/**
 * The literal first segment of a pattern, or '' when it has none (a root path `/`, `/*`, `/:x`):
 * such rules are in the index, which every lookup reads.
 *
 * @param {string} pattern
 */
function firstSegment(pattern) {
  const segment = pattern.split('/')[1] || '';
  return segment === '*' || segment.startsWith(':') ? '' : segment;
}

/**
 * The store records of a table: the release's index `indexKey` and the shared ones under
 * `chunkPrefix` (`~<tag><kind>`), per first segment, each value within `valueBytes` (continued under
 * ' <i>' when the rules do not fit). Throws when one rule alone does not fit, naming its line.
 *
 * @param {string} indexKey `<release id><kind>`
 * @param {string} chunkPrefix `~<tag><kind>`
 * @param {{ rank: number, segment: string, entry: unknown[] }[]} rules in the order of the file
 * @param {{ valueBytes: number, keyBytes: number }} limits
 * @param {Record<string, unknown>} head more fields of the index
 * @returns {{ Key: string, Value: string }[]} the index first
 */
function tableRecords(indexKey, chunkPrefix, rules, limits, head) {
  /** @type {Map<string, unknown[][]>} */
  const bySegment = new Map();
  for (const rule of rules) {
    const list = bySegment.get(rule.segment) || [];
    list.push(rule.entry);
    bySegment.set(rule.segment, list);
    if (rule.segment && Buffer.byteLength(chunkPrefix + rule.segment + ' 99') > limits.keyBytes) {
      throw new Error('line ' + rule.rank + ': the first path segment is longer than a store key takes (' + limits.keyBytes + ' bytes)');
    }
  }
  const segments = [...bySegment.keys()].filter(Boolean);
  /** @type {{ Key: string, Value: string }[]} */
  const records = [];
  for (const segment of segments) {
    const chunks = chunked(/** @type {unknown[][]} */ (bySegment.get(segment)), limits.valueBytes, 12);
    records.push(...chunks.map((chunk, i) => ({
      Key: chunkPrefix + segment + (i ? ' ' + i : ''),
      Value: JSON.stringify(i || chunks.length === 1 ? { r: chunk } : { r: chunk, n: chunks.length - 1 }),
    })));
  }
  // The index lists the segments when the list fits beside the first rules; else any may have some.
  const c = !segments.length ? 0 : Buffer.byteLength(JSON.stringify(segments)) <= limits.valueBytes / 2 ? segments : 1;
  const overhead = Buffer.byteLength(JSON.stringify({ ...head, c, x: 0, w: [] })) + 4;
  const wild = chunked(bySegment.get('') || [], limits.valueBytes, overhead);
  records.unshift({ Key: indexKey, Value: JSON.stringify({ ...head, c, x: wild.length - 1, w: wild[0] || [] }) });
  wild.slice(1).forEach((chunk, i) => records.push({ Key: chunkPrefix + ' ' + (i + 1), Value: JSON.stringify({ r: chunk }) }));
  return records;
}

/**
 * The tag of shared records: 8 characters of the SHA-256 of what they hold (base64url).
 *
 * @param {unknown} content
 */
function contentTag(content) {
  return require('crypto').createHash('sha256').update(JSON.stringify(content)).digest('base64url').slice(0, 8);
}

/**
 * Entries in groups whose JSON fits in `bytes` less `overhead`; at least one group.
 *
 * @param {unknown[][]} entries
 * @param {number} bytes
 * @param {number} overhead
 * @returns {unknown[][][]}
 */
function chunked(entries, bytes, overhead) {
  /** @type {unknown[][][]} */
  const groups = [[]];
  let size = overhead + 2;
  for (const entry of entries) {
    const length = Buffer.byteLength(JSON.stringify(entry)) + 1;
    if (length + overhead + 2 > bytes) {
      throw new Error('line ' + entry[0] + ': the rule takes ' + length + ' bytes, more than a store value takes (' + bytes + ' bytes)');
    }
    if (size + length > bytes) {
      groups.push([]);
      size = overhead + 2;
    }
    groups[groups.length - 1].push(entry);
    size += length;
  }
  return groups;
}

/**
 * The rule keys no kept release needs: the indexes (and records made before shared records) of
 * releases of `releaseId` not in `kept`, and the shared records no other index names.
 *
 * @param {{ Key: string, Value: string }[]} items the store's keys and values
 * @param {Set<string>} kept
 * @param {RegExp} releaseId the ids of releases the caller prunes
 * @returns {string[]}
 */
function staleRuleKeys(items, kept, releaseId) {
  /** @type {string[]} */
  const stale = [];
  const named = new Set();
  for (const { Key, Value } of items) {
    const release = /^([^/*#~]+)[/*#]/.exec(Key);
    if (release && releaseId.test(release[1]) && !kept.has(release[1])) {
      stale.push(Key);
    } else if (release && /^[^/]*[*#]$/.test(Key)) {
      try {
        named.add(JSON.parse(Value).t);
      } catch (e) {
        // Not an index of this program.
      }
    }
  }
  const shared = items.map((item) => item.Key).filter((key) => /^~/.test(key) && !named.has(key.slice(1, 9)));
  return stale.concat(shared);
}

/**
 * A `_redirects`/`_headers` problem, named by its line.
 *
 * @param {number} line
 * @param {string} text
 * @param {string} problem
 */
function lineProblem(line, text, problem) {
  return 'line ' + line + ' "' + printable(text) + '": ' + problem;
}

/**
 * A line as it may be printed: at most 200 characters, control characters escaped.
 *
 * @param {string} text
 */
function printable(text) {
  // eslint-disable-next-line no-control-regex
  const safe = text.replace(/[\x00-\x1f\x7f]/g, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
  return safe.length > 200 ? safe.slice(0, 200) + '...' : safe;
}

module.exports = { normalizePath, matchPath, firstSegment, tableRecords, contentTag, staleRuleKeys, lineProblem };
