/**
 * A latency model of push → live and of rollback, MODELLED, NOT MEASURED (nothing here runs in
 * AWS): the steps on each critical path are read from the synthesized templates, each step's
 * compute kind from its CodeBuild project, and each kind is given the wait before its first command
 * that the model assumes, with the AWS source of the assumption.
 *
 * The model counts only what the compute of a step changes: the wait for compute. The work of each
 * step (npm install and build, bytes uploaded, CodeDeploy hooks) and CodePipeline's transitions
 * between actions are the same before and after, and are left out.
 *
 * `npx ts-node --transpile-only -P examples/tsconfig.json -r tsconfig-paths/register bench/latency-model.ts`
 * prints the table alone; `npm run bench` appends it to bench/results.md.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BaselineStaticSiteStack } from './baseline/static-site';
import { BENCH_ENV } from './harness';
import { addServerAppExamples } from '../examples/server-app';
import { DocsSiteStack, StaticSiteStack } from '../examples/static-site';

/** What a step of a critical path waits for before its first command. */
interface ComputeKind {
  readonly label: string;
  /** Whether the step waits for an EC2 instance to be provisioned. */
  readonly ec2Provisioning: boolean;
  /** The wait the model assumes, in seconds. */
  readonly waitSeconds: number;
  /** Where AWS says so, and what is assumed. */
  readonly source: string;
}

/** Waits are assumptions where AWS publishes no number; the source says which. */
const EC2_WAIT_SECONDS = 60;
const COMPUTE: Record<'ec2' | 'lambda' | 'none', ComputeKind> = {
  ec2: {
    label: 'CodeBuild EC2',
    ec2Provisioning: true,
    waitSeconds: EC2_WAIT_SECONDS,
    source: 'On-demand EC2 compute provides a machine for each build and destroys it when the build finishes '
      + '(https://docs.aws.amazon.com/codebuild/latest/userguide/fleets.html); AWS publishes no provisioning time, '
      + `so ${EC2_WAIT_SECONDS} s is an assumption, and the ratios are also given at 30 s and 120 s`,
  },
  lambda: {
    label: 'CodeBuild Lambda',
    ec2Provisioning: false,
    waitSeconds: 2,
    source: 'Lambda compute "offers optimized start-up speeds", "a lower start-up latency", and builds "aren\'t waiting in queue" '
      + '(https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html); AWS publishes no number, 2 s is an assumption',
  },
  none: {
    label: 'no build compute',
    ec2Provisioning: false,
    waitSeconds: 0,
    source: 'CodePipeline\'s own S3 deploy action and CodeDeploy deployments start no CodeBuild build '
      + '(https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-S3Deploy.html, '
      + 'https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-steps-server.html)',
  },
};

/** One step of a critical path. */
interface Step {
  readonly name: string;
  readonly compute: keyof typeof COMPUTE;
}

/** One critical path of one example. */
interface CriticalPath {
  readonly example: string;
  readonly path: 'push → live' | 'rollback';
  readonly variant: string;
  readonly steps: Step[];
  /** Why the path is what it is, when not a pipeline of the template. */
  readonly note?: string;
}

/** The kind of compute of the CodeBuild project `id` of `template` (Lambda when its environment is Lambda compute). */
function projectCompute(resources: Record<string, any>, id: string): keyof typeof COMPUTE {
  const type = JSON.stringify(resources[id].Properties.Environment.Type);
  if (type.includes('Fn::If')) {
    throw new Error(`${id}: the compute is chosen by region at deploy time; the model needs a stack with a region`);
  }
  return type.includes('LAMBDA') ? 'lambda' : 'ec2';
}

/**
 * The steps from a push to a live release: the pipeline's actions after the source, in stage and
 * run order. A manual approval is a person's wait, not the pipeline's, and is left out.
 */
function pushToLive(template: Template): Step[] {
  const resources = template.toJSON().Resources as Record<string, any>;
  const pipeline = Object.values(resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');
  return (pipeline.Properties.Stages as any[]).slice(1).flatMap((stage) => [...stage.Actions]
    .sort((a, b) => (a.RunOrder ?? 1) - (b.RunOrder ?? 1))
    .filter((action) => action.ActionTypeId.Category !== 'Approval')
    .map((action): Step => ({
      name: action.Name,
      compute: action.ActionTypeId.Provider === 'CodeBuild' ? projectCompute(resources, action.Configuration.ProjectName.Ref) : 'none',
    })));
}

/** The rollback of a StaticSitePipeline: its rollback project, one build. */
function rollback(template: Template): Step[] {
  const resources = template.toJSON().Resources as Record<string, any>;
  const id = Object.keys(resources).find((key) => resources[key].Type === 'AWS::CodeBuild::Project' && /Rollback/.test(key))!;
  return [{ name: 'Rollback', compute: projectCompute(resources, id) }];
}

/** A stack of `create` in `region`, synthesized. */
function synth(create: (app: App, env: { account: string; region: string }) => Stack, region: string): Template {
  return Template.fromStack(create(new App(), { ...BENCH_ENV, region }));
}

/**
 * Every critical path the model compares. "Before" is the deploy steps on EC2 compute, as they
 * were: what the library still does in a region without Lambda compute (eu-west-2), so it is
 * synthesized there.
 */
function criticalPaths(): CriticalPath[] {
  const before = 'before: deploy steps on EC2';
  const after = 'after: deploy steps on Lambda';
  const sites: Array<[string, (app: App, env: { account: string; region: string }) => Stack]> = [
    ['StaticSiteExample', (app, env) => new StaticSiteStack(app, 'StaticSiteExample', { env })],
    ['DocsSiteExample', (app, env) => new DocsSiteStack(app, 'DocsSiteExample', { env })],
  ];
  const paths = sites.flatMap(([example, create]): CriticalPath[] => {
    const beforeTemplate = synth(create, 'eu-west-2');
    const afterTemplate = synth(create, BENCH_ENV.region);
    return [
      { example, path: 'push → live', variant: before, steps: pushToLive(beforeTemplate) },
      { example, path: 'push → live', variant: after, steps: pushToLive(afterTemplate) },
      { example, path: 'rollback', variant: before, steps: rollback(beforeTemplate) },
      { example, path: 'rollback', variant: after, steps: rollback(afterTemplate) },
    ];
  });
  const baseline = pushToLive(synth((app, env) => new BaselineStaticSiteStack(app, 'StaticSiteBaseline', { env }), BENCH_ENV.region));
  paths.push(
    { example: 'StaticSiteBaseline', path: 'push → live', variant: 'S3DeployAction pipeline', steps: baseline },
    {
      example: 'StaticSiteBaseline',
      path: 'rollback',
      variant: 'S3DeployAction pipeline',
      steps: baseline,
      note: 'no rollback: an older commit is pushed and released again',
    },
  );
  for (const stack of addServerAppExamples(new App())) {
    const template = Template.fromStack(stack);
    const rollbackProject = fleetRollbackProject(template);
    paths.push(
      { example: stack.stackName, path: 'push → live', variant: rollbackProject ? 'blue/green' : 'in place (CodeDeploy)', steps: pushToLive(template) },
      rollbackProject ? {
        example: stack.stackName,
        path: 'rollback',
        variant: 'blue/green',
        steps: [{ name: 'Rollback', compute: projectCompute(template.toJSON().Resources, rollbackProject) }],
        note: 'moves traffic back to the previous fleet while it runs; see the server rollback table for what follows the wait for compute',
      } : {
        example: stack.stackName,
        path: 'rollback',
        variant: 'in place (CodeDeploy)',
        steps: [{ name: 'CodeDeploy rollback', compute: 'none' }],
        note: 'CodeDeploy redeploys the last good revision; no build, but a deployment (see the server rollback table)',
      },
    );
  }
  return paths;
}

/** The logical id of the blue/green rollback project of a template (the project with $FLEET_RELEASE not run by the pipeline). */
function fleetRollbackProject(template: Template): string | undefined {
  const resources = template.toJSON().Resources as Record<string, any>;
  const pipelineProjects = JSON.stringify(Object.values(resources).filter((r) => r.Type === 'AWS::CodePipeline::Pipeline'));
  return Object.keys(resources).find((id) => resources[id].Type === 'AWS::CodeBuild::Project'
    && (resources[id].Properties.Environment.EnvironmentVariables ?? []).some((v: any) => v.Name === 'FLEET_RELEASE')
    && !pipelineProjects.includes(`"Ref":"${id}"`));
}

/** The modelled wait for compute of a path, with the EC2 wait at `ec2Seconds`. */
function waitSeconds(path: CriticalPath, ec2Seconds = EC2_WAIT_SECONDS): number {
  return path.steps.reduce((sum, step) => sum + (step.compute === 'ec2' ? ec2Seconds : COMPUTE[step.compute].waitSeconds), 0);
}

const ec2Provisionings = (path: CriticalPath) => path.steps.filter((step) => COMPUTE[step.compute].ec2Provisioning).length;

/** The Markdown section of the model: its paths, the ratios, and the sources. */
export function latencyModelSection(): string {
  const paths = criticalPaths();
  const stepsOf = (p: CriticalPath) => p.steps.map((s) => `${s.name} (${COMPUTE[s.compute].label})`).join(' → ') + (p.note ? `; ${p.note}` : '');
  const rows = paths.map((p) => `| ${p.example} | ${p.path} | ${p.variant} | ${stepsOf(p)} | ${ec2Provisionings(p)} | ${waitSeconds(p)} s |`);
  const find = (example: string, path: string, variant: string) =>
    paths.find((p) => p.example === example && p.path === path && p.variant.startsWith(variant))!;
  const ratios = ['push → live', 'rollback'].flatMap((path) => [30, EC2_WAIT_SECONDS, 120].map((ec2) => {
    const beforePath = find('StaticSiteExample', path, 'before');
    const afterPath = find('StaticSiteExample', path, 'after');
    const baseline = find('StaticSiteBaseline', path, 'S3DeployAction');
    const ratio = (a: CriticalPath, b: CriticalPath) => `${(waitSeconds(a, ec2) / waitSeconds(b, ec2)).toFixed(2)}x`;
    return `| ${path} | ${ec2} s | ${waitSeconds(beforePath, ec2)} s | ${waitSeconds(afterPath, ec2)} s | ${ratio(afterPath, beforePath)} | `
      + `${waitSeconds(baseline, ec2)} s | ${ratio(afterPath, baseline)} |`;
  }));
  return [
    '## Latency model: push → live and rollback (modelled, not measured)',
    '',
    'Nothing here runs in AWS. The steps of each critical path are read from the synthesized templates (the pipeline\'s actions after the '
      + 'source, in order, without the manual approval; the rollback project), the compute of each step from its CodeBuild project, and each '
      + 'kind of compute is given the wait before its first command shown below. Only that wait is modelled: the work of each step '
      + '(installing, building, uploading, CodeDeploy hooks) and CodePipeline\'s transitions are the same before and after and left out. '
      + '"Before" is the deploy steps on EC2 compute, as the library still builds them in a region without Lambda compute (synthesized in eu-west-2).',
    '',
    '| example | path | variant | steps on the critical path (compute) | EC2 provisionings | modelled wait for compute |',
    '|---|---|---|---|--:|--:|',
    ...rows,
    '',
    'StaticSiteExample, modelled wait for compute at three EC2 provisioning times (after / before, and after / an `S3DeployAction` pipeline):',
    '',
    '| path | EC2 wait | before | after | after / before | S3DeployAction pipeline | after / S3DeployAction |',
    '|---|--:|--:|--:|--:|--:|--:|',
    ...ratios,
    '',
    'Waits the model assumes, and their sources:',
    '',
    ...Object.values(COMPUTE).map((kind) => `- **${kind.label}**: ${kind.waitSeconds} s. ${kind.source}.`),
  ].join('\n');
}

/** Times the server rollback model assumes where AWS publishes none, each with its source. */
const ROLLBACK_ASSUMPTIONS = {
  cliCallSeconds: { value: 0.4, source: 'an AWS CLI v2 call from CodeBuild in the region; AWS publishes no figure' },
  ruleChangeSeconds: {
    value: 5,
    source: '"Rule updates do not take effect immediately, so requests could be routed using the previous rule configuration for a short time" '
      + '(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-rule.html); AWS publishes no figure',
  },
  instanceLaunchSeconds: { value: 60, source: 'an EC2 instance launched and booted (Amazon Linux 2023); AWS publishes no figure' },
  setupSeconds: { value: 90, source: 'the example\'s user data: `dnf install -y nodejs npm`, then the CodeDeploy agent installed and started' },
  hooksSeconds: { value: 60, source: 'the example revision\'s lifecycle hooks on one instance (stop, install, `npm ci`, start, validate)' },
};
/** The AWS CLI calls of a rollback to a running fleet (runtime/fleet-release.js: rules, groups, 3 per fleet\'s revision, sizes, scale-in, the rule change). */
const ROLLBACK_CLI_CALLS = 15;

/** What the template says of a fleet: instances, deployment configuration, deregistration delay, and the health checks to healthy. */
function fleetFacts(template: Template) {
  const resources = Object.values(template.toJSON().Resources as Record<string, any>);
  const targetGroup = resources.find((r) => r.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup').Properties;
  const delay = Number(targetGroup.TargetGroupAttributes.find((a: any) => a.Key === 'deregistration_delay.timeout_seconds').Value);
  const groupMin = Number(resources.find((r) => r.Type === 'AWS::AutoScaling::AutoScalingGroup').Properties.MinSize);
  const deploymentConfig = String(resources.find((r) => r.Type === 'AWS::CodeDeploy::DeploymentGroup').Properties.DeploymentConfigName);
  return { delay, healthySeconds: targetGroup.HealthCheckIntervalSeconds * targetGroup.HealthyThresholdCount, groupMin, deploymentConfig };
}

/**
 * The server rows: how long until users are back on the previous release, by what each rollback
 * does (modelled: AWS publishes no figure for these steps; the assumptions are listed), the in-place
 * rollback being a full CodeDeploy deployment of the previous revision, one instance at a time.
 */
export function serverRollbackSection(): string {
  const stacks = addServerAppExamples(new App());
  const inPlace = Template.fromStack(stacks.find((s) => s.stackName === 'ServerAppExample')!);
  const blueGreen = Template.fromStack(stacks.find((s) => s.stackName === 'BlueGreenServerAppExample')!);
  const a = ROLLBACK_ASSUMPTIONS;
  const facts = fleetFacts(inPlace);
  const instances = facts.groupMin;
  const perInstance = facts.delay + a.hooksSeconds.value + facts.healthySeconds;
  const batches = facts.deploymentConfig.endsWith('OneAtATime') ? instances : 1;
  const switchSeconds = ROLLBACK_CLI_CALLS * a.cliCallSeconds.value + a.ruleChangeSeconds.value;
  const bgFacts = fleetFacts(blueGreen);
  const scaleOut = a.instanceLaunchSeconds.value + a.setupSeconds.value + a.hooksSeconds.value + bgFacts.healthySeconds;
  const rows: Array<[string, string, number]> = [
    ['in place (today): CodeDeploy redeploys the previous revision',
      `${batches} batch(es) of ${instances} instance(s) (${facts.deploymentConfig}): deregistration ${facts.delay} s + hooks ${a.hooksSeconds.value} s + ${facts.healthySeconds} s of health checks each`,
      batches * perInstance],
    ['blue/green, previous fleet running, Lambda compute', `start ${COMPUTE.lambda.waitSeconds} s + ${ROLLBACK_CLI_CALLS} CLI calls + rule change`,
      COMPUTE.lambda.waitSeconds + switchSeconds],
    ['blue/green, previous fleet running, EC2 compute', `start ${EC2_WAIT_SECONDS} s (instance provisioned) + ${ROLLBACK_CLI_CALLS} CLI calls + rule change`,
      EC2_WAIT_SECONDS + switchSeconds],
    ['blue/green, after the rollback window (scaled in), Lambda compute',
      `start + launch ${a.instanceLaunchSeconds.value} s + setup ${a.setupSeconds.value} s + hooks ${a.hooksSeconds.value} s + ${bgFacts.healthySeconds} s of health checks + CLI calls + rule change`,
      COMPUTE.lambda.waitSeconds + scaleOut + switchSeconds],
  ];
  const running = rows[1][2];
  return [
    '## Server rollback: time until users are back on the previous release (modelled, not measured)',
    '',
    'Nothing here runs in AWS. The instance count, deployment configuration, deregistration delay and health check of each fleet are read '
      + 'from the synthesized examples (ServerAppExample in place, BlueGreenServerAppExample blue/green); the times AWS publishes no figure for '
      + 'are the assumptions listed below.',
    '',
    '| rollback | what happens | modelled time | / blue/green with the previous fleet running |',
    '|---|---|--:|--:|',
    ...rows.map(([name, what, seconds]) => `| ${name} | ${what} | ${seconds.toFixed(0)} s | ${(seconds / running).toFixed(1)}x |`),
    '',
    'Assumptions (no AWS figure):',
    '',
    ...Object.entries(a).map(([name, { value, source }]) => `- **${name}**: ${value} s. ${source}.`),
  ].join('\n');
}

if (require.main === module) {
  console.log(latencyModelSection());
  console.log();
  console.log(serverRollbackSection());
}
