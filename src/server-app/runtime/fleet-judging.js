// @ts-check
'use strict';
// How the fleet release program (fleet-release.js) judges a fleet: before any user reaches it, a
// check through the load balancer with the release's secret header; after each traffic step, a bake
// that watches the alarms and the fleet's own target group metrics.

const { json, sleep, get, fail } = require('./fleet-cli.js');

const CONTRACT = require('./fleet-release-contract.json');
/** How long one request of the check may take. */
const REQUEST_MS = 10000;
const MINUTE_MS = 60000;

/** @typedef {import('./fleet-settings.js').Fleet} Fleet */
/** @typedef {import('./fleet-settings.js').ReleaseSettings} ReleaseSettings */

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

module.exports = { checkThroughLoadBalancer, bake, metricsBreach };
