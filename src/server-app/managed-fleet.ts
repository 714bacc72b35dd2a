import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { agentUserDataCommands } from './agent-installation';
import { FLEET_RELEASE, FleetName } from './fleet-release-contract';
import { logAccessLogs } from './load-balancer-access-logs';
import { ReleaseStrategy } from './release-strategy';
import { markResource, ResourceKind } from '../compliance/accepted-findings';
import { nagResourceFinding, suppressNagFindings } from '../compliance/nag';
import { suppressCheckovFindings } from '../compliance/template-checks';
import { ManagedPolicyRole } from '../managed-policy-role';

/** An internet-facing Application Load Balancer in front of a managed fleet. */
export interface ManagedFleetLoadBalancerOptions {
  /**
   * The port the application listens on, on each instance.
   *
   * @default 8080
   */
  readonly port?: number;

  /**
   * The path the load balancer (and CodeDeploy, before it sends traffic to an updated instance)
   * checks; a 200 response means healthy.
   *
   * @default '/health'
   */
  readonly healthCheckPath?: string;

  /**
   * A certificate for HTTPS. With one, the load balancer serves HTTPS and redirects HTTP to it.
   *
   * @default - the load balancer serves plain HTTP
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The port the load balancer listens on.
   *
   * @default - 443 with a certificate, 80 without
   */
  readonly listenerPort?: number;

  /**
   * How many 5xx responses from the application in one minute stop a deployment (and roll it back).
   *
   * @default 5
   */
  readonly serverErrorThreshold?: number;

  /**
   * Whether the load balancer is protected from deletion. Its DNS name is the one clients use; a
   * stack deletion or a replacement of the load balancer fails while protection is on. Turn it off
   * for an environment you delete with its stack (a test or preview environment).
   *
   * @default true
   */
  readonly deletionProtection?: boolean;
}

/**
 * An Auto Scaling group of Amazon Linux 2023 instances created for the application, with the
 * CodeDeploy agent installed at boot, optionally behind an Application Load Balancer.
 */
export interface ManagedFleetOptions {
  /** The VPC of the instances (and the load balancer). */
  readonly vpc: ec2.IVpc;

  /**
   * The subnets of the instances. The instances need outbound internet access (or VPC
   * endpoints) to install packages and reach CodeDeploy.
   *
   * @default - the private subnets with egress of `vpc`
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The instance type. A Graviton (ARM) type gets the ARM image.
   *
   * @default t3.micro
   */
  readonly instanceType?: ec2.InstanceType;

  /**
   * The fewest instances the group runs; 2 keeps the application up while CodeDeploy updates one
   * instance at a time.
   *
   * @default 2
   */
  readonly minCapacity?: number;

  /**
   * The most instances the group runs.
   *
   * @default - twice `minCapacity`
   */
  readonly maxCapacity?: number;

  /**
   * Shell commands run as root at first boot, before the CodeDeploy agent is installed: install the
   * runtime your application needs, e.g. `dnf install -y nodejs npm`.
   *
   * @default - none
   */
  readonly setupCommands?: string[];

  /**
   * An internet-facing Application Load Balancer in front of the instances. CodeDeploy takes each
   * instance out of it while updating it, and alarms on its 5xx responses and unhealthy hosts roll
   * a deployment back.
   *
   * @default - no load balancer
   */
  readonly loadBalancer?: ManagedFleetLoadBalancerOptions;

  /**
   * Collect the instances' metrics every minute (EC2 detailed monitoring) instead of every five.
   * CloudWatch charges for detailed monitoring, about USD 2 a month per instance.
   *
   * @default false
   */
  readonly detailedMonitoring?: boolean;

  /**
   * A topic told about instance launches, terminations and their failures, and, with a load
   * balancer, about the alarms going off. Its policy (and the policy of its key, when encrypted)
   * must let `cloudwatch.amazonaws.com` publish for the alarms to reach it.
   *
   * @default - a topic is created
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * How a release reaches the fleet: in place on the instances that serve users, or blue/green on
   * a second fleet of the same shape, checked through the load balancer before users reach it and
   * given the traffic in steps (`ReleaseStrategy.blueGreen()`, which needs `loadBalancer`).
   *
   * @default ReleaseStrategy.inPlace()
   */
  readonly releaseStrategy?: ReleaseStrategy;
}

/** What the fleet needs besides the user's options. */
export interface ManagedFleetProps extends ManagedFleetOptions {
  /** The environment the fleet serves, for descriptions. */
  readonly environmentName: string;
  /** Whether the user data installs the CodeDeploy agent. */
  readonly installAgent: boolean;
  /** The bucket receiving the load balancer's access logs. */
  readonly accessLogsBucket: s3.IBucket;
  /** Two fleets of the same shape (blue/green releases) instead of one. */
  readonly blueGreen: boolean;
}

/** One fleet of a managed fleet target: its Auto Scaling group and, behind a load balancer, its target group and alarms. */
export interface FleetMember {
  readonly name: FleetName;
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  readonly targetGroup?: elbv2.ApplicationTargetGroup;
  /** Alarms that stop a deployment to this fleet: its 5xx responses and unhealthy hosts. */
  readonly alarms: cloudwatch.IAlarm[];
}

/**
 * What the Systems Manager agent of an instance calls, for Session Manager and State Manager: the
 * actions of AWS's `AmazonSSMManagedInstanceCore` policy, listed here so the role has no AWS managed
 * policy whose content can change under it.
 *
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-instance-permissions.html
 */
const SSM_INSTANCE_ACTIONS = [
  'ssm:DescribeAssociation', 'ssm:GetDeployablePatchSnapshotForInstance', 'ssm:GetDocument', 'ssm:DescribeDocument',
  'ssm:GetManifest', 'ssm:ListAssociations', 'ssm:ListInstanceAssociations',
  'ssm:PutInventory', 'ssm:PutComplianceItems', 'ssm:PutConfigurePackageResult', 'ssm:UpdateAssociationStatus',
  'ssm:UpdateInstanceAssociationStatus', 'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel',
  'ec2messages:AcknowledgeMessage', 'ec2messages:DeleteMessage', 'ec2messages:FailMessage', 'ec2messages:GetEndpoint',
  'ec2messages:GetMessages', 'ec2messages:SendReply',
];

/**
 * The parameter reads of `AmazonSSMManagedInstanceCore`, which grants them on every parameter of the
 * account (checkov CKV_AWS_108: any instance could read any other application's secrets). Here they
 * reach AWS's public parameters only (`/aws/service/...`: AMI ids, regions); an application that
 * needs its own parameters grants them on the fleet's `role`.
 *
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-public-parameters.html
 */
const SSM_PUBLIC_PARAMETER_ACTIONS = ['ssm:GetParameter', 'ssm:GetParameters'];

/** The application port, health check path (also the release check's) and 5xx threshold when the user gives none. */
const DEFAULT_APP_PORT = 8080;
export const DEFAULT_HEALTH_CHECK_PATH = '/health';
const DEFAULT_SERVER_ERROR_THRESHOLD = 5;

/**
 * The fleet of `DeploymentTarget.managedFleet`: launch template (AL2023, IMDSv2, encrypted root
 * volume, Session Manager instead of SSH), Auto Scaling group, and the optional load balancer with
 * its target group and alarms. With blue/green releases, two groups of that launch template, each
 * with its target group and alarms, behind the one load balancer; the first (blue) keeps the ids an
 * in-place fleet has, so switching an existing fleet to blue/green updates it rather than replacing it.
 */
export class ManagedFleet extends Construct {
  /** The fleets: one, or blue and green. */
  public readonly fleets: FleetMember[];
  /** The Auto Scaling group (blue's, with blue/green releases). */
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** The role of the instances. */
  public readonly role: iam.Role;
  /** ARN of the launch template, which CodeDeploy may launch instances from. */
  public readonly launchTemplateArn: string;
  /** The load balancer, when asked for. */
  public readonly loadBalancer?: elbv2.ApplicationLoadBalancer;
  /** The target group CodeDeploy registers updated instances in, when there is a load balancer (blue's, with blue/green releases). */
  public readonly targetGroup?: elbv2.ApplicationTargetGroup;
  /** The listener users reach, when there is a load balancer. */
  public readonly listener?: elbv2.ApplicationListener;
  /** Alarms that stop a deployment: 5xx responses and unhealthy hosts behind the load balancer. */
  public readonly alarms: cloudwatch.IAlarm[];
  /** The URL of the load balancer. */
  public readonly url?: string;

  constructor(scope: Construct, id: string, props: ManagedFleetProps) {
    super(scope, id);
    const instanceType = props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO);
    this.role = this.instanceRole(props.environmentName);
    const securityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', {
      vpc: props.vpc,
      description: `Instances of the ${props.environmentName} fleet: outbound for packages and CodeDeploy, inbound from the load balancer only`,
      allowAllOutbound: true,
    });
    const launchTemplate = this.launchTemplateOf(instanceType, securityGroup, props);
    this.launchTemplateArn = Stack.of(this).formatArn({
      service: 'ec2',
      resource: 'launch-template',
      resourceName: launchTemplate.launchTemplateId,
    });
    const topic = props.notificationTopic ?? this.notificationsTopic(props.loadBalancer !== undefined);
    const names: FleetName[] = props.blueGreen ? [...FLEET_RELEASE.fleets] : ['blue'];
    const groups = names.map((name) => this.groupOf(memberId(name, 'Group'), launchTemplate, topic, props));

    if (props.loadBalancer) {
      const options = props.loadBalancer;
      const port = options.port ?? DEFAULT_APP_PORT;
      const alb = new ApplicationEndpoint(this, 'Endpoint', {
        vpc: props.vpc,
        options,
        port,
        environmentName: props.environmentName,
        accessLogsBucket: props.accessLogsBucket,
        fleets: names,
      });
      securityGroup.connections.allowFrom(alb.loadBalancer, ec2.Port.tcp(port), 'Application traffic and health checks from the load balancer');
      this.loadBalancer = alb.loadBalancer;
      this.listener = alb.listener;
      this.url = alb.url;
      const threshold = options.serverErrorThreshold ?? DEFAULT_SERVER_ERROR_THRESHOLD;
      this.fleets = names.map((name, i) => ({
        name,
        autoScalingGroup: groups[i],
        targetGroup: alb.targetGroups[i],
        alarms: deploymentAlarms(this, name, alb.metricsLoadBalancerName, alb.targetGroups[i],
          props.blueGreen ? `${props.environmentName} (${name} fleet)` : props.environmentName, threshold, topic),
      }));
    } else {
      this.fleets = names.map((name, i) => ({ name, autoScalingGroup: groups[i], alarms: [] }));
    }
    this.autoScalingGroup = this.fleets[0].autoScalingGroup;
    this.targetGroup = this.fleets[0].targetGroup;
    this.alarms = this.fleets[0].alarms;
  }

  /**
   * The instances' role: the Systems Manager agent's calls (Session Manager replaces SSH, with no key
   * pair and no port 22, and State Manager manages the host), spelled out instead of AWS's managed
   * policy, and AWS's public parameters.
   */
  private instanceRole(environmentName: string): ManagedPolicyRole {
    const role = new ManagedPolicyRole(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Instances of the ${environmentName} fleet`,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: SSM_INSTANCE_ACTIONS, resources: ['*'] }));
    const publicParameters = Stack.of(this).formatArn({ service: 'ssm', account: '', resource: 'parameter', resourceName: 'aws/*' });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: SSM_PUBLIC_PARAMETER_ACTIONS, resources: [publicParameters] }));
    const agentReason = 'The calls of the Systems Manager agent (ssm, ssmmessages, ec2messages) as AWS\'s AmazonSSMManagedInstanceCore grants them, on *: ssmmessages and ec2messages have no resource types, and the agent\'s inventory, compliance and status writes name the instance it runs on.';
    const defaultPolicy = role.node.findChild('DefaultPolicy');
    suppressNagFindings(defaultPolicy, [
      { id: 'AwsSolutions-IAM5', reason: agentReason, appliesTo: ['Resource::*'] },
      {
        id: 'AwsSolutions-IAM5',
        reason: 'AWS publishes its public parameters (AMI ids, regions) under /aws/; the agent may read those and no parameter of the account.',
        appliesTo: [nagResourceFinding(this, publicParameters)],
      },
    ]);
    suppressCheckovFindings(defaultPolicy, [{ id: 'CKV_AWS_111', reason: agentReason }]);
    return role;
  }

  /** Amazon Linux 2023 for the instance type's CPU, IMDSv2 only, an encrypted disk, and the setup user data. */
  private launchTemplateOf(instanceType: ec2.InstanceType, securityGroup: ec2.ISecurityGroup, props: ManagedFleetProps): ec2.LaunchTemplate {
    const userData = ec2.UserData.forLinux();
    userData.addCommands(
      'set -euo pipefail',
      // The runtime goes first, so the first deployment (which starts once the agent runs) finds it.
      ...props.setupCommands ?? [],
      ...props.installAgent ? agentUserDataCommands(this) : [],
    );
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: ec2.MachineImage.latestAmazonLinux2023({
        cpuType: instanceType.architecture === ec2.InstanceArchitecture.ARM_64
          ? ec2.AmazonLinuxCpuType.ARM_64
          : ec2.AmazonLinuxCpuType.X86_64,
      }),
      instanceType,
      role: this.role,
      userData,
      securityGroup,
      requireImdsv2: true,
      detailedMonitoring: props.detailedMonitoring,
      blockDevices: [{
        deviceName: '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs(20, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }),
      }],
    });
    if (!props.detailedMonitoring) {
      markResource(launchTemplate, ResourceKind.FLEET_LAUNCH_TEMPLATE_BASIC_MONITORING);
    }
    return launchTemplate;
  }

  /**
   * An Auto Scaling group, reporting its scaling events to `topic`, with its subnets' zones stated.
   * The group of a blue/green fleet starts empty, and its sizes are the release pipeline's: the
   * template sets no minimum above 0 that a stack update would put back, and the update policy keeps
   * CloudFormation from resetting the sizes it did not change.
   *
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-updatepolicy.html#cfn-attributes-updatepolicy-scheduledactions
   */
  private groupOf(id: string, launchTemplate: ec2.LaunchTemplate, topic: sns.ITopic, props: ManagedFleetProps): autoscaling.AutoScalingGroup {
    const minCapacity = props.minCapacity ?? 2;
    const vpcSubnets = props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };
    const group = new autoscaling.AutoScalingGroup(this, id, {
      vpc: props.vpc,
      vpcSubnets,
      launchTemplate,
      minCapacity: props.blueGreen ? 0 : minCapacity,
      // No desired capacity: CloudFormation would reset the group to it on every stack update.
      maxCapacity: props.maxCapacity ?? minCapacity * 2,
      notifications: [{
        topic,
        scalingEvents: autoscaling.ScalingEvents.ALL,
      }],
    });
    if (props.blueGreen) {
      (group.node.defaultChild as autoscaling.CfnAutoScalingGroup).cfnOptions.updatePolicy = {
        autoScalingScheduledAction: { ignoreUnmodifiedGroupSizeProperties: true },
      };
    }
    // The zones of the subnets, stated (Control Tower CT.AUTOSCALING.PR.1 reads AvailabilityZones only).
    const zones = subnetZones(props.vpc.selectSubnets(vpcSubnets));
    if (zones) {
      (group.node.defaultChild as autoscaling.CfnAutoScalingGroup).availabilityZones = zones;
      markResource(group, ResourceKind.FLEET_GROUP_WITH_ZONES);
    }
    markResource(group, ResourceKind.FLEET_GROUP);
    return group;
  }

  /** The topic of scaling events and, when there are alarms, of the alarms, when the user gives none. */
  private notificationsTopic(alarms: boolean): sns.Topic {
    const topic = new sns.Topic(this, 'ScalingNotifications', { enforceSSL: true });
    markResource(topic, ResourceKind.FLEET_TOPIC);
    if (alarms) {
      // The topic policy replaces SNS's default one, which let CloudWatch publish for the account's
      // alarms; Auto Scaling publishes with its service-linked role, under its identity policy.
      const stack = Stack.of(this);
      topic.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }));
    }
    return topic;
  }
}

/** What the load balancer of a fleet is made of. */
interface ApplicationEndpointProps {
  readonly vpc: ec2.IVpc;
  readonly options: ManagedFleetLoadBalancerOptions;
  readonly port: number;
  readonly environmentName: string;
  readonly accessLogsBucket: s3.IBucket;
  /** The fleets behind it, each with a target group; the listener's default action forwards to the first. */
  readonly fleets: FleetName[];
}

/**
 * The internet-facing load balancer of a fleet and its target group (one per fleet with blue/green
 * releases: the release pipeline moves traffic between them with a listener rule of its own). The Auto Scaling group is not
 * attached to the target group: CodeDeploy registers each instance after the revision is installed
 * and deregisters it before the next one (in-place deployment with traffic control), so instances
 * without the application never receive traffic or count as unhealthy hosts.
 *
 * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/integrations-aws-elastic-load-balancing.html
 */
class ApplicationEndpoint extends Construct {
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  public readonly targetGroups: elbv2.ApplicationTargetGroup[];
  public readonly listener: elbv2.ApplicationListener;
  public readonly url: string;
  /**
   * The LoadBalancer dimension of the target groups' metrics, as aws-cdk-lib's metrics of the
   * listener's target group give it (read from the listener's ARN); the other target groups have
   * the same load balancer, but no listener forwards to them in the template.
   */
  public readonly metricsLoadBalancerName: string;

  constructor(scope: Construct, id: string, props: ApplicationEndpointProps) {
    super(scope, id);
    const { options } = props;
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      // Descriptions allow no apostrophe (CloudFormation's pattern for GroupDescription).
      description: `Load balancer of the ${props.environmentName} fleet: HTTP(S) from the internet, to the application port of the instances`,
      allowAllOutbound: false,
    });
    markResource(securityGroup, ResourceKind.LOAD_BALANCER_SECURITY_GROUP);

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      securityGroup,
      dropInvalidHeaderFields: true,
      // Recreating the load balancer would change the DNS name clients use.
      deletionProtection: options.deletionProtection ?? true,
    });
    markResource(this.loadBalancer, ResourceKind.LOAD_BALANCER);
    if (options.deletionProtection === false) {
      markResource(this.loadBalancer, ResourceKind.LOAD_BALANCER_WITHOUT_DELETION_PROTECTION);
    }
    logAccessLogs(this.loadBalancer, props.accessLogsBucket, `load-balancers/${props.environmentName}`);

    this.targetGroups = props.fleets.map((name) => new elbv2.ApplicationTargetGroup(this, memberId(name, 'TargetGroup'), {
      vpc: props.vpc,
      port: props.port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.INSTANCE,
      healthCheck: {
        path: options.healthCheckPath ?? DEFAULT_HEALTH_CHECK_PATH,
        healthyHttpCodes: '200',
        interval: Duration.seconds(10),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
      // In-flight requests get 30 seconds before CodeDeploy stops the application on an instance.
      deregistrationDelay: Duration.seconds(30),
    }));
    const [first, ...others] = this.targetGroups;

    if (options.certificate) {
      const port = options.listenerPort ?? 443;
      this.listener = this.loadBalancer.addListener('Https', {
        port,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [elbv2.ListenerCertificate.fromCertificateManager(options.certificate)],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        defaultTargetGroups: [first],
      });
      if (port !== 80) {
        this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: port });
      }
      this.url = `https://${this.loadBalancer.loadBalancerDnsName}${port === 443 ? '' : `:${port}`}`;
    } else {
      const port = options.listenerPort ?? 80;
      this.listener = this.loadBalancer.addListener('Http', {
        port,
        protocol: elbv2.ApplicationProtocol.HTTP,
        defaultTargetGroups: [first],
      });
      this.url = `http://${this.loadBalancer.loadBalancerDnsName}${port === 80 ? '' : `:${port}`}`;
      markResource(this.listener, ResourceKind.HTTP_LISTENER);
    }
    // The release pipeline's listener rules forward to the other target groups, which CloudFormation
    // cannot delete while a rule uses them: the listener (and its rules with it) goes first.
    others.forEach((group) => this.listener.node.addDependency(group));
    this.metricsLoadBalancerName = first.firstLoadBalancerFullName;
  }
}

/**
 * Returns the alarms CodeDeploy watches while it deploys to a fleet: 5xx responses of the
 * application, and registered instances failing the health check. Missing data (no traffic, no
 * registered instance yet) is not breaching. The metrics are the target group's on this load
 * balancer, which a target group no listener forwards to in the template has as well.
 *
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 */
function deploymentAlarms(scope: Construct, fleet: FleetName, loadBalancerFullName: string,
  targetGroup: elbv2.ApplicationTargetGroup, subject: string, serverErrorThreshold: number, topic: sns.ITopic): cloudwatch.IAlarm[] {
  const metric = (metricName: string, statistic: string) => new cloudwatch.Metric({
    namespace: 'AWS/ApplicationELB',
    metricName,
    dimensionsMap: { TargetGroup: targetGroup.targetGroupFullName, LoadBalancer: loadBalancerFullName },
    period: Duration.minutes(1),
    statistic,
  });
  const definitions = [
    {
      id: 'ServerErrorsAlarm',
      metric: metric(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, 'Sum'),
      threshold: serverErrorThreshold,
      evaluationPeriods: 1,
      description: `${subject}: the application answered ${serverErrorThreshold} or more requests with 5xx in a minute`,
    },
    {
      id: 'UnhealthyHostsAlarm',
      metric: metric('UnHealthyHostCount', 'Maximum'),
      threshold: 1,
      evaluationPeriods: 2,
      description: `${subject}: an instance behind the load balancer failed its health check for two minutes`,
    },
  ];
  return definitions.map((d) => withAction(topic, new cloudwatch.Alarm(scope, memberId(fleet, d.id), {
    metric: d.metric,
    threshold: d.threshold,
    evaluationPeriods: d.evaluationPeriods,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: d.description,
  })));
}

/** The id of a fleet's construct: blue keeps the id of an in-place fleet's, green's starts with 'Green'. */
function memberId(fleet: FleetName, id: string): string {
  return fleet === 'blue' ? id : `Green${id}`;
}

/**
 * The Availability Zones of `subnets`, each once, or undefined when a subnet was imported without
 * its zone (`Subnet.fromSubnetId`).
 */
function subnetZones(subnets: ec2.SelectedSubnets): string[] | undefined {
  try {
    return [...new Set(subnets.availabilityZones)];
  } catch {
    return undefined;
  }
}

/** Returns the alarm, publishing to `topic` when it goes off (Control Tower CT.CLOUDWATCH.PR.1). */
function withAction(topic: sns.ITopic, alarm: cloudwatch.Alarm): cloudwatch.Alarm {
  alarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));
  return alarm;
}
