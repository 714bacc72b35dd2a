// @ts-check
'use strict';
// Where the load balancer's listener sends users, as the fleet release program (fleet-release.js)
// reads and moves it: the live rule at priority 50000, which forwards to both fleets' target groups
// with weights (before the first release, the listener's default action), the release's check rule
// at priority 1, and the health of each fleet's targets.

const { run, json, waitFor, fail } = require('./fleet-cli.js');
const CONTRACT = require('./fleet-release-contract.json');
const { FLEETS, other } = require('./fleet-settings.js');

/** @typedef {import('./fleet-settings.js').Fleet} Fleet */
/** @typedef {import('./fleet-settings.js').ReleaseSettings} ReleaseSettings */

/**
 * @typedef {object} Rule a listener rule as `aws elbv2 describe-rules` prints it
 * @property {string} RuleArn
 * @property {string} Priority
 * @property {boolean} [IsDefault]
 * @property {any[]} [Actions]
 * @property {any[]} [Conditions]
 *
 * @typedef {object} Traffic where the listener sends users
 * @property {Rule | undefined} liveRule the rule at priority 50000 forwarding to the fleets
 * @property {Rule | undefined} checkRule the release's rule at priority 1
 * @property {Rule | undefined} otherCheckRule a rule of someone else's at priority 1
 * @property {Record<Fleet, number>} weights percent of the traffic each fleet gets
 */

/**
 * The fleet a target group belongs to, undefined for a target group of someone else's.
 *
 * @param {ReleaseSettings} settings
 * @param {string | undefined} arn
 * @returns {Fleet | undefined}
 */
function fleetOfTargetGroup(settings, arn) {
  return FLEETS.find((f) => settings.fleets[f].targetGroupArn === arn);
}

/**
 * Where the listener sends users, from its rules: the live rule's weights (in percent of their
 * sum); without a live rule, everything to the fleet of the default action.
 *
 * @param {Rule[]} rules
 * @param {ReleaseSettings} settings
 * @returns {Traffic}
 */
function trafficOf(rules, settings) {
  const at = (/** @type {number} */ priority) => rules.find((r) => String(r.Priority) === String(priority));
  const forwarded = (/** @type {Rule | undefined} */ rule) => {
    const action = ((rule && rule.Actions) || []).find((a) => a.Type === 'forward');
    if (!action) return [];
    return action.ForwardConfig && action.ForwardConfig.TargetGroups
      ? action.ForwardConfig.TargetGroups.map((/** @type {any} */ g) => ({ arn: g.TargetGroupArn, weight: g.Weight === undefined ? 1 : g.Weight }))
      : [{ arn: action.TargetGroupArn, weight: 1 }];
  };
  const live = at(CONTRACT.liveRulePriority);
  const liveRule = live && forwarded(live).every((g) => fleetOfTargetGroup(settings, g.arn)) ? live : undefined;
  const check = at(CONTRACT.checkRulePriority);
  const isOurs = (check && check.Conditions || []).some((c) => c.Field === 'http-header'
    && String(c.HttpHeaderConfig && c.HttpHeaderConfig.HttpHeaderName).toLowerCase() === CONTRACT.checkHeader);
  const targets = forwarded(liveRule || rules.find((r) => r.IsDefault));
  const total = targets.reduce((sum, g) => sum + g.weight, 0);
  /** @type {Record<Fleet, number>} */
  const weights = { blue: 0, green: 0 };
  for (const g of targets) {
    const fleet = fleetOfTargetGroup(settings, g.arn);
    if (fleet && total > 0) {
      weights[fleet] += Math.round((g.weight * 100) / total);
    }
  }
  return { liveRule, checkRule: isOurs ? check : undefined, otherCheckRule: check && !isOurs ? check : undefined, weights };
}

/**
 * The fleet users reach ('' when none), or 'split' when both get traffic. Without a live rule the
 * listener's default action sends users to blue, which serves only once it has a healthy target
 * (an in-place fleet switched to blue/green); `defaultServes` says whether it has.
 *
 * @param {Traffic} traffic
 * @param {boolean} defaultServes
 * @returns {Fleet | '' | 'split'}
 */
function liveFleetOf(traffic, defaultServes) {
  const serving = FLEETS.filter((f) => traffic.weights[f] > 0);
  if (serving.length > 1) return 'split';
  if (serving.length === 0) return '';
  return traffic.liveRule || defaultServes ? serving[0] : '';
}

/**
 * The fleet a release goes to: the one without traffic; green when no release went live yet, so
 * that the fleet of the listener's default action (blue) is never the one being checked.
 *
 * @param {Fleet | ''} live
 * @returns {Fleet}
 */
function idleFleetOf(live) {
  return live ? other(live) : 'green';
}

/** @param {Traffic} traffic */
function describeTraffic(traffic) {
  return FLEETS.map((f) => f + ' ' + traffic.weights[f] + '%').join(', ') + (traffic.liveRule ? '' : ' (listener default action: no release yet)');
}

/**
 * The forward action of the live rule: each fleet's weight, and group stickiness when asked for.
 * ALB weights are 0-999 and stickiness lasts 1 s to 7 days.
 *
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#forward-actions
 * @param {ReleaseSettings} settings
 * @param {Record<Fleet, number>} weights
 * @param {boolean} sticky
 */
function forwardActions(settings, weights, sticky) {
  return [{
    Type: 'forward',
    ForwardConfig: {
      TargetGroups: FLEETS.map((f) => ({ TargetGroupArn: settings.fleets[f].targetGroupArn, Weight: weights[f] })),
      TargetGroupStickinessConfig: sticky ? { Enabled: true, DurationSeconds: settings.stickinessSeconds } : { Enabled: false },
    },
  }];
}

/** @param {ReleaseSettings} settings */
function readTraffic(settings) {
  return trafficOf(json(['elbv2', 'describe-rules', '--listener-arn', settings.listenerArn]).Rules || [], settings);
}

/**
 * The fleet users reach now (see liveFleetOf).
 *
 * @param {ReleaseSettings} settings
 * @param {Traffic} traffic
 */
function readLive(settings, traffic) {
  const byDefault = traffic.liveRule ? undefined : FLEETS.find((f) => traffic.weights[f] > 0);
  return liveFleetOf(traffic, byDefault ? targetHealth(settings, byDefault).healthy > 0 : false);
}

/**
 * Moves the traffic: one ModifyRule of the live rule (created at the first release).
 *
 * @param {ReleaseSettings} settings
 * @param {Traffic} traffic
 * @param {Record<Fleet, number>} weights
 * @param {boolean} sticky
 */
function setWeights(settings, traffic, weights, sticky) {
  const actions = JSON.stringify(forwardActions(settings, weights, sticky));
  if (traffic.liveRule) {
    run(['elbv2', 'modify-rule', '--rule-arn', traffic.liveRule.RuleArn, '--actions', actions]);
  } else {
    const conditions = [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }];
    run(['elbv2', 'create-rule', '--listener-arn', settings.listenerArn, '--priority', String(CONTRACT.liveRulePriority),
      '--conditions', JSON.stringify(conditions), '--actions', actions]);
  }
  console.log('Traffic: ' + FLEETS.map((f) => f + ' ' + weights[f] + '%').join(', ') + (sticky ? ', sticky for ' + settings.stickinessSeconds + ' s' : '') + '.');
}

/**
 * The release's check rule: requests with the secret header go to `fleet` alone.
 *
 * @param {ReleaseSettings} settings
 * @param {Fleet} fleet
 * @param {string} secret
 */
function createCheckRule(settings, fleet, secret) {
  const conditions = [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: CONTRACT.checkHeader, Values: [secret] } }];
  const actions = [{ Type: 'forward', TargetGroupArn: settings.fleets[fleet].targetGroupArn }];
  run(['elbv2', 'create-rule', '--listener-arn', settings.listenerArn, '--priority', String(CONTRACT.checkRulePriority),
    '--conditions', JSON.stringify(conditions), '--actions', JSON.stringify(actions)]);
}

/** @param {Traffic} traffic */
function deleteCheckRule(traffic) {
  if (traffic.checkRule) {
    run(['elbv2', 'delete-rule', '--rule-arn', traffic.checkRule.RuleArn]);
  }
}

/**
 * The targets of the fleet's target group that are healthy, and each target's state.
 *
 * @param {ReleaseSettings} settings
 * @param {Fleet} fleet
 */
function targetHealth(settings, fleet) {
  const targets = json(['elbv2', 'describe-target-health', '--target-group-arn', settings.fleets[fleet].targetGroupArn]).TargetHealthDescriptions || [];
  return {
    healthy: targets.filter((/** @type {any} */ t) => t.TargetHealth && t.TargetHealth.State === 'healthy').length,
    states: targets.map((/** @type {any} */ t) => t.Target.Id + ' ' + (t.TargetHealth && t.TargetHealth.State)).join(', ') || 'no target registered',
  };
}

/**
 * Waits until `capacity` targets of the fleet's target group are healthy (CodeDeploy registers each
 * instance once its revision is installed).
 *
 * @param {ReleaseSettings} settings
 * @param {Fleet} fleet
 * @param {number} capacity
 * @param {number} until
 */
async function waitHealthyTargets(settings, fleet, capacity, until) {
  let states = '';
  const ready = await waitFor(() => {
    const health = targetHealth(settings, fleet);
    states = health.states;
    return health.healthy >= capacity ? true : undefined;
  }, settings.pollSeconds * 1000, until);
  if (!ready) {
    fail('fleet ' + fleet + ' did not have ' + capacity + ' healthy target(s) in its target group in time: ' + states + '.');
  }
}

module.exports = {
  trafficOf,
  liveFleetOf,
  idleFleetOf,
  describeTraffic,
  forwardActions,
  readTraffic,
  readLive,
  setWeights,
  createCheckRule,
  deleteCheckRule,
  waitHealthyTargets,
};
