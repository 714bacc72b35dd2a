'use strict';
// The release program of StaticSitePipeline's atomic releases. The go-live and rollback steps run
// it in CodeBuild (`node release.js <command> ...`); it drives the AWS CLI and needs nothing but
// the CLI, Node.js 16+ (18+ with verified releases: global fetch) and the environment variables of
// release-contract.json.
//
// - `publish <dir> <releasesToKeep> <notFoundPage> <rules settings JSON>`: after the upload of
//   releases/$RELEASE_ID/, checks _redirects and _headers (release-rules.js), verifies the upload,
//   carries over the files of recent releases that this one no longer has (open tabs still load
//   them), uploads again the files `_headers` gives a Cache-Control, copies the pages of 404 and
//   410 rules, writes the release's rules and its marker releases/<id>.json, switches `live` (one put-key with the store's
//   ETag), publishes the release's not-found page at the bucket root (CloudFront fetches error
//   pages without running the function), and deletes releases beyond the newest releasesToKeep
//   (never the live one or the one before it) with their rule keys, and unfinished uploads.
//   With $VERIFY_RELEASE (verified releases), the release is fetched through the distribution
//   before its marker and the switch (as preview `go-live.check`) and after the switch (as live), then
//   CloudFront's 5xx error rate is watched for a bake time; a failure before the switch changes
//   nothing for visitors, a failure after it switches back to the release that was live. Pruning
//   waits for the bake.
// - `rollback <notFoundPage>`: switches `live` to $RELEASE, or to the newest release older than
//   the live one, and publishes its not-found page.
//
// A release is complete once its marker exists; only complete releases can go live.
//
// Both know when CodeBuild stops their step (step-clock.js): `live` is switched only when the checks
// after it and a switch back fit; the bake and pruning end early when time runs short. `live` is
// switched only while it names the release the step read (site-cli.js writeStore).
//
// This file holds the two commands: what they do in which order, within the step's time. The steps
// on the releases are in releases.js; the check through the distribution and the bake of verified
// releases in release-check.js and release-bake.js.

const path = require('path');

const [command, ...args] = process.argv.slice(2);
const CONTRACT = require('./release-contract.json');
const { siteReleases, WRITE_MS } = require('./releases.js');
const { siteCli, localFiles } = require('./site-cli.js');
const { stepClock } = require('./step-clock.js');
const PREFIX = CONTRACT.releasesPrefix;
const ENV = CONTRACT.environment;

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error((command === 'rollback' ? 'Rollback' : 'Deploy') + ' failed: ' + message);
  process.exit(1);
}

const cli = siteCli(fail);
const { env, run, s3 } = cli;
const {
  releases, objectsUnder, liveRelease, verify, carryOver, writeRules, writeMarker, switchLive, publishNotFound, switchBack, prune,
} = siteReleases(cli, fail);

/** @typedef {ReturnType<typeof stepClock>} StepClock */

/** A switch back: the live key and the not-found page. */
const SWITCH_BACK_MS = 2 * WRITE_MS;

async function publish(dir, keep, page, rulesSettings, clock) {
  // Loaded here: the rollback runs without the programs of verified releases.
  const { distributionChecks, checkMs } = require('./release-check.js');
  const { errorRateBake } = require('./release-bake.js');
  const { verifySettings, checkCandidate, checkServed } = distributionChecks(cli, objectsUnder, fail);
  const { bake } = errorRateBake(cli);
  const id = env(ENV.releaseId);
  const checks = verifySettings();
  const settings = JSON.parse(rulesSettings);
  const files = localFiles(dir);
  // Loaded here: the rollback runs without the rule programs.
  const { releaseRules } = require('./release-rules.js');
  const rules = releaseRules(dir, [...files.keys()], id, s3(PREFIX + id + '/'), settings, fail);
  if (checks) {
    checks.answeredByRule = rules.answeredByRule;
  }
  const uploaded = verify(dir, id, files);
  carryOver(id, uploaded, releases().complete.slice(-(Number(keep) - 1)));
  rules.uploads.concat(rules.copies).forEach(run);
  if (rules.records.length) {
    await writeRules(id, rules.records);
  }
  // After the switch: the not-found page, and with checks the check as a visitor and a switch back.
  const afterSwitch = WRITE_MS + (checks ? checkMs(checks) + SWITCH_BACK_MS : 0);
  const previous = liveRelease();
  if (checks) {
    // Before the marker: a release that fails its check is never complete, so never made live by
    // a rollback, and pruned as an unfinished upload.
    // The check, its records written and deleted, the marker, the switch, and what follows it.
    requireTime(clock, checkMs(checks) + 4 * WRITE_MS + afterSwitch, 'the check before the switch, the switch and what follows it');
    await checkCandidate(id, checks, clock.stopsAt - (3 * WRITE_MS + afterSwitch));
  }
  requireTime(clock, 2 * WRITE_MS + afterSwitch, checks ? 'the switch, the checks after it and a switch back' : 'the switch and the not-found page');
  writeMarker(id, files);
  await switchLive(id, previous);
  const since = Date.now();
  console.log('Release ' + id + ' is live (it was ' + (previous || 'none') + ').');
  publishNotFound(page, files.has(page) ? path.join(dir, page) : '');
  if (checks) {
    try {
      await checkServed(id, '', checks, clock.stopsAt - SWITCH_BACK_MS);
      await bake(since, checks, clock.stopsAt - SWITCH_BACK_MS - WRITE_MS, clock);
    } catch (e) {
      if (!previous) {
        fail(e.message + '\nNo release was live before ' + id + ', so it stays live.');
      }
      try {
        await switchBack(previous, page, id);
      } catch (back) {
        fail(e.message + '\nSwitching back to release ' + previous + ' failed: ' + back.message);
      }
      fail(e.message + '\nRolled back: release ' + previous + ' is live again; ' + id + ' stays in the bucket until pruned.');
    }
  }
  await prune(Number(keep), settings, clock);
}

/**
 * Fails, changing nothing more, unless `needMs` are left before CodeBuild stops the step for `what`.
 * @param {StepClock} clock
 * @param {number} needMs
 * @param {string} what
 */
function requireTime(clock, needMs, what) {
  const short = clock.shortOf(needMs, what);
  if (short) {
    fail('too little time is left to go live: ' + short + ' The live release was not changed; run the stage again. ' +
      'If the step runs short often, keep fewer releases (fewer files to carry over) or use DeployCompute.EC2 (20 minutes).');
  }
}

async function rollback(page, clock) {
  const found = releases().complete;
  const live = liveRelease();
  const wanted = process.env[ENV.rollbackTarget];
  const list = 'releases (oldest first): ' + (found.map((id) => id === live ? id + ' (live)' : id).join(', ') || 'none');
  const target = wanted || found.filter((id) => id < live).pop();
  if (wanted && !found.includes(wanted)) {
    fail('release ' + wanted + ' does not exist; ' + list);
  }
  if (!target) {
    fail((live ? 'no release is older than the live release ' + live : 'no release is live') + '; ' + list);
  }
  if (target === live) {
    console.log('Release ' + target + ' is already live; nothing changed.');
    return;
  }
  const short = clock.shortOf(SWITCH_BACK_MS, 'the switch and the not-found page');
  if (short) {
    fail('too little time is left to switch: ' + short + ' The live release was not changed; start the rollback again.');
  }
  await switchBack(target, page, live);
  console.log('The live release was ' + (live || 'none') + '; it is now ' + target + '.');
  if (live) {
    console.log('To undo: aws codebuild start-build --project-name ' + String(process.env.CODEBUILD_BUILD_ID).split(':')[0] +
      ' --environment-variables-override name=' + ENV.rollbackTarget + ',value=' + live + ',type=PLAINTEXT');
  }
}

async function main() {
  if (command === 'publish') {
    await publish(args[0], args[1], args[2], args[3], stepClock(env));
  } else if (command === 'rollback') {
    await rollback(args[0], stepClock(env));
  } else {
    fail('unknown command ' + command);
  }
}

main().catch((e) => fail(e.message));
