/**
 * Hints for the props of `ServerAppPipeline`: environments, targets (tags, Auto Scaling groups,
 * managed fleets in an imported VPC), deployment settings and alarms, and the rules across them.
 */
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as fc from 'fast-check';
import {
  ACCOUNT, anyString, commandLists, DurationSpec, hostile, hostileOrRandom, Num, random, Sample, Severity, Text, textToken, valid, validText,
  ValueArbitraries,
} from '../arbitraries';
import { codeCommitFilePathsRule, durations } from './pipeline';
import { BuildContext, Hints, StructValue } from '../schema';

/** EC2 or on-premises instance tags: each key with the values an instance's tag may have. */
type Tags = Record<string, Text[]>;

/** Auto Scaling groups of a target, by what they are. */
type GroupsSpec = 'with a role' | 'without a role' | 'imported' | 'listed twice' | 'none' | 'shared with environment 0';

/** Alarms: how many imported by ARN, and how many created in the stack. */
interface AlarmsSpec {
  readonly imported: number;
  readonly created: number;
}

/** The certificate of a fleet's load balancer: in the stack's region, another one, or garbage. */
type LoadBalancerCertificate = 'stack region' | 'other region' | 'garbage ARN';

/** Deployment configurations of aws-cdk-lib by name. */
const DEPLOYMENT_CONFIGS: Record<string, (at: BuildContext) => codedeploy.IServerDeploymentConfig> = {
  ONE_AT_A_TIME: () => codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME,
  HALF_AT_A_TIME: () => codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME,
  ALL_AT_ONCE: () => codedeploy.ServerDeploymentConfig.ALL_AT_ONCE,
  imported: (at) => codedeploy.ServerDeploymentConfig.fromServerDeploymentConfigName(at.stack, at.id, 'custom-config'),
};

/** Environment names: they name pipeline stages and construct ids, so literals, distinct in a case. */
const ENVIRONMENT_NAMES = ['Staging', 'Production', 'Canary_2'];

export const serverAppHints: Hints = {
  values: {
    ...blueGreenHints(),
    // Where blue/green releases run: right only with a blue/green fleet in the case (and Lambda compute
    // only in a region with it), refused naming deployCompute otherwise.
    'ServerAppPipelineProps.deployCompute': {
      coversAbsence: true,
      values: {
        valid: valid(fc.constant(undefined)),
        hostile: hostile<string | undefined>([
          ['EC2 compute, right only with a blue/green fleet', 'EC2', 'odd'],
          ['Lambda compute, right only with a blue/green fleet in a region with it', 'LAMBDA', 'odd'],
        ]),
      },
    },
    'ServerEnvironment.name': { values: environmentNames() },
    'ServerAppPipelineProps.instanceRoles': {
      values: {
        valid: valid(fc.constantFrom([], ['imported'], ['created'], ['imported', 'created'])),
        hostile: hostile([['the same role twice', ['imported', 'imported'], 'odd']]),
      },
      build: (roles: string[], at) => roles.map((kind, i) => (kind === 'imported'
        ? iam.Role.fromRoleArn(at.stack, `${at.id}${i}`, `arn:aws:iam::${ACCOUNT}:role/app-instances`)
        : new iam.Role(at.stack, `${at.id}${i}`, { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }))),
    },
    'ServerDeploymentOptions.deploymentConfig': {
      values: { valid: valid(fc.constantFrom(...Object.keys(DEPLOYMENT_CONFIGS))) },
      build: (name: string, at) => DEPLOYMENT_CONFIGS[name](at),
    },
    'ServerDeploymentOptions.alarms': {
      // Up to 10 in all are valid; a fleet's load balancer adds two.
      values: {
        valid: valid(fc.record({ imported: fc.integer({ min: 0, max: 3 }), created: fc.integer({ min: 0, max: 2 }) })),
        hostile: hostile<AlarmsSpec>([['11 alarms', { imported: 9, created: 2 }, 'invalid']]),
      },
      build: (spec: AlarmsSpec, at) => [
        ...Array.from({ length: spec.imported }, (_, i) => cloudwatch.Alarm.fromAlarmArn(at.stack, `${at.id}Imported${i}`,
          `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:errors-${i}`)),
        ...Array.from({ length: spec.created }, (_, i) => new cloudwatch.Alarm(at.stack, `${at.id}${i}`, {
          metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }),
          threshold: 1,
          evaluationPeriods: 1,
        })),
      ],
    },
    // True needs alarms, which the case may not have.
    'ServerDeploymentOptions.rollbackOnAlarm': { values: { valid: valid(fc.constant(false)), hostile: hostile([['true, alarms or not', true, 'odd']]) } },
    'MinimumHealthyHosts.count.count': {
      values: {
        valid: valid(fc.integer({ min: 0, max: 3 })),
        hostile: hostile<number>([['count -1', -1, 'invalid'], ['count 1.5', 1.5, 'invalid'], ['count NaN', NaN, 'invalid'], ['count Infinity', Infinity, 'invalid']]),
      },
    },
    'MinimumHealthyHosts.percentage.percentage': {
      values: {
        valid: valid(fc.integer({ min: 0, max: 99 })),
        hostile: hostile<number>([['percentage 100', 100, 'invalid'], ['percentage -1', -1, 'invalid'], ['percentage 50.5', 50.5, 'invalid'], ['percentage NaN', NaN, 'invalid']]),
      },
    },
    'DeploymentTarget.ec2Tags.tags': { values: tagMaps('invalid') },
    // CodeDeploy documents no length limit for the tags of on-premises instances.
    'DeploymentTarget.onPremisesTags.tags': { values: tagMaps('odd') },
    'DeploymentTarget.autoScalingGroups.groups': {
      values: {
        valid: valid(fc.constant<GroupsSpec>('with a role')),
        hostile: hostile<GroupsSpec>([
          ['group without a role', 'without a role', 'odd'],
          ['imported group', 'imported', 'odd'],
          ['group listed twice', 'listed twice', 'invalid'],
          ['no groups', 'none', 'invalid'],
        ]),
      },
      build: autoScalingGroups,
    },
    'aws-cdk-lib.aws_ec2.IVpc': { values: { valid: valid(fc.constant('imported')) }, build: (_: string, at) => importedVpc(at) },
    'ManagedFleetOptions.vpcSubnets': {
      values: { valid: valid(fc.constant({ subnetType: 'PRIVATE_WITH_EGRESS' })), hostile: hostile([['public subnets', { subnetType: 'PUBLIC' }, 'odd']]) },
      build: (s: { subnetType: keyof typeof ec2.SubnetType }) => ({ subnetType: ec2.SubnetType[s.subnetType] }),
    },
    'ManagedFleetOptions.instanceType': {
      values: { valid: valid(fc.constantFrom('t3.micro', 't4g.small', 'm5.large')), hostile: hostile([['unknown instance type', 'banana', 'invalid']]) },
      build: (type: string) => new ec2.InstanceType(type),
    },
    'ManagedFleetOptions.minCapacity': { values: capacities('minCapacity', 1, 4, [0, -1, 1.5, NaN, 1001]) },
    'ManagedFleetOptions.maxCapacity': { values: capacities('maxCapacity', 1, 8, [1001]) },
    'ManagedFleetOptions.setupCommands': { values: commandLists },
    'ManagedFleetLoadBalancerOptions.port': { values: ports([80, 8080, 3000], [['port 0', 0], ['port 65536', 65536], ['port 80.5', 80.5]]) },
    'ManagedFleetLoadBalancerOptions.listenerPort': { values: ports([80, 443, 8443], [['listenerPort 70000', 70000]]) },
    'ManagedFleetLoadBalancerOptions.serverErrorThreshold': {
      values: { valid: valid(fc.constantFrom(1, 5, 100)), hostile: hostile<Num>([['serverErrorThreshold 0', 0, 'invalid'], ['serverErrorThreshold 2.5', 2.5, 'invalid']]) },
    },
    'ManagedFleetLoadBalancerOptions.healthCheckPath': {
      values: {
        valid: validText('/health', fc.constantFrom('/health', '/', '/api/ping?full=1')),
        hostile: hostile<Text>([
          ['healthCheckPath without /', 'health', 'invalid'],
          ['empty healthCheckPath', '', 'invalid'],
          ['1100-char healthCheckPath', `/${'h'.repeat(1100)}`, 'invalid'],
        ]),
      },
    },
    'ManagedFleetLoadBalancerOptions.certificate': {
      // Without a region, the stack may yet be deployed where the certificate is.
      values: (stack) => ({
        valid: valid(fc.constant<LoadBalancerCertificate>('stack region')),
        hostile: hostile<LoadBalancerCertificate>([
          ['certificate of another region', 'other region', stack.region === 'agnostic' ? 'odd' : 'invalid'],
          ['certificate with a garbage ARN', 'garbage ARN', 'invalid'],
        ]),
      }),
      build: (kind: LoadBalancerCertificate, at) => acm.Certificate.fromCertificateArn(at.stack, at.id, {
        'stack region': `arn:aws:acm:${at.stack.region}:${ACCOUNT}:certificate/abc`,
        'other region': `arn:aws:acm:ap-south-1:${ACCOUNT}:certificate/abc`,
        'garbage ARN': 'not-an-arn',
      }[kind]),
    },
  },
  lists: {
    'ServerAppPipelineProps.environments': { minLength: 1, maxLength: 3, distinct: 'name', hostile: environmentsAcross() },
  },
  rules: [
    { kind: 'oneOf', struct: 'ServerAppPipelineProps', members: ['target', 'environments'], required: true, names: ['.target', '.environments'] },
    // A server app has no live release to compare pushes with.
    codeCommitFilePathsRule('ServerAppPipelineProps', () => true),
    { kind: 'oneOf', struct: 'ServerDeploymentOptions', members: ['deploymentConfig', 'minimumHealthyHosts'], required: false, names: ['.deploymentConfig', '.minimumHealthyHosts'] },
    {
      kind: 'constraint',
      struct: 'ManagedFleetOptions',
      label: 'maxCapacity below minCapacity',
      severity: 'invalid',
      broken: (v) => (capacityBelowMinimum(v) ? ['.maxCapacity'] : []),
      keep: (v, isHostile) => (capacityBelowMinimum(v) && !isHostile('maxCapacity') ? { ...v, maxCapacity: undefined } : v),
      break: (v) => ({ ...v, minCapacity: 3, maxCapacity: 2 }),
    },
    {
      kind: 'constraint',
      struct: 'ManagedFleetOptions',
      label: 'blue/green without a load balancer',
      severity: 'invalid',
      broken: (v) => (isBlueGreen(v) && v.loadBalancer === undefined ? ['.releaseStrategy'] : []),
      keep: (v, isHostile) => (isBlueGreen(v) && v.loadBalancer === undefined && !isHostile('releaseStrategy') ? { ...v, releaseStrategy: undefined } : v),
      break: (v) => ({ ...v, loadBalancer: undefined, releaseStrategy: { blueGreen: {} } }),
    },
    {
      kind: 'constraint',
      struct: 'ManagedFleetOptions',
      // Without a region, any load balancer is rejected as a whole.
      label: 'load balancer in a stack without region',
      severity: 'odd',
      broken: (v, stack) => (v.loadBalancer !== undefined && stack.region === 'agnostic' ? ['.loadBalancer'] : []),
      keep: (v, isHostile) => (isHostile('loadBalancer') ? v : { ...v, loadBalancer: undefined }),
    },
  ],
};

/** Whether a fleet's literal maxCapacity is below its minCapacity (2 when not given). */
function capacityBelowMinimum(fleet: StructValue): boolean {
  const min = fleet.minCapacity ?? 2;
  return typeof min === 'number' && typeof fleet.maxCapacity === 'number' && fleet.maxCapacity < min;
}

/** Environment names: three valid ones, and hostile ones that cannot name a stage. */
function environmentNames(): ValueArbitraries<Text> {
  return {
    valid: valid<Text>(fc.constantFrom(...ENVIRONMENT_NAMES)),
    hostile: hostile<Text>([
      ['empty name', '', 'invalid'],
      ['name with a space', 'Pro duction', 'invalid'],
      ['51-char name', 'n'.repeat(51), 'invalid'],
      ['unicode name', 'Prodüction', 'invalid'],
      ['token name', { token: 'lazy', value: 'Production' }, 'odd'],
    ]),
  };
}

/** Lists of environments that break a rule across them (each environment valid in itself). */
function environmentsAcross(): fc.Arbitrary<Sample<unknown[]>> {
  const tagged = (name: string) => ({ name, target: { ec2Tags: { app: ['api'] } } });
  return fc.constantFrom<Sample<unknown[]>>(
    { value: [], hostile: 'no environments', invalid: true },
    { value: [tagged('Staging'), { name: 'Production', target: { sameAs: 'environments[0].target' } }], hostile: 'one target in two environments', invalid: true, at: ['[1].target'] },
    {
      value: [{ name: 'Staging', target: { autoScalingGroups: 'with a role' } }, { name: 'Production', target: { autoScalingGroups: 'shared with environment 0' } }],
      hostile: 'one group in two environments',
      invalid: true,
      at: ['[1].target'],
    },
  );
}

/** Tag maps: one to three keys with values; hostile ones break CodeDeploy's limits, or EC2's lengths (`tooLong`). */
function tagMaps(tooLong: Severity): ValueArbitraries<Tags> {
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
      ['129-char key', { ['k'.repeat(129)]: ['api'] }, tooLong],
      ['257-char value', { app: ['v'.repeat(257)] }, tooLong],
      ['unicode', { ünï: ['wért'] }, 'odd'],
    ], random('random', fc.dictionary(anyString, fc.array(anyString, { maxLength: 2 }), { maxKeys: 2 }))),
  };
}

/** Capacities of a fleet from `min` to `max`; `wrong` ones are invalid. */
function capacities(prop: string, min: number, max: number, wrong: number[]): ValueArbitraries<Num> {
  return {
    valid: valid<Num>(fc.integer({ min, max })),
    hostile: hostile<Num>(wrong.map((n) => [`${prop} ${n}`, n, 'invalid'])),
  };
}

/** Ports: some usual ones, and invalid ones. */
function ports(usual: number[], wrong: Array<[string, number]>): ValueArbitraries<Num> {
  return { valid: valid<Num>(fc.constantFrom(...usual)), hostile: hostile<Num>(wrong.map(([label, n]) => [label, n, 'invalid'])) };
}

/** The Auto Scaling groups of a target; the first one made with a role is the one 'shared with environment 0'. */
function autoScalingGroups(kind: GroupsSpec, at: BuildContext): autoscaling.IAutoScalingGroup[] {
  switch (kind) {
    case 'none': return [];
    case 'imported': return [autoscaling.AutoScalingGroup.fromAutoScalingGroupName(at.stack, at.id, 'app-group')];
    case 'shared with environment 0': return [at.shared('first group', () => group(at, true))];
    case 'listed twice': {
      const twice = group(at, true);
      return [twice, twice];
    }
    default: {
      const made = group(at, kind === 'with a role');
      at.shared('first group', () => made);
      return [made];
    }
  }
}

/** An Auto Scaling group as cdk-nag wants it (notifications, IMDSv2, encrypted volume), with or without an instance role. */
function group(at: BuildContext, withRole: boolean): autoscaling.IAutoScalingGroup {
  const launchTemplate = new ec2.LaunchTemplate(at.stack, `${at.id}LaunchTemplate`, {
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    instanceType: new ec2.InstanceType('t3.micro'),
    role: withRole ? new iam.Role(at.stack, `${at.id}GroupRole`, { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }) : undefined,
    requireImdsv2: true,
    blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(20, { encrypted: true }) }],
  });
  return new autoscaling.AutoScalingGroup(at.stack, `${at.id}Group`, {
    vpc: importedVpc(at),
    launchTemplate,
    minCapacity: 1,
    notifications: [{ topic: new sns.Topic(at.stack, `${at.id}GroupTopic`, { enforceSSL: true }) }],
  });
}

/** Whether a managed fleet's value is released blue/green. */
function isBlueGreen(v: StructValue): boolean {
  return typeof v.releaseStrategy === 'object' && v.releaseStrategy !== null && 'blueGreen' in v.releaseStrategy;
}

/**
 * The options of blue/green releases: traffic steps (increasing whole percentages ending at 100, at
 * most 10), a bake time a traffic step fits in (12 minutes on Lambda compute, 17 on EC2), a 5xx rate
 * above 0 and at most 100, at most 20 paths, a rollback window of at most 7 days, and stickiness of
 * whole seconds from 1 second to 7 days (the load balancer's limits).
 */
function blueGreenHints(): Hints['values'] {
  const seconds = (amount: number): DurationSpec => ({ unit: 'seconds', amount });
  const minutes = (amount: number): DurationSpec => ({ unit: 'minutes', amount });
  return {
    'BlueGreenReleaseOptions.trafficPercentages': {
      values: {
        valid: valid(fc.constantFrom([10, 100], [100], [5, 25, 50, 100], [1, 2, 3, 4, 5, 6, 7, 8, 9, 100])),
        hostile: hostile<number[]>([
          ['steps not ending at 100', [10, 50], 'invalid'],
          ['steps not increasing', [50, 10, 100], 'invalid'],
          ['no steps', [], 'invalid'],
          ['a 12.5% step', [12.5, 100], 'invalid'],
          ['11 steps', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100], 'invalid'],
          ['a step above 100', [50, 150], 'invalid'],
        ]),
      },
    },
    'BlueGreenReleaseOptions.bakeTime': durations({
      valid: valid(fc.constantFrom(seconds(0), minutes(1), minutes(5), minutes(12))),
      hostile: hostile<DurationSpec>([
        ['13 minutes (too long on Lambda compute)', minutes(13), 'odd'],
        ['18 minutes', minutes(18), 'invalid'],
      ]),
    }),
    'BlueGreenReleaseOptions.maxErrorRatePercent': {
      values: {
        valid: valid(fc.constantFrom(0.5, 1, 5, 100)),
        hostile: hostile<number>([['0', 0, 'invalid'], ['negative', -1, 'invalid'], ['above 100', 101, 'invalid'], ['NaN', NaN, 'invalid']]),
      },
    },
    'BlueGreenReleaseOptions.paths': {
      values: {
        valid: valid(fc.constantFrom(['/'], ['/api/status?full=1', '/about'])),
        hostile: hostile<string[]>([
          ['a path without /', ['health'], 'invalid'],
          ['a space', ['/a b'], 'invalid'],
          ['a fragment', ['/a#b'], 'invalid'],
          ['21 paths', Array.from({ length: 21 }, (_, i) => `/p${i}`), 'invalid'],
          ['a path of 201 characters', [`/${'p'.repeat(200)}`], 'invalid'],
        ]),
      },
    },
    'BlueGreenReleaseOptions.rollbackWindow': durations({
      valid: valid(fc.constantFrom(seconds(0), minutes(60), { unit: 'days', amount: 7 } as DurationSpec)),
      hostile: hostile<DurationSpec>([['8 days', { unit: 'days', amount: 8 }, 'invalid']]),
    }),
    'BlueGreenReleaseOptions.stickiness': durations({
      valid: valid(fc.constantFrom(seconds(1), minutes(10), { unit: 'days', amount: 7 } as DurationSpec)),
      hostile: hostile<DurationSpec>([
        ['half a second', { unit: 'millis', amount: 500 }, 'invalid'],
        ['8 days', { unit: 'days', amount: 8 }, 'invalid'],
      ]),
    }),
  };
}

/** An imported VPC with public and private subnets (imported: no resources, no findings of its own), one per case. */
function importedVpc(at: BuildContext): ec2.IVpc {
  return at.shared('vpc', () => ec2.Vpc.fromVpcAttributes(at.stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    // Ids of the shape EC2 gives (cfn-lint checks them), 17 hex digits.
    publicSubnetIds: ['subnet-0a0000000000000a0', 'subnet-0b0000000000000b0'],
    publicSubnetRouteTableIds: ['rtb-0a0000000000000a0', 'rtb-0b0000000000000b0'],
    privateSubnetIds: ['subnet-1a0000000000000a1', 'subnet-1b0000000000000b1'],
    privateSubnetRouteTableIds: ['rtb-1a0000000000000a1', 'rtb-1b0000000000000b1'],
  }));
}
