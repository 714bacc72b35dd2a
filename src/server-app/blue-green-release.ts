import { Aws, CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import { Construct } from 'constructs';
import { BlueGreenTarget } from './deployment-target';
import { FLEET_RELEASE, FLEET_RELEASE_ENV, FleetName } from './fleet-release-contract';
import { FleetReleaseProject, FleetRollbackProject } from './fleet-release-projects';
import { plaintextVariables } from '../codebuild-project';
import { DeployStepCompute } from '../deploy-compute';
import { PipelineCore } from '../pipeline';
import { validationError } from '../validation';

/**
 * What a traffic step needs besides its bake time, in minutes: setting the weights, reading the
 * metrics and alarms at its end, and, on a breach, moving the traffic back and scheduling the
 * new fleet's scale-in.
 */
export const SHIFT_MINUTES_BESIDES_BAKE = 3;
/** CodeBuild stops a build on Lambda compute after 15 minutes. */
const LAMBDA_COMPUTE_MINUTES = 15;
/** A minute of traffic to the new fleet needs this many requests for its 5xx share to count: one failure of three is no outage. */
const MIN_REQUESTS = 10;
/** How often a waiting step looks again (deployment status, instances, metrics). */
const POLL_SECONDS = 20;
/** How long the check after the deployment may take: the targets turning healthy, then the requests through the load balancer. */
const CHECK_SECONDS = 120;

/** What one blue/green environment's release is made of. */
export interface BlueGreenReleaseProps {
  readonly environmentName: string;
  /** The run order of the first action: 2 after an approval, else 1. */
  readonly firstRunOrder: number;
  readonly target: BlueGreenTarget;
  readonly application: codedeploy.IServerApplication;
  /** The deployment group of each fleet, blue then green. */
  readonly deploymentGroups: codedeploy.IServerDeploymentGroup[];
  readonly deploymentConfig: codedeploy.IServerDeploymentConfig;
  /** The environment's own alarms, which judge each traffic step besides the new fleet's. */
  readonly alarms: cloudwatch.IAlarm[];
  readonly core: PipelineCore;
  readonly compute: DeployStepCompute;
}

/** What the program reads from $FLEET_RELEASE (ReleaseSettings in runtime/fleet-release.js). */
interface ReleaseSettings {
  readonly application: string;
  readonly listenerArn: string;
  readonly loadBalancerFullName: string;
  readonly url: string;
  readonly fleets: Record<FleetName, {
    readonly autoScalingGroup: string;
    readonly targetGroupArn: string;
    readonly targetGroupFullName: string;
    readonly deploymentGroup: string;
    readonly alarmNames: string[];
  }>;
  readonly minCapacity: number;
  readonly bakeSeconds: number;
  readonly maxErrorRatePercent: number;
  readonly minRequests: number;
  readonly healthCheckPath: string;
  readonly paths: string[];
  readonly stickinessSeconds: number;
  readonly rollbackWindowSeconds: number;
  readonly alarmNames: string[];
  readonly stepSeconds: number;
  readonly pollSeconds: number;
  readonly checkSeconds: number;
}

/**
 * The blue/green release of one environment: the release project and its pipeline actions
 * (PrepareFleet, DeployAndCheck, then one Shift action per traffic step), the rollback project, and
 * the outputs that roll back and tell where traffic goes. Nothing here holds where traffic goes or
 * how big the fleets are: the program reads and sets that in AWS at run time.
 */
export class BlueGreenRelease extends Construct {
  /** The pipeline actions of the release, in order (the stage adds an approval before them). */
  public readonly actions: codepipeline.IAction[];
  /** The project a person starts to roll back. */
  public readonly rollbackProject: codebuild.IProject;

  constructor(scope: Construct, id: string, props: BlueGreenReleaseProps) {
    super(scope, id);
    const settings = props.target.settings;
    const stepMinutes = props.compute.timeout?.toMinutes() ?? LAMBDA_COMPUTE_MINUTES;
    validateBakeTime(scope, `${settings.prop}.bakeTime`, settings.bakeTime, props.compute);

    const fleetAlarms = props.target.fleets.flatMap((f) => f.alarms);
    const projectProps = {
      settings: Stack.of(this).toJsonString(releaseSettings(props, stepMinutes)),
      loadBalancer: props.target.loadBalancer,
      listener: props.target.listener,
      autoScalingGroups: props.target.fleets.map((f) => f.autoScalingGroup),
      application: props.application,
      deploymentGroups: props.deploymentGroups,
      deploymentConfig: props.deploymentConfig,
      alarms: [...fleetAlarms, ...props.alarms],
      encryptionKey: props.core.artifactsKey,
      logRetention: props.core.logRetention,
      compute: props.compute,
    };
    this.rollbackProject = new FleetRollbackProject(this, 'Rollback', projectProps);
    const releaseProject = new FleetReleaseProject(this, 'Release', { ...projectProps, rollbackProjectName: this.rollbackProject.projectName });
    this.actions = releaseActions(props, releaseProject, settings.trafficPercentages);
    this.addOutputs(props);
  }

  /** The commands that roll back, roll to a named fleet, and tell where traffic goes. */
  private addOutputs(props: BlueGreenReleaseProps): void {
    const startBuild = `aws codebuild start-build --region ${Aws.REGION} --project-name ${this.rollbackProject.projectName}`;
    new CfnOutput(this, 'RollbackCommand', {
      description: `${props.environmentName}: sends all traffic back to the fleet holding the release before the live one (seconds while it runs; after its rollback window it is scaled out first, which takes minutes)`,
      value: startBuild,
    });
    new CfnOutput(this, 'RollbackToFleetCommand', {
      description: `${props.environmentName}: sends all traffic to the fleet named (blue or green), whatever it holds`,
      value: `${startBuild} --environment-variables-override name=${FLEET_RELEASE_ENV.rollbackTarget},value=<blue|green>,type=PLAINTEXT`,
    });
    new CfnOutput(this, 'TrafficCommand', {
      description: `${props.environmentName}: prints the weight of each fleet's target group (blue's first)`,
      value: `aws elbv2 describe-rules --region ${Aws.REGION} --listener-arn ${props.target.listener.listenerArn} `
        + `--query "Rules[?Priority=='${FLEET_RELEASE.liveRulePriority}'].Actions[0].ForwardConfig.TargetGroups"`,
    });
  }
}

/** The program's settings for the environment. */
function releaseSettings(props: BlueGreenReleaseProps, stepMinutes: number): ReleaseSettings {
  const { target } = props;
  const settings = target.settings;
  const fleet = (i: number) => {
    const member = target.fleets[i];
    return {
      autoScalingGroup: member.autoScalingGroup.autoScalingGroupName,
      targetGroupArn: member.targetGroup!.targetGroupArn,
      targetGroupFullName: member.targetGroup!.targetGroupFullName,
      deploymentGroup: props.deploymentGroups[i].deploymentGroupName,
      alarmNames: member.alarms.map((a) => a.alarmName),
    };
  };
  return {
    application: props.application.applicationName,
    listenerArn: target.listener.listenerArn,
    loadBalancerFullName: target.loadBalancer.loadBalancerFullName,
    url: target.url,
    fleets: { blue: fleet(0), green: fleet(1) },
    minCapacity: target.minCapacity,
    bakeSeconds: settings.bakeTime.toSeconds({ integral: false }),
    maxErrorRatePercent: settings.maxErrorRatePercent,
    minRequests: MIN_REQUESTS,
    healthCheckPath: target.healthCheckPath,
    paths: settings.paths,
    stickinessSeconds: settings.stickiness?.toSeconds() ?? 0,
    rollbackWindowSeconds: settings.rollbackWindow.toSeconds({ integral: false }),
    alarmNames: props.alarms.map((a) => a.alarmName),
    stepSeconds: stepMinutes * 60,
    pollSeconds: POLL_SECONDS,
    checkSeconds: CHECK_SECONDS,
  };
}

/** PrepareFleet, DeployAndCheck and a Shift action per traffic step, one project, one action role. */
function releaseActions(props: BlueGreenReleaseProps, project: codebuild.IProject, percentages: number[]): codepipeline.IAction[] {
  const role = props.core.actionRole(`Release${props.environmentName}`);
  const step = (actionName: string, runOrder: number, variables: Record<string, string>) => new actions.CodeBuildAction({
    actionName,
    project,
    role,
    input: props.core.buildOutput,
    runOrder,
    environmentVariables: plaintextVariables(variables),
  });
  const first = props.firstRunOrder;
  const prepare = step('PrepareFleet', first, { [FLEET_RELEASE_ENV.step]: 'prepare' });
  const fleet = prepare.variable(FLEET_RELEASE_ENV.releaseFleet);
  return [
    prepare,
    step('DeployAndCheck', first + 1, {
      [FLEET_RELEASE_ENV.step]: 'deploy',
      [FLEET_RELEASE_ENV.releaseFleet]: fleet,
      [FLEET_RELEASE_ENV.executionId]: codepipeline.GlobalVariables.executionId,
    }),
    ...percentages.map((percent, i) => step(`Shift${percent}Percent`, first + 2 + i, {
      [FLEET_RELEASE_ENV.step]: 'shift',
      [FLEET_RELEASE_ENV.trafficPercent]: String(percent),
      [FLEET_RELEASE_ENV.releaseFleet]: fleet,
    })),
  ];
}

/** A traffic step's bake time plus the rest of the step must fit in the step's time limit. */
function validateBakeTime(scope: Construct, prop: string, bakeTime: Duration, compute: DeployStepCompute): void {
  const onLambda = compute.timeout === undefined;
  const limit = onLambda ? LAMBDA_COMPUTE_MINUTES : compute.timeout!.toMinutes();
  const max = limit - SHIFT_MINUTES_BESIDES_BAKE;
  if (bakeTime.toSeconds({ integral: false }) / 60 > max) {
    const where = onLambda ? `on Lambda compute (CodeBuild stops a step there after ${LAMBDA_COMPUTE_MINUTES} minutes`
      : `on EC2 compute (the deploy steps time out after ${limit} minutes`;
    const fix = onLambda ? `shorten it, or set deployCompute: DeployCompute.EC2 (bakeTime up to ${20 - SHIFT_MINUTES_BESIDES_BAKE} minutes)` : 'shorten it';
    throw validationError(scope, `${prop} must be at most ${max} minutes ${where}, and a traffic step needs up to ${SHIFT_MINUTES_BESIDES_BAKE} more), `
      + `got '${bakeTime.toHumanString()}'; ${fix}`);
  }
}
