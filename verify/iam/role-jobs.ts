import { RoleModel } from './stack-model';

/** What a role is for, told from what uses it in the template. */
export type RoleKind =
  | 'pipeline'
  | 'codecommit-source'
  | 'connection-source'
  | 'codebuild-action'
  | 'codedeploy-action'
  | 'approval-action'
  | 'build-project'
  | 'site-deploy-project'
  | 'release-upload-project'
  | 'go-live-project'
  | 'rollback-project'
  | 'changes-check-project'
  | 'preview-build-project'
  | 'preview-identify-project'
  | 'preview-upload-project'
  | 'preview-project'
  | 'fleet-release-project'
  | 'fleet-rollback-project'
  | 'events'
  | 'events-build'
  | 'codedeploy-service'
  | 'instance'
  | 'flow-logs';

/** How each kind is named in failures and details. */
export const KIND_LABELS: Record<RoleKind, string> = {
  'pipeline': 'pipeline role',
  'codecommit-source': 'source action role (CodeCommit)',
  'connection-source': 'source action role (connection)',
  'codebuild-action': 'CodeBuild action role',
  'codedeploy-action': 'CodeDeploy action role',
  'approval-action': 'approval action role',
  'build-project': 'build project role',
  'site-deploy-project': 'static-site deploy project role',
  'release-upload-project': 'release upload project role',
  'go-live-project': 'go-live project role',
  'rollback-project': 'rollback project role',
  'changes-check-project': 'changes check project role (CodeCommit filePaths)',
  'preview-build-project': 'preview build project role (CodeCommit)',
  'preview-identify-project': 'preview pipeline first step project role (connection)',
  'preview-upload-project': 'preview upload project role',
  'preview-project': 'preview publish or remove project role',
  'fleet-release-project': 'blue/green release project role',
  'fleet-rollback-project': 'blue/green rollback project role',
  'events': 'events role',
  'events-build': 'events role starting a build',
  'codedeploy-service': 'CodeDeploy service role',
  'instance': 'instance role',
  'flow-logs': 'VPC flow logs role',
};

/** The pipeline a role works for, and its artifact store. */
export interface PipelineModel {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly roleArn: string;
  readonly artifactBucket: string;
  readonly artifactKeyArn?: string;
  /** Roles its actions run as. */
  readonly actionRoleArns: string[];
  /** Names of the artifacts its actions produce. */
  readonly artifacts: string[];
}

/** A CodeDeploy deployment group and what CodeDeploy touches when it deploys to it. */
export interface DeploymentGroupModel {
  readonly applicationArn: string;
  readonly arn: string;
  readonly configArn: string;
  readonly autoScalingGroupArns: string[];
  readonly launchTemplateArns: string[];
  readonly instanceRoleArns: string[];
  readonly targetGroupArns: string[];
  readonly alarmArns: string[];
}

/** What a blue/green release project works on, read from the settings the template gives it ($FLEET_RELEASE). */
export interface FleetReleaseModel {
  readonly listenerArn: string;
  /** A listener rule the release would create on the listener: `listener-rule/...` with a rule id. */
  readonly ruleArn: string;
  readonly autoScalingGroupArns: string[];
  readonly deploymentGroupArns: string[];
  readonly applicationArn: string;
  /** The deployment configurations of the fleets' groups. */
  readonly configArns: string[];
  /** The alarms that judge a traffic step: the fleets' and the environment's. */
  readonly alarmArns: string[];
}

/** One job of a role: its kind, the pipeline it serves and the resources it works on. */
export interface RoleJob {
  readonly kind: RoleKind;
  readonly role: RoleModel;
  /** The pipeline the role serves; none for roles of the stack's infrastructure (VPC flow logs). */
  readonly pipeline?: PipelineModel;
  /** The pipeline action the role serves, e.g. 'Build/BuildAndTest' (for a CodeDeploy service role, the action deploying with it). */
  readonly action?: string;
  readonly repositoryArn?: string;
  readonly connectionArn?: string;
  /** The approval topic. */
  readonly topicArn?: string;
  /** The KMS key of the approval topic, when it is encrypted: publishing encrypts with it. */
  readonly topicKeyArn?: string;
  /** The CodeBuild project the action starts, or the project running as this role. */
  readonly project?: { readonly name: string; readonly arn: string; readonly logGroup?: string };
  /** Names of the artifacts the action reads and writes. */
  readonly inputArtifacts?: string[];
  readonly outputArtifacts?: string[];
  /** Key prefix of the build cache in the artifact bucket. */
  readonly cachePrefix?: string;
  readonly reportGroupArns?: string[];
  /** The site bucket, distribution and KeyValueStore (naming the live release) a deploy project works on. */
  readonly siteBucket?: string;
  readonly distributionId?: string;
  readonly keyValueStoreArn?: string;
  /** The page (relative to the site root) the distribution answers misses with. */
  readonly notFoundPage?: string;
  readonly deploymentGroup?: DeploymentGroupModel;
  /** The log group VPC flow logs deliver to. */
  readonly logGroup?: string;
  /** What a blue/green release or rollback project works on. */
  readonly fleet?: FleetReleaseModel;
  /** For instance roles: whether instances get the role from an instance profile of a launch template of the stack. */
  readonly fromInstanceProfile?: boolean;
}

/** How a job is named in failures: the stack, the role kind and, for actions and projects, which one. */
export function jobLabel(stackName: string, job: RoleJob): string {
  return `${stackName} ${KIND_LABELS[job.kind]}${job.action ? ` (${job.action})` : ''}`;
}
