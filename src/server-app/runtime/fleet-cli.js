// @ts-check
'use strict';
// What the fleet release program needs around its decisions: how it fails, the AWS CLI, the step's
// deadline, waiting, and requests through the load balancer. The static site's programs have their
// own (src/static-site/runtime/site-cli.js); both could share one module once a package of runtime
// helpers exists.

const { execFileSync } = require('child_process');
const http = require('http');
const https = require('https');

/**
 * Runs the AWS CLI without a shell (arguments are passed as they are); returns its output.
 *
 * @param {string[]} argv
 * @returns {string}
 */
function run(argv) {
  try {
    return execFileSync('aws', argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const error = /** @type {{ stderr?: string, message: string }} */ (e);
    throw new Error('aws ' + argv.slice(0, 2).join(' ') + ' failed: ' + String(error.stderr || error.message).trim());
  }
}

/**
 * Runs the AWS CLI and parses its JSON output ({} when it prints nothing).
 *
 * @param {string[]} argv
 * @returns {any}
 */
function json(argv) {
  const out = run(argv.concat(['--output', 'json'])).trim();
  return out ? JSON.parse(out) : {};
}

/** When this program started, in ms since the epoch. */
const PROGRAM_STARTED = Date.now();

/**
 * The moment (ms since the epoch) by which a step must have finished its work, leaving `marginMs`
 * before CodeBuild stops the build: `stepSeconds` after the build started. CodeBuild gives the
 * start in CODEBUILD_START_TIME (ms since the epoch, seconds in older images); without it, this
 * program's own start counts, which comes after the build's.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html
 * @param {number} stepSeconds how long CodeBuild lets the step run
 * @param {number} marginMs what the step needs after its deadline (stopping a deployment, moving traffic back, its log)
 * @param {string | undefined} buildStart the value of CODEBUILD_START_TIME
 * @param {number} [programStarted]
 * @returns {number}
 */
function deadlineOf(stepSeconds, marginMs, buildStart, programStarted = PROGRAM_STARTED) {
  const raw = Number(buildStart);
  const started = raw > 0 ? (raw < 1e11 ? raw * 1000 : raw) : programStarted;
  return Math.min(started, programStarted) + stepSeconds * 1000 - marginMs;
}

/** @param {number} ms */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits for `ready` to return a value other than undefined, calling it every `everyMs` until
 * `until` (ms since the epoch); returns undefined when the time is up.
 *
 * @template T
 * @param {() => T | undefined} ready
 * @param {number} everyMs
 * @param {number} until
 * @returns {Promise<T | undefined>}
 */
async function waitFor(ready, everyMs, until) {
  for (;;) {
    const value = ready();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() + everyMs > until) {
      return undefined;
    }
    await sleep(everyMs);
  }
}

/**
 * GETs `url` with `headers`; resolves with the status code, or with 0 and the reason when nothing
 * answered. HTTPS requests to the load balancer's own DNS name do not verify its certificate: the
 * certificate names the application's domain, never the load balancer's name.
 *
 * @param {string} url
 * @param {Record<string, string>} headers
 * @param {number} timeoutMs
 * @returns {Promise<{ status: number, error?: string }>}
 */
function get(url, headers, timeoutMs) {
  return new Promise((resolve) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const request = client.request(target, { method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false }, (response) => {
      response.resume();
      resolve({ status: response.statusCode || 0 });
    });
    request.on('timeout', () => request.destroy(new Error('no answer within ' + timeoutMs + ' ms')));
    request.on('error', (e) => resolve({ status: 0, error: e.message }));
    request.end();
  });
}

/**
 * Fails the step with `message`, which says all a user needs: the program prints it without a stack.
 *
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  throw new ReleaseError(message);
}

class ReleaseError extends Error {}

module.exports = { fail, ReleaseError, run, json, deadlineOf, sleep, waitFor, get };
