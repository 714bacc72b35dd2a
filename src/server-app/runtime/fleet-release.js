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

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { run, json, deadlineOf, sleep, waitFor, get } = require('./fleet-cli.js');

const CONTRACT = require('./fleet-release-contract.json');
const ENV = CONTRACT.environment;
const FLEETS = /** @type {Fleet[]} */ (CONTRACT.fleets);
/** What a step needs after its deadline: stopping a deployment or moving traffic back, and its log. */
const DEADLINE_MARGIN_MS = 60000;
/** How long one request of the check may take. */
const REQUEST_MS = 10000;
const MINUTE_MS = 60000;

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
 *
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
 *
 * @typedef {object} Group an Auto Scaling group's sizes
 * @property {number} desired
 * @property {number} max
 * @property {number} inService instances in service and healthy
 *
 * @typedef {object} Revision what a fleet holds, by CodeDeploy's record
 * @property {string} deployment the last deployment attempted on the fleet
 * @property {boolean} succeeded whether it succeeded
 * @property {number} firstUsed when its revision was first deployed (ms since the epoch), which orders releases
 * @property {string} description where the revision is
 */

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  throw new ReleaseError(message);
}

class ReleaseError extends Error {}

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

/**
 * What breached in the minutes since `since` ('' when nothing): a minute of at least `minRequests`
 * requests to the fleet with more than `maxErrorRatePercent` of them answered 5xx by the fleet, or a
 * minute with an unhealthy host.
 *
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 * @param {any} metricData the output of `aws cloudwatch get-metric-data` with queries errors, requests, unhealthy
 * @param {ReleaseSettings} settings
 * @param {Fleet} fleet
 * @returns {string}
 */
function metricsBreach(metricData, settings, fleet) {
  const series = (/** @type {string} */ id) => {
    const result = (metricData.MetricDataResults || []).find((/** @type {any} */ r) => r.Id === id) || { Timestamps: [], Values: [] };
    return new Map(result.Timestamps.map((/** @type {string} */ t, /** @type {number} */ i) => [Date.parse(t), result.Values[i]]));
  };
  const errors = series('errors');
  const requests = series('requests');
  const unhealthy = series('unhealthy');
  const minutes = [...new Set([...errors.keys(), ...requests.keys(), ...unhealthy.keys()])].sort((a, b) => a - b);
  for (const minute of minutes) {
    const count = requests.get(minute) || 0;
    const failed = errors.get(minute) || 0;
    const at = new Date(minute).toISOString();
    if (count >= settings.minRequests && (failed * 100) / count > settings.maxErrorRatePercent) {
      return 'fleet ' + fleet + ' answered ' + failed + ' of ' + count + ' requests with 5xx in the minute of ' + at +
        ' (' + ((failed * 100) / count).toFixed(1) + '%, more than ' + settings.maxErrorRatePercent + '%)';
    }
    if ((unhealthy.get(minute) || 0) >= 1) {
      return 'fleet ' + fleet + ' had ' + unhealthy.get(minute) + ' unhealthy host(s) behind the load balancer in the minute of ' + at;
    }
  }
  return '';
}

/**
 * Which fleet a rollback goes to: `wanted` when given, else the fleet that is not live when it holds
 * a revision first deployed before the live fleet's (the release before), else none. With traffic
 * split, the fleet of the older revision (where the interrupted release started).
 *
 * @param {Fleet | '' | 'split'} live
 * @param {Record<Fleet, Revision | undefined>} revisions
 * @param {string} wanted
 * @returns {{ target: Fleet | undefined, why: string }}
 */
function rollbackTargetOf(live, revisions, wanted) {
  if (wanted) {
    if (!FLEETS.includes(/** @type {Fleet} */ (wanted))) {
      return { target: undefined, why: ENV.rollbackTarget + ' must be ' + FLEETS.join(' or ') + ', got \'' + wanted + '\'' };
    }
    return { target: /** @type {Fleet} */ (wanted), why: 'asked for with ' + ENV.rollbackTarget + '=' + wanted };
  }
  if (live === 'split') {
    const installed = FLEETS.map((f) => ({ fleet: f, revision: revisions[f] })).filter((r) => r.revision && r.revision.succeeded);
    const [older] = installed.sort((a, b) => /** @type {Revision} */ (a.revision).firstUsed - /** @type {Revision} */ (b.revision).firstUsed);
    return older
      ? { target: older.fleet, why: 'traffic was split; fleet ' + older.fleet + ' holds the older revision' }
      : { target: undefined, why: 'traffic is split and no fleet holds a revision CodeDeploy installed' };
  }
  if (!live) {
    return { target: undefined, why: 'no fleet is live yet' };
  }
  const previous = other(live);
  const theirs = revisions[previous];
  const ours = revisions[live];
  if (!theirs) {
    return { target: undefined, why: 'fleet ' + previous + ' never had a revision deployed' };
  }
  if (!theirs.succeeded) {
    return { target: undefined, why: 'the last deployment to fleet ' + previous + ' (' + theirs.deployment + ') did not succeed' };
  }
  if (ours && theirs.firstUsed >= ours.firstUsed) {
    return { target: undefined, why: 'fleet ' + previous + ' holds a revision deployed after the live one (a release that did not go live, or one rolled back)' };
  }
  return { target: previous, why: 'fleet ' + previous + ' holds the release before the live one' };
}

// ---- AWS: the listener, the groups, CodeDeploy, CloudWatch -----------------------------------

/** @param {ReleaseSettings} settings */
function readTraffic(settings) {
  return trafficOf(json(['elbv2', 'describe-rules', '--listener-arn', settings.listenerArn]).Rules || [], settings);
}

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

/**
 * What the fleet holds by CodeDeploy's record: its last attempted deployment, whether it
 * succeeded, and when its revision was first deployed. Deployments CodeDeploy makes by itself
 * (instances Auto Scaling launched) keep the revision, so they do not change the order.
 *
 * @param {ReleaseSettings} settings
 * @param {Fleet} fleet
 * @returns {Revision | undefined}
 */
function fleetRevision(settings, fleet) {
  const group = json(['deploy', 'get-deployment-group', '--application-name', settings.application,
    '--deployment-group-name', settings.fleets[fleet].deploymentGroup]).deploymentGroupInfo || {};
  const last = group.lastAttemptedDeployment;
  if (!last || !last.deploymentId) {
    return undefined;
  }
  const deployment = json(['deploy', 'get-deployment', '--deployment-id', last.deploymentId]).deploymentInfo;
  const revision = json(['deploy', 'get-application-revision', '--application-name', settings.application,
    '--revision', JSON.stringify(deployment.revision)]).revisionInfo || {};
  const location = deployment.revision && deployment.revision.s3Location;
  return {
    deployment: last.deploymentId,
    succeeded: deployment.status === 'Succeeded',
    firstUsed: timeOf(revision.firstUsedTime),
    description: location ? 's3://' + location.bucket + '/' + location.key : last.deploymentId,
  };
}

/** @param {string | number | undefined} value a time as the CLI prints it (ISO 8601, or seconds) */
function timeOf(value) {
  return typeof value === 'number' ? value * 1000 : Date.parse(String(value));
}

/** @param {ReleaseSettings} settings */
function readRevisions(settings) {
  return /** @type {Record<Fleet, Revision | undefined>} */ (Object.fromEntries(FLEETS.map((f) => [f, fleetRevision(settings, f)])));
}

/**
 * The S3 location of the build this step was given: CodePipeline passes its input artifact, whose
 * object ARN CodeBuild puts in CODEBUILD_SOURCE_VERSION (`arn:aws:s3:::<bucket>/<key>`); a CodeDeploy
 * bundle like the one CodePipeline's CodeDeploy action deploys.
 *
 * @param {string | undefined} sourceVersion
 */
function revisionOfBuild(sourceVersion) {
  const match = /^arn:[\w-]+:s3:::([^/]+)\/(.+)$/.exec(sourceVersion || '');
  if (!match) {
    return fail('CODEBUILD_SOURCE_VERSION must name the build artifact (arn:aws:s3:::<bucket>/<key>), got \'' + (sourceVersion || '') +
      '\'; the deploy step runs in the pipeline, with the build as its input.');
  }
  return { revisionType: 'S3', s3Location: { bucket: match[1], key: match[2], bundleType: 'zip' } };
}

/**
 * Deploys the build to the fleet and waits for CodeDeploy to finish; stops the deployment when
 * `until` comes first.
 *
 * @param {ReleaseSettings} settings
 * @param {Fleet} fleet
 * @param {number} until
 */
async function deployRevision(settings, fleet, until) {
  const revision = revisionOfBuild(process.env.CODEBUILD_SOURCE_VERSION);
  const description = CONTRACT.deploymentDescriptionPrefix + ' ' + (process.env[ENV.executionId] || 'started by hand');
  const id = json(['deploy', 'create-deployment', '--application-name', settings.application, '--deployment-group-name',
    settings.fleets[fleet].deploymentGroup, '--revision', JSON.stringify(revision), '--description', description]).deploymentId;
  console.log('CodeDeploy deployment ' + id + ' installs s3://' + revision.s3Location.bucket + '/' + revision.s3Location.key + ' on fleet ' + fleet + '.');
  /** @type {any} */
  let info = {};
  const done = await waitFor(() => {
    info = json(['deploy', 'get-deployment', '--deployment-id', id]).deploymentInfo || {};
    return ['Succeeded', 'Failed', 'Stopped'].includes(info.status) ? info.status : undefined;
  }, settings.pollSeconds * 1000, until);
  if (!done) {
    run(['deploy', 'stop-deployment', '--deployment-id', id]);
    fail('CodeDeploy deployment ' + id + ' was still ' + info.status + ' at the step\'s deadline, so it was stopped.');
  }
  if (done !== 'Succeeded') {
    const error = info.errorInformation ? ': ' + info.errorInformation.code + ' ' + info.errorInformation.message : '';
    fail('CodeDeploy deployment ' + id + ' ' + done.toLowerCase() + error + '.');
  }
}

/**
 * Requests the health check path and `paths` through the load balancer with the secret header,
 * retrying those that do not answer 200 until `until`.
 *
 * @param {ReleaseSettings} settings
 * @param {Fleet} fleet
 * @param {string} secret
 * @param {number} until
 */
async function checkThroughLoadBalancer(settings, fleet, secret, until) {
  const origin = settings.url.replace(/\/+$/, '');
  const paths = [...new Set([settings.healthCheckPath].concat(settings.paths))];
  /** @type {Map<string, string>} */
  let problems = new Map();
  let pending = paths;
  for (;;) {
    const answers = await Promise.all(pending.map((p) => get(origin + p, { [CONTRACT.checkHeader]: secret }, REQUEST_MS)));
    problems = new Map();
    answers.forEach((a, i) => {
      if (a.status !== 200) {
        problems.set(pending[i], a.status ? 'answered ' + a.status : 'no answer (' + a.error + ')');
      }
    });
    if (!problems.size) {
      console.log('Checked fleet ' + fleet + ' through ' + origin + ': ' + paths.join(', ') + ' answered 200.');
      return;
    }
    if (Date.now() + 5000 > until) {
      fail('fleet ' + fleet + ' failed its check through ' + origin + ': ' +
        [...problems].map(([p, why]) => 'GET ' + p + ' ' + why).join('; ') + ' (expected 200).');
    }
    pending = [...problems.keys()];
    await sleep(5000);
  }
}

/**
 * What breached since `since` ('' when nothing): one of the alarms in ALARM, or the new fleet's
 * own metrics.
 *
 * @param {ReleaseSettings} settings
 * @param {Fleet} fleet
 * @param {number} since
 */
function breachSince(settings, fleet, since) {
  const alarms = settings.alarmNames.concat(settings.fleets[fleet].alarmNames);
  if (alarms.length) {
    const states = json(['cloudwatch', 'describe-alarms', '--alarm-names', ...alarms]).MetricAlarms || [];
    const firing = states.filter((/** @type {any} */ a) => a.StateValue === 'ALARM').map((/** @type {any} */ a) => a.AlarmName);
    if (firing.length) {
      return 'alarm(s) in ALARM: ' + firing.join(', ');
    }
  }
  const dimensions = [
    { Name: 'LoadBalancer', Value: settings.loadBalancerFullName },
    { Name: 'TargetGroup', Value: settings.fleets[fleet].targetGroupFullName },
  ];
  const query = (/** @type {string} */ id, /** @type {string} */ name, /** @type {string} */ stat) => ({
    Id: id,
    MetricStat: { Metric: { Namespace: 'AWS/ApplicationELB', MetricName: name, Dimensions: dimensions }, Period: 60, Stat: stat },
    ReturnData: true,
  });
  const start = Math.floor(since / MINUTE_MS) * MINUTE_MS;
  const end = Math.max(start + MINUTE_MS, Math.ceil(Date.now() / MINUTE_MS) * MINUTE_MS);
  const data = json(['cloudwatch', 'get-metric-data', '--start-time', new Date(start).toISOString(), '--end-time', new Date(end).toISOString(),
    '--scan-by', 'TimestampAscending', '--metric-data-queries', JSON.stringify([
      query('errors', 'HTTPCode_Target_5XX_Count', 'Sum'),
      query('requests', 'RequestCount', 'Sum'),
      query('unhealthy', 'UnHealthyHostCount', 'Maximum'),
    ])]);
  return metricsBreach(data, settings, fleet);
}

/**
 * Watches the fleet for the bake time from `since`, and at least once; returns what breached ('' when
 * nothing). The bake ends at the deadline at the latest, which is a breach: the step could not
 * judge its whole bake time.
 *
 * @param {ReleaseSettings} settings
 * @param {Fleet} fleet
 * @param {number} since
 * @param {number} deadline
 */
async function bake(settings, fleet, since, deadline) {
  const end = since + settings.bakeSeconds * 1000;
  console.log('Baking for ' + settings.bakeSeconds + ' s: more than ' + settings.maxErrorRatePercent + '% 5xx responses in a minute of at least ' +
    settings.minRequests + ' requests to fleet ' + fleet + ', an unhealthy host, or an alarm rolls back.');
  for (;;) {
    const breach = breachSince(settings, fleet, since);
    if (breach) return breach;
    if (Date.now() >= end) return '';
    if (Date.now() >= deadline) return 'the step reached its deadline ' + Math.round((end - deadline) / 1000) + ' s before the bake time ended';
    await sleep(Math.max(0, Math.min(settings.pollSeconds * 1000, end - Date.now(), deadline - Date.now())));
  }
}

// ---- The commands --------------------------------------------------------------------------

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

module.exports = { trafficOf, liveFleetOf, idleFleetOf, forwardActions, metricsBreach, rollbackTargetOf, revisionOfBuild, CONTRACT };
