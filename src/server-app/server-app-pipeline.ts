import { Annotations, CfnOutput, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { grantAgentBucketRead, installAgentWithStateManager } from './agent-installation';
import { BlueGreenRelease } from './blue-green-release';
import { DeployRole } from './deploy-role';
import { BlueGreenTarget, DeploymentTarget, DeploymentTargetConfig } from './deployment-target';
import { MinimumHealthyHosts } from './minimum-healthy-hosts';
import { revisionCheckCommands } from './revision-check';
import { acceptFindings } from '../compliance/accepted-findings';
import { DeployCompute, deployStepCompute, DeployStepCompute } from '../deploy-compute';
import { ManagedPolicyGrantee, ManagedPolicyRole } from '../managed-policy-role';
import { ApprovalOptions, DeployPipelineProps, PipelineCore } from '../pipeline';
import { reportsValidationErrors, validateLiteral, validationError } from '../validation';

/** The environment deployed to when `environments` is not given. */
const DEFAULT_ENVIRONMENT = 'Production';

/** Environment names: they become stage names (`Deploy<name>`) and construct ids. */
const ENVIRONMENT_NAME = /^[A-Za-z0-9_-]{1,50}$/;

/** CodeDeploy watches at most this many alarms per deployment group. */
const MAX_ALARMS = 10;

/** How CodeDeploy rolls a release out to the instances of an environment. */
export interface ServerDeploymentOptions {
  /**
   * How many instances CodeDeploy updates at a time, e.g.
   * `codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME`. Give this or `minimumHealthyHosts`.
   *
   * @default codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME - the one configuration that works
   * with a single instance (half of one instance rounds up to all of it) and keeps all others serving
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html
   */
  readonly deploymentConfig?: codedeploy.IServerDeploymentConfig;

  /**
   * How many instances stay healthy during a deployment; creates a deployment configuration.
   *
   * @default - `deploymentConfig`
   */
  readonly minimumHealthyHosts?: MinimumHealthyHosts;

  /**
   * CloudWatch alarms that stop a deployment while it runs. A managed fleet with a load balancer
   * adds its 5xx and unhealthy-host alarms to these. At most 10 in all.
   *
   * @default - none
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * Roll back a deployment that an alarm stopped. Requires alarms.
   *
   * @default - true when the environment has alarms
   */
  readonly rollbackOnAlarm?: boolean;
}

/** A stage of the release: where it is deployed, and whether someone approves it first. */
export interface ServerEnvironment extends ServerDeploymentOptions {
  /** The name of the environment, e.g. 'Staging' (a literal, not a token); the pipeline stage is `Deploy<name>`. */
  readonly name: string;

  /** The servers of the environment. */
  readonly target: DeploymentTarget;

  /**
   * Wait for a manual approval before deploying to this environment.
   *
   * @default - no approval
   */
  readonly approval?: ApprovalOptions;
}

/**
 * Properties of a `ServerAppPipeline`. The deployment options given here apply to every
 * environment that gives none of its own. Where every environment gives its own, they are still
 * checked, and a warning says they are not used.
 */
export interface ServerAppPipelineProps extends DeployPipelineProps, ServerDeploymentOptions {
  /**
   * The servers to deploy to, as one environment named 'Production'. Give this or `environments`.
   *
   * @default - none; `environments` is required then
   */
  readonly target?: DeploymentTarget;

  /**
   * The environments the release goes through, in order (e.g. Staging, then Production after an
   * approval); each one is a pipeline stage deploying the same build.
   *
   * @default - one environment, 'Production', deploying to `target`
   */
  readonly environments?: ServerEnvironment[];

  /**
   * Install (and keep updated) the CodeDeploy agent: through user data on a managed fleet, with a
   * State Manager association on EC2 tag and Auto Scaling group targets (their instances must be
   * managed by Systems Manager). On-premises instances need the agent installed by you.
   *
   * @default true
   */
  readonly installAgent?: boolean;

  /**
   * Roles of instances the construct cannot see: those found by tag, on-premises instances, and
   * imported Auto Scaling groups. They are granted read on the release bundles (and their KMS key)
   * and on the CodeDeploy agent bucket.
   *
   * @default - only the roles of managed fleets and of Auto Scaling groups of this app
   */
  readonly instanceRoles?: iam.IRole[];

  /**
   * Where CodeBuild runs the steps of blue/green releases (`ReleaseStrategy.blueGreen()`) and
   * their rollback. Lambda compute starts a step without provisioning an instance, so a rollback
   * takes seconds; a step on it stops after 15 minutes. Only for environments released blue/green.
   *
   * @default - DeployCompute.LAMBDA where CodeBuild offers it; in other regions DeployCompute.EC2,
   *   with a warning when the stack's region is known, chosen by CloudFormation when it is not
   * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html
   */
  readonly deployCompute?: DeployCompute;
}

/** An environment with the prop path its settings came from, for error messages. */
interface ResolvedEnvironment {
  readonly environment: ServerEnvironment;
  /** 'environments[1].' or '' for the environment made of the top-level `target`. */
  readonly prefix: string;
}

/**
 * A push-to-deploy server application: each push to the branch is built and tested in CodeBuild,
 * its CodeDeploy revision checked, then deployed in place to EC2 or on-premises instances by
 * CodeDeploy, environment by environment, with automatic rollback of failed deployments.
 *
 * Stages: Source → Build → (Approve) → Deploy<Environment>… The build output must be a CodeDeploy
 * revision: `appspec.yml` at the root of `buildOptions.outputDirectory`.
 *
 * @example
 * new ServerAppPipeline(this, 'Api', {
 *   source: PipelineSource.codeCommit({ repositoryName: 'api' }),
 *   buildOptions: { commands: ['npm ci', 'npm test', 'npm run build'], outputDirectory: 'dist' },
 *   target: DeploymentTarget.ec2Tags({ app: ['api'] }),
 * });
 */
export class ServerAppPipeline extends Construct {
  /** The CodePipeline pipeline. */
  public readonly pipeline: codepipeline.Pipeline;

  /** The CodeCommit repository, when the source is CodeCommit. */
  public readonly repository?: codecommit.IRepository;

  /** The CodeBuild project that builds and tests the application and checks its revision. */
  public readonly buildProject: codebuild.IProject;

  /** The CodeDeploy application. */
  public readonly application: codedeploy.IServerApplication;

  /** The deployment group of the first (or only) environment. */
  public readonly deploymentGroup: codedeploy.IServerDeploymentGroup;

  /** The deployment groups of all environments, in order. */
  public readonly deploymentGroups: codedeploy.IServerDeploymentGroup[];

  /** The Auto Scaling group of the first environment, when it is a managed fleet (blue's, when released blue/green). */
  public readonly autoScalingGroup?: autoscaling.IAutoScalingGroup;

  /**
   * With blue/green releases in the first environment, the CodeBuild project that rolls back:
   * `aws codebuild start-build --project-name <name>`.
   */
  public readonly rollbackProject?: codebuild.IProject;

  /** The load balancer of the first environment, when it is a managed fleet with one. */
  public readonly loadBalancer?: elbv2.IApplicationLoadBalancer;

  /** The pipeline's artifact bucket, which holds the release bundles. */
  public readonly artifactBucket: s3.IBucket;

  /** The bucket receiving S3 and load balancer access logs. */
  public readonly accessLogsBucket: s3.IBucket;

  private readonly core: PipelineCore;
  private readonly deployRole: DeployRole;
  /** The environment each target, and each Auto Scaling group (object or name), is deployed by. */
  private readonly targetOwners = new Map<DeploymentTarget, string>();
  private readonly groupOwners = new Map<unknown, string>();
  private readonly grantedRoles = new Set<iam.IRole>();
  private compute?: DeployStepCompute;

  constructor(scope: Construct, id: string, props: ServerAppPipelineProps) {
    super(scope, id);
    reportsValidationErrors(this);
    const environments = resolveEnvironments(this, props);
    validateSharedDeploymentOptions(this, props, environments);
    this.core = new PipelineCore(this, {
      ...props,
      defaultOutputDirectory: '.',
      postBuildCommands: revisionCheckCommands(props.buildOptions?.outputDirectory ?? '.'),
    });
    this.application = new codedeploy.ServerApplication(this, 'Application');
    this.deployRole = new DeployRole(this, 'DeployRole');

    const deployments = environments.map((environment) => this.deployEnvironment(environment, props));
    if (props.deployCompute !== undefined && !deployments.some((d) => d.release)) {
      throw validationError(this, `deployCompute is where blue/green releases run, got '${props.deployCompute}' but no environment is released blue/green; `
        + 'remove it, or give a managed fleet releaseStrategy: ReleaseStrategy.blueGreen()');
    }
    this.orderGroupsAfterRolePolicies(deployments.flatMap((d) => d.groups));

    this.pipeline = this.core.pipeline;
    this.repository = this.core.repository;
    this.buildProject = this.core.buildProject;
    this.deploymentGroups = deployments.flatMap((d) => d.groups);
    this.deploymentGroup = this.deploymentGroups[0];
    this.autoScalingGroup = deployments[0].target.createdAutoScalingGroup;
    this.rollbackProject = deployments[0].release?.rollbackProject;
    this.loadBalancer = deployments[0].target.createdLoadBalancer;
    this.artifactBucket = this.core.artifactBucket;
    this.accessLogsBucket = this.core.accessLogsBucket;
    this.core.filterPushes();
    acceptFindings(this);
  }

  /**
   * One environment: its target bound, its alarms checked, the instance and CodeDeploy roles
   * granted, its deployment group (one per fleet when released blue/green), the agent
   * installation, and its pipeline stage.
   */
  private deployEnvironment({ environment, prefix }: ResolvedEnvironment, props: ServerAppPipelineProps): EnvironmentDeployment {
    const target = this.bindTarget(environment, prefix, props.installAgent ?? true);
    const fleets = fleetsOf(environment.name, target);
    const ownAlarms = environment.alarms ?? props.alarms ?? [];
    fleets.forEach((fleet) => this.checkAlarms(environment, prefix, [...fleet.alarms, ...ownAlarms], props));
    [...target.instanceRoles ?? [], ...props.instanceRoles ?? []].forEach((role) => this.grantInstanceRole(role));
    this.deployRole.grant({
      autoScalingGroups: target.autoScalingGroups ?? [],
      launchTemplateArns: target.launchTemplateArns ?? [],
      instanceRoles: target.instanceRoles ?? [],
      targetGroups: fleets.flatMap((f) => (f.targetGroup ? [f.targetGroup] : [])),
      alarms: fleets.flatMap((f) => [...f.alarms, ...ownAlarms]),
    });
    const deploymentConfig = deploymentConfigOf(this, environment, props, target.blueGreen !== undefined);
    const groups = fleets.map((fleet) => this.deploymentGroupOf(environment, fleet, target, [...fleet.alarms, ...ownAlarms],
      deploymentConfig, props));
    if (target.agentInstallTargets) {
      installAgentWithStateManager(this, `${environment.name}AgentInstallation`, target.agentInstallTargets);
    }
    const firstRunOrder = environment.approval ? 2 : 1;
    const release = target.blueGreen && new BlueGreenRelease(this, `${environment.name}Release`, {
      environmentName: environment.name,
      firstRunOrder,
      target: target.blueGreen,
      application: this.application,
      deploymentGroups: groups,
      deploymentConfig,
      alarms: ownAlarms,
      core: this.core,
      compute: this.deployCompute(props),
    });
    this.addDeployStage(environment, prefix, release ? release.actions : [this.codeDeployAction(environment, groups[0], firstRunOrder)]);
    if (target.url) {
      new CfnOutput(this, `${environment.name}Url`, { description: `The load balancer of the ${environment.name} environment`, value: target.url });
    }
    return { groups, target, release };
  }

  /** The compute of the blue/green release steps, chosen once for the pipeline. */
  private deployCompute(props: ServerAppPipelineProps): DeployStepCompute {
    this.compute ??= deployStepCompute(this, 'deployCompute', props.deployCompute);
    return this.compute;
  }

  /** Binds the environment's target, which no other environment may share, nor its Auto Scaling groups. */
  private bindTarget(environment: ServerEnvironment, prefix: string, installAgent: boolean): DeploymentTargetConfig {
    const { name } = environment;
    const owner = this.targetOwners.get(environment.target);
    if (owner !== undefined) {
      throw validationError(this, `${prefix}target is the target of environment '${owner}' too, got 'DeploymentTarget'; create one target per environment`);
    }
    this.targetOwners.set(environment.target, name);

    const target = environment.target._bind(this, {
      environmentName: name,
      prop: `${prefix}target`,
      accessLogsBucket: this.core.accessLogsBucket,
      installAgent,
    });
    for (const group of target.autoScalingGroups ?? []) {
      const keys = [group, ...Token.isUnresolved(group.autoScalingGroupName) ? [] : [group.autoScalingGroupName]];
      const earlier = keys.map((k) => this.groupOwners.get(k)).find((o) => o !== undefined);
      if (earlier !== undefined) {
        throw validationError(this, `${prefix}target deploys to an Auto Scaling group of environment '${earlier}', got '${group.node.path}'; give each environment its own group (CodeDeploy cannot run the lifecycle hooks of two deployment groups on one group)`);
      }
      keys.forEach((k) => this.groupOwners.set(k, name));
    }
    return target;
  }

  /** The alarms of a deployment group: at most 10, and some if rollbackOnAlarm asks. */
  private checkAlarms(environment: ServerEnvironment, prefix: string, alarms: cloudwatch.IAlarm[], props: ServerAppPipelineProps): void {
    const { name } = environment;
    if (alarms.length > MAX_ALARMS) {
      const prop = environment.alarms !== undefined ? `${prefix}alarms` : 'alarms';
      throw validationError(this, `${prop} makes ${alarms.length} alarms for environment '${name}', got '${alarms.length}'; CodeDeploy watches at most ${MAX_ALARMS} per environment`);
    }
    if ((environment.rollbackOnAlarm ?? props.rollbackOnAlarm) === true && alarms.length === 0) {
      const prop = environment.rollbackOnAlarm !== undefined ? `${prefix}rollbackOnAlarm` : 'rollbackOnAlarm';
      throw validationError(this, `${prop} is true but environment '${name}' has no alarms, got '0 alarms'; add alarms, or deploy to DeploymentTarget.managedFleet with a loadBalancer, whose alarms are created for you`);
    }
  }

  /**
   * Grants a role of the environment's instances read on the release bundles and the agent bucket,
   * once. A role this library did not make (imported, or the app's own) gets the grants in a
   * managed policy attached to it, not in an inline one.
   */
  private grantInstanceRole(role: iam.IRole): void {
    if (this.grantedRoles.has(role)) return;
    this.grantedRoles.add(role);
    const grantee = role instanceof ManagedPolicyRole ? role : new ManagedPolicyGrantee(this, `InstanceRolePolicy${this.grantedRoles.size}`, role);
    this.core.artifactBucket.grantRead(grantee);
    grantAgentBucketRead(grantee);
  }

  /**
   * The deployment group of one fleet: in place, rolled back on failure, stop or alarm, updating
   * instances launched meanwhile. Blue/green fleets have one each; the first keeps the id of an
   * in-place environment's group.
   */
  private deploymentGroupOf(environment: ServerEnvironment, fleet: DeployedFleet, target: DeploymentTargetConfig,
    alarms: cloudwatch.IAlarm[], deploymentConfig: codedeploy.IServerDeploymentConfig,
    props: ServerAppPipelineProps): codedeploy.ServerDeploymentGroup {
    const group = new codedeploy.ServerDeploymentGroup(this, fleet.id, {
      application: this.application,
      // Without policy updates: aws-cdk-lib would attach AWSCodeDeployRole to it.
      role: this.deployRole.role.withoutPolicyUpdates(),
      deploymentConfig,
      autoScalingGroups: fleet.autoScalingGroups,
      ec2InstanceTags: target.ec2InstanceTags,
      onPremiseInstanceTags: target.onPremisesInstanceTags,
      // The agent is installed for every kind of target (deployEnvironment), not only for groups of this app.
      installAgent: false,
      loadBalancers: fleet.targetGroup ? [codedeploy.LoadBalancer.application(fleet.targetGroup)] : undefined,
      alarms,
      autoRollback: {
        failedDeployment: true,
        stoppedDeployment: true,
        deploymentInAlarm: alarms.length > 0 && (environment.rollbackOnAlarm ?? props.rollbackOnAlarm) !== false,
      },
      // On scale-in, CodeDeploy takes the instance out of the load balancer before it terminates.
      terminationHook: fleet.autoScalingGroups.length > 0 ? true : undefined,
    });
    // Instances Auto Scaling launches while a deployment runs get the new release once it ends
    // (aws-cdk-lib has no prop for it); those launched later get the group's last revision anyway.
    // @see https://docs.aws.amazon.com/codedeploy/latest/userguide/integrations-aws-auto-scaling.html
    (group.node.defaultChild as codedeploy.CfnDeploymentGroup).outdatedInstancesStrategy = 'UPDATE';
    return group;
  }

  /** The CodeDeploy action of an in-place environment. */
  private codeDeployAction(environment: ServerEnvironment, group: codedeploy.IServerDeploymentGroup, runOrder: number): codepipeline.IAction {
    return new actions.CodeDeployServerDeployAction({
      actionName: 'Deploy',
      role: this.core.actionRole(`Deploy${environment.name}`),
      input: this.core.buildOutput,
      deploymentGroup: group,
      runOrder,
    });
  }

  /** The stage `Deploy<name>`: the approval, when asked for, then the release actions (which run after it: `firstRunOrder`). */
  private addDeployStage(environment: ServerEnvironment, prefix: string, releaseActions: codepipeline.IAction[]): void {
    const { name } = environment;
    const stageActions: codepipeline.IAction[] = [];
    if (environment.approval) {
      stageActions.push(this.core.approvalAction(`Approve${name}`, environment.approval, `${prefix}approval`));
    }
    this.core.addStage(`Deploy${name}`, [...stageActions, ...releaseActions]);
  }

  /**
   * A group takes its role without policy updates, so nothing else orders it after the role's
   * policies; CodeDeploy uses them as soon as the group exists (the lifecycle hooks of an Auto
   * Scaling group are installed at creation). Called last: every environment adds policies.
   */
  private orderGroupsAfterRolePolicies(groups: codedeploy.IServerDeploymentGroup[]): void {
    for (const group of groups) {
      group.node.addDependency(...this.deployRole.policies);
    }
  }
}

/** What deploying one environment made. */
interface EnvironmentDeployment {
  /** Its deployment groups: one, or blue's and green's. */
  readonly groups: codedeploy.IServerDeploymentGroup[];
  readonly target: DeploymentTargetConfig;
  readonly release?: BlueGreenRelease;
}

/** What one deployment group deploys to. */
interface DeployedFleet {
  /** The group's construct id. */
  readonly id: string;
  readonly autoScalingGroups: autoscaling.IAutoScalingGroup[];
  readonly targetGroup?: elbv2.IApplicationTargetGroup;
  readonly alarms: cloudwatch.IAlarm[];
}

/** The fleets of a target, each deployed to by a group of its own: the target's one, or blue and green. */
function fleetsOf(environmentName: string, target: DeploymentTargetConfig): DeployedFleet[] {
  const blueGreen: BlueGreenTarget | undefined = target.blueGreen;
  if (!blueGreen) {
    return [{ id: `${environmentName}DeploymentGroup`, autoScalingGroups: target.autoScalingGroups ?? [], targetGroup: target.targetGroup, alarms: target.alarms ?? [] }];
  }
  return blueGreen.fleets.map((fleet, i) => ({
    id: `${environmentName}${i === 0 ? '' : 'Green'}DeploymentGroup`,
    autoScalingGroups: [fleet.autoScalingGroup],
    targetGroup: fleet.targetGroup,
    alarms: fleet.alarms,
  }));
}

/**
 * Returns the environments of the props, checked: `target` (one environment, 'Production') or
 * `environments`, each with a target and a unique name usable in a stage name.
 */
function resolveEnvironments(scope: Construct, props: ServerAppPipelineProps): ResolvedEnvironment[] {
  if (props.environments === undefined || props.environments === null) {
    if (!props.target) {
      throw validationError(scope, `target is required, got '${props.target}'; give a DeploymentTarget such as DeploymentTarget.ec2Tags({ app: ['api'] }), or list environments`);
    }
    return [{ environment: { name: DEFAULT_ENVIRONMENT, target: props.target }, prefix: '' }];
  }
  if (props.target) {
    throw validationError(scope, 'target and environments are exclusive, got both; move the target into one of the environments');
  }
  if (props.environments.length === 0) {
    throw validationError(scope, 'environments must list at least one environment, got \'[]\'; add { name: \'Production\', target }');
  }
  const seen = new Set<string>();
  return props.environments.map((environment, i) => {
    const prefix = `environments[${i}].`;
    const name = environment.name;
    validateLiteral(scope, `${prefix}name`, name, 'it names the pipeline stage Deploy<name> and the resources of the environment', 'Production');
    if (!ENVIRONMENT_NAME.test(name ?? '')) {
      throw validationError(scope, `${prefix}name must be 1-50 letters, digits, '_' or '-', got '${name}'; it names the pipeline stage Deploy<name>`);
    }
    if (seen.has(name)) {
      throw validationError(scope, `${prefix}name repeats an earlier environment, got '${name}'; give each environment its own name`);
    }
    seen.add(name);
    if (!environment.target) {
      throw validationError(scope, `${prefix}target is required, got '${environment.target}'; give a DeploymentTarget such as DeploymentTarget.ec2Tags({ app: ['api'] })`);
    }
    validateDeploymentOptions(scope, environment, prefix);
    return { environment, prefix };
  });
}

/** Whether an environment gives its own deployment configuration (either prop replaces both top-level ones). */
function hasOwnDeploymentConfig(environment: ServerEnvironment): boolean {
  return environment.deploymentConfig !== undefined || environment.minimumHealthyHosts !== undefined;
}

/** The deployment options an environment may give instead of the top-level ones, and whether it does. */
const OWN_DEPLOYMENT_OPTIONS: Array<[keyof ServerDeploymentOptions, (environment: ServerEnvironment) => boolean]> = [
  ['deploymentConfig', hasOwnDeploymentConfig],
  ['minimumHealthyHosts', hasOwnDeploymentConfig],
  ['alarms', (e) => e.alarms !== undefined],
  ['rollbackOnAlarm', (e) => e.rollbackOnAlarm !== undefined],
];

/**
 * Checks the top-level deployment options even where every environment gives its own (a user who
 * set them meant something), and warns of those that no environment uses.
 */
function validateSharedDeploymentOptions(scope: Construct, props: ServerAppPipelineProps, environments: ResolvedEnvironment[]): void {
  validateDeploymentOptions(scope, props, '');
  const replacedEverywhere = (own: (environment: ServerEnvironment) => boolean) => environments.every(({ environment }) => own(environment));
  const unused = OWN_DEPLOYMENT_OPTIONS.filter(([name, own]) => props[name] !== undefined && replacedEverywhere(own)).map(([name]) => name);
  if (unused.length) {
    Annotations.of(scope).addWarningV2('cdk-deploy-pipelines:deploymentOptionsUnused',
      `${unused.join(', ')} ${unused.length > 1 ? 'are' : 'is'} not used: every environment gives its own; `
      + 'remove them, or remove them from the environments that should share them');
  }
}

/** Checks one set of deployment options: exclusive options, the minimum of healthy hosts and the number of alarms. */
function validateDeploymentOptions(scope: Construct, options: ServerDeploymentOptions, prefix: string): void {
  if (options.deploymentConfig && options.minimumHealthyHosts) {
    throw validationError(scope, `${prefix}deploymentConfig and ${prefix}minimumHealthyHosts are exclusive, got both; minimumHealthyHosts creates a deployment configuration, so give one of them`);
  }
  options.minimumHealthyHosts?._validate(scope, `${prefix}minimumHealthyHosts`);
  const alarms = options.alarms ?? [];
  if (alarms.length > MAX_ALARMS) {
    throw validationError(scope, `${prefix}alarms lists ${alarms.length} alarms, got '${alarms.length}'; CodeDeploy watches at most ${MAX_ALARMS} per environment`);
  }
}

/**
 * Returns the deployment configuration of an environment: its own `deploymentConfig` or
 * `minimumHealthyHosts`, else the top-level ones, else one instance at a time in place, and all
 * at once on a blue/green fleet (whose instances serve nobody while it is deployed to).
 */
function deploymentConfigOf(scope: Construct, environment: ServerEnvironment, props: ServerAppPipelineProps,
  blueGreen: boolean): codedeploy.IServerDeploymentConfig {
  const source = hasOwnDeploymentConfig(environment) ? environment : props;
  if (source.minimumHealthyHosts) {
    return source.minimumHealthyHosts._bind(scope, `${environment.name}DeploymentConfig`);
  }
  return source.deploymentConfig ?? (blueGreen ? codedeploy.ServerDeploymentConfig.ALL_AT_ONCE : codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME);
}
