// @ts-check
'use strict';
// The release program of ServerAppPipeline's blue/green fleets (ReleaseStrategy.blueGreen). The
// release actions and the rollback project run it in CodeBuild (`node fleet-release.js <command>`);
// it drives the AWS CLI and needs nothing but the CLI and Node.js 18+.
//
// Two fleets of one launch template, blue and green, each an Auto Scaling group with its own target
// group and CodeDeploy deployment group, behind one listener. Users reach the fleets through the
// listener rule at priority 50000 (the live rule: it matches every path and forwards to both target
// groups with weights), which this program creates and changes; the template describes it nowhere,
// so a `cdk deploy` never puts weights back. Before the first release the listener's default action
// (blue's target group) answers. Everything a release decides from is read from AWS at run time:
// weights from the live rule, sizes from the groups, revisions from CodeDeploy.
//
// - prepare: finds the fleet without traffic (the idle one; blue before any release), gives it the
//   live fleet's capacity (at least the minimum), waits for its instances, and names it in
//   RELEASE_FLEET. A split of traffic left by an interrupted release first goes back, whole, to the
//   fleet with the older revision.
// - deploy: deploys the build (CODEBUILD_SOURCE_VERSION) to the idle fleet with CodeDeploy, in
//   place, then checks it through the load balancer: a rule at priority 1 sends requests carrying
//   this release's secret header (and only those) to the idle fleet, and the health check path and
//   `paths` must answer 200. A deployment still running at the step's deadline is stopped. Any
//   failure leaves the weights as they were.
// - shift <percent>: sends `percent` of the traffic to the new fleet and the rest to the previous
//   one, then watches the new fleet's own target group (5xx responses over requests, unhealthy
//   hosts) and the alarms for the bake time. A breach sends all traffic back to the previous fleet in
//   one call (stickiness off in the same call) and fails. After the last step the previous fleet
//   is scaled in once the rollback window has passed (an Auto Scaling scheduled action).
// - rollback: sends all traffic to the other fleet when it holds the revision that was live
//   before (or to $FLEET), scaling it out first when it was scaled in.
//
// This file holds the commands: what each does in which order, within the step's deadline. Where
// the traffic goes is in fleet-traffic.js, the fleets' sizes in fleet-capacity.js, their revisions
// and the deployment in fleet-revisions.js, the check and the bake in fleet-judging.js.

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { readGroups, scaleOut, waitInService, scheduleScaleIn } = require('./fleet-capacity.js');
const { deadlineOf, fail, ReleaseError } = require('./fleet-cli.js');
const { checkThroughLoadBalancer, bake } = require('./fleet-judging.js');
const CONTRACT = require('./fleet-release-contract.json');
const { readRevisions, rollbackTargetOf, deployRevision } = require('./fleet-revisions.js');
const { FLEETS, settingsOf, other } = require('./fleet-settings.js');
const { describeTraffic, idleFleetOf, readTraffic, readLive, setWeights, createCheckRule, deleteCheckRule, waitHealthyTargets } = require('./fleet-traffic.js');

const ENV = CONTRACT.environment;

/** What a step needs after its deadline: stopping a deployment or moving traffic back, and its log. */
const DEADLINE_MARGIN_MS = 60000;

/** @typedef {import('./fleet-settings.js').Fleet} Fleet */
/** @typedef {import('./fleet-settings.js').ReleaseSettings} ReleaseSettings */
/** @typedef {import('./fleet-revisions.js').Revision} Revision */

/**
 * @param {ReleaseSettings} settings
 * @param {number} deadline
 */
async function prepare(settings, deadline) {
  let traffic = readTraffic(settings);
  deleteCheckRule(traffic);
  const groups = readGroups(settings);
  let live = readLive(settings, traffic);
  console.log('Traffic: ' + describeTraffic(traffic) + '.');
  if (live === 'split') {
    // An earlier release stopped during its shift: its unjudged fleet gives its traffic back first.
    const { target, why } = rollbackTargetOf(live, readRevisions(settings), '');
    if (!target) {
      fail(why + '; send all traffic to one fleet with the rollback command and its ' + ENV.rollbackTarget + ' variable, then release again.');
    }
    console.log('An earlier release stopped while shifting traffic (' + why + '): all traffic goes back to fleet ' + target + ' first.');
    setWeights(settings, traffic, /** @type {Record<Fleet, number>} */ ({ [target]: 100, [other(target)]: 0 }), false);
    traffic = readTraffic(settings);
    live = target;
  }
  const idle = idleFleetOf(live);
  const capacity = Math.max(settings.minCapacity, live ? groups[live].desired : 0);
  const size = Math.min(capacity, groups[idle].max);
  console.log((live ? 'Fleet ' + live + ' is live with ' + groups[live].desired + ' instance(s)' : 'No fleet is live yet') +
    '; fleet ' + idle + ' gets the release: ' + size + ' instance(s).');
  scaleOut(settings, idle, size);
  try {
    await waitInService(settings, idle, size, deadline);
  } catch (e) {
    scheduleScaleIn(settings, idle);
    throw e;
  }
  return idle;
}

/**
 * @param {ReleaseSettings} settings
 * @param {Fleet} fleet
 * @param {number} deadline
 */
async function deploy(settings, fleet, deadline) {
  const traffic = readTraffic(settings);
  if (traffic.weights[fleet] > 0 && readLive(settings, traffic) !== '') {
    fail('fleet ' + fleet + ' gets traffic (' + describeTraffic(traffic) + '), so nothing is deployed to it; run the pipeline again to release to the idle fleet.');
  }
  if (traffic.otherCheckRule) {
    fail('listener rule priority ' + CONTRACT.checkRulePriority + ' is taken by a rule of someone else\'s (' + traffic.otherCheckRule.RuleArn +
      '); the release needs priorities ' + CONTRACT.checkRulePriority + ' and ' + CONTRACT.liveRulePriority + ' of the listener. No traffic moved.');
  }
  deleteCheckRule(traffic);
  const secret = crypto.randomBytes(16).toString('hex');
  // Before the deployment: it also puts the target group in use (by the load balancer), which
  // CodeDeploy needs to see registered instances healthy.
  createCheckRule(settings, fleet, secret);
  let problem = '';
  try {
    // The check needs up to checkSeconds once the deployment is over.
    await deployRevision(settings, fleet, deadline - settings.checkSeconds * 1000);
    const capacity = readGroups(settings)[fleet].desired;
    const checkUntil = Math.min(deadline, Date.now() + settings.checkSeconds * 1000);
    await waitHealthyTargets(settings, fleet, capacity, checkUntil);
    await checkThroughLoadBalancer(settings, fleet, secret, checkUntil);
  } catch (e) {
    problem = /** @type {Error} */ (e).message;
  } finally {
    deleteCheckRule(readTraffic(settings));
  }
  if (problem) {
    scheduleScaleIn(settings, fleet);
    fail(problem + '\nNo traffic moved: ' + describeTraffic(readTraffic(settings)) + '.');
  }
}

/**
 * @param {ReleaseSettings} settings
 * @param {Fleet} fleet
 * @param {number} percent
 * @param {number} deadline
 */
async function shift(settings, fleet, percent, deadline) {
  const traffic = readTraffic(settings);
  const previous = other(fleet);
  const hasPrevious = traffic.weights[previous] > 0 && readLive(settings, traffic) !== '';
  const share = hasPrevious ? percent : 100;
  if (!hasPrevious && percent < 100) {
    console.log('No fleet served traffic before: fleet ' + fleet + ' gets all of it at once.');
  }
  setWeights(settings, traffic, /** @type {Record<Fleet, number>} */ ({ [fleet]: share, [previous]: 100 - share }),
    settings.stickinessSeconds > 0 && share < 100);
  const breach = await bake(settings, fleet, Date.now(), deadline);
  if (breach) {
    if (!hasPrevious) {
      fail(breach + '.\nNo fleet served traffic before, so fleet ' + fleet + ' keeps it.');
    }
    setWeights(settings, readTraffic(settings), /** @type {Record<Fleet, number>} */ ({ [previous]: 100, [fleet]: 0 }), false);
    scheduleScaleIn(settings, fleet);
    fail(breach + '.\nRolled back: all traffic is on fleet ' + previous + ' again; fleet ' + fleet + ' serves nobody.');
  }
  if (share === 100 && hasPrevious) {
    scheduleScaleIn(settings, previous);
    console.log('Fleet ' + fleet + ' serves all traffic. To roll back while fleet ' + previous + ' runs: ' + rollbackHint());
  }
}

/**
 * @param {ReleaseSettings} settings
 * @param {number} deadline
 */
async function rollback(settings, deadline) {
  const traffic = readTraffic(settings);
  const groups = readGroups(settings);
  const live = readLive(settings, traffic);
  const revisions = readRevisions(settings);
  const { target, why } = rollbackTargetOf(live, revisions, process.env[ENV.rollbackTarget] || '');
  console.log('Traffic: ' + describeTraffic(traffic) + '. Revisions: ' +
    FLEETS.map((f) => f + ' ' + (revisions[f] ? /** @type {Revision} */ (revisions[f]).description : 'none')).join(', ') + '.');
  if (!target) {
    return fail('nothing to roll back to: ' + why + '. To send all traffic to a fleet anyway: ' + rollbackHint('<blue|green>'));
  }
  if (live === target) {
    console.log('Fleet ' + target + ' already serves all traffic; nothing changed.');
    return;
  }
  const from = other(target);
  const capacity = Math.max(settings.minCapacity, groups[from].desired);
  const size = Math.min(capacity, groups[target].max);
  if (groups[target].inService < size) {
    console.log('Fleet ' + target + ' was scaled in (' + groups[target].inService + ' instance(s) in service): scaling it out to ' + size +
      ' first; CodeDeploy installs its last revision on the new instances, which takes minutes.');
  }
  scaleOut(settings, target, size);
  await waitInService(settings, target, size, deadline);
  await waitHealthyTargets(settings, target, size, deadline);
  setWeights(settings, traffic, /** @type {Record<Fleet, number>} */ ({ [target]: 100, [from]: 0 }), false);
  scheduleScaleIn(settings, from);
  console.log('Rolled back (' + why + '): all traffic is on fleet ' + target + '; it was ' + describeTraffic(traffic) + '. To undo: ' + rollbackHint(from));
}

/** The rollback command, to a named fleet when given. */
function rollbackHint(/** @type {string} */ fleet = '') {
  const project = process.env[ENV.rollbackProject] || String(process.env.CODEBUILD_BUILD_ID || '').split(':')[0];
  return 'aws codebuild start-build --project-name ' + project +
    (fleet ? ' --environment-variables-override name=' + ENV.rollbackTarget + ',value=' + fleet + ',type=PLAINTEXT' : '');
}

/**
 * Writes the release's fleet where the buildspec reads it into RELEASE_FLEET (`read`, a shell
 * builtin, which Lambda compute allows).
 *
 * @param {Fleet} fleet
 */
function recordFleet(fleet) {
  fs.writeFileSync(path.join(__dirname, 'release-fleet'), fleet + '\n');
}

/** @returns {Fleet} */
function releaseFleet() {
  const fleet = process.env[ENV.releaseFleet];
  if (!FLEETS.includes(/** @type {Fleet} */ (fleet))) {
    return fail(ENV.releaseFleet + ' must be ' + FLEETS.join(' or ') + ', got \'' + (fleet || '') + '\'; the prepare step names it.');
  }
  return /** @type {Fleet} */ (fleet);
}

/** @param {string[]} argv */
async function main(argv) {
  const [command, argument] = argv;
  const settings = settingsOf(process.env);
  const deadline = deadlineOf(settings.stepSeconds, DEADLINE_MARGIN_MS, process.env.CODEBUILD_START_TIME);
  if (command === 'prepare') {
    recordFleet(await prepare(settings, deadline));
  } else if (command === 'deploy') {
    await deploy(settings, releaseFleet(), deadline);
    recordFleet(releaseFleet());
  } else if (command === 'shift') {
    const percent = Number(argument);
    if (!Number.isInteger(percent) || percent < 1 || percent > 100) {
      fail('shift takes a percent from 1 to 100, got \'' + argument + '\'.');
    }
    await shift(settings, releaseFleet(), percent, deadline);
    recordFleet(releaseFleet());
  } else if (command === 'rollback') {
    await rollback(settings, deadline);
  } else {
    fail('unknown command \'' + command + '\'; use prepare, deploy, shift <percent> or rollback.');
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    const step = process.argv[2] === 'rollback' ? 'Rollback' : 'Release';
    console.error(step + ' failed: ' + (e instanceof ReleaseError ? e.message : e.stack || e));
    process.exit(1);
  });
}
