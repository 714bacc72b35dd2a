import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { App, Aspects, Duration, Lazy, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BlueGreenServerAppStack } from '../../examples/server-app';
import { DeployCompute } from '../../src/deploy-compute';
import { ProjectKind } from '../../src/project-kind';
import { withoutCommentLines } from '../../src/runtime-program';
import { DeploymentTarget } from '../../src/server-app/deployment-target';
import { FLEET_RELEASE, FLEET_RELEASE_ENV } from '../../src/server-app/fleet-release-contract';
import { releaseCommands, rollbackCommands } from '../../src/server-app/fleet-release-projects';
import { ManagedFleetOptions } from '../../src/server-app/managed-fleet';
import { BlueGreenReleaseOptions, ReleaseStrategy } from '../../src/server-app/release-strategy';
import { ServerAppPipeline, ServerAppPipelineProps } from '../../src/server-app/server-app-pipeline';
import { PipelineSource } from '../../src/source';
import { onlyProjectOfKind, projectKinds } from '../support/project-kinds';
import { logicalIdOf, nagErrors, projectRole, roleStatements, TEST_ENV } from '../util';

/** A stack in the test environment, without cdk-nag (the example is checked with it). */
function testStack(env: { account?: string; region?: string } = TEST_ENV): Stack {
  return new Stack(new App(), 'Test', { env });
}

/** A managed fleet released blue/green with `options`, behind a load balancer unless `fleet` says otherwise. */
function blueGreenFleet(stack: Stack, options: BlueGreenReleaseOptions = {}, fleet: Partial<ManagedFleetOptions> = {}): DeploymentTarget {
  const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
  return DeploymentTarget.managedFleet({ vpc, loadBalancer: {}, releaseStrategy: ReleaseStrategy.blueGreen(options), ...fleet });
}

function synth(props: Partial<ServerAppPipelineProps>, stack: Stack): Template {
  new ServerAppPipeline(stack, 'Api', { source: PipelineSource.codeCommit({ repositoryName: 'api' }), ...props });
  return Template.fromStack(stack);
}

/** The message a blue/green pipeline with these release options (and props) fails with. */
function errorOf(options: BlueGreenReleaseOptions, props: Partial<ServerAppPipelineProps> = {}, stack = testStack()): string {
  try {
    synth({ target: blueGreenFleet(stack, options), ...props }, stack);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

/** The actions of the stage `Deploy<name>`: name, run order and the environment variables they pass. */
function deployActions(template: Template, name = 'Production'): Array<{ name: string; runOrder: number; variables: Record<string, string> }> {
  const pipeline = Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline'))[0];
  const stage = pipeline.Properties.Stages.find((s: any) => s.Name === `Deploy${name}`);
  return stage.Actions.map((a: any) => ({
    name: a.Name,
    runOrder: a.RunOrder,
    variables: Object.fromEntries(JSON.parse(a.Configuration.EnvironmentVariables ?? '[]').map((v: any) => [v.name, v.value])),
  }));
}

/** The CodeBuild project of `kind` of `stack`, whose template is `template`: its logical id and resource. */
function project(stack: Stack, template: Template, kind: ProjectKind): [string, any] {
  const id = onlyProjectOfKind(projectKinds(stack), kind);
  return [id, template.toJSON().Resources[id]];
}

/** The settings the release program reads, with references shown as `{ Ref: id }` and `{ GetAtt: 'id.attr' }`. */
function releaseSettings(stack: Stack, template: Template): any {
  const [, release] = project(stack, template, ProjectKind.FLEET_RELEASE);
  const value = release.Properties.Environment.EnvironmentVariables.find((v: any) => v.Name === FLEET_RELEASE_ENV.settings).Value;
  const parts: unknown[] = typeof value === 'string' ? [value] : value['Fn::Join'][1];
  const text = parts.map((part: any) => (typeof part === 'string' ? part
    : `@@${part.Ref ? `Ref:${part.Ref}` : `GetAtt:${part['Fn::GetAtt'].join('.')}`}@@`)).join('');
  const revive = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(revive);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
    const reference = typeof v === 'string' ? /^@@(Ref|GetAtt):(.*)@@$/.exec(v) : null;
    return reference ? { [reference[1]]: reference[2] } : v;
  };
  return revive(JSON.parse(text));
}

/** The runtime files packed into a project's buildspec, by name. */
function packedFiles(commands: string[]): Record<string, string> {
  const packed = /' '([A-Za-z0-9+/=]+)'\)"$/.exec(commands[0])![1];
  return JSON.parse(zlib.brotliDecompressSync(Buffer.from(packed, 'base64')).toString());
}

// The example, synthesized once with cdk-nag for every test of its wiring.
const exampleStack = new BlueGreenServerAppStack(new App(), 'BlueGreenServerAppExample', { env: TEST_ENV });
Aspects.of(exampleStack).add(new AwsSolutionsChecks());
const example = Template.fromStack(exampleStack);

describe('two fleets of one shape', () => {
  test('two Auto Scaling groups launch from the one launch template', () => {
    const groups = Object.values<any>(example.findResources('AWS::AutoScaling::AutoScalingGroup'));
    expect(groups).toHaveLength(2);
    example.resourceCountIs('AWS::EC2::LaunchTemplate', 1);
    const launchTemplate = logicalIdOf(example, 'AWS::EC2::LaunchTemplate', 'ApiProductionFleet');
    for (const group of groups) {
      expect(group.Properties.LaunchTemplate.LaunchTemplateId).toEqual({ Ref: launchTemplate });
    }
  });

  test('the groups start empty, the template sets no desired capacity, and an update leaves sizes it did not change', () => {
    for (const group of Object.values<any>(example.findResources('AWS::AutoScaling::AutoScalingGroup'))) {
      expect(group.Properties.MinSize).toBe('0');
      expect(group.Properties.MaxSize).toBe('4');
      expect(group.Properties.DesiredCapacity).toBeUndefined();
      expect(group.UpdatePolicy).toEqual({ AutoScalingScheduledAction: { IgnoreUnmodifiedGroupSizeProperties: true } });
    }
  });

  test('the blue fleet keeps the ids of an in-place fleet, so switching a fleet to blue/green updates it', () => {
    for (const [type, id] of [
      ['AWS::AutoScaling::AutoScalingGroup', 'ApiProductionFleetGroupASG'],
      ['AWS::ElasticLoadBalancingV2::TargetGroup', 'ApiProductionFleetEndpointTargetGroup'],
      ['AWS::CodeDeploy::DeploymentGroup', 'ApiProductionDeploymentGroup'],
      ['AWS::CloudWatch::Alarm', 'ApiProductionFleetServerErrorsAlarm'],
    ]) {
      expect(() => logicalIdOf(example, type, id)).not.toThrow();
    }
  });

  test('each fleet has its own target group, and the listener forwards to blue\'s alone, with no weights', () => {
    example.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    const blue = logicalIdOf(example, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'ApiProductionFleetEndpointTargetGroup');
    example.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: blue } }],
    });
    example.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
  });

  test('the listener depends on green\'s target group, so a stack deletion removes the release\'s rules before it', () => {
    const green = logicalIdOf(example, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'ApiProductionFleetEndpointGreenTargetGroup');
    const listener = Object.values<any>(example.findResources('AWS::ElasticLoadBalancingV2::Listener'))[0];
    expect(listener.DependsOn).toContain(green);
  });

  test('each fleet has its own deployment group: its group, its target group, its alarms, all at once, updating launched instances', () => {
    const groups = Object.values<any>(example.findResources('AWS::CodeDeploy::DeploymentGroup'));
    expect(groups).toHaveLength(2);
    const asgs = new Set(groups.map((g) => g.Properties.AutoScalingGroups[0].Ref));
    const targetGroups = new Set(groups.map((g) => g.Properties.LoadBalancerInfo.TargetGroupInfoList[0].Name['Fn::GetAtt'][0]));
    expect(asgs.size).toBe(2);
    expect(targetGroups.size).toBe(2);
    for (const group of groups) {
      expect(group.Properties.AutoScalingGroups).toHaveLength(1);
      expect(group.Properties.OutdatedInstancesStrategy).toBe('UPDATE');
      expect(group.Properties.DeploymentConfigName).toBe('CodeDeployDefault.AllAtOnce');
      expect(group.Properties.DeploymentStyle).toEqual({ DeploymentOption: 'WITH_TRAFFIC_CONTROL' });
      expect(group.Properties.AlarmConfiguration.Alarms).toHaveLength(2);
    }
  });

  test('each fleet\'s alarms read its own target group\'s metrics', () => {
    const green = logicalIdOf(example, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'ApiProductionFleetEndpointGreenTargetGroup');
    const greenAlarms = Object.entries<any>(example.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.includes('Green'));
    expect(greenAlarms.map(([, a]) => a.Properties.MetricName).sort()).toEqual(['HTTPCode_Target_5XX_Count', 'UnHealthyHostCount']);
    for (const [, alarm] of greenAlarms) {
      expect(alarm.Properties.Dimensions).toContainEqual({ Name: 'TargetGroup', Value: { 'Fn::GetAtt': [green, 'TargetGroupFullName'] } });
      expect(alarm.Properties.AlarmDescription).toMatch(/^Production \(green fleet\): /);
    }
    const greenGroup = Object.values<any>(example.findResources('AWS::CodeDeploy::DeploymentGroup'))
      .find((g) => g.Properties.LoadBalancerInfo.TargetGroupInfoList[0].Name['Fn::GetAtt'][0] === green);
    expect(greenGroup.Properties.AlarmConfiguration.Alarms.map((a: any) => a.Name.Ref).sort()).toEqual(greenAlarms.map(([id]) => id).sort());
  });

  test('a managed fleet without a release strategy is released in place, as before', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    const template = synth({ target: DeploymentTarget.managedFleet({ vpc, loadBalancer: {} }) }, stack);
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 1);
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '2' });
    expect(deployActions(template).map((a) => a.name)).toEqual(['Deploy']);
  });

  test('ReleaseStrategy.inPlace() is the default', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    const template = synth({ target: DeploymentTarget.managedFleet({ vpc, loadBalancer: {}, releaseStrategy: ReleaseStrategy.inPlace() }) }, stack);
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 1);
    template.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 1);
  });

  test('the pipeline exposes both deployment groups, blue first, and the rollback project', () => {
    const app = exampleStack.app;
    expect(app.deploymentGroups).toHaveLength(2);
    expect(app.deploymentGroup).toBe(app.deploymentGroups[0]);
    expect(exampleStack.resolve(app.rollbackProject!.projectName)).toEqual({ Ref: project(exampleStack, example, ProjectKind.FLEET_ROLLBACK)[0] });
  });
});

describe('CloudFormation never moves traffic', () => {
  /** Every value of `key` anywhere in `value`. */
  const valuesOf = (value: unknown, key: string): unknown[] => {
    if (Array.isArray(value)) return value.flatMap((v) => valuesOf(v, key));
    if (!value || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([k, v]) => [...k === key ? [v] : [], ...valuesOf(v, key)]);
  };

  /**
   * The resources CloudFormation may update going from `before` to `after`: those whose definition
   * changed, and, as a new attribute value reaches every resource that references it (a launch
   * template's new version, the Auto Scaling groups), those referencing one of them, transitively.
   */
  const updated = (before: Template, after: Template): Record<string, any> => {
    const was = before.toJSON().Resources;
    const now = Object.entries<any>(after.toJSON().Resources);
    const ids = new Set(now.filter(([id, r]) => was[id] && JSON.stringify(was[id]) !== JSON.stringify(r)).map(([id]) => id));
    for (let size = 0; size !== ids.size;) {
      size = ids.size;
      for (const [id, r] of now) {
        const json = JSON.stringify(r);
        if ([...ids].some((changed) => json.includes(`{"Ref":"${changed}"}`) || json.includes(`{"Fn::GetAtt":["${changed}"`))) ids.add(id);
      }
    }
    return Object.fromEntries(now.filter(([id]) => ids.has(id)));
  };

  /** The example's stack with a change made to it before synthesis. */
  const changed = (change: (stack: BlueGreenServerAppStack) => void, props: Partial<ManagedFleetOptions> = {}): Template => {
    const stack = new BlueGreenServerAppStack(new App(), 'BlueGreenServerAppExample', { env: TEST_ENV, ...props });
    change(stack);
    return Template.fromStack(stack);
  };

  test.each<[string, () => Template]>([
    ['a tag on every resource', () => changed((stack) => Tags.of(stack).add('team', 'payments'))],
    ['the 5xx threshold of the alarms', () => {
      const stack = testStack();
      return synth({ target: blueGreenFleet(stack, {}, { loadBalancer: { serverErrorThreshold: 50 } }) }, stack);
    }],
    ['the instance type', () => {
      const stack = testStack();
      return synth({ target: blueGreenFleet(stack, {}, { instanceType: new ec2.InstanceType('t3.small') }) }, stack);
    }],
  ])('after any number of releases, changing %s updates no resource that carries weights, a desired capacity or a minimum above 0', (_change, after) => {
    const stack = testStack();
    const before = _change.startsWith('a tag') ? example : synth({ target: blueGreenFleet(stack) }, stack);
    const changes = updated(before, after());
    expect(Object.keys(changes).length).toBeGreaterThan(0);
    for (const [id, resource] of Object.entries<any>(changes)) {
      expect([id, valuesOf(resource, 'Weight')]).toEqual([id, []]);
      expect([id, valuesOf(resource, 'ForwardConfig')]).toEqual([id, []]);
      expect([id, valuesOf(resource, 'DesiredCapacity')]).toEqual([id, []]);
      expect([id, valuesOf(resource, 'MinSize').filter((m) => m !== '0')]).toEqual([id, []]);
    }
  });

  test('the template holds no listener rule and no weight: the release\'s rules are made at run time', () => {
    const json = JSON.stringify(example.toJSON().Resources);
    example.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    expect(json).not.toContain('"Weight"');
    expect(json).not.toContain('ForwardConfig');
    expect(json).not.toContain('"DesiredCapacity"');
  });
});

describe('the release stage', () => {
  test('prepares the idle fleet, deploys to it and checks it, then shifts 10% and 100%, in that order', () => {
    expect(deployActions(example).map((a) => [a.name, a.runOrder])).toEqual([
      ['PrepareFleet', 1], ['DeployAndCheck', 2], ['Shift10Percent', 3], ['Shift100Percent', 4],
    ]);
  });

  test('each action tells the program its step, and the later ones the fleet the prepare step chose', () => {
    const [prepare, deploy, shift10, shift100] = deployActions(example);
    expect(prepare.variables).toEqual({ [FLEET_RELEASE_ENV.step]: 'prepare' });
    const fleet = expect.stringMatching(new RegExp(`^#\\{\\w+\\.${FLEET_RELEASE_ENV.releaseFleet}\\}$`));
    expect(deploy.variables).toEqual({
      [FLEET_RELEASE_ENV.step]: 'deploy', [FLEET_RELEASE_ENV.releaseFleet]: fleet, [FLEET_RELEASE_ENV.executionId]: '#{codepipeline.PipelineExecutionId}',
    });
    expect(shift10.variables).toEqual({ [FLEET_RELEASE_ENV.step]: 'shift', [FLEET_RELEASE_ENV.trafficPercent]: '10', [FLEET_RELEASE_ENV.releaseFleet]: fleet });
    expect(shift100.variables[FLEET_RELEASE_ENV.trafficPercent]).toBe('100');
  });

  test('every release action runs the one release project, with the build as its input, as one action role', () => {
    const pipeline = Object.values<any>(example.findResources('AWS::CodePipeline::Pipeline'))[0];
    const actions = pipeline.Properties.Stages.find((s: any) => s.Name === 'DeployProduction').Actions;
    const [release] = project(exampleStack, example, ProjectKind.FLEET_RELEASE);
    expect(new Set(actions.map((a: any) => a.Configuration.ProjectName.Ref))).toEqual(new Set([release]));
    expect(new Set(actions.map((a: any) => JSON.stringify(a.RoleArn))).size).toBe(1);
    expect(new Set(actions.map((a: any) => a.InputArtifacts[0].Name))).toEqual(new Set(['Build']));
  });

  test('the traffic steps are the user\'s, each a Shift action', () => {
    const stack = testStack();
    const template = synth({ target: blueGreenFleet(stack, { trafficPercentages: [5, 25, 100] }) }, stack);
    expect(deployActions(template).slice(2).map((a) => [a.name, a.variables[FLEET_RELEASE_ENV.trafficPercent]]))
      .toEqual([['Shift5Percent', '5'], ['Shift25Percent', '25'], ['Shift100Percent', '100']]);
  });

  test('an approval runs first, then the release actions', () => {
    const stack = testStack();
    const template = synth({ environments: [{ name: 'Production', target: blueGreenFleet(stack), approval: {} }] }, stack);
    expect(deployActions(template).map((a) => [a.name, a.runOrder])).toEqual([
      ['ApproveProduction', 1], ['PrepareFleet', 2], ['DeployAndCheck', 3], ['Shift10Percent', 4], ['Shift100Percent', 5],
    ]);
  });

  test('the release project runs the program for its step, then reads the fleet into RELEASE_FLEET and exports it', () => {
    const [, release] = project(exampleStack, example, ProjectKind.FLEET_RELEASE);
    const spec = JSON.parse(release.Properties.Source.BuildSpec);
    expect(spec.phases.build.commands).toEqual(releaseCommands());
    expect(spec.env['exported-variables']).toEqual([FLEET_RELEASE_ENV.releaseFleet]);
    expect(releaseCommands().slice(1)).toEqual([
      `node "$FLEET_PROGRAM_DIR/fleet-release.js" "$${FLEET_RELEASE_ENV.step}" "$${FLEET_RELEASE_ENV.trafficPercent}"`,
      `read -r ${FLEET_RELEASE_ENV.releaseFleet} < "$FLEET_PROGRAM_DIR/release-fleet"`,
      `export ${FLEET_RELEASE_ENV.releaseFleet}`,
    ]);
  });

  test('the rollback project runs the program\'s rollback', () => {
    const [, rollback] = project(exampleStack, example, ProjectKind.FLEET_ROLLBACK);
    expect(JSON.parse(rollback.Properties.Source.BuildSpec).phases.build.commands).toEqual(rollbackCommands());
    expect(rollbackCommands()[1]).toBe('node "$FLEET_PROGRAM_DIR/fleet-release.js" rollback');
  });

  test('the buildspecs carry the program files of src/server-app/runtime as they are, programs without their comment lines', () => {
    const files = packedFiles(releaseCommands());
    const runtime = path.join(__dirname, '..', '..', 'src', 'server-app', 'runtime');
    expect(Object.keys(files).sort()).toEqual([
      'fleet-capacity.js', 'fleet-cli.js', 'fleet-judging.js', 'fleet-release-contract.json', 'fleet-release.js', 'fleet-revisions.js',
      'fleet-settings.js', 'fleet-traffic.js',
    ]);
    for (const [name, text] of Object.entries(files)) {
      const source = fs.readFileSync(path.join(runtime, name), 'utf8');
      expect(text).toBe(name.endsWith('.js') ? withoutCommentLines(source) : source);
    }
  });

  test('on Lambda compute the commands run node, aws (from the program) and shell builtins only', () => {
    for (const command of [...releaseCommands(), ...rollbackCommands()]) {
      expect(['export', 'node', 'read']).toContain(command.split(' ')[0]);
    }
  });

  test('the release and rollback steps run on Lambda compute by default, and on EC2 compute when asked', () => {
    const [, release] = project(exampleStack, example, ProjectKind.FLEET_RELEASE);
    expect(release.Properties.Environment.ComputeType).toBe('BUILD_LAMBDA_1GB');
    const stack = testStack();
    const template = synth({ target: blueGreenFleet(stack), deployCompute: DeployCompute.EC2 }, stack);
    for (const kind of [ProjectKind.FLEET_RELEASE, ProjectKind.FLEET_ROLLBACK]) {
      const [, p] = project(stack, template, kind);
      expect([p.Properties.Environment.ComputeType, p.Properties.TimeoutInMinutes]).toEqual(['BUILD_GENERAL1_SMALL', 20]);
    }
    expect(releaseSettings(stack, template).stepSeconds).toBe(1200);
  });

  test('the program\'s settings name the fleets, the listener, the checks and the limits', () => {
    const settings = releaseSettings(exampleStack, example);
    const id = (type: string, prefix: string) => logicalIdOf(example, type, prefix);
    const tg = (prefix: string) => id('AWS::ElasticLoadBalancingV2::TargetGroup', prefix);
    expect(settings).toEqual({
      application: { Ref: id('AWS::CodeDeploy::Application', 'ApiApplication') },
      listenerArn: { Ref: id('AWS::ElasticLoadBalancingV2::Listener', 'ApiProductionFleet') },
      loadBalancerFullName: { GetAtt: `${id('AWS::ElasticLoadBalancingV2::LoadBalancer', 'ApiProductionFleet')}.LoadBalancerFullName` },
      url: expect.anything(),
      fleets: {
        blue: {
          autoScalingGroup: { Ref: id('AWS::AutoScaling::AutoScalingGroup', 'ApiProductionFleetGroup') },
          targetGroupArn: { Ref: tg('ApiProductionFleetEndpointTargetGroup') },
          targetGroupFullName: { GetAtt: `${tg('ApiProductionFleetEndpointTargetGroup')}.TargetGroupFullName` },
          deploymentGroup: { Ref: id('AWS::CodeDeploy::DeploymentGroup', 'ApiProductionDeploymentGroup') },
          alarmNames: [{ Ref: id('AWS::CloudWatch::Alarm', 'ApiProductionFleetServerErrors') }, { Ref: id('AWS::CloudWatch::Alarm', 'ApiProductionFleetUnhealthyHosts') }],
        },
        green: {
          autoScalingGroup: { Ref: id('AWS::AutoScaling::AutoScalingGroup', 'ApiProductionFleetGreenGroup') },
          targetGroupArn: { Ref: tg('ApiProductionFleetEndpointGreenTargetGroup') },
          targetGroupFullName: { GetAtt: `${tg('ApiProductionFleetEndpointGreenTargetGroup')}.TargetGroupFullName` },
          deploymentGroup: { Ref: id('AWS::CodeDeploy::DeploymentGroup', 'ApiProductionGreenDeploymentGroup') },
          alarmNames: [{ Ref: id('AWS::CloudWatch::Alarm', 'ApiProductionFleetGreenServerErrors') }, { Ref: id('AWS::CloudWatch::Alarm', 'ApiProductionFleetGreenUnhealthyHosts') }],
        },
      },
      minCapacity: 2,
      bakeSeconds: 300,
      maxErrorRatePercent: 1,
      minRequests: 10,
      healthCheckPath: '/health',
      paths: ['/'],
      stickinessSeconds: 0,
      rollbackWindowSeconds: 3600,
      alarmNames: [],
      stepSeconds: 900,
      pollSeconds: 20,
      checkSeconds: 120,
    });
  });

  test('stickiness, the error rate and the environment\'s alarms reach the program', () => {
    const stack = testStack();
    const alarm = cloudwatch.Alarm.fromAlarmArn(stack, 'Errors', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:api-errors');
    const template = synth({
      target: blueGreenFleet(stack, { stickiness: Duration.minutes(10), maxErrorRatePercent: 2.5, rollbackWindow: Duration.minutes(0) }),
      alarms: [alarm],
    }, stack);
    const settings = releaseSettings(stack, template);
    expect([settings.stickinessSeconds, settings.maxErrorRatePercent, settings.rollbackWindowSeconds, settings.alarmNames]).toEqual([600, 2.5, 0, ['api-errors']]);
    // The environment's alarm stops deployments to both fleets too.
    for (const group of Object.values<any>(template.findResources('AWS::CodeDeploy::DeploymentGroup'))) {
      expect(group.Properties.AlarmConfiguration.Alarms).toContainEqual({ Name: 'api-errors' });
    }
  });

  test('the outputs roll back, roll to a named fleet, and show the weights', () => {
    const rollback = project(exampleStack, example, ProjectKind.FLEET_ROLLBACK)[0];
    const outputs = example.toJSON().Outputs;
    const value = (prefix: string) => JSON.stringify(Object.entries<any>(outputs).find(([k]) => k.startsWith(prefix))![1].Value);
    expect(value('ApiProductionReleaseRollbackCommand')).toContain(`"aws codebuild start-build --region ",{"Ref":"AWS::Region"}," --project-name ",{"Ref":"${rollback}"}`);
    expect(value('ApiProductionReleaseRollbackToFleetCommand')).toContain('--environment-variables-override name=FLEET,value=<blue|green>,type=PLAINTEXT');
    expect(value('ApiProductionReleaseTrafficCommand')).toContain(`--query \\"Rules[?Priority=='${FLEET_RELEASE.liveRulePriority}'].Actions[0].ForwardConfig.TargetGroups\\"`);
  });
});

describe('IAM of the release', () => {
  const releaseRole = projectRole(example, project(exampleStack, example, ProjectKind.FLEET_RELEASE)[0]);
  const rollbackRole = projectRole(example, project(exampleStack, example, ProjectKind.FLEET_ROLLBACK)[0]);
  const actionsOf = (role: string) => roleStatements(example, role).flatMap((s: any) => [s.Action].flat());
  const resourcesOf = (role: string, action: string) => roleStatements(example, role)
    .filter((s: any) => [s.Action].flat().includes(action)).flatMap((s: any) => [s.Resource].flat());

  test('the release role changes the listener\'s rules of its load balancer and creates rules on the listener alone', () => {
    const listener = logicalIdOf(example, 'AWS::ElasticLoadBalancingV2::Listener', 'ApiProductionFleet');
    expect(resourcesOf(releaseRole, 'elasticloadbalancing:CreateRule')).toEqual([{ Ref: listener }]);
    const rules = JSON.stringify(resourcesOf(releaseRole, 'elasticloadbalancing:ModifyRule'));
    expect(rules).toContain(':listener-rule/');
    expect(rules).toContain('LoadBalancerFullName');
    expect(resourcesOf(releaseRole, 'elasticloadbalancing:DeleteRule')).toEqual(resourcesOf(releaseRole, 'elasticloadbalancing:ModifyRule'));
  });

  test('the release role sizes and schedules the two fleets\' groups alone', () => {
    const groups = Object.keys(example.findResources('AWS::AutoScaling::AutoScalingGroup'));
    for (const action of ['autoscaling:UpdateAutoScalingGroup', 'autoscaling:PutScheduledUpdateGroupAction', 'autoscaling:DeleteScheduledAction']) {
      const named = resourcesOf(releaseRole, action).map((r: any) => JSON.stringify(r));
      expect(named).toHaveLength(2);
      groups.forEach((g) => expect(named.some((n) => n.includes(`{"Ref":"${g}"}`))).toBe(true));
    }
  });

  test('the release role deploys to the two deployment groups alone, and stops deployments (no resource-level permission)', () => {
    const groups = Object.keys(example.findResources('AWS::CodeDeploy::DeploymentGroup'));
    const named = resourcesOf(releaseRole, 'codedeploy:CreateDeployment').map((r: any) => JSON.stringify(r));
    expect(named).toHaveLength(2);
    groups.forEach((g) => expect(named.some((n) => n.includes(`{"Ref":"${g}"}`))).toBe(true));
    expect(resourcesOf(releaseRole, 'codedeploy:StopDeployment')).toEqual(['*']);
  });

  test('the release role reads the fleets\' alarms by ARN, and metrics (no resource-level permission)', () => {
    expect(resourcesOf(releaseRole, 'cloudwatch:DescribeAlarms')).toHaveLength(4);
    expect(resourcesOf(releaseRole, 'cloudwatch:GetMetricData')).toEqual(['*']);
  });

  test('the rollback role moves traffic and sizes fleets, but neither deploys, stops deployments nor deletes rules', () => {
    const actions = actionsOf(rollbackRole);
    expect(actions).toEqual(expect.arrayContaining(['elasticloadbalancing:ModifyRule', 'autoscaling:UpdateAutoScalingGroup', 'codedeploy:GetApplicationRevision']));
    for (const action of ['codedeploy:CreateDeployment', 'codedeploy:StopDeployment', 'elasticloadbalancing:DeleteRule', 'cloudwatch:GetMetricData']) {
      expect(actions).not.toContain(action);
    }
  });

  test('the CodeDeploy service role may move instances in and out of both target groups', () => {
    const targetGroups = Object.keys(example.findResources('AWS::ElasticLoadBalancingV2::TargetGroup')).map((id) => ({ Ref: id }));
    const service = Object.values<any>(example.findResources('AWS::CodeDeploy::DeploymentGroup'))[0].Properties.ServiceRoleArn['Fn::GetAtt'][0];
    const registers = roleStatements(example, service).find((s: any) => [s.Action].flat().includes('elasticloadbalancing:RegisterTargets'));
    expect(registers.Resource).toEqual(expect.arrayContaining(targetGroups));
  });

  test('the example passes cdk-nag\'s AwsSolutions pack', () => {
    expect(nagErrors(exampleStack)).toEqual([]);
  });
});

describe('validation', () => {
  test('blue/green needs the fleet\'s load balancer', () => {
    const stack = testStack();
    let message = 'no error';
    try {
      synth({ target: blueGreenFleet(stack, {}, { loadBalancer: undefined }) }, stack);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      "ServerAppPipeline 'Api': target.releaseStrategy is ReleaseStrategy.blueGreen(), which needs target.loadBalancer, got none; "
      + 'a release is checked and shifted through the load balancer, so add loadBalancer: {} or use ReleaseStrategy.inPlace()');
  });

  test.each<[number[], string]>([
    [[], "must list 1 to 10 steps, got '[]'; e.g. [10, 100]"],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100], "must list 1 to 10 steps, got '[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100]'; e.g. [10, 100]"],
    [[10, 10, 100], "must be increasing whole percentages from 1 to 100, got '[10, 10, 100]'; e.g. [10, 50, 100]"],
    [[0, 100], "must be increasing whole percentages from 1 to 100, got '[0, 100]'; e.g. [10, 50, 100]"],
    [[12.5, 100], "must be increasing whole percentages from 1 to 100, got '[12.5, 100]'; e.g. [10, 50, 100]"],
    [[50, 101], "must be increasing whole percentages from 1 to 100, got '[50, 101]'; e.g. [10, 50, 100]"],
    [[10, 50], "must end with 100 (the new fleet takes all traffic), got '[10, 50]'; e.g. [10, 50, 100]"],
  ])('trafficPercentages %j is refused', (trafficPercentages, message) => {
    expect(errorOf({ trafficPercentages })).toBe(`ServerAppPipeline 'Api': target.releaseStrategy.trafficPercentages ${message}`);
  });

  test('trafficPercentages must be literals', () => {
    const token = Lazy.number({ produce: () => 10 });
    expect(errorOf({ trafficPercentages: [token, 100] })).toBe(`ServerAppPipeline 'Api': target.releaseStrategy.trafficPercentages must be literals, got '[${token}, 100]'; `
      + 'each step is a pipeline action made at synth time, e.g. [10, 100]');
  });

  test('bakeTime must leave a traffic step time to finish on Lambda compute', () => {
    expect(errorOf({ bakeTime: Duration.minutes(13) })).toBe("ServerAppPipeline 'Api': target.releaseStrategy.bakeTime must be at most 12 minutes on Lambda compute "
      + "(CodeBuild stops a step there after 15 minutes, and a traffic step needs up to 3 more), got '13 minutes'; "
      + 'shorten it, or set deployCompute: DeployCompute.EC2 (bakeTime up to 17 minutes)');
    expect(errorOf({ bakeTime: Duration.minutes(12) })).toBe('no error');
  });

  test('bakeTime must leave a traffic step time to finish on EC2 compute', () => {
    expect(errorOf({ bakeTime: Duration.minutes(18) }, { deployCompute: DeployCompute.EC2 })).toBe(
      "ServerAppPipeline 'Api': target.releaseStrategy.bakeTime must be at most 17 minutes on EC2 compute "
      + "(the deploy steps time out after 20 minutes, and a traffic step needs up to 3 more), got '18 minutes'; shorten it");
  });

  test.each(['bakeTime', 'rollbackWindow', 'stickiness'] as const)('%s must be a literal duration', (prop) => {
    const token = Duration.minutes(Lazy.number({ produce: () => 5 }));
    const shown = { bakeTime: 'Duration.minutes(5)', rollbackWindow: 'Duration.hours(1)', stickiness: 'Duration.minutes(30)' }[prop];
    expect(errorOf({ [prop]: token })).toBe(`ServerAppPipeline 'Api': target.releaseStrategy.${prop} must be a literal duration, got '${token}'; `
      + `its limits are checked at synth time, e.g. ${shown}`);
  });

  test('rollbackWindow is at most 7 days', () => {
    expect(errorOf({ rollbackWindow: Duration.days(8) })).toBe("ServerAppPipeline 'Api': target.releaseStrategy.rollbackWindow must be at most 7 days, got '8 days'; "
      + 'a fleet kept longer costs as much as a second production fleet, e.g. Duration.hours(1)');
    expect(errorOf({ rollbackWindow: Duration.days(7) })).toBe('no error');
  });

  test.each([[0], [101], [-1]])('maxErrorRatePercent %d is refused', (maxErrorRatePercent) => {
    expect(errorOf({ maxErrorRatePercent })).toBe(
      `ServerAppPipeline 'Api': target.releaseStrategy.maxErrorRatePercent must be above 0 and at most 100, got '${maxErrorRatePercent}'; e.g. 1`);
  });

  test('paths are checked: at most 20, literal, starting with /', () => {
    expect(errorOf({ paths: Array.from({ length: 21 }, (_, i) => `/p${i}`) })).toBe(
      "ServerAppPipeline 'Api': target.releaseStrategy.paths must list at most 20 paths, got '21'; check the pages that matter most, e.g. ['/api/status']");
    expect(errorOf({ paths: ['api/status'] })).toBe("ServerAppPipeline 'Api': target.releaseStrategy.paths must be paths starting with '/', "
      + "without spaces or fragment, at most 200 characters, got 'api/status'; e.g. '/api/status'");
    const token = Lazy.string({ produce: () => '/x' });
    expect(errorOf({ paths: [token] })).toBe(`ServerAppPipeline 'Api': target.releaseStrategy.paths must be literals, got '${token}'; `
      + "the release step reads them from its environment at run time, e.g. '/api/status'");
    expect(errorOf({ paths: ['/api/status?full=1'] })).toBe('no error');
  });

  test.each<[Duration, string]>([
    [Duration.millis(500), '500 millis'],
    [Duration.days(8), '8 days'],
  ])('stickiness %s is refused', (stickiness, shown) => {
    expect(errorOf({ stickiness })).toBe('ServerAppPipeline \'Api\': target.releaseStrategy.stickiness must be whole seconds from 1 second to 7 days '
      + `(the load balancer's limits), got '${shown}'; e.g. Duration.minutes(30)`);
  });

  test('deployCompute is for blue/green releases', () => {
    const stack = testStack();
    let message = 'no error';
    try {
      synth({ target: DeploymentTarget.ec2Tags({ app: ['api'] }), deployCompute: DeployCompute.LAMBDA }, stack);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe("ServerAppPipeline 'Api': deployCompute is where blue/green releases run, got 'LAMBDA' but no environment is released blue/green; "
      + 'remove it, or give a managed fleet releaseStrategy: ReleaseStrategy.blueGreen()');
  });

  test('blue/green in a region without Lambda compute runs on EC2 compute, with a warning', () => {
    const stack = testStack({ account: '123456789012', region: 'eu-west-2' });
    synth({ target: blueGreenFleet(stack) }, stack);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('CodeBuild has no Lambda compute in eu-west-2'));
    expect(warnings).toHaveLength(1);
  });

  test('the fleets and the environment\'s alarms make at most 10 per deployment group', () => {
    const stack = testStack();
    const alarms = Array.from({ length: 9 }, (_, i) => cloudwatch.Alarm.fromAlarmArn(stack, `A${i}`, `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a${i}`));
    let message = 'no error';
    try {
      synth({ target: blueGreenFleet(stack), alarms }, stack);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe("ServerAppPipeline 'Api': alarms makes 11 alarms for environment 'Production', got '11'; CodeDeploy watches at most 10 per environment");
  });

  test('a deployment configuration of the user\'s applies to both fleets', () => {
    const stack = testStack();
    const template = synth({ target: blueGreenFleet(stack), deploymentConfig: codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME }, stack);
    for (const group of Object.values<any>(template.findResources('AWS::CodeDeploy::DeploymentGroup'))) {
      expect(group.Properties.DeploymentConfigName).toBe('CodeDeployDefault.HalfAtATime');
    }
  });
});
