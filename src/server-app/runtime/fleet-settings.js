// @ts-check
'use strict';
// The two fleets of a blue/green release, blue and green, and what the construct tells the fleet
// release program (fleet-release.js) of them in $FLEET_RELEASE: each fleet's group, target group and
// deployment group, and how a release is checked, baked and rolled back.

const { fail } = require('./fleet-cli.js');

const CONTRACT = require('./fleet-release-contract.json');
const ENV = CONTRACT.environment;
const FLEETS = /** @type {Fleet[]} */ (CONTRACT.fleets);

/**
 * @typedef {'blue' | 'green'} Fleet
 *
 * @typedef {object} FleetSettings
 * @property {string} autoScalingGroup the group's name
 * @property {string} targetGroupArn
 * @property {string} targetGroupFullName `targetgroup/<name>/<id>`, the TargetGroup dimension of its metrics
 * @property {string} deploymentGroup the CodeDeploy deployment group's name
 * @property {string[]} alarmNames the fleet's own alarms (5xx responses, unhealthy hosts)
 *
 * @typedef {object} ReleaseSettings what the construct writes in $FLEET_RELEASE
 * @property {string} application the CodeDeploy application
 * @property {string} listenerArn the listener users reach
 * @property {string} loadBalancerFullName `app/<name>/<id>`, the LoadBalancer dimension of the metrics
 * @property {string} url the load balancer's URL, which the check requests go to
 * @property {Record<Fleet, FleetSettings>} fleets
 * @property {number} minCapacity the fewest instances the live fleet keeps
 * @property {number} bakeSeconds how long each traffic step is watched
 * @property {number} maxErrorRatePercent the 5xx share of a minute's requests to the new fleet that rolls back
 * @property {number} minRequests requests a minute needs to count
 * @property {string} healthCheckPath
 * @property {string[]} paths paths the check requests besides the health check path
 * @property {number} stickinessSeconds how long a user stays on one fleet during a shift; 0 for no stickiness
 * @property {number} rollbackWindowSeconds how long the previous fleet keeps running after a release
 * @property {string[]} alarmNames the environment's alarms, which judge every step too
 * @property {number} stepSeconds how long CodeBuild lets one step run
 * @property {number} pollSeconds how often a wait looks again
 * @property {number} checkSeconds how long the check may retry a path that does not answer 200
 */

/** @returns {ReleaseSettings} */
function settingsOf(/** @type {NodeJS.ProcessEnv} */ env) {
  const raw = env[ENV.settings];
  if (!raw) {
    return fail('environment variable ' + ENV.settings + ' is not set.');
  }
  return JSON.parse(raw);
}

/** @param {Fleet} fleet */
function other(fleet) {
  return fleet === 'blue' ? 'green' : 'blue';
}

module.exports = { FLEETS, settingsOf, other };
