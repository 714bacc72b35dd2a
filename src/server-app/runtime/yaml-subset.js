'use strict';
// A YAML subset parser for the revision check (appspec-check.js): block mappings and sequences,
// plain and quoted scalars, one-line flow lists, comments. That covers AppSpec files; anything else
// is reported with its line number instead of being guessed at. No dependencies: it runs on a bare
// CodeBuild image.
//
// Nodes: { t: 'map', line, entries: Map<key, { line, value }> },
// { t: 'seq', line, items }, { t: 'str', line, v, q (quoted) }, { t: 'null', line }.

class YamlError extends Error {
  constructor(line, message) {
    super(message);
    this.line = line;
  }
}

function parseYaml(text) {
  const lines = [];
  const raw = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let started = false;
  for (let i = 0; i < raw.length; i++) {
    const n = i + 1;
    const m = /^([ \t]*)(.*?)[ \t]*$/.exec(raw[i]);
    const indent = m[1];
    const content = m[2];
    if (content === '' || content.startsWith('#')) continue;
    if (indent.includes('\t')) {
      throw new YamlError(n, 'tab in indentation; indent with spaces only');
    }
    if (indent === '' && /^---([ \t]|$)/.test(content)) {
      if (started) throw new YamlError(n, 'a second YAML document (---) is not supported; keep one document in the file');
      if (!/^---[ \t]*(#.*)?$/.test(content)) throw new YamlError(n, 'content after "---" is not supported; start it on the next line');
      continue;
    }
    if (indent === '' && /^\.\.\.([ \t]|$)/.test(content)) {
      throw new YamlError(n, 'the document end marker (...) is not supported; remove it');
    }
    if (indent === '' && content.startsWith('%')) {
      throw new YamlError(n, 'YAML directives (%) are not supported; remove the line');
    }
    started = true;
    lines.push({ n: n, indent: indent.length, text: content });
  }
  if (lines.length === 0) return { t: 'null', line: 1 };

  let pos = 0;

  function unexpectedIndent(line) {
    return new YamlError(line.n, 'unexpected indentation; align this line with the lines it belongs to (values that continue on a second line are not supported)');
  }

  function isDash(content) {
    return content === '-' || /^-[ \t]/.test(content);
  }

  function parseBlock(indent) {
    const line = lines[pos];
    if (isDash(line.text)) return parseSeq(indent);
    if (splitKey(line.text, line.n)) return parseMap(indent);
    pos++;
    return parseInline(line.text, line.n);
  }

  function parseMap(indent) {
    const node = { t: 'map', line: lines[pos].n, entries: new Map() };
    while (pos < lines.length) {
      const line = lines[pos];
      if (line.indent < indent) break;
      if (line.indent > indent) throw unexpectedIndent(line);
      if (isDash(line.text)) {
        throw new YamlError(line.n, 'a list item ("- ") where a "key: value" line was expected; indent the list under its key');
      }
      const kv = splitKey(line.text, line.n);
      if (!kv) throw new YamlError(line.n, 'expected "key: value"; add the missing ": " or remove the line');
      if (kv.key === '') throw new YamlError(line.n, 'missing key before ":"; write "key: value"');
      if (node.entries.has(kv.key)) {
        throw new YamlError(line.n, 'duplicate key "' + kv.key + '" (first on line ' + node.entries.get(kv.key).line + '); keep only one of them');
      }
      pos++;
      node.entries.set(kv.key, { line: line.n, value: parseValueOf(kv.rest, line, indent) });
    }
    return node;
  }

  function parseValueOf(rest, line, indent) {
    const trimmed = rest.trim();
    const next = lines[pos];
    if (trimmed === '' || trimmed.startsWith('#')) {
      if (next && next.indent > indent) return parseBlock(next.indent);
      // "key:" followed by "- item" at the same indentation is a list, as in most AppSpec examples.
      if (next && next.indent === indent && isDash(next.text)) return parseSeq(indent);
      return { t: 'null', line: line.n };
    }
    const value = parseInline(trimmed, line.n);
    if (next && next.indent > indent) throw unexpectedIndent(next);
    return value;
  }

  function parseSeq(indent) {
    const node = { t: 'seq', line: lines[pos].n, items: [] };
    while (pos < lines.length) {
      const line = lines[pos];
      if (line.indent < indent) break;
      if (line.indent > indent) throw unexpectedIndent(line);
      // A key at the list's own indentation ends a list nested as "key:\n- item".
      if (!isDash(line.text)) break;
      const after = line.text.slice(1);
      const gap = /^[ \t]*/.exec(after)[0].length;
      const content = after.slice(gap);
      if (content === '' || content.startsWith('#')) {
        pos++;
        const next = lines[pos];
        node.items.push(next && next.indent > indent ? parseBlock(next.indent) : { t: 'null', line: line.n });
      } else {
        // "- key: value" starts a block at the column of "key": reread this line as if it began there.
        const column = indent + 1 + gap;
        lines[pos] = { n: line.n, indent: column, text: content };
        node.items.push(parseBlock(column));
      }
    }
    return node;
  }

  const root = parseBlock(lines[0].indent);
  if (pos < lines.length) throw unexpectedIndent(lines[pos]);
  return root;
}

// Returns { key, rest } when the line is "key: rest", otherwise null.
function splitKey(text, n) {
  if (text[0] === '"' || text[0] === "'") {
    const q = readQuoted(text, 0, n);
    let j = q.end;
    while (text[j] === ' ' || text[j] === '\t') j++;
    if (text[j] !== ':' || !(j + 1 === text.length || text[j + 1] === ' ' || text[j + 1] === '\t')) return null;
    return { key: q.value, rest: text.slice(j + 1) };
  }
  if (text[0] === '[' || text[0] === '{') return null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '#' && (text[i - 1] === ' ' || text[i - 1] === '\t')) return null;
    if (c === ':' && (i + 1 === text.length || text[i + 1] === ' ' || text[i + 1] === '\t')) {
      return { key: text.slice(0, i).trim(), rest: text.slice(i + 1) };
    }
  }
  return null;
}

function parseInline(text, n) {
  const c = text[0];
  if (c === '"' || c === "'") {
    const q = readQuoted(text, 0, n);
    const tail = text.slice(q.end).trim();
    if (tail !== '' && !tail.startsWith('#')) {
      throw new YamlError(n, 'unexpected text after the closing quote: ' + tail + '; quote the whole value');
    }
    return { t: 'str', line: n, v: q.value, q: true };
  }
  if (c === '[') return parseFlowList(text, n);
  if (c === '{') {
    if (/^\{[ \t]*\}[ \t]*(#.*)?$/.test(text)) return { t: 'map', line: n, entries: new Map() };
    throw new YamlError(n, 'flow mappings ({ ... }) are not supported; write the mapping as indented "key: value" lines');
  }
  if (c === '|' || c === '>') {
    throw new YamlError(n, 'block scalars (| or >) are not supported; put the value on one line');
  }
  if (c === '&' || c === '*') {
    throw new YamlError(n, 'anchors and aliases (& and *) are not supported; write the value out in full');
  }
  if (c === '!') throw new YamlError(n, 'tags (!) are not supported; remove the tag');
  if (c === '@' || c === '\x60') throw new YamlError(n, 'a plain value cannot start with ' + c + '; quote the value');
  const hash = text.search(/[ \t]#/);
  const value = (hash === -1 ? text : text.slice(0, hash)).trim();
  if (/:([ \t]|$)/.test(value)) {
    throw new YamlError(n, 'a value cannot contain ": " unless quoted, and nested "key: value" on one line is not supported; quote the value or move the key to its own indented line');
  }
  return scalar(value, n);
}

function scalar(value, n) {
  if (value === '~' || value === 'null' || value === 'Null' || value === 'NULL') return { t: 'null', line: n };
  return { t: 'str', line: n, v: value, q: false };
}

function readQuoted(text, start, n) {
  const quote = text[start];
  let out = '';
  if (quote === "'") {
    for (let i = start + 1; i < text.length; i++) {
      if (text[i] === "'") {
        if (text[i + 1] === "'") {
          out += "'";
          i++;
          continue;
        }
        return { value: out, end: i + 1 };
      }
      out += text[i];
    }
  } else {
    const simple = { '\\': '\\', '"': '"', '/': '/', ' ': ' ', '0': '\0', 'n': '\n', 't': '\t', 'r': '\r' };
    for (let i = start + 1; i < text.length; i++) {
      const ch = text[i];
      if (ch === '"') return { value: out, end: i + 1 };
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const e = text[i + 1];
      if (e !== undefined && Object.prototype.hasOwnProperty.call(simple, e)) {
        out += simple[e];
        i++;
        continue;
      }
      const size = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      const hex = text.slice(i + 2, i + 2 + size);
      if (size === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== size) {
        throw new YamlError(n, 'unsupported escape \\' + (e || '') + ' in a double-quoted string; use single quotes, or \\\\ for a backslash');
      }
      out += String.fromCodePoint(parseInt(hex, 16));
      i += 1 + size;
    }
  }
  throw new YamlError(n, 'unterminated quoted string; close the quote on the same line (multi-line strings are not supported)');
}

function parseFlowList(text, n) {
  const node = { t: 'seq', line: n, items: [] };
  let i = 1;
  const skipSpace = () => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  for (;;) {
    skipSpace();
    const c = text[i];
    if (c === undefined) {
      throw new YamlError(n, 'unterminated flow list; close it with "]" on the same line');
    }
    if (c === ']') {
      i++;
      break;
    }
    if (c === '[' || c === '{') {
      throw new YamlError(n, 'nested flow collections are not supported; write the list as indented "- item" lines');
    }
    if (c === '"' || c === "'") {
      const q = readQuoted(text, i, n);
      node.items.push({ t: 'str', line: n, v: q.value, q: true });
      i = q.end;
    } else {
      let j = i;
      while (j < text.length && text[j] !== ',' && text[j] !== ']') j++;
      const value = text.slice(i, j).trim();
      if (value === '') throw new YamlError(n, 'empty item in a flow list; remove the extra comma');
      if (/:([ \t]|$)/.test(value)) {
        throw new YamlError(n, 'mappings inside flow lists are not supported; write the list as indented "- key: value" lines');
      }
      node.items.push(scalar(value, n));
      i = j;
    }
    skipSpace();
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] !== ']') throw new YamlError(n, 'expected "," or "]" in a flow list; separate items with commas');
  }
  const tail = text.slice(i).trim();
  if (tail !== '' && !tail.startsWith('#')) {
    throw new YamlError(n, 'unexpected text after "]": ' + tail + '; remove it');
  }
  return node;
}

module.exports = { parseYaml, YamlError };
