import { Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FLEET_RELEASE_ENV } from './fleet-release-contract';
import { ArtifactKey } from '../artifact-store';
import { deployStepProjectDefaults, PipelineStepProject, StandaloneProject } from '../codebuild-project';
import { nagResourceFinding, suppressNagFindings } from '../compliance/nag';
import { DeployStepCompute } from '../deploy-compute';
import { ProjectKind } from '../project-kind';
import { unpackRuntimeFilesCommands } from '../runtime-program';

/** The folder of ServerAppPipeline, whose runtime/ holds the fleet release program. */
const SERVER_APP_DIR = __dirname;
/** Shell variable holding the directory the program is unpacked in. */
const PROGRAM_DIR = 'FLEET_PROGRAM_DIR';

/** What the release and rollback projects of one blue/green environment work on. */
export interface FleetReleaseProjectProps {
  /** The program's settings, as the JSON of $FLEET_RELEASE (tokens resolved by CloudFormation). */
  readonly settings: string;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly listener: elbv2.IApplicationListener;
  readonly autoScalingGroups: autoscaling.IAutoScalingGroup[];
  readonly application: codedeploy.IServerApplication;
  readonly deploymentGroups: codedeploy.IServerDeploymentGroup[];
  readonly deploymentConfig: codedeploy.IServerDeploymentConfig;
  /** The alarms that judge each traffic step: the fleets' and the environment's. */
  readonly alarms: cloudwatch.IAlarm[];
  readonly encryptionKey: ArtifactKey;
  readonly logRetention: logs.RetentionDays;
  readonly compute: DeployStepCompute;
}

/*
 * The CodeBuild projects of blue/green releases: FleetReleaseProject runs every step of a release
 * in the pipeline (prepare the idle fleet, deploy and check it, shift traffic), FleetRollbackProject
 * moves traffic back on demand. Two projects, so the rollback role cannot deploy.
 */

/** Runs one step of a blue/green release, named by the pipeline action ($RELEASE_STEP). */
export class FleetReleaseProject extends PipelineStepProject {
  constructor(scope: Construct, id: string, props: FleetReleaseProjectProps & { readonly rollbackProjectName: string }) {
    super(scope, id, {
      kind: ProjectKind.FLEET_RELEASE,
      description: 'Releases the build blue/green: prepares the idle fleet, deploys to it and checks it, shifts traffic',
      buildSpec: codebuild.BuildSpec.fromObject(releaseBuildSpecObject()),
      ...deployStepProjectDefaults(props, {
        [FLEET_RELEASE_ENV.settings]: props.settings,
        [FLEET_RELEASE_ENV.rollbackProject]: props.rollbackProjectName,
      }),
    });
    props.compute.finish(this);
    const rules = new FleetRules(this, props);
    rules.grantTraffic(true);
    rules.grantGroups(props.autoScalingGroups);
    rules.grantRevisions(props, true);
    rules.grantJudgement(props.alarms);
    rules.acceptWildcards();
  }
}

/** Sends all traffic to the fleet of the release before the live one (or to $FLEET), started by hand. */
export class FleetRollbackProject extends StandaloneProject {
  constructor(scope: Construct, id: string, props: FleetReleaseProjectProps) {
    super(scope, id, {
      kind: ProjectKind.FLEET_ROLLBACK,
      description: 'Sends all traffic to the fleet holding the release before the live one (or $FLEET): aws codebuild start-build --project-name <this project>',
      buildSpec: codebuild.BuildSpec.fromObject(rollbackBuildSpecObject()),
      ...deployStepProjectDefaults(props, { [FLEET_RELEASE_ENV.settings]: props.settings }),
    });
    props.compute.finish(this);
    const rules = new FleetRules(this, props);
    rules.grantTraffic(false);
    rules.grantGroups(props.autoScalingGroups);
    rules.grantRevisions(props, false);
    rules.acceptWildcards();
  }
}

/**
 * The release step's commands: the program's step (the action names it), then its fleet read into
 * RELEASE_FLEET for the next actions, with `read`, a shell builtin (Lambda compute runs no other
 * program than node and aws).
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.limitations
 */
export function releaseCommands(): string[] {
  return [
    ...unpackProgram(),
    `node "$${PROGRAM_DIR}/fleet-release.js" "$${FLEET_RELEASE_ENV.step}" "$${FLEET_RELEASE_ENV.trafficPercent}"`,
    `read -r ${FLEET_RELEASE_ENV.releaseFleet} < "$${PROGRAM_DIR}/release-fleet"`,
    `export ${FLEET_RELEASE_ENV.releaseFleet}`,
  ];
}

/** The rollback project's commands. */
export function rollbackCommands(): string[] {
  return [...unpackProgram(), `node "$${PROGRAM_DIR}/fleet-release.js" rollback`];
}

/** The release buildspec: RELEASE_FLEET is exported for the next actions and shows in the pipeline console. */
function releaseBuildSpecObject(): object {
  return {
    version: '0.2',
    env: { 'exported-variables': [FLEET_RELEASE_ENV.releaseFleet] },
    phases: { build: { commands: releaseCommands() } },
  };
}

function rollbackBuildSpecObject(): object {
  return { version: '0.2', phases: { build: { commands: rollbackCommands() } } };
}

/** Unpacks the program (runtime/fleet-release.js, the files it loads and the contract) from the buildspec. */
function unpackProgram(): string[] {
  return unpackRuntimeFilesCommands(PROGRAM_DIR, SERVER_APP_DIR, [
    'fleet-release.js', 'fleet-settings.js', 'fleet-traffic.js', 'fleet-capacity.js', 'fleet-revisions.js', 'fleet-judging.js', 'fleet-cli.js',
    'fleet-release-contract.json',
  ]);
}

/**
 * The grants of a fleet project, each where its need arises, and the findings they make.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodedeploy.html
 */
class FleetRules {
  private readonly wildcardReasons: string[] = [];

  constructor(private readonly project: codebuild.Project, private readonly props: FleetReleaseProjectProps) {}

  /**
   * Reading the listener's rules and the fleets' target health (no resource-level permissions),
   * and changing the live rule: a rule of the fleets' load balancer, as the release creates its
   * rules at run time (their ids are not known before). The release also creates and deletes its
   * check rule.
   */
  public grantTraffic(checks: boolean): void {
    const rulesOfLoadBalancer = Stack.of(this.project).formatArn({
      service: 'elasticloadbalancing',
      resource: 'listener-rule',
      resourceName: `${this.props.loadBalancer.loadBalancerFullName}/*`,
    });
    this.allow(['elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetHealth'], ['*'],
      'elasticloadbalancing:DescribeRules and DescribeTargetHealth have no resource-level permissions');
    this.allow(['elasticloadbalancing:CreateRule'], [this.props.listener.listenerArn]);
    this.allow(['elasticloadbalancing:ModifyRule', ...checks ? ['elasticloadbalancing:DeleteRule'] : []], [rulesOfLoadBalancer]);
    this.suppress(rulesOfLoadBalancer, 'The live rule and the check rule are created by the release at run time, so their ids are not known to the template; the grant is limited to the rules of the fleets\' load balancer.');
  }

  /** Reading the groups, and setting the sizes and scale-in of the two fleets (their ARNs hold a UUID CloudFormation does not return). */
  public grantGroups(groups: autoscaling.IAutoScalingGroup[]): void {
    this.allow(['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeScheduledActions'], ['*'],
      'autoscaling:DescribeAutoScalingGroups and DescribeScheduledActions have no resource-level permissions');
    const arns = groups.map((g) => g.autoScalingGroupArn);
    this.allow(['autoscaling:UpdateAutoScalingGroup', 'autoscaling:PutScheduledUpdateGroupAction', 'autoscaling:DeleteScheduledAction'], arns);
    arns.forEach((arn) => this.suppress(arn, 'Auto Scaling group ARNs contain a UUID CloudFormation does not expose; the ARN names the one group by its name.'));
  }

  /**
   * Reading what each fleet holds (its deployment group's last deployment and that revision), and,
   * for a release, deploying the build to the idle fleet and stopping a deployment at the step's
   * deadline (StopDeployment has no resource-level permissions).
   */
  public grantRevisions(props: FleetReleaseProjectProps, deploys: boolean): void {
    const groups = props.deploymentGroups.map((g) => g.deploymentGroupArn);
    this.allow(['codedeploy:GetDeploymentGroup', 'codedeploy:GetDeployment', ...deploys ? ['codedeploy:CreateDeployment'] : []], groups);
    this.allow(['codedeploy:GetApplicationRevision', ...deploys ? ['codedeploy:RegisterApplicationRevision'] : []], [props.application.applicationArn]);
    if (deploys) {
      this.allow(['codedeploy:GetDeploymentConfig'], [props.deploymentConfig.deploymentConfigArn]);
      this.allow(['codedeploy:StopDeployment'], ['*'], 'codedeploy:StopDeployment has no resource-level permissions');
    }
  }

  /** Reading the alarms and the new fleet's load balancer metrics during a bake (GetMetricData takes no resource). */
  public grantJudgement(alarms: cloudwatch.IAlarm[]): void {
    this.allow(['cloudwatch:GetMetricData'], ['*'], 'cloudwatch:GetMetricData has no resource-level permissions (it reads the fleet\'s target group metrics)');
    if (alarms.length) {
      this.allow(['cloudwatch:DescribeAlarms'], alarms.map((a) => a.alarmArn));
    }
  }

  /** Accepts the role's `*` grants once, with the reason of each. */
  public acceptWildcards(): void {
    suppressNagFindings(this.project.role!.node.findChild('DefaultPolicy'), [{
      id: 'AwsSolutions-IAM5',
      reason: `${this.wildcardReasons.join('; ')}.`,
      appliesTo: ['Resource::*'],
    }]);
  }

  /** Grants `actions` on `resources`; a `*` grant needs its reason. */
  private allow(actions: string[], resources: string[], wildcardReason?: string): void {
    this.project.addToRolePolicy(new iam.PolicyStatement({ actions, resources }));
    if (wildcardReason) {
      this.wildcardReasons.push(wildcardReason);
    }
  }

  private suppress(arn: string, reason: string): void {
    const policy = this.project.role!.node.findChild('DefaultPolicy');
    suppressNagFindings(policy, [{ id: 'AwsSolutions-IAM5', reason, appliesTo: [nagResourceFinding(policy, arn)] }]);
  }
}
