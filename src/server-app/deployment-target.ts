import { Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { AgentInstallTarget } from './agent-installation';
import { anyLaunchTemplateArn } from './deploy-role';
import { DEFAULT_HEALTH_CHECK_PATH, FleetMember, ManagedFleet, ManagedFleetLoadBalancerOptions, ManagedFleetOptions } from './managed-fleet';
import { BlueGreenSettings, ReleaseStrategy } from './release-strategy';
import { CERTIFICATE_ARN, validateCertificateArn, validateInstanceType, validateIntegerRange, validateMaxLength, validationError } from '../validation';

/** CodeDeploy matches instances on at most three tag groups; each tag key is one group. */
const MAX_TAG_KEYS = 3;

/**
 * The longest tag key and value an EC2 instance can carry, in Unicode characters: a longer one
 * would match no instance.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html#tag-restrictions
 */
const EC2_TAG_LIMITS = { key: 128, value: 256 };

/**
 * The longest health check path of a target group.
 *
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
 */
const MAX_HEALTH_CHECK_PATH_LENGTH = 1024;

/** What a target needs from the pipeline it is bound to. */
export interface DeploymentTargetBindOptions {
  /** The environment the target belongs to; it names the resources the target creates. */
  readonly environmentName: string;

  /** The prop the target was given in (e.g. 'environments[1].target'), for error messages. */
  readonly prop: string;

  /** The bucket receiving load balancer access logs. */
  readonly accessLogsBucket: s3.IBucket;

  /** Whether the CodeDeploy agent is to be installed on the instances. */
  readonly installAgent: boolean;
}

/** What a bound target contributes to its deployment group. */
export interface DeploymentTargetConfig {
  /**
   * Auto Scaling groups deployed to; their new instances get the last release.
   *
   * @default - none
   */
  readonly autoScalingGroups?: autoscaling.IAutoScalingGroup[];

  /**
   * EC2 instances deployed to, by tag.
   *
   * @default - none
   */
  readonly ec2InstanceTags?: codedeploy.InstanceTagSet;

  /**
   * On-premises instances deployed to, by tag.
   *
   * @default - none
   */
  readonly onPremisesInstanceTags?: codedeploy.InstanceTagSet;

  /**
   * Roles of the instances, granted read on the pipeline artifacts and the agent bucket.
   *
   * @default - none known
   */
  readonly instanceRoles?: iam.IRole[];

  /**
   * Launch templates (ARNs or ARN patterns) of the Auto Scaling groups.
   *
   * @default - none
   */
  readonly launchTemplateArns?: string[];

  /**
   * Instances State Manager installs the CodeDeploy agent on.
   *
   * @default - the target installs the agent itself, or cannot have it installed
   */
  readonly agentInstallTargets?: AgentInstallTarget[];

  /**
   * The target group CodeDeploy takes instances out of while updating them.
   *
   * @default - no traffic control
   */
  readonly targetGroup?: elbv2.IApplicationTargetGroup;

  /**
   * Alarms that stop (and roll back) a deployment.
   *
   * @default - none
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * The Auto Scaling group the target created.
   *
   * @default - none
   */
  readonly createdAutoScalingGroup?: autoscaling.IAutoScalingGroup;

  /**
   * The load balancer the target created.
   *
   * @default - none
   */
  readonly createdLoadBalancer?: elbv2.IApplicationLoadBalancer;

  /**
   * The URL of the load balancer the target created.
   *
   * @default - none
   */
  readonly url?: string;

  /**
   * Two fleets released blue/green, each deployed to by a deployment group of its own; the other
   * fields describe both (groups, roles, launch templates), `targetGroup` and `alarms` the first.
   *
   * @default - one fleet, released in place
   */
  readonly blueGreen?: BlueGreenTarget;
}

/** What a blue/green release works on. */
export interface BlueGreenTarget {
  /** Blue, then green. */
  readonly fleets: FleetMember[];
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** The listener users reach, whose rules the release changes. */
  readonly listener: elbv2.IApplicationListener;
  /** The load balancer's URL, which the release's check requests go to. */
  readonly url: string;
  readonly healthCheckPath: string;
  /** The fewest instances the live fleet keeps (the pipeline holds it; the template sets 0). */
  readonly minCapacity: number;
  readonly settings: BlueGreenSettings;
}

/**
 * The servers an environment deploys to: Auto Scaling groups, EC2 or on-premises instances by
 * tag, or a fleet the construct creates.
 *
 * @example
 * DeploymentTarget.ec2Tags({ app: ['api'], stage: ['prod'] });
 */
export abstract class DeploymentTarget {
  /**
   * Auto Scaling groups of this app. Instances they launch later get the last successful release
   * before they go in service. Each group can belong to one environment only. An imported group
   * cannot be used (its instance role is unknown, so nothing can be granted to it): deploy to its
   * instances with `ec2Tags` and give their role in `instanceRoles`.
   */
  public static autoScalingGroups(groups: autoscaling.IAutoScalingGroup[]): DeploymentTarget {
    return new AutoScalingGroupsTarget(groups);
  }

  /**
   * EC2 instances that have, for every tag key given, one of its values
   * (`{ app: ['api'], stage: ['prod'] }`: app=api and stage=prod). At most 3 keys.
   */
  public static ec2Tags(tags: { [key: string]: string[] }): DeploymentTarget {
    return new InstanceTagsTarget('ec2', tags);
  }

  /**
   * On-premises instances registered with CodeDeploy that have, for every tag key given, one of
   * its values. The CodeDeploy agent must be installed on them by you.
   *
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/instances-on-premises.html
   */
  public static onPremisesTags(tags: { [key: string]: string[] }): DeploymentTarget {
    return new InstanceTagsTarget('onPremises', tags);
  }

  /**
   * A fleet created for the application: an Auto Scaling group of Amazon Linux 2023 instances
   * with the CodeDeploy agent, optionally behind an internet-facing Application Load Balancer.
   */
  public static managedFleet(options: ManagedFleetOptions): DeploymentTarget {
    return new ManagedFleetTarget(options);
  }

  /**
   * Creates what the target needs (the fleet, for a managed fleet) in `scope` and describes it.
   *
   * @param scope the pipeline construct; bad options are reported against it
   * @internal
   */
  public abstract _bind(scope: Construct, options: DeploymentTargetBindOptions): DeploymentTargetConfig;
}

class AutoScalingGroupsTarget extends DeploymentTarget {
  constructor(private readonly groups: autoscaling.IAutoScalingGroup[]) {
    super();
  }

  /** @internal */
  public _bind(scope: Construct, options: DeploymentTargetBindOptions): DeploymentTargetConfig {
    const groups = this.groups ?? [];
    if (groups.length === 0) {
      throw validationError(scope, `${options.prop} must list at least one Auto Scaling group, got '[]'; pass the groups to DeploymentTarget.autoScalingGroups([...])`);
    }
    const repeated = groups.find((g, i) => groups.indexOf(g) !== i);
    if (repeated) {
      throw validationError(scope, `${options.prop} lists an Auto Scaling group twice, got '${repeated.node.path}'; list each group once`);
    }
    const roleless = groups.find((g) => !isRole(g.grantPrincipal));
    if (roleless) {
      throw validationError(scope, `${options.prop} has an Auto Scaling group without a known instance role, got '${roleless.node.path}'; `
        + 'CodePipeline grants the instances read on the release bundles through that role, so pass a group defined in this app, '
        + 'or deploy to its instances with DeploymentTarget.ec2Tags and give their role in instanceRoles');
    }
    const instanceRoles = groups.map((g) => g.grantPrincipal).filter(isRole);
    return {
      autoScalingGroups: groups,
      instanceRoles,
      // aws-cdk-lib does not expose a group's launch template: any of the account's may be the one.
      launchTemplateArns: [anyLaunchTemplateArn(scope)],
      agentInstallTargets: options.installAgent
        ? [{ key: 'tag:aws:autoscaling:groupName', values: groups.map((g) => g.autoScalingGroupName) }]
        : undefined,
    };
  }
}

class InstanceTagsTarget extends DeploymentTarget {
  constructor(private readonly kind: 'ec2' | 'onPremises', private readonly tags: { [key: string]: string[] }) {
    super();
  }

  /** @internal */
  public _bind(scope: Construct, options: DeploymentTargetBindOptions): DeploymentTargetConfig {
    const entries = Object.entries(this.tags ?? {});
    validateTags(scope, options.prop, entries);
    if (this.kind === 'ec2') {
      validateEc2TagLengths(scope, options.prop, entries);
    }
    // One tag group per key: CodeDeploy ORs within a group and ANDs the groups of a set.
    const tagSet = new codedeploy.InstanceTagSet(...entries.map(([key, values]) => ({ [key]: values })));
    if (this.kind === 'onPremises') {
      return { onPremisesInstanceTags: tagSet };
    }
    return {
      ec2InstanceTags: tagSet,
      // State Manager ANDs the keys of an association's targets too, so it matches the same instances.
      agentInstallTargets: options.installAgent
        ? entries.map(([key, values]) => ({ key: `tag:${key}`, values }))
        : undefined,
    };
  }
}

/** Checks the tags of a tag target: 1 to 3 keys, none empty, each with at least one value. */
function validateTags(scope: Construct, prop: string, entries: Array<[string, string[]]>): void {
  if (entries.length === 0) {
    throw validationError(scope, `${prop} has no tags, got '{}'; give at least one tag key and its values, e.g. { app: ['api'] }`);
  }
  if (entries.length > MAX_TAG_KEYS) {
    throw validationError(scope, `${prop} has more than ${MAX_TAG_KEYS} tag keys, got '${entries.map(([k]) => k).join(', ')}'; CodeDeploy matches instances on at most ${MAX_TAG_KEYS} keys`);
  }
  for (const [key, values] of entries) {
    if (key.trim() === '') {
      throw validationError(scope, `${prop} has an empty tag key, got '${key}'; name the tag, e.g. { app: ['api'] }`);
    }
    if (!values || values.length === 0) {
      throw validationError(scope, `${prop} tag '${key}' has no values, got '[]'; give the values an instance's tag may have, e.g. { ${key}: ['api'] }`);
    }
  }
}

/** Checks that each tag key and value of an EC2 tag target fits on an instance. */
function validateEc2TagLengths(scope: Construct, prop: string, entries: Array<[string, string[]]>): void {
  const tooLong = (text: string, max: number) => !Token.isUnresolved(text) && [...text].length > max;
  for (const [key, values] of entries) {
    if (tooLong(key, EC2_TAG_LIMITS.key)) {
      throw validationError(scope, `${prop} has a tag key longer than ${EC2_TAG_LIMITS.key} characters (EC2's limit), got '${key}'; `
        + 'an instance cannot carry it, so no instance would match; use the key of the instances\' tag');
    }
    const value = values.find((v) => tooLong(v, EC2_TAG_LIMITS.value));
    if (value !== undefined) {
      throw validationError(scope, `${prop} tag '${key}' has a value longer than ${EC2_TAG_LIMITS.value} characters (EC2's limit), got '${value}'; `
        + 'an instance cannot carry it, so no instance would match; use a value of the instances\' tag');
    }
  }
}

class ManagedFleetTarget extends DeploymentTarget {
  constructor(private readonly options: ManagedFleetOptions) {
    super();
  }

  /** @internal */
  public _bind(scope: Construct, options: DeploymentTargetBindOptions): DeploymentTargetConfig {
    const fleetOptions = this.options;
    const { prop } = options;
    const minCapacity = fleetOptions.minCapacity ?? 2;
    validateIntegerRange(scope, `${prop}.minCapacity`, minCapacity, 1, 1000);
    if (fleetOptions.maxCapacity !== undefined) {
      validateIntegerRange(scope, `${prop}.maxCapacity`, fleetOptions.maxCapacity, minCapacity, 1000);
    }
    if (fleetOptions.instanceType !== undefined) {
      validateInstanceType(scope, `${prop}.instanceType`, fleetOptions.instanceType.toString());
    }
    if (fleetOptions.loadBalancer) {
      validateLoadBalancer(scope, `${prop}.loadBalancer`, fleetOptions.loadBalancer);
    }

    const blueGreen = (fleetOptions.releaseStrategy ?? ReleaseStrategy.inPlace())._blueGreen(scope, `${prop}.releaseStrategy`);
    if (blueGreen && !fleetOptions.loadBalancer) {
      throw validationError(scope, `${prop}.releaseStrategy is ReleaseStrategy.blueGreen(), which needs ${prop}.loadBalancer, got none; `
        + 'a release is checked and shifted through the load balancer, so add loadBalancer: {} or use ReleaseStrategy.inPlace()');
    }

    const fleet = new ManagedFleet(scope, `${options.environmentName}Fleet`, {
      ...fleetOptions,
      environmentName: options.environmentName,
      installAgent: options.installAgent,
      accessLogsBucket: options.accessLogsBucket,
      blueGreen: blueGreen !== undefined,
    });
    return {
      autoScalingGroups: fleet.fleets.map((f) => f.autoScalingGroup),
      instanceRoles: [fleet.role],
      launchTemplateArns: [fleet.launchTemplateArn],
      targetGroup: fleet.targetGroup,
      alarms: fleet.alarms,
      createdAutoScalingGroup: fleet.autoScalingGroup,
      createdLoadBalancer: fleet.loadBalancer,
      url: fleet.url,
      blueGreen: blueGreen && {
        fleets: fleet.fleets,
        loadBalancer: fleet.loadBalancer!,
        listener: fleet.listener!,
        url: fleet.url!,
        healthCheckPath: fleetOptions.loadBalancer!.healthCheckPath ?? DEFAULT_HEALTH_CHECK_PATH,
        minCapacity,
        settings: blueGreen,
      },
    };
  }
}

/** Checks the load balancer options of a fleet. */
function validateLoadBalancer(scope: Construct, prop: string, options: ManagedFleetLoadBalancerOptions): void {
  const region = Stack.of(scope).region;
  for (const [name, value] of [['port', options.port], ['listenerPort', options.listenerPort]] as const) {
    if (value !== undefined) {
      validateIntegerRange(scope, `${prop}.${name}`, value, 1, 65535);
    }
  }
  if (options.serverErrorThreshold !== undefined) {
    validateIntegerRange(scope, `${prop}.serverErrorThreshold`, options.serverErrorThreshold, 1, 1_000_000);
  }
  const path = options.healthCheckPath;
  if (path !== undefined && !Token.isUnresolved(path) && !path.startsWith('/')) {
    throw validationError(scope, `${prop}.healthCheckPath must start with '/', got '${path}'; e.g. '/health'`);
  }
  if (path !== undefined) {
    validateMaxLength(scope, `${prop}.healthCheckPath`, path, MAX_HEALTH_CHECK_PATH_LENGTH, "Elastic Load Balancing's limit for a health check path");
  }
  if (options.certificate) {
    validateLoadBalancerCertificate(scope, `${prop}.certificate`, options.certificate.certificateArn, region);
  }
}

/** A load balancer takes certificates of its own region only. */
function validateLoadBalancerCertificate(scope: Construct, prop: string, arn: string, region: string): void {
  validateCertificateArn(scope, prop, arn);
  const certificateRegion = CERTIFICATE_ARN.exec(arn)?.[1];
  if (certificateRegion !== undefined && !Token.isUnresolved(region) && certificateRegion !== region) {
    throw validationError(scope, `${prop} must be in the region of the load balancer, '${region}', got one in '${certificateRegion}'; `
      + `request or import the certificate in '${region}'`);
  }
}

/** Whether a principal is an IAM role (of this app or imported). */
function isRole(principal: iam.IPrincipal): principal is iam.IRole {
  const candidate = principal as Partial<iam.IRole>;
  return typeof candidate.roleArn === 'string' && typeof candidate.addManagedPolicy === 'function';
}
