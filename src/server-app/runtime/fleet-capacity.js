// @ts-check
'use strict';
// The fleets' Auto Scaling groups, as the fleet release program (fleet-release.js) sizes them: the
// fleet that gets a release is scaled out to the live fleet's capacity, and the fleet that no longer
// serves is scaled in once the rollback window has passed.

const { run, json, waitFor, fail } = require('./fleet-cli.js');
const CONTRACT = require('./fleet-release-contract.json');
const { FLEETS } = require('./fleet-settings.js');

/** @typedef {import('./fleet-settings.js').Fleet} Fleet */
/** @typedef {import('./fleet-settings.js').ReleaseSettings} ReleaseSettings */

/**
 * @typedef {object} Group an Auto Scaling group's sizes
 * @property {number} desired
 * @property {number} max
 * @property {number} inService instances in service and healthy
 */

/**
 * @param {ReleaseSettings} settings
 * @returns {Record<Fleet, Group>}
 */
function readGroups(settings) {
  const names = FLEETS.map((f) => settings.fleets[f].autoScalingGroup);
  const found = json(['autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', ...names]).AutoScalingGroups || [];
  /** @type {Partial<Record<Fleet, Group>>} */
  const groups = {};
  for (const fleet of FLEETS) {
    const group = found.find((/** @type {any} */ g) => g.AutoScalingGroupName === settings.fleets[fleet].autoScalingGroup);
    if (!group) {
      fail('Auto Scaling group ' + settings.fleets[fleet].autoScalingGroup + ' of fleet ' + fleet + ' does not exist.');
    }
    const inService = (group.Instances || []).filter((/** @type {any} */ i) => i.LifecycleState === 'InService' && i.HealthStatus === 'Healthy').length;
    groups[fleet] = { desired: group.DesiredCapacity, max: group.MaxSize, inService };
  }
  return /** @type {Record<Fleet, Group>} */ (groups);
}

/**
 * Gives the fleet `capacity` instances (its minimum the live fleet's floor) and cancels its scale-in.
 *
 * @param {ReleaseSettings} settings
 * @param {Fleet} fleet
 * @param {number} capacity
 */
function scaleOut(settings, fleet, capacity) {
  cancelScaleIn(settings, fleet);
  run(['autoscaling', 'update-auto-scaling-group', '--auto-scaling-group-name', settings.fleets[fleet].autoScalingGroup,
    '--min-size', String(Math.min(settings.minCapacity, capacity)), '--desired-capacity', String(capacity)]);
}

/**
 * Waits until the fleet has `capacity` instances in service.
 *
 * @param {ReleaseSettings} settings
 * @param {Fleet} fleet
 * @param {number} capacity
 * @param {number} until
 */
async function waitInService(settings, fleet, capacity, until) {
  const ready = await waitFor(() => (readGroups(settings)[fleet].inService >= capacity ? true : undefined), settings.pollSeconds * 1000, until);
  if (!ready) {
    fail('fleet ' + fleet + ' did not have ' + capacity + ' instance(s) in service before the step\'s deadline.');
  }
}

/**
 * Scales the fleet in to nothing once the rollback window has passed, with a scheduled action that
 * Auto Scaling runs by itself (no compute of ours waits for it); at once when the window is 0.
 *
 * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-scheduled-scaling.html
 * @param {ReleaseSettings} settings
 * @param {Fleet} fleet
 */
function scheduleScaleIn(settings, fleet) {
  const group = settings.fleets[fleet].autoScalingGroup;
  if (settings.rollbackWindowSeconds <= 0) {
    run(['autoscaling', 'update-auto-scaling-group', '--auto-scaling-group-name', group, '--min-size', '0', '--desired-capacity', '0']);
    console.log('Fleet ' + fleet + ' is scaled in.');
    return;
  }
  const at = new Date(Date.now() + settings.rollbackWindowSeconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  run(['autoscaling', 'put-scheduled-update-group-action', '--auto-scaling-group-name', group, '--scheduled-action-name',
    CONTRACT.scaleInActionName, '--start-time', at, '--min-size', '0', '--desired-capacity', '0']);
  console.log('Fleet ' + fleet + ' keeps running until ' + at + ' (the rollback window), then scales in.');
}

/**
 * Removes the fleet's pending scale-in, if any.
 *
 * @param {ReleaseSettings} settings
 * @param {Fleet} fleet
 */
function cancelScaleIn(settings, fleet) {
  const group = settings.fleets[fleet].autoScalingGroup;
  const found = json(['autoscaling', 'describe-scheduled-actions', '--auto-scaling-group-name', group,
    '--scheduled-action-names', CONTRACT.scaleInActionName]).ScheduledUpdateGroupActions || [];
  if (found.length) {
    run(['autoscaling', 'delete-scheduled-action', '--auto-scaling-group-name', group, '--scheduled-action-name', CONTRACT.scaleInActionName]);
  }
}

module.exports = { readGroups, scaleOut, waitInService, scheduleScaleIn };
