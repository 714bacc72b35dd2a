/**
 * `ServerAppPipeline` as a fuzz target: its props (the shared pipeline props plus the target or the
 * environments, deployment settings, agent and instance roles), their valid and hostile values, and
 * how a case builds them in its stack (Auto Scaling groups, fleets in an imported VPC, alarms...).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as fc from 'fast-check';
import {
  ACCOUNT, anyString, commandLists, hostile, hostileOrRandom, Num, random, Sample, Text, textToken,
  valid, validText, ValueArbitraries,
} from './arbitraries';
import { FuzzCase, PropGroup, propReader, PropsShape, StackSpec } from './case';
import { FuzzTarget } from './check-case';
import { optional, pipelineGroups, pipelineProps, sourceAlternatives } from './pipeline-props';
import { num, text, texts } from './tokens';
import {
  DeployCompute, DeploymentTarget, MinimumHealthyHosts, ReleaseStrategy, ServerAppPipeline, ServerAppPipelineProps, ServerEnvironment,
} from 'cdk-deploy-pipelines';

/** EC2 or on-premises instance tags: each key with the values an instance's tag may have. */
type Tags = Record<string, Text[]>;

/** Where an environment deploys. */
type TargetSpec =
  | { readonly autoScalingGroups: 'with a role' | 'without a role' | 'imported' | 'listed twice' | 'none' | 'shared with environment 0' }
  | { readonly ec2Tags: Tags }
  | { readonly onPremisesTags: Tags }
  | { readonly managedFleet: FleetSpec }
  | { readonly sameAs: 'environment 0' };

/** The options of a managed fleet. */
interface FleetSpec {
  readonly instanceType?: string;
  readonly minCapacity?: Num;
  readonly maxCapacity?: Num;
  readonly setupCommands?: Text[];
  readonly publicSubnets?: boolean;
  readonly loadBalancer?: LoadBalancerSpec;
  readonly createdTopic?: boolean;
  readonly releaseStrategy?: ReleaseSpec;
}

/** A release strategy: in place, or blue/green with some options (durations in minutes, stickiness in seconds). */
type ReleaseSpec = 'inPlace' | { readonly blueGreen: BlueGreenSpec };

interface BlueGreenSpec {
  readonly trafficPercentages?: number[];
  readonly bakeMinutes?: number;
  readonly maxErrorRatePercent?: number;
  readonly paths?: string[];
  readonly rollbackWindowMinutes?: number;
  readonly stickinessSeconds?: number;
}

/** The load balancer options of a managed fleet. */
interface LoadBalancerSpec {
  readonly port?: number;
  readonly healthCheckPath?: Text;
  readonly certificate?: 'stack region' | 'other region' | 'garbage ARN';
  readonly listenerPort?: number;
  readonly serverErrorThreshold?: number;
}

/** A minimum of healthy hosts: a count or a percentage. */
type MinimumHealthyHostsSpec = { readonly count: number } | { readonly percentage: number };

/** Alarms: how many imported by ARN, and how many created in the stack. */
interface AlarmsSpec {
  readonly imported: number;
  readonly created: number;
}

/** One environment. */
interface EnvironmentSpec {
  readonly name: Text;
  readonly target: TargetSpec;
  readonly approval?: boolean;
  readonly deploymentConfig?: string;
  readonly minimumHealthyHosts?: MinimumHealthyHostsSpec;
  readonly alarms?: AlarmsSpec;
  readonly rollbackOnAlarm?: boolean;
}

/** A hand-picked hostile fleet, and where in the fleet's options error messages should point. */
type FleetCase = [label: string, value: FleetSpec, severity: 'invalid' | 'odd', at?: string];

/** Deployment configurations of aws-cdk-lib by name. */
const DEPLOYMENT_CONFIGS: Record<string, (stack: Stack, id: string) => codedeploy.IServerDeploymentConfig> = {
  ONE_AT_A_TIME: () => codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME,
  HALF_AT_A_TIME: () => codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME,
  ALL_AT_ONCE: () => codedeploy.ServerDeploymentConfig.ALL_AT_ONCE,
  imported: (stack, id) => codedeploy.ServerDeploymentConfig.fromServerDeploymentConfigName(stack, `${id}ImportedConfig`, 'custom-config'),
};

/** The top-level `target` or the `environments`: exactly one of them. */
const targetAlternatives = (): PropGroup[] => [
  { name: 'target', fields: [{ path: 'target', values: (stack) => targets(stack, ''), required: true }] },
  { name: 'environments', fields: [{ path: 'environments', values: environmentLists, required: true }] },
  {
    name: 'target',
    hostileShape: 'both target and environments',
    fields: [
      { path: 'target', values: (stack) => targets(stack, ''), required: true },
      { path: 'environments', values: environmentLists, required: true },
    ],
  },
  { name: 'target', hostileShape: 'neither target nor environments', fields: [] },
];

/** `deploymentConfig` or `minimumHealthyHosts` (or neither): giving both is wrong. */
const deploymentConfigAlternatives = (): PropGroup[] => [
  { name: 'deploymentConfig', fields: [{ path: 'deploymentConfig', values: deploymentConfigs(), required: true }] },
  { name: 'minimumHealthyHosts', fields: [{ path: 'minimumHealthyHosts', values: minimumHealthyHosts(), required: true }] },
  { name: 'defaultDeploymentConfig', fields: [] },
  {
    name: 'deploymentConfig',
    hostileShape: 'both deploymentConfig and minimumHealthyHosts',
    fields: [
      { path: 'deploymentConfig', values: deploymentConfigs(), required: true },
      { path: 'minimumHealthyHosts', values: minimumHealthyHosts(), required: true },
    ],
  },
];

/** The props of `ServerAppPipeline` and the groups they come in. */
const shape: PropsShape = {
  choices: [sourceAlternatives, targetAlternatives(), deploymentConfigAlternatives()],
  groups: [
    ...pipelineGroups,
    {
      name: 'deployment',
      fields: [
        { path: 'alarms', values: alarmLists() },
        { path: 'rollbackOnAlarm', values: rollbackOnAlarmValues() },
        { path: 'installAgent', values: { valid: valid(fc.boolean()) } },
        { path: 'instanceRoles', values: instanceRoleLists() },
        { path: 'deployCompute', values: deployComputes() },
      ],
    },
  ],
};

/** `ServerAppPipeline` for the fuzzer. */
export const serverAppTarget: FuzzTarget = {
  construct: 'ServerAppPipeline',
  shape,
  prepare(stack, c) {
    const props = serverAppProps(stack, c);
    return () => new ServerAppPipeline(stack, c.id, props);
  },
};

/** The props of a case, built in `stack`. */
function serverAppProps(stack: Stack, c: FuzzCase): ServerAppPipelineProps {
  const get = propReader(c);
  const fixtures = new Fixtures(stack);
  const environments = optional(get<EnvironmentSpec[]>('environments'), (specs) => {
    const built: ServerEnvironment[] = [];
    specs.forEach((spec, i) => built.push({
      name: text(stack, spec.name),
      target: 'sameAs' in spec.target ? built[0].target : fixtures.target(spec.target, `Env${i}`),
      approval: spec.approval ? {} : undefined,
      deploymentConfig: optional(spec.deploymentConfig, (name) => DEPLOYMENT_CONFIGS[name](stack, `Env${i}`)),
      minimumHealthyHosts: optional(spec.minimumHealthyHosts, minimumOf),
      alarms: optional(spec.alarms, (a) => fixtures.alarms(a, `Env${i}`)),
      rollbackOnAlarm: spec.rollbackOnAlarm,
    }));
    return built;
  });
  return {
    ...pipelineProps(stack, c),
    target: optional(get<Exclude<TargetSpec, { sameAs: string }>>('target'), (spec) => fixtures.target(spec, 'Top')),
    environments,
    deploymentConfig: optional(get<string>('deploymentConfig'), (name) => DEPLOYMENT_CONFIGS[name](stack, 'Top')),
    minimumHealthyHosts: optional(get<MinimumHealthyHostsSpec>('minimumHealthyHosts'), minimumOf),
    alarms: optional(get<AlarmsSpec>('alarms'), (a) => fixtures.alarms(a, 'Top')),
    rollbackOnAlarm: get<boolean>('rollbackOnAlarm'),
    installAgent: get<boolean>('installAgent'),
    instanceRoles: optional(get<string[]>('instanceRoles'), (roles) => roles.map((kind, i) => fixtures.instanceRole(kind, i))),
    deployCompute: get<DeployCompute>('deployCompute'),
  };
}

/** The release strategy of a fleet spec. */
function releaseStrategyOf(spec: ReleaseSpec): ReleaseStrategy {
  if (spec === 'inPlace') return ReleaseStrategy.inPlace();
  const o = spec.blueGreen;
  return ReleaseStrategy.blueGreen({
    trafficPercentages: o.trafficPercentages,
    bakeTime: optional(o.bakeMinutes, (m) => Duration.minutes(m)),
    maxErrorRatePercent: o.maxErrorRatePercent,
    paths: o.paths,
    rollbackWindow: optional(o.rollbackWindowMinutes, (m) => Duration.minutes(m)),
    stickiness: optional(o.stickinessSeconds, (n) => Duration.millis(n * 1000)),
  });
}

/**
 * Where blue/green releases run: any value is only odd, as it is right with a blue/green fleet in
 * the case and refused (naming deployCompute) without one, or with Lambda compute in a region
 * without it.
 */
function deployComputes(): ValueArbitraries<DeployCompute | undefined> {
  return {
    valid: valid(fc.constant(undefined)),
    hostile: hostile<DeployCompute | undefined>([
      ['EC2 compute, right only with a blue/green fleet', DeployCompute.EC2, 'odd'],
      ['Lambda compute, right only with a blue/green fleet in a region with it', DeployCompute.LAMBDA, 'odd'],
    ]),
  };
}

function minimumOf(spec: MinimumHealthyHostsSpec): MinimumHealthyHosts {
  return 'count' in spec ? MinimumHealthyHosts.count(spec.count) : MinimumHealthyHosts.percentage(spec.percentage);
}

/** What targets are made of, created in the case's stack on first use. */
class Fixtures {
  private vpcOf?: ec2.IVpc;
  private firstGroup?: autoscaling.IAutoScalingGroup;

  constructor(private readonly stack: Stack) {}

  /** The deployment target of `spec`; `id` keeps the resources of each environment apart. */
  public target(spec: Exclude<TargetSpec, { sameAs: string }>, id: string): DeploymentTarget {
    if ('ec2Tags' in spec) return DeploymentTarget.ec2Tags(this.tags(spec.ec2Tags));
    if ('onPremisesTags' in spec) return DeploymentTarget.onPremisesTags(this.tags(spec.onPremisesTags));
    if ('managedFleet' in spec) return DeploymentTarget.managedFleet(this.fleetOptions(spec.managedFleet, id));
    return DeploymentTarget.autoScalingGroups(this.groups(spec.autoScalingGroups, id));
  }

  /** `imported` alarms by ARN and `created` ones in the stack. */
  public alarms(spec: AlarmsSpec, id: string): cloudwatch.IAlarm[] {
    const imported = Array.from({ length: spec.imported }, (_, i) => cloudwatch.Alarm.fromAlarmArn(this.stack, `${id}ImportedAlarm${i}`,
      `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:errors-${i}`));
    const created = Array.from({ length: spec.created }, (_, i) => new cloudwatch.Alarm(this.stack, `${id}Alarm${i}`, {
      metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }),
      threshold: 1,
      evaluationPeriods: 1,
    }));
    return [...imported, ...created];
  }

  /** An instance role: imported by ARN or created. */
  public instanceRole(kind: string, i: number): iam.IRole {
    return kind === 'imported'
      ? iam.Role.fromRoleArn(this.stack, `InstanceRole${i}`, `arn:aws:iam::${ACCOUNT}:role/app-instances`)
      : new iam.Role(this.stack, `InstanceRole${i}`, { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  }

  private tags(tags: Tags): Record<string, string[]> {
    return Object.fromEntries(Object.entries(tags).map(([key, values]) => [key, texts(this.stack, values)]));
  }

  private groups(kind: string, id: string): autoscaling.IAutoScalingGroup[] {
    switch (kind) {
      case 'none': return [];
      case 'imported': return [autoscaling.AutoScalingGroup.fromAutoScalingGroupName(this.stack, `${id}Group`, 'app-group')];
      case 'shared with environment 0': return [this.firstGroup ?? this.group(id, true)];
      case 'listed twice': {
        const group = this.group(id, true);
        return [group, group];
      }
      default: return [this.group(id, kind === 'with a role')];
    }
  }

  /** An Auto Scaling group as cdk-nag wants it (notifications, IMDSv2, encrypted volume), with or without an instance role. */
  private group(id: string, withRole: boolean): autoscaling.IAutoScalingGroup {
    const launchTemplate = new ec2.LaunchTemplate(this.stack, `${id}LaunchTemplate`, {
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      instanceType: new ec2.InstanceType('t3.micro'),
      role: withRole ? new iam.Role(this.stack, `${id}GroupRole`, { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }) : undefined,
      requireImdsv2: true,
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(20, { encrypted: true }) }],
    });
    const group = new autoscaling.AutoScalingGroup(this.stack, `${id}Group`, {
      vpc: this.vpc(),
      launchTemplate,
      minCapacity: 1,
      notifications: [{ topic: new sns.Topic(this.stack, `${id}GroupTopic`, { enforceSSL: true }) }],
    });
    this.firstGroup ??= group;
    return group;
  }

  private fleetOptions(spec: FleetSpec, id: string) {
    const lb = spec.loadBalancer;
    return {
      vpc: this.vpc(),
      vpcSubnets: spec.publicSubnets ? { subnetType: ec2.SubnetType.PUBLIC } : undefined,
      instanceType: optional(spec.instanceType, (t) => new ec2.InstanceType(t)),
      minCapacity: optional(spec.minCapacity, (n) => num(this.stack, n)),
      maxCapacity: optional(spec.maxCapacity, (n) => num(this.stack, n)),
      setupCommands: optional(spec.setupCommands, (commands) => texts(this.stack, commands)),
      notificationTopic: spec.createdTopic ? new sns.Topic(this.stack, `${id}FleetTopic`, { enforceSSL: true }) : undefined,
      releaseStrategy: optional(spec.releaseStrategy, releaseStrategyOf),
      loadBalancer: lb && {
        port: lb.port,
        healthCheckPath: optional(lb.healthCheckPath, (p) => text(this.stack, p)),
        certificate: optional(lb.certificate, (kind) => acm.Certificate.fromCertificateArn(this.stack, `${id}Certificate`, certificateArn(this.stack, kind))),
        listenerPort: lb.listenerPort,
        serverErrorThreshold: lb.serverErrorThreshold,
      },
    };
  }

  /** An imported VPC with public and private subnets (imported: no resources, no findings of its own). */
  private vpc(): ec2.IVpc {
    this.vpcOf ??= ec2.Vpc.fromVpcAttributes(this.stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      // Ids of the shape EC2 gives (cfn-lint checks them), 17 hex digits.
      publicSubnetIds: ['subnet-0a0000000000000a0', 'subnet-0b0000000000000b0'],
      publicSubnetRouteTableIds: ['rtb-0a0000000000000a0', 'rtb-0b0000000000000b0'],
      privateSubnetIds: ['subnet-1a0000000000000a1', 'subnet-1b0000000000000b1'],
      privateSubnetRouteTableIds: ['rtb-1a0000000000000a1', 'rtb-1b0000000000000b1'],
    });
    return this.vpcOf;
  }
}

/** An ACM certificate ARN for a load balancer: in the stack's region, another one, or garbage. */
function certificateArn(stack: Stack, kind: NonNullable<LoadBalancerSpec['certificate']>): string {
  switch (kind) {
    case 'stack region': return `arn:aws:acm:${stack.region}:${ACCOUNT}:certificate/abc`;
    case 'other region': return `arn:aws:acm:ap-south-1:${ACCOUNT}:certificate/abc`;
    default: return 'not-an-arn';
  }
}

/** Targets; `at` is where error messages put the target ('' at the top, '[1].target' in environments). */
function targets(stack: StackSpec, at: string): ValueArbitraries<TargetSpec> {
  const tags = tagMaps();
  const fleets = fleetOptions(stack);
  const within = (s: Sample<unknown>): string[] | undefined => (s.at ? s.at.map((a) => `${at}${a}`) : at ? [at] : undefined);
  const wrap = <T>(sample: Sample<T>, make: (value: T) => TargetSpec): Sample<TargetSpec> => ({
    ...sample,
    value: make(sample.value),
    ...(sample.hostile ? { at: within(sample) } : {}),
  });
  return {
    valid: fc.oneof(
      tags.valid.map((s) => wrap(s, (t): TargetSpec => ({ ec2Tags: t }))),
      tags.valid.map((s) => wrap(s, (t): TargetSpec => ({ onPremisesTags: t }))),
      valid<TargetSpec>(fc.constant({ autoScalingGroups: 'with a role' })),
      fleets.valid.map((s) => wrap(s, (f): TargetSpec => ({ managedFleet: f }))),
    ),
    hostile: fc.oneof(
      tags.hostile!.map((s) => wrap(s, (t): TargetSpec => ({ ec2Tags: t }))),
      tags.hostile!.map((s) => wrap(s, (t): TargetSpec => ({ onPremisesTags: t }))),
      hostile<TargetSpec>([
        ['group without a role', { autoScalingGroups: 'without a role' }, 'odd'],
        ['imported group', { autoScalingGroups: 'imported' }, 'odd'],
        ['group listed twice', { autoScalingGroups: 'listed twice' }, 'invalid'],
        ['no groups', { autoScalingGroups: 'none' }, 'invalid'],
      ]).map((s) => ({ ...s, ...(at ? { at: [at] } : {}) })),
      fleets.hostile!.map((s) => wrap(s, (f): TargetSpec => ({ managedFleet: f }))),
    ),
  };
}

/** Tag maps: one to three keys with values; hostile ones break CodeDeploy's or EC2's limits. */
function tagMaps(): ValueArbitraries<Tags> {
  const key = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
  const values = fc.array(fc.oneof({ arbitrary: fc.stringMatching(/^[a-z0-9-]{1,12}$/) as fc.Arbitrary<Text>, weight: 6 },
    { arbitrary: textToken('api'), weight: 1 }), { minLength: 1, maxLength: 3 });
  return {
    valid: valid(fc.dictionary(key, values, { minKeys: 1, maxKeys: 3 })),
    hostile: hostileOrRandom<Tags>([
      ['no tags', {}, 'invalid'],
      ['4 keys', { a: ['1'], b: ['2'], c: ['3'], d: ['4'] }, 'invalid'],
      ['empty key', { '': ['api'] }, 'invalid'],
      ['blank key', { ' ': ['api'] }, 'invalid'],
      ['key without values', { app: [] }, 'invalid'],
      ['empty value', { app: [''] }, 'odd'],
      ['aws: key', { 'aws:app': ['api'] }, 'odd'],
      ['129-char key', { ['k'.repeat(129)]: ['api'] }, 'invalid'],
      ['257-char value', { app: ['v'.repeat(257)] }, 'invalid'],
      ['unicode', { ünï: ['wért'] }, 'odd'],
    ], random('random', fc.dictionary(anyString, fc.array(anyString, { maxLength: 2 }), { maxKeys: 2 }))),
  };
}

/** Managed fleet options; a load balancer needs a stack with a region. */
function fleetOptions(stack: StackSpec): ValueArbitraries<FleetSpec> {
  const regional = stack.region !== 'agnostic';
  const validLoadBalancer = fc.record({
    port: fc.option(fc.constantFrom(80, 8080, 3000), { nil: undefined }),
    healthCheckPath: fc.option(validText('/health', fc.constantFrom('/health', '/', '/api/ping?full=1')), { nil: undefined })
      .map((s) => s?.value),
    certificate: fc.option(fc.constant<'stack region'>('stack region'), { nil: undefined }),
    listenerPort: fc.option(fc.constantFrom(80, 443, 8443), { nil: undefined }),
    serverErrorThreshold: fc.option(fc.constantFrom(1, 5, 100), { nil: undefined }),
  }, { requiredKeys: [] }).map(dropUndefined);
  const validBlueGreen = fc.record({
    trafficPercentages: fc.option(fc.constantFrom([10, 100], [100], [5, 25, 50, 100]), { nil: undefined }),
    bakeMinutes: fc.option(fc.constantFrom(0, 1, 5, 12), { nil: undefined }),
    maxErrorRatePercent: fc.option(fc.constantFrom(0.5, 1, 5, 100), { nil: undefined }),
    paths: fc.option(fc.constantFrom(['/'], ['/api/status?full=1', '/about']), { nil: undefined }),
    rollbackWindowMinutes: fc.option(fc.constantFrom(0, 60, 7 * 24 * 60), { nil: undefined }),
    stickinessSeconds: fc.option(fc.constantFrom(1, 600, 604800), { nil: undefined }),
  }, { requiredKeys: [] }).map((o): ReleaseSpec => ({
    blueGreen: dropUndefined({ ...o, trafficPercentages: o.trafficPercentages && [...o.trafficPercentages], paths: o.paths && [...o.paths] }),
  }));
  const validFleet = fc.record({
    instanceType: fc.option(fc.constantFrom('t3.micro', 't4g.small', 'm5.large'), { nil: undefined }),
    minCapacity: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    setupCommands: fc.option(commandLists.valid.map((s) => s.value), { nil: undefined }),
    loadBalancer: regional ? fc.option(validLoadBalancer, { nil: undefined }) : fc.constant(undefined),
    createdTopic: fc.option(fc.boolean(), { nil: undefined }),
    releaseStrategy: fc.option(fc.oneof(fc.constant<ReleaseSpec>('inPlace'), validBlueGreen), { nil: undefined }),
  }, { requiredKeys: [] }).map((f) => dropUndefined({
    ...f,
    maxCapacity: f.minCapacity === undefined ? undefined : f.minCapacity * 2,
    // Blue/green needs the load balancer: without one, only in place is valid.
    releaseStrategy: f.loadBalancer || f.releaseStrategy === 'inPlace' ? f.releaseStrategy : undefined,
  }));
  const fleetCases: FleetCase[] = [
    ...numberCases('minCapacity', [0, -1, 1.5, NaN, 1001]),
    ['maxCapacity below minCapacity', { minCapacity: 3, maxCapacity: 2 }, 'invalid', '.maxCapacity'],
    ['maxCapacity 1001', { maxCapacity: 1001 }, 'invalid', '.maxCapacity'],
    ['unknown instance type', { instanceType: 'banana' }, 'invalid'],
    ['public subnets', { publicSubnets: true }, 'odd'],
    ...loadBalancerCases(regional),
    ...releaseStrategyCases(regional),
  ];
  return {
    valid: valid(validFleet),
    hostile: fc.oneof(
      fc.constantFrom(...fleetCases).map(([label, value, severity, at]) => ({
        value, hostile: label, ...(severity === 'invalid' ? { invalid: true } : {}), ...(at ? { at: [at] } : {}),
      })),
      commandLists.hostile!.map((s) => ({ ...s, value: { setupCommands: s.value }, at: ['.setupCommands'] })),
    ),
  };
}

/** A fleet whose `prop` is each of `values`, all wrong. */
function numberCases(prop: 'minCapacity', values: number[]): FleetCase[] {
  return values.map((n) => [`${prop} ${n}`, { [prop]: n }, 'invalid', `.${prop}`]);
}

/** Load balancers with wrong options; any load balancer is wrong in a stack without a region. */
function loadBalancerCases(regional: boolean): FleetCase[] {
  // Without a region, any load balancer is rejected as a whole.
  const lb = (label: string, options: LoadBalancerSpec, at: string, severity: 'invalid' | 'odd' = 'invalid'): FleetCase =>
    [label, { loadBalancer: options }, severity, `.loadBalancer${regional ? at : ''}`];
  return [
    ...regional ? [] : [lb('load balancer in a stack without region', {}, '', 'odd')],
    lb('port 0', { port: 0 }, '.port'),
    lb('port 65536', { port: 65536 }, '.port'),
    lb('port 80.5', { port: 80.5 }, '.port'),
    lb('listenerPort 70000', { listenerPort: 70000 }, '.listenerPort'),
    lb('healthCheckPath without /', { healthCheckPath: 'health' }, '.healthCheckPath'),
    lb('empty healthCheckPath', { healthCheckPath: '' }, '.healthCheckPath'),
    lb('1100-char healthCheckPath', { healthCheckPath: `/${'h'.repeat(1100)}` }, '.healthCheckPath'),
    lb('serverErrorThreshold 0', { serverErrorThreshold: 0 }, '.serverErrorThreshold'),
    lb('serverErrorThreshold 2.5', { serverErrorThreshold: 2.5 }, '.serverErrorThreshold'),
    lb('certificate of another region', { certificate: 'other region' }, '.certificate'),
    lb('certificate with a garbage ARN', { certificate: 'garbage ARN' }, '.certificate'),
  ];
}

/** Blue/green options that are wrong; with a load balancer (only possible in a stack with a region), else without one. */
function releaseStrategyCases(regional: boolean): FleetCase[] {
  const blueGreen = (label: string, options: BlueGreenSpec): FleetCase =>
    [label, { loadBalancer: {}, releaseStrategy: { blueGreen: options } }, 'invalid', '.releaseStrategy'];
  return [
    ['blue/green without a load balancer', { releaseStrategy: { blueGreen: {} } }, 'invalid', '.releaseStrategy'],
    ...regional ? [
      blueGreen('traffic steps not ending at 100', { trafficPercentages: [10, 50] }),
      blueGreen('traffic steps not increasing', { trafficPercentages: [50, 10, 100] }),
      blueGreen('no traffic steps', { trafficPercentages: [] }),
      blueGreen('a 12.5% traffic step', { trafficPercentages: [12.5, 100] }),
      blueGreen('13-minute bake on Lambda compute', { bakeMinutes: 13 }),
      blueGreen('maxErrorRatePercent 0', { maxErrorRatePercent: 0 }),
      blueGreen('a path without /', { paths: ['health'] }),
      blueGreen('8-day rollback window', { rollbackWindowMinutes: 8 * 24 * 60 }),
      blueGreen('half-second stickiness', { stickinessSeconds: 0.5 }),
    ] : [],
  ];
}

/** Lists of one to three environments; hostile lists have one hostile environment or break a rule across them. */
function environmentLists(stack: StackSpec): ValueArbitraries<EnvironmentSpec[]> {
  const names = ['Staging', 'Production', 'Canary_2'];
  const validEnv = (i: number) => environment(stack, i, names[i], false);
  const validList = fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => validEnv(i))));
  const withHostile = fc.integer({ min: 0, max: 2 }).chain((bad) => fc.tuple(
    ...Array.from({ length: bad + 1 }, (_, i) => (i === bad ? environment(stack, i, names[i], true) : validEnv(i))),
  ));
  const combine = (envs: Array<Sample<EnvironmentSpec>>): Sample<EnvironmentSpec[]> => {
    const bad = envs.filter((e) => e.hostile);
    return {
      value: envs.map((e) => e.value),
      ...(bad.length ? { hostile: bad.map((e) => e.hostile).join(', '), at: bad.flatMap((e) => e.at ?? []) } : {}),
      ...(bad.some((e) => e.invalid) ? { invalid: true } : {}),
    };
  };
  const tagged = (name: string): EnvironmentSpec => ({ name, target: { ec2Tags: { app: ['api'] } } });
  const acrossEnvironments: Array<Sample<EnvironmentSpec[]>> = [
    { value: [], hostile: 'no environments', invalid: true },
    { value: [tagged('Production'), tagged('Production')], hostile: 'duplicate names', invalid: true, at: ['[1].name'] },
    {
      value: [tagged('Staging'), { name: 'Production', target: { sameAs: 'environment 0' } }],
      hostile: 'one target in two environments',
      invalid: true,
      at: ['[1].target'],
    },
    {
      value: [{ name: 'Staging', target: { autoScalingGroups: 'with a role' } }, { name: 'Production', target: { autoScalingGroups: 'shared with environment 0' } }],
      hostile: 'one group in two environments',
      invalid: true,
      at: ['[1].target'],
    },
  ];
  return {
    valid: validList.map(combine),
    hostile: fc.oneof({ arbitrary: withHostile.map(combine), weight: 3 }, { arbitrary: fc.constantFrom(...acrossEnvironments), weight: 1 }),
  };
}

/** Environment `i`: valid, or with one hostile part, whose path is relative to `environments`. */
function environment(stack: StackSpec, i: number, name: string, bad: boolean): fc.Arbitrary<Sample<EnvironmentSpec>> {
  const prefix = `[${i}].`;
  // Literal only: the name makes the stage name and construct ids, which must be known at synth time.
  const validName = fc.constant<Text>(name);
  const target = targets(stack, `${prefix}target`);
  const extras = fc.record({
    approval: fc.option(fc.boolean(), { nil: undefined }),
    deploymentConfig: fc.option(fc.constantFrom(...Object.keys(DEPLOYMENT_CONFIGS)), { nil: undefined }),
    alarms: fc.option(fc.record({ imported: fc.integer({ min: 0, max: 2 }), created: fc.integer({ min: 0, max: 1 }) }), { nil: undefined }),
  }, { requiredKeys: [] }).map(dropUndefined);
  const validEnv = fc.tuple(validName, target.valid, extras)
    .map(([n, t, e]): Sample<EnvironmentSpec> => ({ value: { name: n, target: t.value, ...e } }));
  if (!bad) {
    return validEnv;
  }
  const hostileName = hostile<Text>([
    ['empty name', '', 'invalid'],
    ['name with a space', 'Pro duction', 'invalid'],
    ['51-char name', 'n'.repeat(51), 'invalid'],
    ['unicode name', 'Prodüction', 'invalid'],
    ['token name', { token: 'lazy', value: name }, 'odd'],
  ]).map((s) => ({ ...s, at: [`${prefix}name`] }));
  const envCases = hostile<Partial<EnvironmentSpec>>([
    ['rollbackOnAlarm without alarms', { rollbackOnAlarm: true }, 'odd'],
    ['11 alarms', { alarms: { imported: 10, created: 1 } }, 'invalid'],
    ['deploymentConfig and minimumHealthyHosts', { deploymentConfig: 'HALF_AT_A_TIME', minimumHealthyHosts: { count: 1 } }, 'invalid'],
    ['minimumHealthyHosts count -1', { minimumHealthyHosts: { count: -1 } }, 'invalid'],
    ['minimumHealthyHosts percentage 100', { minimumHealthyHosts: { percentage: 100 } }, 'invalid'],
  ]).map((s) => ({ ...s, at: [prefix.slice(0, -1)] }));
  return fc.oneof(
    fc.tuple(hostileName, target.valid).map(([n, t]): Sample<EnvironmentSpec> => ({ ...n, value: { name: n.value, target: t.value } })),
    fc.tuple(validName, target.hostile!).map(([n, t]): Sample<EnvironmentSpec> => ({ ...t, value: { name: n, target: t.value } })),
    fc.tuple(target.valid, envCases).map(([t, e]): Sample<EnvironmentSpec> => ({ ...e, value: { name, target: t.value, ...e.value } })),
  );
}

function deploymentConfigs(): ValueArbitraries<string> {
  return { valid: valid(fc.constantFrom(...Object.keys(DEPLOYMENT_CONFIGS))) };
}

/** Minimum healthy hosts: counts from 0, percentages 0-99. */
function minimumHealthyHosts(): ValueArbitraries<MinimumHealthyHostsSpec> {
  return {
    valid: valid<MinimumHealthyHostsSpec>(
      fc.integer({ min: 0, max: 3 }).map((count) => ({ count })),
      fc.integer({ min: 0, max: 99 }).map((percentage) => ({ percentage })),
    ),
    hostile: hostile<MinimumHealthyHostsSpec>([
      ['count -1', { count: -1 }, 'invalid'],
      ['count 1.5', { count: 1.5 }, 'invalid'],
      ['count NaN', { count: NaN }, 'invalid'],
      ['count Infinity', { count: Infinity }, 'invalid'],
      ['percentage 100', { percentage: 100 }, 'invalid'],
      ['percentage -1', { percentage: -1 }, 'invalid'],
      ['percentage 50.5', { percentage: 50.5 }, 'invalid'],
      ['percentage NaN', { percentage: NaN }, 'invalid'],
    ]),
  };
}

/** Alarms: up to 10 in all are valid. */
function alarmLists(): ValueArbitraries<AlarmsSpec> {
  return {
    valid: valid(fc.record({ imported: fc.integer({ min: 0, max: 3 }), created: fc.integer({ min: 0, max: 2 }) })),
    hostile: hostile<AlarmsSpec>([['11 alarms', { imported: 9, created: 2 }, 'invalid']]),
  };
}

/** `rollbackOnAlarm`: true needs alarms, which the case may not have. */
function rollbackOnAlarmValues(): ValueArbitraries<boolean> {
  return { valid: valid(fc.constant(false)), hostile: hostile([['true, alarms or not', true, 'odd']]) };
}

/** Instance roles: imported or created; listing one twice is odd. */
function instanceRoleLists(): ValueArbitraries<string[]> {
  return {
    valid: valid(fc.constantFrom([], ['imported'], ['created'], ['imported', 'created'])),
    hostile: hostile([['the same role twice', ['imported', 'imported'], 'odd']]),
  };
}

function dropUndefined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
