// @ts-check
'use strict';
// What the release and preview programs share: the AWS CLI calls on the site's bucket and
// KeyValueStore, read from the environment the contract names, and the files of a build.

const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const CONTRACT = require('./release-contract.json');
const { sleep } = require('./step-clock.js');
const ENV = CONTRACT.environment;
const LIMITS = CONTRACT.keyValueStoreLimits;
/**
 * Tries of a store write when another program wrote first, and the first wait (ms), doubled each
 * time, made random (full jitter): 7.5 s of waiting at most.
 * @see https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/
 */
const WRITE_ATTEMPTS = 5;
const WRITE_BACKOFF_MS = 500;
/**
 * SigV4A takes only version 2 STS session tokens: with a version 1 token every call answers 403
 * "Authentication failed" (an IAM denial says "is not authorized to perform").
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-function-restrictions.html
 * @see https://github.com/boto/boto3/issues/3980
 */
const REFUSED_CREDENTIALS = /\(AccessDeniedException\)[^\n]*Authentication failed/;
const REFUSED_CREDENTIALS_HELP = 'the CloudFront KeyValueStore API refused the step\'s credentials (AccessDeniedException: Authentication failed). '
  + 'It signs requests with SigV4A, which accepts only version 2 STS session tokens; a version 1 token, which the global STS endpoint '
  + '(sts.amazonaws.com) issues by default, is refused. Check that the credentials come from a Regional STS endpoint '
  + '(AWS_STS_REGIONAL_ENDPOINTS=regional), or make the global endpoint issue version 2 tokens: '
  + 'aws iam set-security-token-service-preferences --global-endpoint-token-version v2Token. '
  + 'See https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-function-restrictions.html';

/**
 * @typedef {{ Key: string, Value: string }} KeyValue
 * @typedef {{ puts: KeyValue[], deletes: string[] }} StoreWrite
 * @typedef {{ size: number }} StoreState what a plan may need of the store as it is
 */

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
      const output = String(error.stderr || error.message).trim();
      if (argv[0] === 'cloudfront-keyvaluestore' && REFUSED_CREDENTIALS.test(output)) {
        throw new Error(REFUSED_CREDENTIALS_HELP);
      }
      /** @type {Error & { code?: string }} */
      const failure = new Error('aws ' + argv.slice(0, 2).join(' ') + ' failed: ' + output);
      // The CLI names the service's error: "An error occurred (ConflictException) when calling ...".
      failure.code = (/An error occurred \((\w+)\)/.exec(output) || [])[1];
      throw failure;
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
   * Puts, then deletes, in batches of the most one UpdateKeys takes, with the ETag read.
   * @param {StoreWrite} write
   * @param {string} tag
   */
  function updateKeys(write, tag) {
    /** @type {[string, object][]} */
    const ops = [];
    write.puts.forEach((p) => ops.push(['puts', p]));
    write.deletes.forEach((key) => ops.push(['deletes', { Key: key }]));
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
  }

  /**
   * One change to the store that no other program's write slips into: `plan` reads what the change
   * depends on and returns the keys to put and delete (or throws); the write names the ETag read
   * before `plan` ran, so the store refuses it (ConflictException, 409) if another program wrote in
   * between, and the change is planned again on the store as it is. Returns the plan written.
   * @see https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_kvs_UpdateKeys.html
   * @see https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_kvs_PutKey.html
   * @template {StoreWrite} T
   * @param {(store: StoreState) => T} plan
   * @param {boolean} [putKey] write the plan's one put with PutKey (each role is granted one of the two)
   * @returns {Promise<T>}
   */
  async function writeStore(plan, putKey) {
    for (let attempt = 1; ; attempt++) {
      const described = kvs('describe-key-value-store');
      const write = plan({ size: described.TotalSizeInBytes || 0 });
      if (!write.puts.length && !write.deletes.length) {
        return write;
      }
      try {
        if (putKey) {
          kvs('put-key', ['--key', write.puts[0].Key, '--value', write.puts[0].Value, '--if-match', described.ETag]);
        } else {
          updateKeys(write, described.ETag);
        }
        return write;
      } catch (e) {
        const error = /** @type {Error & { code?: string }} */ (e);
        if (error.code !== 'ConflictException' || attempt >= WRITE_ATTEMPTS) {
          throw error;
        }
        console.error('The KeyValueStore changed since it was read (another program wrote to it); reading it again (try ' + (attempt + 1) + ' of ' + WRITE_ATTEMPTS + ').');
        await sleep(Math.random() * WRITE_BACKOFF_MS * 2 ** (attempt - 1));
      }
    }
  }

  /**
   * @param {string} key
   * @returns {string}
   */
  function s3(key) {
    return 's3://' + env(ENV.bucket) + '/' + key;
  }

  return { env, run, json, kvs, writeStore, s3 };
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
