import { Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { nagResourceFinding, suppressNagFindings } from '../compliance/nag';
import { ManagedPolicyRole } from '../managed-policy-role';

/**
 * The CodeDeploy actions of an EC2/on-premises in-place deployment, taken from AWS's
 * `AWSCodeDeployRole` policy without the ones only blue/green deployments use (copying groups,
 * terminating the original fleet), grouped by what they may be scoped to.
 *
 * @see https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCodeDeployRole.html
 */
const DEPLOY_ACTIONS = {
  /** Finding the instances of tags and groups: these actions have no resource-level permissions. */
  discover: ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'tag:GetResources'],
  /** Reading Auto Scaling groups and their hooks: no resource-level permissions either. */
  describeGroups: ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeLifecycleHooks'],
  /** The launch and termination hooks CodeDeploy installs on a group, and pausing it while deploying. */
  manageGroups: [
    'autoscaling:CompleteLifecycleAction',
    'autoscaling:DeleteLifecycleHook',
    'autoscaling:PutLifecycleHook',
    'autoscaling:RecordLifecycleActionHeartbeat',
    'autoscaling:SuspendProcesses',
    'autoscaling:ResumeProcesses',
  ],
  /** Reading target health while moving instances out of and into the load balancer. */
  describeTargets: ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
  /** Taking an instance out of the load balancer before updating it, and back in after. */
  manageTargets: ['elasticloadbalancing:DeregisterTargets', 'elasticloadbalancing:RegisterTargets'],
};

/** What an environment asks of the CodeDeploy service role. */
export interface DeployRoleGrants {
  /** Auto Scaling groups CodeDeploy manages hooks of. */
  readonly autoScalingGroups: autoscaling.IAutoScalingGroup[];
  /** Launch templates of those groups (ARNs, patterns allowed), which CodeDeploy may launch from. */
  readonly launchTemplateArns: string[];
  /** Roles of the instances those groups launch. */
  readonly instanceRoles: iam.IRole[];
  /** The target groups CodeDeploy moves instances in and out of. */
  readonly targetGroups: elbv2.IApplicationTargetGroup[];
  /** Alarms CodeDeploy reads during deployments. */
  readonly alarms: cloudwatch.IAlarm[];
}

/**
 * The service role of the deployment groups: CodeDeploy's in-place permissions spelled out and
 * scoped to the groups, load balancer targets, alarms and instance roles of the environments.
 * aws-cdk-lib would attach the `AWSCodeDeployRole` managed policy (blue/green included, every
 * resource of the account).
 */
export class DeployRole extends Construct {
  /**
   * The role. Give deployment groups `withoutPolicyUpdates()` of it, so they attach no managed
   * policy, and make them depend on `policies`.
   */
  public readonly role: ManagedPolicyRole;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.role = new ManagedPolicyRole(this, 'Resource', {
      assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com'),
      description: 'Lets CodeDeploy find the instances of each environment and update them in place',
    });
    this.allow(DEPLOY_ACTIONS.discover, ['*']);
    this.suppress([{
      finding: 'Resource::*',
      reason: 'ec2:DescribeInstances/DescribeInstanceStatus, tag:GetResources, autoscaling:Describe* and elasticloadbalancing:Describe* have no resource-level permissions; ec2:RunInstances and ec2:CreateTags are limited by conditions to the fleet launch templates and to tagging at launch.',
    }]);
  }

  /** The managed policies holding the role's permissions, so far. */
  public get policies(): iam.ManagedPolicy[] {
    return this.role.statementPolicies;
  }

  /** Adds what CodeDeploy needs to deploy to one environment. */
  public grant(grants: DeployRoleGrants): void {
    if (grants.autoScalingGroups.length > 0) {
      this.grantAutoScaling(grants);
    }
    if (grants.targetGroups.length > 0) {
      this.allow(DEPLOY_ACTIONS.describeTargets, ['*']);
      this.allow(DEPLOY_ACTIONS.manageTargets, grants.targetGroups.map((g) => g.targetGroupArn));
    }
    if (grants.alarms.length > 0) {
      this.allow(['cloudwatch:DescribeAlarms'], grants.alarms.map((a) => a.alarmArn));
    }
  }

  /**
   * Lets CodeDeploy manage the hooks of the groups, and launch instances from their launch
   * templates: a group with a launch template needs `ec2:RunInstances`, `ec2:CreateTags` and
   * `iam:PassRole` on the instance role from whoever updates it.
   *
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/getting-started-create-service-role.html
   */
  private grantAutoScaling(grants: DeployRoleGrants): void {
    const groupArns = grants.autoScalingGroups.map((g) => g.autoScalingGroupArn);
    this.allow(DEPLOY_ACTIONS.describeGroups, ['*']);
    this.allow(DEPLOY_ACTIONS.manageGroups, groupArns);
    // Group ARNs hold a UUID CloudFormation does not return, so they name the group with `*:`.
    this.suppress(groupArns.map((arn) => ({
      finding: nagResourceFinding(this, arn),
      reason: 'Auto Scaling group ARNs contain a UUID CloudFormation does not expose; the ARN names the one group by its name.',
    })));
    if (grants.launchTemplateArns.length > 0) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['ec2:RunInstances'],
        resources: ['*'],
        conditions: { ArnLike: { 'ec2:LaunchTemplate': grants.launchTemplateArns } },
      }));
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['ec2:CreateTags'],
        resources: ['*'],
        conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
      }));
    }
    if (grants.instanceRoles.length > 0) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: grants.instanceRoles.map((r) => r.roleArn),
        conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      }));
    }
  }

  private allow(actions: string[], resources: string[]): void {
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
  }

  private suppress(findings: Array<{ finding: string; reason: string }>): void {
    suppressNagFindings(this.role.node.findChild('DefaultPolicy'), findings.map((f) => ({
      id: 'AwsSolutions-IAM5',
      reason: f.reason,
      appliesTo: [f.finding],
    })));
  }
}

/** ARNs matching every launch template of `scope`'s account and region, for groups whose template is not known. */
export function anyLaunchTemplateArn(scope: Construct): string {
  return Stack.of(scope).formatArn({ service: 'ec2', resource: 'launch-template', resourceName: '*' });
}
