'use strict';
// CodeDeploy revision check of ServerAppPipeline's build (runtime/ program of cdk-deploy-pipelines).
// Usage: node appspec-check.js <revision directory>
// It runs after the build and before the revision is zipped, so a broken
// appspec.yml fails the build with a clear message instead of failing the
// deployment minutes later. It has no dependencies on purpose: it must run on
// a bare CodeBuild image.
const fs = require('fs');
const path = require('path');
const { parseYaml, YamlError } = require('./yaml-subset.js');

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
