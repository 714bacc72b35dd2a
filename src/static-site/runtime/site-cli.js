// @ts-check
'use strict';
// What the release and preview programs share: the AWS CLI calls on the site's bucket and
// KeyValueStore, read from the environment the contract names, and the files of a build.

const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const CONTRACT = require('./release-contract.json');
const ENV = CONTRACT.environment;
const LIMITS = CONTRACT.keyValueStoreLimits;

/**
 * The CLI helpers of a program that ends with `fail(message)` on a missing variable.
 *
 * @param {(message: string) => never} fail
 */
function siteCli(fail) {
  /**
   * @param {string} name
   * @returns {string}
   */
  function env(name) {
    const value = process.env[name];
    if (!value) {
      return fail('environment variable ' + name + ' is not set.');
    }
    return value;
  }

  /**
   * Runs the AWS CLI without a shell (arguments are passed as they are); returns its output.
   *
   * @param {string[]} argv
   * @returns {string}
   */
  function run(argv) {
    try {
      return execFileSync('aws', argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
    } catch (e) {
      const error = /** @type {{ stderr?: string, message: string }} */ (e);
      throw new Error('aws ' + argv.slice(0, 2).join(' ') + ' failed: ' + String(error.stderr || error.message).trim());
    }
  }

  /**
   * @param {string[]} argv
   * @returns {any}
   */
  function json(argv) {
    const out = run(argv.concat(['--output', 'json'])).trim();
    return out ? JSON.parse(out) : {};
  }

  /**
   * @param {string} operation
   * @param {string[]} [extra]
   * @returns {any}
   */
  function kvs(operation, extra) {
    return json(['cloudfront-keyvaluestore', operation, '--kvs-arn', env(ENV.keyValueStoreArn)].concat(extra || []));
  }

  /**
   * Puts and deletes keys in batches of the most one UpdateKeys call takes; every write names the
   * ETag of the store it read. Returns the store's ETag after the last write.
   *
   * @param {{ Key: string, Value: string }[]} puts
   * @param {string[]} deletes
   * @param {string} tag
   * @returns {string}
   */
  function updateKeys(puts, deletes, tag) {
    /** @type {[string, object][]} */
    const ops = [];
    puts.forEach((p) => ops.push(['puts', p]));
    deletes.forEach((key) => ops.push(['deletes', { Key: key }]));
    for (let i = 0; i < ops.length; i += LIMITS.keysPerUpdate) {
      const batch = ops.slice(i, i + LIMITS.keysPerUpdate);
      const argv = ['--if-match', tag];
      for (const kind of ['puts', 'deletes']) {
        const items = batch.filter((op) => op[0] === kind).map((op) => op[1]);
        if (items.length) {
          argv.push('--' + kind, JSON.stringify(items));
        }
      }
      tag = kvs('update-keys', argv).ETag;
    }
    return tag;
  }

  /**
   * @param {string} key
   * @returns {string}
   */
  function s3(key) {
    return 's3://' + env(ENV.bucket) + '/' + key;
  }

  return { env, run, json, kvs, updateKeys, s3 };
}

/**
 * Files under dir (following links, as the CLI does): relative path -> size.
 *
 * @param {string} dir
 * @param {string} [rel]
 * @param {Map<string, number>} [files]
 * @returns {Map<string, number>}
 */
function localFiles(dir, rel, files) {
  files = files || new Map();
  for (const name of fs.readdirSync(path.join(dir, rel || ''))) {
    const file = rel ? rel + '/' + name : name;
    const stat = fs.statSync(path.join(dir, file));
    if (stat.isDirectory()) {
      localFiles(dir, file, files);
    } else {
      files.set(file, stat.size);
    }
  }
  return files;
}

/**
 * Bytes of --include/--exclude arguments in one CLI call: far below Linux's limit on a command's
 * arguments and environment (a quarter of the stack limit, 2 MiB by default; execve(2)).
 */
const FILTER_BYTES = 100000;

/**
 * A path as an --include/--exclude pattern that matches only itself.
 *
 * @param {string} file
 */
function literal(file) {
  return file.replace(/[*?[]/g, '[$&]');
}

/**
 * @param {string} option
 * @param {string[]} patterns
 */
function filters(option, patterns) {
  return patterns.flatMap((pattern) => [option, pattern]);
}

/** @param {string[]} patterns */
function filterBytes(patterns) {
  return patterns.reduce((sum, pattern) => sum + Buffer.byteLength(pattern) + '--include '.length + 1, 0);
}

/**
 * Patterns in groups of at most `bytes` of arguments.
 *
 * @param {string[]} patterns
 * @param {number} bytes
 * @returns {string[][]}
 */
function batches(patterns, bytes) {
  /** @type {string[][]} */
  const groups = [[]];
  for (const pattern of patterns) {
    if (groups[groups.length - 1].length && filterBytes(groups[groups.length - 1].concat([pattern])) > bytes) {
      groups.push([]);
    }
    groups[groups.length - 1].push(pattern);
  }
  return groups;
}

module.exports = { siteCli, localFiles, literal, filters, filterBytes, batches, FILTER_BYTES };
