// @ts-check
'use strict';
// How long the CodeBuild step that runs a program may still run. CodeBuild stops a build at its
// time limit, counted from the build's start: 15 minutes on Lambda compute, the project's timeout
// on EC2 compute. The construct writes that limit into the project's environment (chosen by
// CloudFormation along with the compute where the region decides it), and CodeBuild sets
// $CODEBUILD_START_TIME (milliseconds since the epoch). A program stopped in the middle of a change
// would leave it half made, so before each change it must finish it asks whether the time the
// change needs is left, and refuses to start it when not. Should CodeBuild count from later than the
// build's start (a build that waited in a queue), the deadline comes early: the programs stop on the
// safe side.
//
// @see https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html
// @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.limitations

// Sleeping through timers/promises rather than a setTimeout of our own: one place where time passes.
const timers = require('timers/promises');
const CONTRACT = require('./release-contract.json');

/** When this program started: the start of the step when $CODEBUILD_START_TIME is not set (outside CodeBuild). */
const PROGRAM_START = Date.now() - Math.round(process.uptime() * 1000);

/**
 * The clock of the step: when CodeBuild stops it, and whether a change has the time it needs.
 *
 * @param {(name: string) => string} env reads a variable the program cannot run without
 */
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
    /** When CodeBuild stops the step (ms since the epoch). */
    stopsAt,
    /** Milliseconds left before CodeBuild stops the step. */
    left: () => stopsAt - Date.now(),
    /** "CodeBuild stops this step at <time>, <n> minutes after the build started at <time>". */
    when,
    /**
     * '' when `needMs` are left, else what is missing, in words, for `what` (e.g. "the checks after the switch").
     *
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
