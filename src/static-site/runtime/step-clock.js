// @ts-check
'use strict';
// When CodeBuild stops the step that runs a program: the build's start ($CODEBUILD_START_TIME, ms)
// plus the compute's limit, which the construct sets (15 minutes on Lambda compute, the timeout on
// EC2). A program asks before each change it must finish whether the time it needs is left. A build
// that queued is counted from before its queue: the deadline comes early, on the safe side.
// @see https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html
// @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.limitations

// All waiting goes through timers/promises (tests make it pass at once).
const timers = require('timers/promises');
const CONTRACT = require('./release-contract.json');

/** The step's start outside CodeBuild (no $CODEBUILD_START_TIME): the program's. */
const PROGRAM_START = Date.now() - Math.round(process.uptime() * 1000);

/** @param {(name: string) => string} env reads a variable the program cannot run without */
function stepClock(env) {
  const name = CONTRACT.environment.timeLimitMinutes;
  const limitMinutes = Number(env(name));
  if (!(limitMinutes > 0)) {
    throw new Error('environment variable ' + name + ' must be a number of minutes, got \'' + process.env[name] + '\'.');
  }
  const started = Number(process.env.CODEBUILD_START_TIME) || PROGRAM_START;
  const stopsAt = started + limitMinutes * 60000;
  const when = 'CodeBuild stops this step at ' + isoTime(stopsAt) + ', ' + limitMinutes + ' minutes after the build started at ' + isoTime(started);

  return {
    /** ms since the epoch */
    stopsAt,
    when,
    /**
     * '' when `needMs` are left, else what is missing, in words, for `what`.
     * @param {number} needMs
     * @param {string} what
     */
    shortOf(needMs, what) {
      const left = stopsAt - Date.now();
      return left >= needMs ? '' : seconds(Math.max(0, left)) + ' left: ' + when + ', and ' + what + ' need ' + seconds(needMs) + '.';
    },
  };
}

/** @param {number} ms */
function sleep(ms) {
  return timers.setTimeout(Math.max(0, ms));
}

/** @param {number} ms */
function seconds(ms) {
  return Math.floor(ms / 1000) + ' s';
}

/** A time of day in UTC, to the second: 2026-06-01T12:00:00Z. @param {number} ms */
function isoTime(ms) {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

module.exports = { stepClock, sleep, seconds, isoTime };
