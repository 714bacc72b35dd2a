/**
 * The decisions of the fleet release program (src/server-app/runtime/fleet-release.js and the files
 * it loads), tested by loading those very files: where traffic goes, which fleet is live and which
 * gets a release, what breaches a bake, where a rollback goes. Its calls to AWS run against moto and
 * stand-ins in the release proof (verify/proofs/12-fleet-release-on-moto.ts).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const RUNTIME = path.join(__dirname, '..', '..', 'src', 'server-app', 'runtime');
/* eslint-disable @typescript-eslint/no-require-imports */
const fleetTraffic = require(path.join(RUNTIME, 'fleet-traffic.js'));
const fleetJudging = require(path.join(RUNTIME, 'fleet-judging.js'));
const fleetRevisions = require(path.join(RUNTIME, 'fleet-revisions.js'));
const cli = require(path.join(RUNTIME, 'fleet-cli.js'));
/* eslint-enable @typescript-eslint/no-require-imports */

const BLUE_TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/blue/1111';
const GREEN_TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/green/2222';
const OTHER_TG = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/admin/3333';
const SETTINGS = {
  fleets: {
    blue: { targetGroupArn: BLUE_TG },
    green: { targetGroupArn: GREEN_TG },
  },
  minRequests: 10,
  maxErrorRatePercent: 1,
  stickinessSeconds: 600,
};

const defaultRule = { RuleArn: 'default', Priority: 'default', IsDefault: true, Actions: [{ Type: 'forward', TargetGroupArn: BLUE_TG }] };
const liveRule = (blue: number, green: number) => ({
  RuleArn: 'live',
  Priority: '50000',
  Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: BLUE_TG, Weight: blue }, { TargetGroupArn: GREEN_TG, Weight: green }] } }],
});
const checkRule = (header: string) => ({
  RuleArn: 'check',
  Priority: '1',
  Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: header, Values: ['0123'] } }],
  Actions: [{ Type: 'forward', TargetGroupArn: GREEN_TG }],
});

describe('where the listener sends users', () => {
  test('the live rule\'s weights, in percent of their sum', () => {
    const traffic = fleetTraffic.trafficOf([defaultRule, liveRule(9, 1)], SETTINGS);
    expect(traffic.weights).toEqual({ blue: 90, green: 10 });
    expect(traffic.liveRule.RuleArn).toBe('live');
  });

  test('without a live rule, everything to the fleet of the default action', () => {
    const traffic = fleetTraffic.trafficOf([defaultRule], SETTINGS);
    expect(traffic.weights).toEqual({ blue: 100, green: 0 });
    expect(traffic.liveRule).toBeUndefined();
  });

  test('a rule of someone else\'s at priority 50000 is not the live rule', () => {
    const theirs = { RuleArn: 'theirs', Priority: '50000', Actions: [{ Type: 'forward', TargetGroupArn: OTHER_TG }] };
    expect(fleetTraffic.trafficOf([defaultRule, theirs], SETTINGS).liveRule).toBeUndefined();
  });

  test('the check rule is the release\'s only with the release\'s header; another rule at priority 1 is someone else\'s', () => {
    const ours = fleetTraffic.trafficOf([defaultRule, checkRule('X-Release-Check')], SETTINGS);
    expect([ours.checkRule?.RuleArn, ours.otherCheckRule]).toEqual(['check', undefined]);
    const theirs = fleetTraffic.trafficOf([defaultRule, checkRule('x-admin')], SETTINGS);
    expect([theirs.checkRule, theirs.otherCheckRule?.RuleArn]).toEqual([undefined, 'check']);
  });
});

describe('which fleet is live, and which gets the release', () => {
  const traffic = (rules: unknown[]) => fleetTraffic.trafficOf(rules, SETTINGS);

  test('the fleet with all the weight, or split when both have some', () => {
    expect(fleetTraffic.liveFleetOf(traffic([defaultRule, liveRule(0, 100)]), false)).toBe('green');
    expect(fleetTraffic.liveFleetOf(traffic([defaultRule, liveRule(90, 10)]), false)).toBe('split');
  });

  test('before the first release, blue behind the default action is live only with a healthy target (an in-place fleet switched to blue/green)', () => {
    expect(fleetTraffic.liveFleetOf(traffic([defaultRule]), false)).toBe('');
    expect(fleetTraffic.liveFleetOf(traffic([defaultRule]), true)).toBe('blue');
  });

  test('the release goes to the fleet without traffic; to green before the first release, never to the default action\'s fleet', () => {
    expect(fleetTraffic.idleFleetOf('blue')).toBe('green');
    expect(fleetTraffic.idleFleetOf('green')).toBe('blue');
    expect(fleetTraffic.idleFleetOf('')).toBe('green');
  });
});

describe('the live rule\'s action', () => {
  test('forwards to both fleets with their weights; stickiness only when asked', () => {
    expect(fleetTraffic.forwardActions(SETTINGS, { blue: 90, green: 10 }, true)).toEqual([{
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [{ TargetGroupArn: BLUE_TG, Weight: 90 }, { TargetGroupArn: GREEN_TG, Weight: 10 }],
        TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 600 },
      },
    }]);
    expect(fleetTraffic.forwardActions(SETTINGS, { blue: 100, green: 0 }, false)[0].ForwardConfig.TargetGroupStickinessConfig)
      .toEqual({ Enabled: false });
  });
});

describe('what breaches a bake', () => {
  const minute = (n: number) => new Date(Date.UTC(2025, 0, 1, 12, n)).toISOString();
  const data = (series: Record<string, number[]>) => ({
    MetricDataResults: Object.entries(series).map(([Id, Values]) => ({ Id, Timestamps: Values.map((_, i) => minute(i)), Values })),
  });

  test('a minute of enough requests with more 5xx than the maximum share', () => {
    expect(fleetJudging.metricsBreach(data({ requests: [100, 100], errors: [1, 2] }), SETTINGS, 'green'))
      .toBe('fleet green answered 2 of 100 requests with 5xx in the minute of 2025-01-01T12:01:00.000Z (2.0%, more than 1%)');
  });

  test('not a minute at the maximum share, nor one of too few requests', () => {
    expect(fleetJudging.metricsBreach(data({ requests: [100, 9], errors: [1, 9] }), SETTINGS, 'green')).toBe('');
  });

  test('a minute with an unhealthy host', () => {
    expect(fleetJudging.metricsBreach(data({ requests: [0], errors: [0], unhealthy: [1] }), SETTINGS, 'blue'))
      .toBe('fleet blue had 1 unhealthy host(s) behind the load balancer in the minute of 2025-01-01T12:00:00.000Z');
  });

  test('no data (no traffic yet) is no breach', () => {
    expect(fleetJudging.metricsBreach({ MetricDataResults: [] }, SETTINGS, 'green')).toBe('');
  });
});

describe('where a rollback goes', () => {
  const revision = (firstUsed: number, succeeded = true) => ({ deployment: `d-${firstUsed}`, succeeded, firstUsed, description: `release ${firstUsed}` });

  test('to the other fleet when it holds the release before the live one', () => {
    expect(fleetRevisions.rollbackTargetOf('green', { blue: revision(1), green: revision(2) }, '').target).toBe('blue');
  });

  test('nowhere when the other fleet holds a later revision: a release that failed its check or was rolled back', () => {
    const { target, why } = fleetRevisions.rollbackTargetOf('blue', { blue: revision(1), green: revision(2) }, '');
    expect(target).toBeUndefined();
    expect(why).toBe('fleet green holds a revision deployed after the live one (a release that did not go live, or one rolled back)');
  });

  test('nowhere when the other fleet\'s last deployment failed, or it never had one', () => {
    expect(fleetRevisions.rollbackTargetOf('green', { blue: revision(1, false), green: revision(2) }, '').target).toBeUndefined();
    expect(fleetRevisions.rollbackTargetOf('green', { blue: undefined, green: revision(2) }, '').why).toBe('fleet blue never had a revision deployed');
  });

  test('with traffic split (an interrupted release), to the fleet of the older revision', () => {
    expect(fleetRevisions.rollbackTargetOf('split', { blue: revision(3), green: revision(2) }, '').target).toBe('green');
  });

  test('to the fleet named in FLEET, whatever it holds; another name is refused', () => {
    expect(fleetRevisions.rollbackTargetOf('blue', { blue: revision(1), green: revision(2) }, 'green').target).toBe('green');
    expect(fleetRevisions.rollbackTargetOf('blue', {}, 'purple')).toEqual({ target: undefined, why: 'FLEET must be blue or green, got \'purple\'' });
  });
});

describe('the build the deploy step deploys', () => {
  test('is the S3 object CodePipeline gives CodeBuild as its input, as a zip bundle', () => {
    expect(fleetRevisions.revisionOfBuild('arn:aws:s3:::artifacts-bucket/Pipeline/Build/AbCdEf1.zip')).toEqual({
      revisionType: 'S3', s3Location: { bucket: 'artifacts-bucket', key: 'Pipeline/Build/AbCdEf1.zip', bundleType: 'zip' },
    });
  });

  test('fails outside a pipeline, naming the variable', () => {
    expect(() => fleetRevisions.revisionOfBuild('')).toThrow('CODEBUILD_SOURCE_VERSION must name the build artifact (arn:aws:s3:::<bucket>/<key>), got \'\'; '
      + 'the deploy step runs in the pipeline, with the build as its input.');
  });
});

describe('a step\'s deadline', () => {
  test('is the step\'s time after the build started, less the margin; CODEBUILD_START_TIME in ms or in seconds', () => {
    const started = Date.UTC(2025, 0, 1, 12, 0);
    expect(cli.deadlineOf(900, 60000, String(started), started + 5000)).toBe(started + 840000);
    expect(cli.deadlineOf(900, 60000, String(started / 1000), started + 5000)).toBe(started + 840000);
  });

  test('counts from the program\'s start without CODEBUILD_START_TIME, or when the program started first', () => {
    const started = Date.UTC(2025, 0, 1, 12, 0);
    expect(cli.deadlineOf(900, 60000, undefined, started)).toBe(started + 840000);
    expect(cli.deadlineOf(900, 60000, String(started + 1000), started)).toBe(started + 840000);
  });
});

describe('the program as CodeBuild runs it', () => {
  test('fails with a clear message without its settings, and with an unknown command', () => {
    const run = (args: string[], env: Record<string, string>) => spawnSync('node', [path.join(RUNTIME, 'fleet-release.js'), ...args],
      { encoding: 'utf8', env: { PATH: process.env.PATH!, ...env } });
    const noSettings = run(['prepare'], {});
    expect([noSettings.status, noSettings.stderr.trim()]).toEqual([1, 'Release failed: environment variable FLEET_RELEASE is not set.']);
    const unknown = run(['promote'], { FLEET_RELEASE: JSON.stringify({ stepSeconds: 900 }) });
    expect([unknown.status, unknown.stderr.trim()]).toEqual([1, 'Release failed: unknown command \'promote\'; use prepare, deploy, shift <percent> or rollback.']);
  });
});
