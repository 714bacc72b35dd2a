// @ts-check
'use strict';
// The preview program of StaticSitePipeline's pull-request previews. The preview projects run it in
// CodeBuild (`node preview.js <command> <name> ...`) after uploading the preview's files; it drives
// the AWS CLI and needs nothing but the CLI, Node.js 16+ and the environment variables below.
//
// - `publish <name> [dir]`: checks that every file of <dir> is in releases/$RELEASE_ID/ (without
//   <dir>: that it holds files), then in one
//   update of the KeyValueStore names that release `preview:<name>`, keeps a valid token of the
//   preview or adds one (`token:<32 hex>` -> `<expiry epoch seconds> <name>`), deletes expired
//   tokens, and makes room for a new preview by removing the oldest beyond $PREVIEW_MAX. Then it
//   deletes the files of the release the preview replaced and of removed previews, and prints the
//   preview link (the only output on stdout; the log goes to stderr).
// - `remove <name>`: deletes `preview:<name>`, its tokens and its release's files. Removing a preview
//   that does not exist succeeds.
//
// It only deletes releases whose id has the shape of a preview release (PREVIEW_RELEASE_ID): the
// live release and those kept for rollback never have it, and the preview role may not touch them.
//
// Previews of several pull requests are published at once, beside go-live steps: each store write
// is planned on the records as they are and made again if another program wrote in between
// (site-cli.js writeStore), and none starts unless the step has the time to finish it (step-clock.js).

const crypto = require('crypto');

const [command, ...args] = process.argv.slice(2);
const CONTRACT = require('./release-contract.json');
const { siteCli, localFiles } = require('./site-cli.js');
const { stepClock } = require('./step-clock.js');
const PREFIX = CONTRACT.releasesPrefix;
const ENV = CONTRACT.environment;
const PREVIEW_ENV = CONTRACT.preview.environment;
const LIMITS = CONTRACT.keyValueStoreLimits;
const PREVIEW_KEY = CONTRACT.previewKeyPrefix;
const TOKEN_KEY = CONTRACT.tokenKeyPrefix;
const NAME = new RegExp(CONTRACT.preview.namePattern);
// `<UTC time>-p<commit>-<name>`: the `p` after the time is what the preview role's IAM grant
// (releases/????????T??????Z-p*) matches; a pipeline release has a hex commit there, never a `p`.
const PREVIEW_RELEASE_ID = new RegExp(CONTRACT.preview.releaseIdPattern);
const TOKEN = /^[0-9a-f]{32}$/;
// The name the go-live check gives its candidate (never a preview's): never counted against, nor removed by, previews.
const VERIFY_NAME = CONTRACT.preview.goLiveCheckName;

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error('Preview failed: ' + message);
  process.exit(1);
}

const { env, run, json, kvs, writeStore, s3 } = siteCli(fail);
/** A store write with its conflict retries, kept before it starts: the store is never left half written. */
const WRITE_MS = 20000;

/** @param {string} message */
function log(message) {
  console.error(message);
}

/**
 * @typedef {{ token: string, expires: number, name: string }} Token
 * @typedef {{ previews: Map<string, string>, tokens: Token[] }} Records
 */

/**
 * The preview and token records of the store.
 *
 * @returns {Records}
 */
function records() {
  /** @type {{ Key: string, Value: string }[]} */
  const items = kvs('list-keys').Items || [];
  const previews = new Map();
  /** @type {Token[]} */
  const tokens = [];
  for (const { Key, Value } of items) {
    if (Key.startsWith(PREVIEW_KEY)) {
      previews.set(Key.slice(PREVIEW_KEY.length), Value);
    } else if (Key.startsWith(TOKEN_KEY)) {
      const [expires, name] = Value.split(' ');
      tokens.push({ token: Key.slice(TOKEN_KEY.length), expires: Number(expires), name });
    }
  }
  return { previews, tokens };
}

/**
 * Fails, changing nothing, unless the step has the time for a store write.
 *
 * @param {string} what
 */
function requireTime(what) {
  const short = stepClock(env).shortOf(WRITE_MS, what);
  if (short) {
    fail('too little time is left to change the store: ' + short + ' The preview was not changed; run the step again.');
  }
}

/**
 * Fails unless `puts` fit in the store beside what it holds.
 *
 * @param {{ Key: string, Value: string }[]} puts
 * @param {number} used the store's size in bytes
 */
function checkFits(puts, used) {
  const bytes = puts.reduce((sum, p) => sum + Buffer.byteLength(p.Key) + Buffer.byteLength(p.Value), 0);
  if (used + bytes > LIMITS.storeBytes) {
    fail('the preview records (' + bytes + ' bytes) do not fit in the KeyValueStore (' + used + ' of ' + LIMITS.storeBytes +
      ' bytes used); lower previews.maxPreviews or releasesToKeep.');
  }
}

/**
 * Deletes the files of a preview release; any other release is left alone.
 *
 * @param {string | undefined} id
 */
function deleteRelease(id) {
  if (!id || !PREVIEW_RELEASE_ID.test(id)) {
    if (id) {
      log('Release ' + id + ' is not a preview release; its files are kept.');
    }
    return;
  }
  run(['s3', 'rm', s3(PREFIX + id + '/'), '--recursive', '--only-show-errors']);
  log('Deleted the files of release ' + id);
}

/**
 * Every file of the build must be in the release with its size before the preview names it; without
 * the build at hand, the release must hold a file at least.
 *
 * @param {string | undefined} dir
 * @param {string} id
 */
function verify(dir, id) {
  const prefix = PREFIX + id + '/';
  const listed = json(['s3api', 'list-objects-v2', '--bucket', env(ENV.bucket), '--prefix', prefix]).Contents || [];
  const remote = new Map(listed.map((/** @type {{ Key: string, Size: number }} */ o) => [o.Key.slice(prefix.length), o.Size]));
  if (dir === undefined) {
    if (!remote.size) {
      fail(s3(prefix) + ' holds no file. The preview was not changed.');
    }
    log('Found ' + remote.size + ' files in ' + s3(prefix));
    return;
  }
  const files = localFiles(dir);
  const missing = [...files].filter(([file, size]) => remote.get(file) !== size).map(([file]) => file);
  if (missing.length) {
    fail(missing.length + ' of ' + files.size + ' files are missing or incomplete in ' + s3(prefix) + ': ' +
      missing.slice(0, 10).join(', ') + (missing.length > 10 ? ', ...' : '') + '. The preview was not changed.');
  }
  log('Verified ' + files.size + ' files in ' + s3(prefix));
}

/** @param {string} name */
function checkName(name) {
  if (!NAME.test(name || '')) {
    fail('the preview name must match ' + NAME.source + ', got \'' + name + '\'.');
  }
}

/**
 * The preview link: $PREVIEW_URL with `{name}` replaced, and the token as a query parameter.
 *
 * @param {string} name
 * @param {string} token
 */
function link(name, token) {
  const base = env(PREVIEW_ENV.url).split('{name}').join(name);
  return base + (base.includes('?') ? '&' : '?') + CONTRACT.previewTokenQuery + '=' + token;
}

/**
 * @param {string} name
 * @param {string | undefined} dir
 */
async function publish(name, dir) {
  checkName(name);
  const id = env(ENV.releaseId);
  if (!PREVIEW_RELEASE_ID.test(id)) {
    fail('release id ' + id + ' is not a preview release id (' + PREVIEW_RELEASE_ID.source + ').');
  }
  const max = Number(env(PREVIEW_ENV.maxPreviews));
  const linkSeconds = Number(env(PREVIEW_ENV.linkSeconds));
  verify(dir, id);
  requireTime('naming the preview');

  // Planned on the records as the store holds them, again after another program's write.
  const plan = await writeStore((store) => {
    const now = Math.floor(Date.now() / 1000);
    const { previews, tokens } = records();
    const replaced = previews.get(name);
    // The oldest previews (by release id, which starts with its time) make room for a new one.
    const others = [...previews].filter(([other]) => other !== name && other !== VERIFY_NAME).sort((a, b) => a[1] < b[1] ? -1 : 1);
    const evicted = others.slice(0, Math.max(0, others.length + 1 - max));
    const gone = new Set(evicted.map(([other]) => other));
    const valid = tokens.filter((t) => t.name === name && t.expires > now && TOKEN.test(t.token)).sort((a, b) => b.expires - a.expires);
    const token = valid.length ? valid[0].token : crypto.randomBytes(16).toString('hex');
    const puts = [{ Key: PREVIEW_KEY + name, Value: id }];
    if (!valid.length) {
      puts.push({ Key: TOKEN_KEY + token, Value: (now + linkSeconds) + ' ' + name });
    }
    checkFits(puts, store.size);
    const deletes = evicted.map(([other]) => PREVIEW_KEY + other)
      .concat(tokens.filter((t) => t.expires <= now || gone.has(t.name)).map((t) => TOKEN_KEY + t.token));
    return { puts, deletes, replaced, evicted, token };
  });
  log('Preview ' + name + ' is release ' + id + (plan.replaced ? ' (it was ' + plan.replaced + ')' : '') + '.');
  for (const [other, otherId] of plan.evicted) {
    log('Removed preview ' + other + ' (release ' + otherId + '): at most ' + max + ' previews are kept (previews.maxPreviews).');
    deleteRelease(otherId);
  }
  if (plan.replaced && plan.replaced !== id) {
    deleteRelease(plan.replaced);
  }
  process.stdout.write(link(name, plan.token) + '\n');
}

/** @param {string} name */
async function remove(name) {
  checkName(name);
  requireTime('removing the preview');
  const plan = await writeStore(() => {
    const { previews, tokens } = records();
    const id = previews.get(name);
    const own = tokens.filter((t) => t.name === name).map((t) => TOKEN_KEY + t.token);
    return { puts: [], deletes: (id === undefined ? [] : [PREVIEW_KEY + name]).concat(own), id, tokens: own.length };
  });
  if (!plan.deletes.length) {
    log('There is no preview ' + name + '; nothing changed.');
    return;
  }
  deleteRelease(plan.id);
  log('Removed preview ' + name + (plan.id ? ' (release ' + plan.id + ')' : '') + ' and its ' + plan.tokens + ' token(s).');
}

async function main() {
  if (command === 'publish') {
    await publish(args[0], args[1]);
  } else if (command === 'remove') {
    await remove(args[0]);
  } else {
    fail('unknown command ' + command + '; use publish <name> [dir] or remove <name>');
  }
}

main().catch((e) => fail(/** @type {Error} */ (e).message));
