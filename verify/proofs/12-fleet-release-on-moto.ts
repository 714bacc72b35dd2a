/**
 * Blue/green releases run for real: the release and rollback projects of the blue/green server
 * example, their synthesized buildspec commands run by Debian's AWS CLI v2 against moto_server
 * (Elastic Load Balancing, Auto Scaling, EC2, CloudWatch) with IAM enforced, each project signed as a
 * user whose only policies are its role's synthesized ones. Two stand-ins play what moto lacks, each
 * checked against botocore's service model: CodeDeploy (moto's deployments stay `Created` and it has
 * no StopDeployment; verify/fleet-run/codedeploy_standin.py, which also plays CodeDeploy's Auto
 * Scaling integration) and the load balancer's traffic (moto's passes none; verify/fleet-run/
 * lb_standin.py routes each request by the listener's rules in moto and publishes the target
 * groups' metrics to moto's CloudWatch). Users' requests flow through the load balancer stand-in
 * while traffic shifts. Asserts on where moto's listener sends traffic and on the groups' sizes.
 *
 * The runs, in order: a first release (no fleet live), a good release (10% then 100%), a rollback
 * while the previous fleet runs, a release whose 5xx rises during its first step (rolled back), a
 * release that fails its check, a deployment still running at the step's deadline (stopped), a good
 * release again, a release stopped during its shift and the release after it, and a rollback after
 * the previous fleet was scaled in.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FLEET_RELEASE, FLEET_RELEASE_ENV } from '../../src/server-app/fleet-release-contract';
import { fleetCallCases, FleetCall, queryCalls, templateNames } from '../fleet-run/fleet-calls';
import { exampleFleetRelease, FleetProject, FleetServers, runFleetProject } from '../fleet-run/fleet-release-run';
import { Proof, ProofResult } from '../proof';
import { tail } from '../release-run/bucket-snapshot';
import { accessKeyOf } from '../release-run/observed-actions';
import { ProjectRun } from '../release-run/release-projects';
import { CheckCase, resultOf } from '../template-checks/check-cases';

const NAME = 'Blue/green releases: the release program on moto and stand-ins with IAM enforced';
/** The negative control's user: the rollback role without elasticloadbalancing:ModifyRule. */
const WITHOUT_MODIFY_RULE = 'RollbackWithoutModifyRule';
/** The build artifact CodePipeline gives the release project, as CODEBUILD_SOURCE_VERSION names it. */
const BUILD = (key: string) => `arn:aws:s3:::example-artifacts/ApiPipeline/Build/${key}.zip`;

type Fleet = 'blue' | 'green';

const proof: Proof = {
  async run(): Promise<ProofResult> {
    const fleet = exampleFleetRelease();
    const { release, rollback } = fleet;
    const servers = await FleetServers.start(fleet, {
      [release.roleLogicalId]: release.policies,
      [rollback.roleLogicalId]: rollback.policies,
      [WITHOUT_MODIFY_RULE]: rollback.policies.map((d) => withoutAction(d, 'elasticloadbalancing:ModifyRule')),
    });
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-fleet-'));
    const cases: CheckCase[] = [];
    const details: string[] = [];
    const check = (name: string, ok: boolean, problem: () => string) => cases.push({ name, problem: ok ? undefined : problem() });
    const settings = runSettings(fleet.release.settings, servers);
    const settingsOf = fleet.release.settings;
    const groupOf = (f: Fleet) => settingsOf.fleets[f].autoScalingGroup as string;

    /** Where the live rule sends traffic, in percent per fleet; undefined without a live rule. */
    const weights = async () => {
      const live = (await servers.state()).rules.find((r) => r.Priority === String(FLEET_RELEASE.liveRulePriority));
      if (!live) return undefined;
      const groups: any[] = live.Actions[0].ForwardConfig.TargetGroups;
      const of = (f: Fleet) => groups.find((g) => g.TargetGroupArn === servers.world.targetGroups[f].arn)?.Weight;
      return { blue: of('blue'), green: of('green'), sticky: live.Actions[0].ForwardConfig.TargetGroupStickinessConfig?.Enabled === true };
    };
    const rulesText = async () => JSON.stringify((await servers.state()).rules);
    /** Blue's HTTPCode_Target_5XX_Count in the last ten minutes, as the load balancer stand-in published it to moto's CloudWatch. */
    const blueTarget5xx = async (): Promise<{ sum: number }> => servers.admin({
      kind: 'target-5xx', loadBalancer: servers.world.loadBalancerFullName, targetGroup: servers.world.targetGroups.blue.fullName,
    });
    /** Checks that the live rule sends `expected` (stickiness off). */
    const expectWeights = async (name: string, expected: { blue: number; green: number }) => {
      const found = await weights();
      check(name, JSON.stringify(found) === JSON.stringify({ ...expected, sticky: false }), () => JSON.stringify(found));
    };

    /** Runs one action of the release (its pipeline variables from the template), as the release role. */
    const runStep = async (action: string, build: string, fleetName?: string, overrides: object = {}): Promise<ProjectRun> => {
      const variables = Object.fromEntries(Object.entries(fleet.actions[action]).map(([k, v]) => [k,
        v.includes(`.${FLEET_RELEASE_ENV.releaseFleet}}`) ? fleetName ?? '' : v === '#{codepipeline.PipelineExecutionId}' ? `execution-${build}` : v]));
      const started = Date.now();
      const result = await runFleetProject(release, work, {
        ...servers.environmentOf(release.roleLogicalId),
        ...variables,
        CODEBUILD_SOURCE_VERSION: BUILD(build),
        CODEBUILD_START_TIME: String(Date.now()),
        CODEBUILD_BUILD_ID: `${release.logicalId}:${build}`,
      }, { ...settings, ...overrides });
      details.push(`${build} ${action}: exit ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return result;
    };

    /**
     * The pipeline's stage: PrepareFleet, DeployAndCheck, then each Shift action while users' requests flow; stops at the
     * first failure, or after `stopAfter` (an execution stopped there).
     */
    const releaseBuild = async (build: string, overrides: object = {}, stopAfter?: string) => {
      const runs: Array<[string, ProjectRun]> = [];
      const prepare = await runStep('PrepareFleet', build, undefined, overrides);
      runs.push(['PrepareFleet', prepare]);
      const target = prepare.exported[FLEET_RELEASE_ENV.releaseFleet] as Fleet;
      if (prepare.status === 0) {
        for (const action of Object.keys(fleet.actions).filter((a) => a !== 'PrepareFleet')) {
          const step = () => runStep(action, build, target, overrides);
          const run = action.startsWith('Shift') ? await withUserTraffic(servers, step) : await step();
          runs.push([action, run]);
          if (run.status !== 0 || action === stopAfter) break;
        }
      }
      const failed = runs.find(([, r]) => r.status !== 0);
      return { target, runs, failed: failed && { action: failed[0], output: failed[1].output } };
    };

    const runRollback = async (label: string, role = rollback.roleLogicalId, vars: Record<string, string> = {}) => {
      const started = Date.now();
      const result = await runFleetProject(rollback, work, {
        ...servers.environmentOf(role), ...vars, CODEBUILD_START_TIME: String(Date.now()), CODEBUILD_BUILD_ID: `${rollback.logicalId}:${label}`,
      }, settings);
      details.push(`${label} rollback: exit ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return result;
    };

    try {
      // 1. The first release: no fleet is live, so green (never the default action's blue) gets it, and all the traffic at once.
      const first = await releaseBuild('good-1');
      let state = await servers.state();
      check('first release: green gets it and every action succeeds', first.target === 'green' && !first.failed, () => JSON.stringify(first.failed ?? first.target));
      await expectWeights('first release: the live rule sends all traffic to green', { blue: 0, green: 100 });
      check('first release: green runs the minimum (2 instances), blue stays empty', state.groups[groupOf('green')].desired === 2 && state.groups[groupOf('blue')].desired === 0,
        () => JSON.stringify(state.groups));
      check('first release: the check rule is gone after the check', !state.rules.some((r) => r.Priority === String(FLEET_RELEASE.checkRulePriority)), () => JSON.stringify(state.rules));
      const firstServed = await servers.served();
      check('first release: the check reached green through its secret-header rule alone, and got 200 on /health and /',
        ['/health', '/'].every((p) => firstServed.some((s) => s.checked && s.path === p && s.fleet === 'green' && s.status === 200 && s.rule === String(FLEET_RELEASE.checkRulePriority))),
        () => JSON.stringify(firstServed.filter((s) => s.checked)));
      // Users' requests that reached the listener before the live rule existed went to the default action's blue, which
      // had no instance: the load balancer answers those 503s itself, and CloudWatch counts them as none of blue's
      // targets' 5xx (or blue's next bake, in the same minute, would roll it back).
      const defaultAnswered = firstServed.filter((s) => !s.checked && s.rule === 'default').length;
      await sleep(1500);
      const blue5xx = await blueTarget5xx();
      check('first release: the 503s the load balancer made for blue\'s empty group are none of blue\'s target 5xx', blue5xx.sum === 0,
        () => `${blue5xx.sum} target 5xx counted for blue (${defaultAnswered} requests reached the default action)`);
      details.push(`first release: ${defaultAnswered} users' requests reached the default action (blue, empty) before the live rule existed`);
      await servers.clearServed();

      // 2. A good release: blue gets it, 10% of the users for the bake, then all of them; green runs on for the rollback window.
      const good = await releaseBuild('good-2');
      state = await servers.state();
      const goodServed = await servers.served();
      check('good release: blue gets it and every action succeeds', good.target === 'blue' && !good.failed, () => tail(good.failed?.output ?? good.target));
      await expectWeights('good release: it ends with all traffic on the new fleet (blue)', { blue: 100, green: 0 });
      check('good release: during the 10% step, users reached both fleets', ['blue', 'green'].every((f) => goodServed.some((s) => !s.checked && s.fleet === f)),
        () => countBy(goodServed));
      check('good release: blue was brought to green\'s capacity before its deployment', state.groups[groupOf('blue')].desired === 2, () => JSON.stringify(state.groups));
      const greenScaleIn = state.groups[groupOf('green')].scheduled;
      check('good release: green keeps running, with a scale-in to 0 scheduled at the end of the rollback window (an hour)',
        state.groups[groupOf('green')].desired === 2 && greenScaleIn.length === 1 && greenScaleIn[0].desired === 0
          && Math.abs(Date.parse(greenScaleIn[0].start) - Date.now() - 3600_000) < 120_000,
        () => JSON.stringify(state.groups[groupOf('green')]));
      await servers.clearServed();

      // 3. A rollback while the previous fleet runs: one change of the live rule, no deployment.
      const deploymentsBefore = (await servers.codeDeploy()).deployments.length;
      const quick = await runRollback('while-running');
      state = await servers.state();
      check('rollback while green runs: succeeds', quick.status === 0, () => tail(quick.output));
      await expectWeights('rollback while green runs: all traffic is on green again', { blue: 0, green: 100 });
      check('rollback while green runs: no deployment was made', (await servers.codeDeploy()).deployments.length === deploymentsBefore, () => 'a deployment was made');
      check('rollback while green runs: green\'s scale-in is cancelled and blue\'s scheduled',
        state.groups[groupOf('green')].scheduled.length === 0 && state.groups[groupOf('blue')].scheduled.length === 1, () => JSON.stringify(state.groups));

      // 4. 5xx rising during the first step: the release passes its check, then fails users on /api/: all traffic goes back.
      await servers.deploymentMode('succeed');
      const bad = await releaseBuild('bad5xx-3', { stickinessSeconds: 600 });
      const badServed = await servers.served();
      const afterBad = await weights();
      check('5xx during the first step: the Shift10Percent action fails (the execution fails)', bad.failed?.action === 'Shift10Percent'
        && /answered \d+ of \d+ requests with 5xx/.test(bad.failed.output) && bad.failed.output.includes('Rolled back: all traffic is on fleet green again'),
      () => tail(bad.failed?.output ?? 'no action failed'));
      check('5xx during the first step: it ends with all traffic on the old fleet (green), stickiness off in the same change',
        JSON.stringify(afterBad) === JSON.stringify({ blue: 0, green: 100, sticky: false }), () => JSON.stringify(afterBad));
      check('5xx during the first step: users reached blue and got 5xx before the rollback', badServed.some((s) => !s.checked && s.fleet === 'blue' && s.status === 500),
        () => countBy(badServed));
      // The control of the first release's check: the same query sees the 5xx blue's targets answered.
      const bad5xxCounted = (await blueTarget5xx()).sum;
      check('5xx during the first step: CloudWatch counts the 500s blue\'s targets answered as blue\'s target 5xx', bad5xxCounted > 0,
        () => `${bad5xxCounted} target 5xx counted for blue`);
      await servers.clearServed();

      // 5. A release that fails its check through the load balancer: no user saw it, the weights are as they were.
      const rulesBeforeCheck = (await servers.state()).rules.filter((r) => r.Priority === String(FLEET_RELEASE.liveRulePriority));
      const failedCheck = await releaseBuild('badcheck-4');
      const rulesAfterCheck = (await servers.state()).rules;
      check('failed check: DeployAndCheck fails, naming the path and status', failedCheck.failed?.action === 'DeployAndCheck'
        && failedCheck.failed.output.includes('GET / answered 500') && failedCheck.failed.output.includes('No traffic moved'),
      () => tail(failedCheck.failed?.output ?? 'no action failed'));
      check('failed check: the live rule is untouched, and the check rule is gone',
        JSON.stringify(rulesAfterCheck.filter((r) => r.Priority === String(FLEET_RELEASE.liveRulePriority))) === JSON.stringify(rulesBeforeCheck)
          && !rulesAfterCheck.some((r) => r.Priority === String(FLEET_RELEASE.checkRulePriority)),
        () => JSON.stringify(rulesAfterCheck));
      // Blue's last 5xx: the check's own requests, answered 500 through the load balancer, which counts them as blue's.
      const lastBlue5xx = Date.now();
      const checkServed = await servers.served();
      check('failed check: users never reached the checked fleet', !checkServed.some((s) => !s.checked && s.fleet === 'blue'), () => countBy(checkServed));

      // 6. A deployment still running at the step's deadline is stopped; no traffic moved.
      await servers.deploymentMode('hang');
      const rulesBeforeHang = await rulesText();
      // The step may run 100 s: its deadline is 40 s after it started (a minute is kept for stopping and reporting), and
      // the deployment's 25 s after (the check after it may take 15 s).
      const hung = await releaseBuild('hang-5', { stepSeconds: 100 });
      await servers.deploymentMode('succeed');
      const stopped = (await servers.codeDeploy()).deployments.find((d) => d.description?.endsWith('execution-hang-5'));
      check('deadline: DeployAndCheck fails, saying the deployment was stopped at the deadline', hung.failed?.action === 'DeployAndCheck'
        && /was still InProgress at the step's deadline, so it was stopped/.test(hung.failed.output) && hung.failed.output.includes('No traffic moved'),
      () => tail(hung.failed?.output ?? 'no action failed'));
      check('deadline: CodeDeploy got StopDeployment for it', stopped?.stopped === true && stopped.status === 'Stopped', () => JSON.stringify(stopped));
      check('deadline: the weights are untouched', await rulesText() === rulesBeforeHang, () => 'the rules changed');

      // 7. A good release again, to blue. CloudWatch counts a target group's requests per minute, and a bake judges
      // every minute from the one its step started in: the release waits for the minute after blue's last 5xx (the
      // failed check's), or its bake would see them. On a fast machine this release starts within that minute.
      await untilNextMinuteAfter(lastBlue5xx);
      const again = await releaseBuild('good-6');
      check('good release again: blue gets it, all traffic ends on blue', again.target === 'blue' && !again.failed
        && JSON.stringify(await weights()) === JSON.stringify({ blue: 100, green: 0, sticky: false }),
      () => tail(again.failed?.output ?? JSON.stringify(again.target)));
      await servers.clearServed();

      // 8. A release stopped during its shift (the execution stopped after Shift10Percent): traffic stays split.
      const stoppedAt10 = await releaseBuild('good-7', {}, 'Shift10Percent');
      const split = await weights();
      check('stopped release: green got it; its 10% step left the traffic split', stoppedAt10.target === 'green' && !stoppedAt10.failed
        && JSON.stringify(split) === JSON.stringify({ blue: 90, green: 10, sticky: false }), () => JSON.stringify(split));
      // 9. The next release finds the split: all traffic goes back to the fleet of the older revision (blue), then green gets the new one.
      const next = await releaseBuild('good-8');
      check('after a stopped release: the next release first sends all traffic back to blue (the older revision), then releases to green',
        next.runs[0][1].output.includes('An earlier release stopped while shifting traffic') && next.runs[0][1].output.includes('all traffic goes back to fleet blue first')
          && next.target === 'green' && !next.failed, () => tail(next.runs[0][1].output));
      await expectWeights('after a stopped release: the next release ends with all traffic on green', { blue: 0, green: 100 });
      await servers.clearServed();

      // 10. The rollback window passes: Auto Scaling runs blue's scheduled scale-in (here, the administrator does what it would).
      await servers.admin({ kind: 'scale-in', group: groupOf('blue'), action: FLEET_RELEASE.scaleInActionName });
      await sleep(2000);
      state = await servers.state();
      check('scale-in: blue has no instance left', state.groups[groupOf('blue')].inService === 0, () => JSON.stringify(state.groups[groupOf('blue')]));

      // 11. A rollback after blue scaled in: scaled out first; CodeDeploy gives the new instances blue's last revision.
      const slow = await runRollback('after-scale-in');
      state = await servers.state();
      const autoDeployed = (await servers.codeDeploy()).deployments.filter((d) => d.creator === 'autoscaling' && d.deploymentGroupName === settingsOf.fleets.blue.deploymentGroup);
      check('rollback after scale-in: succeeds, saying blue was scaled out first', slow.status === 0 && slow.output.includes('Fleet blue was scaled in')
        && slow.output.includes('scaling it out to 2 first'), () => tail(slow.output));
      await expectWeights('rollback after scale-in: all traffic is on blue', { blue: 100, green: 0 });
      check('rollback after scale-in: blue runs 2 instances again', state.groups[groupOf('blue')].desired === 2, () => JSON.stringify(state.groups));
      check('rollback after scale-in: the instances Auto Scaling added got blue\'s revision (CodeDeploy\'s Auto Scaling integration), not a new one',
        autoDeployed.length > 0 && autoDeployed.every((d) => d.revision.s3Location.key.endsWith('good-6.zip')), () => JSON.stringify(autoDeployed));
      check('rollback after scale-in: users reach blue and get 200', (await servers.userRequest('/api/orders')).status === 200, () => 'not 200');

      // What the runs called, against the IAM proof's actions for each role's kind.
      const names = templateNames(fleet, servers.world);
      const roleOf = (key: string) => servers.roleOfAccessKey(key);
      const projectRoles = [release.roleLogicalId, rollback.roleLogicalId];
      const byProjects = (key: string | undefined) => projectRoles.includes(String(key && roleOf(key)));
      const calls: FleetCall[] = [
        // The projects' own requests: the administrator's and the stand-ins' are not the runs'.
        ...servers.motoRequests().filter((r) => byProjects(accessKeyOf(r))).flatMap((r) => queryCalls(r, names)),
        ...(await servers.codeDeploy()).calls.filter((c) => c.status === 200)
          .map((c) => ({ action: `codedeploy:${c.operation}`, resource: c.resource, operation: c.operation, accessKey: c.accessKey })),
      ];
      const observed = await fleetCallCases(fleet, calls, roleOf);
      cases.push(...observed.cases);
      details.push(...observed.details);
      // Negative control: a rollback run that deleted a load balancer fails "needed" and "granted", naming the action.
      const rollbackKey = servers.world.keys[rollback.roleLogicalId].AccessKeyId;
      const deleting = await fleetCallCases(fleet, [...calls, {
        action: 'elasticloadbalancing:DeleteLoadBalancer', resource: settingsOf.listenerArn, operation: 'DeleteLoadBalancer', accessKey: rollbackKey,
      }], roleOf);
      check('negative control: a rollback run that deletes a load balancer fails "needed" and "granted", naming the action',
        deleting.cases.filter((c) => c.problem?.includes('DeleteLoadBalancer')).length === 2, () => JSON.stringify(deleting.cases.filter((c) => c.problem)));

      // 10. IAM enforced: the rollback role without elasticloadbalancing:ModifyRule cannot move traffic, and moves none.
      const rulesBeforeDenied = await rulesText();
      const denied = await runRollback('denied', WITHOUT_MODIFY_RULE, { FLEET: 'green' });
      check('negative control: without elasticloadbalancing:ModifyRule the rollback fails with AccessDenied, and no traffic moves',
        denied.status !== 0 && /AccessDenied/.test(denied.output) && await rulesText() === rulesBeforeDenied, () => tail(denied.output));

      // 11. The CodeDeploy stand-in refuses what CodeDeploy would.
      const groupName = settingsOf.fleets.blue.deploymentGroup;
      const revision = { revisionType: 'S3', s3Location: { bucket: 'example-artifacts', key: 'x.zip', bundleType: 'zip' } };
      for (const [label, role, body, status, error] of [
        ['an unknown member (deploymentGroup)', release.roleLogicalId, { applicationName: settingsOf.application, deploymentGroup: groupName, revision }, 400, 'ValidationException'],
        ['a bundle type outside the model\'s enum', release.roleLogicalId, {
          applicationName: settingsOf.application, deploymentGroupName: groupName, revision: { ...revision, s3Location: { ...revision.s3Location, bundleType: 'rar' } },
        }, 400, 'ValidationException'],
        ['the rollback role (it may not deploy)', rollback.roleLogicalId, { applicationName: settingsOf.application, deploymentGroupName: groupName, revision }, 400, 'AccessDeniedException'],
        ['a deployment group outside the release role\'s policies', release.roleLogicalId, { applicationName: settingsOf.application, deploymentGroupName: 'other-group', revision }, 400, 'AccessDeniedException'],
      ] as const) {
        const answer = await servers.rawCodeDeploy(role, 'CreateDeployment', body);
        check(`negative control: the CodeDeploy stand-in refuses CreateDeployment with ${label}`, answer.status === status && answer.body.includes(error),
          () => `${answer.status} ${answer.body}`);
      }

      const codeDeploy = await servers.codeDeploy();
      details.push(`CodeDeploy stand-in: ${codeDeploy.deployments.length} deployments (${countBy(codeDeploy.deployments.map((d) => ({ fleet: d.creator, status: d.status })))}); calls ${[...new Set(codeDeploy.calls.map((c) => `${c.operation} ${c.status}`))].join(', ')}`);
    } finally {
      servers.stop();
      fs.rmSync(work, { recursive: true, force: true });
    }
    return resultOf(NAME, cases, details);
  },
};
export default proof;

/**
 * The settings of the runs: the template's, with moto's ARNs (moto chooses its own ids), the load
 * balancer stand-in as the URL the check requests go to, and the waits of local servers: one-second
 * polls, a five-second bake, a minute needing 5 requests.
 */
function runSettings(template: any, servers: FleetServers): object {
  const fleet = (f: 'blue' | 'green') => ({
    ...template.fleets[f], targetGroupArn: servers.world.targetGroups[f].arn, targetGroupFullName: servers.world.targetGroups[f].fullName,
  });
  return {
    ...template,
    listenerArn: servers.world.listenerArn,
    loadBalancerFullName: servers.world.loadBalancerFullName,
    url: servers.loadBalancerUrl,
    fleets: { blue: fleet('blue'), green: fleet('green') },
    bakeSeconds: 5,
    pollSeconds: 1,
    checkSeconds: 15,
    minRequests: 5,
  };
}

/** Runs `work` while users send requests through the load balancer stand-in (about 40 a second). */
async function withUserTraffic<T>(servers: FleetServers, work: () => Promise<T>): Promise<T> {
  let done = false;
  const traffic = (async () => {
    for (let i = 0; !done; i++) {
      await Promise.all([servers.userRequest(i % 2 ? '/' : '/api/orders'), sleep(25)]);
    }
  })();
  try {
    return await work();
  } finally {
    done = true;
    await traffic;
  }
}

/** Waits until a new minute has begun since `time`. */
async function untilNextMinuteAfter(time: number): Promise<void> {
  const next = Math.ceil((time + 1) / 60_000) * 60_000;
  await sleep(Math.max(0, next - Date.now() + 1000));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Requests (or anything with a fleet and a status) counted by fleet and status. */
function countBy(items: Array<{ fleet: string | null; status: number | string }>): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(`${item.fleet} ${item.status}`, (counts.get(`${item.fleet} ${item.status}`) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k}: ${n}`).join(', ') || 'none';
}

/** A policy without `action` in any statement. */
function withoutAction(document: FleetProject['policies'][number], action: string): object {
  return {
    ...document,
    Statement: document.Statement.map((s) => ({ ...s, Action: [s.Action].flat().filter((a) => a !== action) }))
      .filter((s) => (s.Action as string[]).length > 0),
  };
}
