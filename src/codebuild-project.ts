import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ArtifactKey } from './artifact-store';
import { markResource, ResourceKind } from './compliance/accepted-findings';
import { nagResourceFinding, suppressNagFindings } from './compliance/nag';
import { DeployStepCompute } from './deploy-compute';
import { ManagedPolicyRole } from './managed-policy-role';
import { ProjectKind, recordProjectKind } from './project-kind';

/** What every CodeBuild project of this library is given. */
export interface ProjectDefaults {
  /** What the project does, recorded on it for the tests and proofs (not in the template). */
  readonly kind: ProjectKind;
  /** The pipeline artifact key; cdk-nag's CB4 asks every project for a customer managed key. */
  readonly encryptionKey: ArtifactKey;
  /**
   * Whether the project writes artifacts or a cache, which CodeBuild encrypts with the key. A
   * project that writes neither may only decrypt (its input artifact) with it.
   */
  readonly writesArtifacts: boolean;
  /** How long the project's logs are kept. */
  readonly logRetention: logs.RetentionDays;
}

/** A CodeBuild project of a pipeline. */
export interface PipelineStepProjectProps extends Omit<codebuild.PipelineProjectProps, 'encryptionKey'>, ProjectDefaults {}

/** A CodeBuild project without source, started by hand (`aws codebuild start-build`). */
export interface StandaloneProjectProps extends Omit<codebuild.ProjectProps, 'encryptionKey'>, ProjectDefaults {}

/**
 * A CodeBuild project of a pipeline, as this library makes every one: a role with a managed
 * policy, encrypted with the artifact key, a log group that expires its logs, and no blanket
 * report-group permission (a project that reports is granted its one report group).
 *
 * Its role (`<id>Role`) and log group (`<id>Logs`) are its siblings, not its children: they were
 * created so before this class existed, and moving them would replace them in deployed stacks
 * (the log group has a fixed name, so its replacement would fail).
 */
export class PipelineStepProject extends codebuild.PipelineProject {
  constructor(scope: Construct, id: string, props: PipelineStepProjectProps) {
    super(scope, id, projectProps(scope, id, props));
    applyProjectDefaults(scope, id, this, props);
  }
}

/**
 * Like `PipelineStepProject`, for a project that runs outside the pipeline: no source (its
 * buildspec is inline), started by a person or a script.
 */
export class StandaloneProject extends codebuild.Project {
  constructor(scope: Construct, id: string, props: StandaloneProjectProps) {
    super(scope, id, projectProps(scope, id, props));
    applyProjectDefaults(scope, id, this, props);
  }
}

/** What a deploy step project runs on, and how its artifacts and logs are kept. */
export interface DeployStepProjectSettings {
  readonly compute: DeployStepCompute;
  readonly encryptionKey: ArtifactKey;
  readonly logRetention: logs.RetentionDays;
}

/**
 * What every deploy step project (after the build) is given: the deploy compute with `variables` as
 * plain-text environment variables, its time limit, the key and the logs. A deploy step reads its
 * input artifact (granted by the pipeline) and writes none.
 */
export function deployStepProjectDefaults(props: DeployStepProjectSettings, variables: Record<string, string>) {
  return {
    environment: { ...props.compute.environment, environmentVariables: plaintextVariables(variables) },
    timeout: props.compute.timeout,
    encryptionKey: props.encryptionKey,
    writesArtifacts: false,
    logRetention: props.logRetention,
  };
}

/** Plain-text environment variables of a project or a CodeBuild action. */
export function plaintextVariables(variables: Record<string, string>): Record<string, codebuild.BuildEnvironmentVariable> {
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, { value }]));
}

/** The project's own props with this library's role and key settings. */
function projectProps<P extends ProjectDefaults>(scope: Construct, id: string,
  props: P): Omit<P, keyof ProjectDefaults> & codebuild.PipelineProjectProps {
  const { kind, encryptionKey, writesArtifacts, logRetention, ...projectOwnProps } = props;
  return {
    ...projectOwnProps,
    role: new ManagedPolicyRole(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') }),
    encryptionKey: writesArtifacts ? encryptionKey : undefined,
    grantReportGroupPermissions: false,
  };
}

/**
 * Records the project's kind, names the key on a project that writes nothing, without granting it
 * encryption (aws-cdk-lib grants a pipeline's projects both when it binds them), and gives the
 * project a log group with an expiry.
 */
function applyProjectDefaults(scope: Construct, id: string, project: codebuild.Project, defaults: ProjectDefaults): void {
  recordProjectKind(project.node.defaultChild!, defaults.kind);
  if (!defaults.writesArtifacts) {
    defaults.encryptionKey.limitToDecrypt(project);
    (project.node.defaultChild as codebuild.CfnProject).encryptionKey = defaults.encryptionKey.keyArn;
  }
  addExpiringLogGroup(scope, id, project, defaults);
}

/** Creates the project's log group with an expiry, and accepts the log stream wildcard of its role. */
function addExpiringLogGroup(scope: Construct, id: string, project: codebuild.Project, defaults: ProjectDefaults): void {
  // CodeBuild writes to /aws/codebuild/<project>, which it would otherwise create with no expiry.
  new logs.LogGroup(scope, `${id}Logs`, {
    logGroupName: `/aws/codebuild/${project.projectName}`,
    retention: defaults.logRetention,
    // The artifact key's policy lets CloudWatch Logs use it for /aws/codebuild/* (ArtifactKey);
    // the project's role needs no key permission for its logs.
    encryptionKey: defaults.encryptionKey,
  });
  // Logging stated explicitly (Control Tower CT.CODEBUILD.PR.3). Not aws-cdk-lib's `logging` prop:
  // without a group name CodeBuild writes to its default group, the one above; naming it there
  // would make the project and the log group reference each other.
  (project.node.defaultChild as codebuild.CfnProject).logsConfig = { cloudWatchLogs: { status: 'ENABLED' } };
  markResource(project, ResourceKind.CODEBUILD_PROJECT);
  const policy = project.role!.node.findChild('DefaultPolicy');
  const logStreams = Stack.of(scope).formatArn({
    service: 'logs',
    resource: 'log-group',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    resourceName: `/aws/codebuild/${project.projectName}:*`,
  });
  suppressNagFindings(policy, [{
    id: 'AwsSolutions-IAM5',
    reason: 'CodeBuild names each build\'s log stream at run time, so its log group grant ends in :* (aws-cdk-lib\'s own statement).',
    appliesTo: [nagResourceFinding(policy, logStreams)],
  }]);
}
