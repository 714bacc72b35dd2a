'use strict';
// The bake of verified releases: after the switch, the release program (release.js) watches
// CloudFront's 5xx error rate of the distribution for the bake time; a breach fails the bake, and
// the program switches back to the release that was live before.

const CONTRACT = require('./release-contract.json');
const { sleep, seconds, isoTime } = require('./step-clock.js');
const ENV = CONTRACT.environment;

/** @typedef {ReturnType<typeof import('./site-cli.js').siteCli>} SiteCli */
/** @typedef {ReturnType<typeof import('./step-clock.js').stepClock>} StepClock */
/** @typedef {import('./release-check.js').VerifySettings} VerifySettings */

/** CloudFront publishes its metrics to CloudWatch in us-east-1 only, each a minute long. */
const METRICS_REGION = 'us-east-1';
const MINUTE_MS = 60000;

/**
 * The bake, reading CloudFront's metrics through the CLI helpers of the program.
 *
 * @param {SiteCli} cli
 */
function errorRateBake(cli) {
  const { env, json } = cli;

  /**
   * Watches CloudFront's 5xx error rate of the distribution for the bake time, from the end of the
   * check after the switch, once a minute and at least once; the minutes since the switch count.
   * Throws when it breaches. Ends early, saying what was not watched, at `until`: the last moment
   * that leaves the step time to switch back.
   * @param {number} since when the switch was made (ms since the epoch)
   * @param {VerifySettings} settings
   * @param {number} until
   * @param {StepClock} clock
   */
  async function bake(since, settings, until, clock) {
    if (!settings.bakeSeconds) {
      return;
    }
    const planned = Date.now() + settings.bakeSeconds * 1000;
    const end = Math.min(planned, until);
    console.log('Baking for ' + settings.bakeSeconds + ' s: more than ' + settings.maxErrorRatePercent + '% 5xx responses in ' +
      settings.breachMinutes + ' consecutive minute(s) of at least ' + settings.minRequests + ' requests rolls back.');
    let watched = since;
    do {
      await sleep(Math.min(MINUTE_MS, end - Date.now()));
      watched = Date.now();
      const breach = errorRateBreach(since, settings);
      if (breach) {
        throw new Error(breach);
      }
    } while (Date.now() < end);
    if (end < planned) {
      console.log('Bake time cut short: the 5xx error rate was watched from the switch at ' + isoTime(since) + ' to ' + isoTime(watched) +
        ' and stayed within ' + settings.maxErrorRatePercent + '%; the ' + seconds(planned - watched) + ' to ' + isoTime(planned) +
        ' were not watched, because ' + clock.when + ' and a switch back must stay possible until then. The release stays live.');
    } else {
      console.log('Bake time over: the 5xx error rate stayed within ' + settings.maxErrorRatePercent + '%.');
    }
  }

  /**
   * What breached in the minutes since the switch ('' when nothing): `breachMinutes` consecutive
   * minutes, each with at least `minRequests` requests and a 5xx rate above the maximum. CloudFront
   * metrics are read in us-east-1 whatever the stack's region.
   * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html
   * @param {number} since
   * @param {VerifySettings} settings
   */
  function errorRateBreach(since, settings) {
    const distribution = env(ENV.distributionId);
    const metric = (/** @type {string} */ id, /** @type {string} */ name, /** @type {string} */ stat) => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/CloudFront',
          MetricName: name,
          Dimensions: [{ Name: 'DistributionId', Value: distribution }, { Name: 'Region', Value: 'Global' }],
        },
        Period: 60,
        Stat: stat,
      },
      ReturnData: true,
    });
    const start = Math.floor(since / MINUTE_MS) * MINUTE_MS;
    const end = Math.max(start + MINUTE_MS, Math.ceil(Date.now() / MINUTE_MS) * MINUTE_MS);
    const out = json(['cloudwatch', 'get-metric-data', '--region', METRICS_REGION,
      '--start-time', new Date(start).toISOString(), '--end-time', new Date(end).toISOString(), '--scan-by', 'TimestampAscending',
      '--metric-data-queries', JSON.stringify([metric('errors', '5xxErrorRate', 'Average'), metric('requests', 'Requests', 'Sum')])]);
    const series = (/** @type {string} */ id) => {
      const result = (out.MetricDataResults || []).find((r) => r.Id === id) || { Timestamps: [], Values: [] };
      return new Map(result.Timestamps.map((t, i) => [Date.parse(t), result.Values[i]]));
    };
    const errors = series('errors');
    const requests = series('requests');
    /** @type {string[]} */
    let streak = [];
    let last = 0;
    for (const minute of [...errors.keys()].sort((a, b) => a - b)) {
      const rate = errors.get(minute) || 0;
      const count = requests.get(minute) || 0;
      if (rate <= settings.maxErrorRatePercent || count < settings.minRequests) {
        streak = [];
        continue;
      }
      streak = minute - last === MINUTE_MS ? streak : [];
      streak.push(rate.toFixed(1) + '% of ' + count + ' requests at ' + new Date(minute).toISOString());
      last = minute;
      if (streak.length >= settings.breachMinutes) {
        return 'CloudFront\'s 5xxErrorRate of distribution ' + distribution + ' was above ' + settings.maxErrorRatePercent +
          '% for ' + streak.length + ' consecutive minute(s) after the switch: ' + streak.join(', ') + '.';
      }
    }
    return '';
  }

  return { bake };
}

module.exports = { errorRateBake };
