'use strict';
// CodeDeploy revision check of ServerAppPipeline's build (runtime/ program of cdk-deploy-pipelines).
// Usage: node appspec-check.js <revision directory>
// It runs after the build and before the revision is zipped, so a broken
// appspec.yml fails the build with a clear message instead of failing the
// deployment minutes later. It has no dependencies on purpose: it must run on
// a bare CodeBuild image.
const fs = require('fs');
const path = require('path');

const PREFIX = 'appspec check: ';
// CodeDeploy stops a lifecycle event whose scripts run longer than this in total.
const MAX_EVENT_SECONDS = 3600;
// The agent gives a hook without a timeout one hour, so such a hook alone uses up the event.
const DEFAULT_TIMEOUT_SECONDS = 3600;
const EVENTS = [
  'ApplicationStop', 'BeforeInstall', 'AfterInstall', 'ApplicationStart', 'ValidateService',
  'BeforeBlockTraffic', 'AfterBlockTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic',
];
// These events exist but the agent runs them itself, so they cannot have scripts.
const RESERVED_EVENTS = ['Start', 'DownloadBundle', 'Install', 'BlockTraffic', 'AllowTraffic', 'End'];
const TOP_LEVEL_KEYS = ['version', 'os', 'files', 'permissions', 'hooks', 'file_exists_behavior'];
// "sudo" is undocumented but the agent reads it, so it must not be reported as a typo.
const HOOK_KEYS = ['location', 'timeout', 'runas', 'sudo'];
const FILE_EXISTS_BEHAVIORS = ['DISALLOW', 'OVERWRITE', 'RETAIN'];
// The agent looks for appspec.yml first, then appspec.yaml.
const APPSPEC_NAMES = ['appspec.yml', 'appspec.yaml'];
// How deep to look for a misplaced appspec.yml when the root has none.
const NESTED_SEARCH_DEPTH = 3;

// ---------------------------------------------------------------------------
// A YAML subset parser: block mappings and sequences, plain and quoted scalars,
// one-line flow lists, comments. That covers AppSpec files; anything else is
// reported with its line number instead of being guessed at.
// Nodes: { t: 'map', line, entries: Map<key, { line, value }> },
// { t: 'seq', line, items }, { t: 'str', line, v, q (quoted) }, { t: 'null', line }.
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Revision checks
// ---------------------------------------------------------------------------

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch (e) {
    return false;
  }
}

function isDirectory(p) {
  try {
    return fs.statSync(p).isDirectory();
  } catch (e) {
    return false;
  }
}

// Finds appspec files below the root, shallowest first, to tell the user where theirs went.
function findNestedAppspecs(root) {
  const found = [];
  let level = [''];
  for (let depth = 1; depth <= NESTED_SEARCH_DEPTH && found.length === 0 && level.length > 0; depth++) {
    const next = [];
    for (const rel of level) {
      let entries;
      try {
        entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
      } catch (e) {
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
        const sub = rel === '' ? entry.name : rel + '/' + entry.name;
        for (const name of APPSPEC_NAMES) {
          if (isFile(path.join(root, sub, name))) found.push(sub + '/' + name);
        }
        next.push(sub);
      }
    }
    level = next;
  }
  return found.slice(0, 3);
}

function describe(node) {
  switch (node.t) {
    case 'null': return 'empty';
    case 'map': return 'a mapping';
    case 'seq': return node.items.length === 0 ? 'an empty list' : 'a list';
    default: return node.q ? JSON.stringify(node.v) : node.v;
  }
}

function isText(node) {
  return node.t === 'str' && node.v.trim() !== '';
}

function plural(count, noun) {
  return count + ' ' + noun + (count === 1 ? '' : 's');
}

function checkRevision(dirArg) {
  const problems = [];
  const add = (line, message) => problems.push({ line: line, message: message });
  const result = { problems: problems, summary: '' };
  const root = path.resolve(dirArg);

  if (!isDirectory(root)) {
    add(0, 'revision directory ' + dirArg + ' does not exist; make the build write its output there, or check the directory given to the check');
    return result;
  }

  const name = APPSPEC_NAMES.find((candidate) => isFile(path.join(root, candidate)));
  if (!name) {
    const nested = findNestedAppspecs(root);
    if (nested.length === 0) {
      add(0, 'no appspec.yml in ' + dirArg + '; the build output directory must contain appspec.yml at its root, so add one there (see the CodeDeploy AppSpec file reference)');
    } else {
      const folder = path.posix.join(dirArg.split(path.sep).join('/'), nested[0].slice(0, nested[0].lastIndexOf('/')));
      add(0, 'no appspec.yml at the root of ' + dirArg + ' (found ' + nested.join(', ') + ' inside it); the build output directory must contain appspec.yml at its root, so move it there or make ' + folder + ' the build output directory');
    }
    return result;
  }

  let doc;
  try {
    doc = parseYaml(fs.readFileSync(path.join(root, name), 'utf8'));
  } catch (e) {
    if (!(e instanceof YamlError)) throw e;
    add(e.line, name + ' line ' + e.line + ': cannot parse: ' + e.message);
    return result;
  }

  const at = (line) => name + ' line ' + line + ': ';
  const entry = (map, key) => map.entries.get(key);

  if (doc.t === 'null') {
    add(0, name + ' is empty; add at least "version: 0.0" and "os: linux" to it');
    return result;
  }
  if (doc.t !== 'map') {
    add(doc.line, at(doc.line) + 'the top level is ' + describe(doc) + ' but must be "key: value" lines; start the file with "version: 0.0" and "os: linux"');
    return result;
  }

  for (const [key, e] of doc.entries) {
    if (!TOP_LEVEL_KEYS.includes(key)) {
      add(e.line, at(e.line) + 'unknown top-level key "' + key + '"; use only ' + TOP_LEVEL_KEYS.join(', ') + ' (check spelling, case and indentation)');
    }
  }

  const version = entry(doc, 'version');
  if (!version) {
    add(0, name + ': version is missing; add "version: 0.0" as a top-level line');
  } else {
    const v = version.value;
    // The agent compares the parsed YAML value with the number 0.0, so only a bare number passes.
    const isZero = v.t === 'str' && !v.q && /^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(v.v) && Number(v.v) === 0;
    if (!isZero && v.t === 'str' && v.q && v.v === '0.0') {
      add(version.line, at(version.line) + 'version is the string "0.0", which the CodeDeploy agent rejects; remove the quotes: version: 0.0');
    } else if (!isZero) {
      add(version.line, at(version.line) + 'version is ' + describe(v) + ' but must be 0.0; set "version: 0.0" (the only version CodeDeploy supports)');
    }
  }

  // Without a valid os, check as linux: it is the stricter case (scripts must be executable).
  let os = 'linux';
  const osEntry = entry(doc, 'os');
  if (!osEntry) {
    add(0, name + ': os is missing; add "os: linux" (Amazon Linux, Ubuntu Server, RHEL) or "os: windows" (Windows Server) as a top-level line');
  } else if (osEntry.value.t === 'str' && (osEntry.value.v === 'linux' || osEntry.value.v === 'windows')) {
    os = osEntry.value.v;
  } else {
    add(osEntry.line, at(osEntry.line) + 'os is ' + describe(osEntry.value) + ' but must be linux or windows; set "os: linux" for Amazon Linux, Ubuntu Server and RHEL, or "os: windows" for Windows Server');
  }

  // Paths in the AppSpec are relative to the revision root; the agent joins them under it,
  // so a leading slash still means "from the root" and a lone "/" means the whole revision.
  const resolve = (value) => {
    let p = value.trim();
    if (os === 'windows') p = p.replace(/\\/g, '/');
    const abs = path.resolve(root, p.replace(/^\/+/, ''));
    const rel = path.relative(root, abs);
    const outside = rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel);
    return { abs: abs, outside: outside };
  };

  let fileMappings = 0;
  const files = entry(doc, 'files');
  if (files && files.value.t !== 'null') {
    if (files.value.t !== 'seq') {
      add(files.line, at(files.line) + 'files is ' + describe(files.value) + ' but must be a list; write each mapping as "- source: <path in the revision>" with "destination: <absolute path>" under it');
    } else {
      for (const item of files.value.items) {
        if (item.t !== 'map') {
          add(item.line, at(item.line) + 'a files entry is ' + describe(item) + ' but must have a source and a destination; write it as "- source: <path in the revision>" with "destination: <absolute path>" under it');
          continue;
        }
        fileMappings++;
        const source = entry(item, 'source');
        if (!source || !isText(source.value)) {
          const line = source ? source.line : item.line;
          add(line, at(line) + 'a files entry has no source; add "source: <path in the revision>" ("/" copies the whole revision)');
        } else {
          const r = resolve(source.value.v);
          if (r.outside) {
            add(source.line, at(source.line) + 'files source ' + source.value.v + ' points outside the revision; use a path inside the build output directory');
          } else if (!fs.existsSync(r.abs)) {
            add(source.line, at(source.line) + 'files source ' + source.value.v + ' does not exist in the revision; make the build put it in the build output directory, or fix the path (it is relative to the revision root, "/" means the whole revision)');
          }
        }
        const destination = entry(item, 'destination');
        if (!destination || !isText(destination.value)) {
          const line = destination ? destination.line : item.line;
          add(line, at(line) + 'a files entry has no destination; add "destination: <absolute path on the instance>"');
        } else {
          const d = destination.value.v.trim();
          const absolute = os === 'windows' ? /^([A-Za-z]:[\\/]|\\\\)/.test(d) : d.startsWith('/');
          if (!absolute) {
            add(destination.line, at(destination.line) + 'files destination ' + d + ' is not an absolute path; use a fully qualified path such as ' + (os === 'windows' ? 'c:\\app' : '/opt/app'));
          }
        }
      }
    }
  }

  const behavior = entry(doc, 'file_exists_behavior');
  if (behavior && !(behavior.value.t === 'str' && FILE_EXISTS_BEHAVIORS.includes(behavior.value.v))) {
    add(behavior.line, at(behavior.line) + 'file_exists_behavior is ' + describe(behavior.value) + ' but must be DISALLOW, OVERWRITE or RETAIN; use one of those or remove the line (DISALLOW is the default)');
  }

  let hookScripts = 0;
  let hookEvents = 0;
  const hooks = entry(doc, 'hooks');
  if (hooks && hooks.value.t !== 'null') {
    if (hooks.value.t !== 'map') {
      add(hooks.line, at(hooks.line) + 'hooks is ' + describe(hooks.value) + ' but must map lifecycle events to scripts; write "hooks:", then "  AfterInstall:" under it, then "    - location: scripts/after-install.sh" under that');
    } else {
      for (const [event, e] of hooks.value.entries) {
        if (RESERVED_EVENTS.includes(event)) {
          add(e.line, at(e.line) + 'lifecycle event ' + event + ' is run by the CodeDeploy agent itself and cannot have hook scripts; move its scripts to one of ' + EVENTS.join(', '));
          continue;
        }
        if (!EVENTS.includes(event)) {
          add(e.line, at(e.line) + 'unknown lifecycle event ' + event + ' in hooks; use one of ' + EVENTS.join(', ') + ' (names are case-sensitive)');
          continue;
        }
        if (e.value.t !== 'seq' || e.value.items.length === 0) {
          add(e.line, at(e.line) + 'hooks of ' + event + ' are ' + describe(e.value) + ' but must be a list of scripts; write "- location: <script path>" (optionally with "timeout:" and "runas:") under ' + event);
          continue;
        }
        hookEvents++;
        let total = 0;
        let timeoutsValid = true;
        let defaulted = false;
        for (const item of e.value.items) {
          if (item.t !== 'map') {
            add(item.line, at(item.line) + 'a hook of ' + event + ' is ' + describe(item) + ' but must be a mapping; write it as "- location: <script path>"');
            timeoutsValid = false;
            continue;
          }
          for (const [key, k] of item.entries) {
            if (!HOOK_KEYS.includes(key)) {
              add(k.line, at(k.line) + 'unknown key "' + key + '" in a hook of ' + event + '; use only location, timeout and runas (check spelling and indentation)');
            }
          }
          const location = entry(item, 'location');
          let label = 'a hook of ' + event;
          if (!location || !isText(location.value)) {
            const line = location ? location.line : item.line;
            add(line, at(line) + 'a hook of ' + event + ' has no location; add "location: <script path relative to the revision root>"');
          } else {
            hookScripts++;
            const loc = location.value.v.trim();
            label = 'hook script ' + loc + ' (' + event + ')';
            const r = resolve(loc);
            let stat = null;
            try {
              stat = r.outside ? null : fs.statSync(r.abs);
            } catch (err) {
              stat = null;
            }
            if (r.outside) {
              add(location.line, at(location.line) + label + ' points outside the revision; use a path inside the build output directory');
            } else if (!stat) {
              add(location.line, at(location.line) + label + ' does not exist in the revision; make the build copy it into the build output directory, or fix the location (it is relative to the revision root)');
            } else if (stat.isDirectory()) {
              add(location.line, at(location.line) + label + ' is a directory; point location at the script file');
            // eslint-disable-next-line no-bitwise -- file mode bits: any execute bit, then the permission bits
            } else if (os === 'linux' && (stat.mode & 0o111) === 0) {
              // eslint-disable-next-line no-bitwise -- the permission bits of the mode, shown in octal
              const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
              add(location.line, at(location.line) + label + ' is not executable (mode ' + mode + '); run "chmod +x ' + path.posix.join(dirArg.split(path.sep).join('/'), loc) + '" in the build, or commit the script as executable (git update-index --chmod=+x)');
            }
          }
          const timeout = entry(item, 'timeout');
          if (!timeout || timeout.value.t === 'null') {
            total += DEFAULT_TIMEOUT_SECONDS;
            defaulted = true;
          } else if (timeout.value.t === 'str' && /^[0-9]+$/.test(timeout.value.v) && Number(timeout.value.v) >= 1 && Number(timeout.value.v) <= MAX_EVENT_SECONDS) {
            total += Number(timeout.value.v);
          } else {
            timeoutsValid = false;
            add(timeout.line, at(timeout.line) + 'timeout ' + describe(timeout.value) + ' of ' + label + ' is not a whole number of seconds from 1 to ' + MAX_EVENT_SECONDS + '; set it in that range');
          }
        }
        // A bad timeout is already reported; a sum that includes it would only repeat that.
        if (timeoutsValid && total > MAX_EVENT_SECONDS) {
          add(e.line, at(e.line) + 'hook timeouts of ' + event + ' add up to ' + total + ' seconds, over the limit of ' + MAX_EVENT_SECONDS + ' per lifecycle event' + (defaulted ? ' (a hook without timeout counts as ' + DEFAULT_TIMEOUT_SECONDS + ')' : '') + '; lower the timeouts so they add up to ' + MAX_EVENT_SECONDS + ' or less');
        }
      }
    }
  }

  result.summary = 'OK: ' + name + ' in ' + dirArg + ' (os ' + os + ', ' + plural(fileMappings, 'file mapping') + ', ' + plural(hookScripts, 'hook script') + ' in ' + plural(hookEvents, 'lifecycle event') + ')';
  return result;
}

function main() {
  const args = process.argv.slice(2);
  const dirArg = args[0];
  if (!dirArg) {
    console.error(PREFIX + 'no revision directory given; run the check as "node <script> <revision directory>"');
    return 1;
  }
  let result;
  try {
    result = checkRevision(dirArg);
  } catch (e) {
    console.error(PREFIX + 'internal error while checking ' + dirArg + ': ' + (e && e.stack ? e.stack : String(e)) + '; report this to cdk-deploy-pipelines');
    return 1;
  }
  if (result.problems.length === 0) {
    console.log(PREFIX + result.summary);
    return 0;
  }
  // Report in file order so the messages can be read alongside appspec.yml.
  const sorted = result.problems
    .map((p, i) => ({ line: p.line, message: p.message, i: i }))
    .sort((a, b) => a.line - b.line || a.i - b.i);
  for (const p of sorted) console.error(PREFIX + p.message);
  console.error(PREFIX + result.problems.length + ' problem(s) in ' + dirArg);
  return 1;
}

process.exitCode = main();
