import { Annotations, CfnResource, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  EXECUTION_TRIGGER_VARIABLE,
  PREVIEW_LINK_VARIABLE,
  previewNameFromNumber,
  previewProgramEnvironment,
  PREVIEW_NAME_VARIABLE,
  previewPublishCommands,
  previewRemoveCommands,
  previewUploadCommands,
  pullRequestStepCommands,
} from './buildspecs/preview-buildspecs';
import { UploadOptions } from './buildspecs/upload-commands';
import { RELEASE_ENV, RELEASES_PREFIX } from './release-contract';
import { ArtifactBucket, ArtifactKey } from '../artifact-store';
import { BuildOptions, BuildProject, SourceBuildProject } from '../build';
import { PipelineStepProject, StandaloneProject } from '../codebuild-project';
import { markResource, ResourceKind } from '../compliance/accepted-findings';
import { suppressNagFindings } from '../compliance/nag';
import { DeployStepCompute } from '../deploy-compute';
import { ManagedPolicyRole, pipelineActionRole } from '../managed-policy-role';
import { ProjectKind } from '../project-kind';
import { filePathsCriteria, PipelineSource } from '../source';
import { skipStagesUnless } from '../stage-conditions';
import { validateDomainName, validateIntegerRange, validationError } from '../validation';

/**
 * A domain under which each preview has a host of its own: `<name>.<domainName>`, e.g.
 * `pr-42.preview.example.com`. The distribution answers `*.<domainName>` with the site's certificate
 * (a distribution has one), which must cover that wildcard name too.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html#alternate-domain-names-wildcard
 */
export interface PreviewDomainOptions {
  /** The domain of the preview hosts, e.g. 'preview.example.com' (a wildcard `*.preview.example.com` is added to the distribution). */
  readonly domainName: string;

  /**
   * The Route 53 hosted zone for the A and AAAA alias records of `*.<domainName>`.
   *
   * @default - the site's `domain.hostedZone`; without either, no DNS record is created
   */
  readonly hostedZone?: route53.IHostedZone;
}

/** Pull-request previews of a static site. */
export interface PreviewOptions {
  /**
   * Previews kept at once, 1 to 50; publishing one more removes the oldest. Each holds a release in
   * the bucket and two small records in the site's KeyValueStore.
   *
   * @default 10
   */
  readonly maxPreviews?: number;

  /**
   * How long a preview link (its token) stays valid: whole minutes, from 1 hour to 30 days. A push
   * to the pull request after its link expired posts a new link.
   *
   * @default Duration.days(7)
   */
  readonly linkExpiry?: Duration;

  /**
   * Give each preview a host of its own under this domain (`pr-42.preview.example.com`), where only
   * that preview's token is taken. Needs the site's `domain`, whose certificate must also cover
   * `*.<domainName>` (a certificate the construct creates does).
   *
   * @default - previews are opened on the site's own domain, with the token link
   */
  readonly domain?: PreviewDomainOptions;
}

/** The bounds of the preview options. */
export const PREVIEW_LIMITS = {
  maxPreviews: { default: 10, min: 1, max: 50 },
  linkExpiry: { default: Duration.days(7), minMinutes: 60, maxMinutes: 30 * 24 * 60 },
} as const;

/**
 * The PreviewReleaseProjects write releases whose id starts `<UTC time>-p`; a pipeline release has
 * a hex commit there. IAM's `?` matches one character and `*` any run, `/` included, so this
 * matches the objects of preview releases and nothing else.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
 */
export const PREVIEW_RELEASE_OBJECTS = `${RELEASES_PREFIX}????????T??????Z-p*`;

/**
 * The most bytes one preview takes in the KeyValueStore: `preview:<name>` -> `<release id>` and one
 * valid token `token:<32 hex>` -> `<expiry> <name>` (expired tokens are deleted at each publish).
 * Names are at most 40 characters, release ids `<16>-p<12>-<8>`, expiries 10 digits.
 */
export const PREVIEW_RECORD_BYTES = ('preview:'.length + 40 + 16 + 2 + 12 + 1 + 8) + ('token:'.length + 32 + 10 + 1 + 40);

/** What the previews work on. */
export interface SitePreviewsProps {
  readonly options: PreviewOptions;
  readonly source: PipelineSource;
  readonly repository?: codecommit.IRepository;
  readonly branch: string;
  readonly buildOptions: BuildOptions;
  readonly defaultOutputDirectory: string;
  readonly upload: UploadOptions;
  readonly bucket: s3.IBucket;
  readonly keyValueStore: cloudfront.IKeyValueStore;
  /** The link's start: `https://<host>/`, where `{name}` stands for the preview's name. */
  readonly url: string;
  readonly encryptionKey: ArtifactKey;
  readonly accessLogsBucket: s3.IBucket;
  readonly artifactRetention: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly compute: DeployStepCompute;
}

/**
 * Pull-request previews: each open pull request into the site's branch is built, tested and
 * published as a preview release named `preview:<name>` in the site's store, reachable with a link
 * carrying a token; a closed or merged pull request removes it. The production pipeline is not
 * changed. CodeCommit: EventBridge rules on the repository's pull-request events start a build
 * project, which starts the publish project that comments the link on the pull request. Connections:
 * a V2 pipeline triggered by pull requests builds and publishes, a second one removes.
 */
export class SitePreviews extends Construct {
  /** The project that names a preview in the store and prints its link (CodeCommit: also comments it on the pull request). */
  public readonly publishProject: codebuild.IProject;
  /** The project that removes previews. */
  public readonly removeProject: codebuild.IProject;
  /** With a connection source, the pipeline that builds and publishes previews. */
  public readonly pipeline?: codepipeline.Pipeline;

  constructor(owner: Construct, id: string, private readonly props: SitePreviewsProps) {
    super(owner, id);
    const options = validatePreviewOptions(owner, props.options);
    const environment = {
      [RELEASE_ENV.bucket]: props.bucket.bucketName,
      [RELEASE_ENV.keyValueStoreArn]: props.keyValueStore.keyValueStoreArn,
      [RELEASE_ENV.timeLimitMinutes]: props.compute.timeLimitMinutes,
      ...previewProgramEnvironment({ url: props.url, maxPreviews: options.maxPreviews, linkSeconds: options.linkSeconds }),
    };
    // Build caches and the preview pipelines' artifacts: a bucket of their own, so that no
    // pull request's build can write an artifact of the production pipeline.
    const artifactBucket = new ArtifactBucket(this, 'Artifacts', {
      encryptionKey: props.encryptionKey,
      accessLogsBucket: props.accessLogsBucket,
      retention: props.artifactRetention,
    });
    if (props.repository) {
      const projects = this.codeCommitPreviews(props.repository, artifactBucket, environment);
      this.publishProject = projects.publish;
      this.removeProject = projects.remove;
    } else {
      const pipelines = this.connectionPreviews(artifactBucket, environment);
      this.publishProject = pipelines.publish;
      this.removeProject = pipelines.remove;
      this.pipeline = pipelines.pipeline;
    }
    for (const project of [this.publishProject, this.removeProject]) {
      grantPreviews(project, props.bucket, props.keyValueStore);
    }
  }

  /**
   * CodeCommit: a project that checks out the pull request's source commit, builds and tests it like
   * the pipeline, uploads it as a preview release and starts the publish project, which names it and
   * comments the link on the pull request; another removes it. Started by rules on the repository's
   * pull-request events into the branch. Two projects: the upload commands and the preview program
   * together exceed CodeBuild's inline buildspec limit, as with releases.
   *
   * @see https://docs.aws.amazon.com/codecommit/latest/userguide/monitoring-events.html#pullRequestCreated
   */
  private codeCommitPreviews(repository: codecommit.IRepository, artifactBucket: s3.IBucket, environment: Record<string, string>) {
    const props = this.props;
    const outputDirectory = props.buildOptions.outputDirectory ?? props.defaultOutputDirectory;
    const publish = new StandaloneProject(this, 'Publish', {
      kind: ProjectKind.PREVIEW_PUBLISH,
      description: `Publishes the preview of a pull request into ${props.branch} and comments its link (started by the preview build)`,
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          build: {
            commands: [
              ...previewPublishCommands(),
              `aws codecommit post-comment-for-pull-request --repository-name ${repository.repositoryName} --pull-request-id "$${PULL_REQUEST.id}"`
              + ` --before-commit-id "$${PULL_REQUEST.destinationCommit}" --after-commit-id "$${PULL_REQUEST.sourceCommit}"`
              + ` --content "Preview of $${PULL_REQUEST.sourceCommit}: $${PREVIEW_LINK_VARIABLE}"`,
            ],
          },
        },
      }),
      environment: { ...props.compute.environment, environmentVariables: plaintext(environment) },
      ...this.deployProjectDefaults(),
    });
    publish.addToRolePolicy(new iam.PolicyStatement({
      actions: ['codecommit:PostCommentForPullRequest'],
      resources: [repository.repositoryArn],
    }));
    const forwarded = [PREVIEW_NAME_VARIABLE, RELEASE_ENV.releaseId, PULL_REQUEST.id, PULL_REQUEST.sourceCommit, PULL_REQUEST.destinationCommit];
    const build = new SourceBuildProject(this, 'Build', {
      kind: ProjectKind.PREVIEW_BUILD,
      description: `Builds, tests and uploads a preview of each pull request into ${props.branch}`,
      source: codebuild.Source.codeCommit({ repository }),
      options: {
        ...props.buildOptions,
        environmentVariables: { ...props.buildOptions.environmentVariables, ...plaintext({ [RELEASE_ENV.bucket]: props.bucket.bucketName }) },
      },
      defaultOutputDirectory: props.defaultOutputDirectory,
      postBuildCommands: [
        ...previewNameFromNumber(PULL_REQUEST.id),
        `export ${RELEASE_ENV.commitId}="$${PULL_REQUEST.sourceCommit}"`,
        ...previewUploadCommands({ ...props.upload, sourceDirectory: outputDirectory }),
        `aws codebuild start-build --project-name ${publish.projectName} --environment-variables-override `
          + forwarded.map((name) => `"name=${name},value=$${name},type=PLAINTEXT"`).join(' '),
      ],
      artifactBucket,
      encryptionKey: props.encryptionKey,
      logRetention: props.logRetention,
    });
    grantUpload(build, props.bucket);
    build.addToRolePolicy(startPublishStatement(publish, forwarded));

    const remove = new StandaloneProject(this, 'Remove', {
      kind: ProjectKind.PREVIEW_REMOVE,
      description: `Removes the preview of a pull request into ${props.branch} once it is closed or merged`,
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: { build: { commands: [...previewNameFromNumber(PULL_REQUEST.id), ...previewRemoveCommands()] } },
      }),
      environment: { ...props.compute.environment, environmentVariables: plaintext(environment) },
      ...this.deployProjectDefaults(),
    });
    [publish, remove].forEach(props.compute.finish);

    const pullRequests = (id: string, description: string, detail: Record<string, string[]>, project: codebuild.IProject) => {
      new events.Rule(this, id, {
        description,
        eventPattern: {
          source: ['aws.codecommit'],
          detailType: ['CodeCommit Pull Request State Change'],
          resources: [repository.repositoryArn],
          detail: { destinationReference: [`refs/heads/${props.branch}`], ...detail },
        },
        targets: [new eventTargets.CodeBuildProject(project, {
          eventRole: new ManagedPolicyRole(this, `${id}Role`, { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') }),
          event: events.RuleTargetInput.fromObject({
            // The build checks out the pull request's head; the remove project has no source.
            ...(project === build ? { sourceVersion: events.EventField.fromPath('$.detail.sourceCommit') } : {}),
            environmentVariablesOverride: Object.entries(PULL_REQUEST_FIELDS).map(([name, field]) => ({
              name, value: events.EventField.fromPath(`$.detail.${field}`), type: 'PLAINTEXT',
            })),
          }),
        })],
      });
    };
    pullRequests('BuildRule', `Builds a preview of each pull request into ${props.branch} when it opens or changes`, {
      event: ['pullRequestCreated', 'pullRequestSourceBranchUpdated', 'pullRequestStatusChanged'],
      pullRequestStatus: ['Open'],
    }, build);
    pullRequests('RemoveRule', `Removes the preview of a pull request into ${props.branch} when it is closed or merged`, {
      event: ['pullRequestStatusChanged', 'pullRequestMergeStatusUpdated'],
      pullRequestStatus: ['Closed'],
    }, remove);
    return { publish, remove };
  }

  /**
   * Connections: a V2 pipeline whose trigger is pull requests into the branch (opened or updated)
   * tells whether a pull request started it and names the preview, builds and tests the pull
   * request's head with its own build project, uploads it, then publishes it; a second one,
   * triggered when a pull request is closed or merged, names the preview the same way and removes
   * it. The source action's BranchName variable holds the pull request's source branch in an
   * execution a pull request started; CodePipeline tells such an execution nothing more of the pull
   * request (no number, no source repository), so the name is the branch's, made unique by a hash.
   *
   * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-filter.html
   */
  private connectionPreviews(artifactBucket: s3.IBucket, environment: Record<string, string>) {
    const props = this.props;
    const withEnvironment = (variables: Record<string, string>): codebuild.BuildEnvironment => ({
      ...props.compute.environment,
      environmentVariables: plaintext(variables),
    });
    const previewName = (pipeline: { firstStep: actions.CodeBuildAction }) =>
      ({ [PREVIEW_NAME_VARIABLE]: { value: pipeline.firstStep.variable(PREVIEW_NAME_VARIABLE) } });

    // Publish: source (pull request head) -> pull request? and its name -> build and test -> upload -> publish.
    const publishPipeline = this.previewPipeline('Pipeline', artifactBucket, [codepipeline.GitPullRequestEvent.OPEN, codepipeline.GitPullRequestEvent.UPDATED]);
    const actionRole = (name: string) => pipelineActionRole(this, `${name}ActionRole`, publishPipeline.role);
    const build = new BuildProject(this, 'Build', {
      options: forkSafeBuildOptions(this, props.buildOptions),
      defaultOutputDirectory: props.defaultOutputDirectory,
      artifactBucket,
      encryptionKey: props.encryptionKey,
      logRetention: props.logRetention,
      kind: ProjectKind.PREVIEW_PIPELINE_BUILD,
      description: `Builds and tests the head of each pull request into ${props.branch} for its preview`,
    });
    const buildOutput = new codepipeline.Artifact('Build');
    publishPipeline.pipeline.addStage({
      stageName: 'Build',
      actions: [new actions.CodeBuildAction({
        actionName: 'BuildAndTest', project: build, role: actionRole('BuildAndTest'), input: publishPipeline.output, outputs: [buildOutput],
      })],
    });
    const upload = new PipelineStepProject(this, 'Upload', {
      kind: ProjectKind.PREVIEW_UPLOAD,
      description: `Uploads the preview of a pull request into ${props.branch} as a release`,
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { 'exported-variables': [RELEASE_ENV.releaseId] },
        phases: { build: { commands: previewUploadCommands(props.upload) } },
      }),
      environment: withEnvironment({ [RELEASE_ENV.bucket]: props.bucket.bucketName }),
      ...this.deployProjectDefaults(),
    });
    grantUpload(upload, props.bucket);
    const publish = new PipelineStepProject(this, 'Publish', {
      kind: ProjectKind.PREVIEW_PUBLISH,
      description: `Publishes the preview of a pull request into ${props.branch}`,
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { 'exported-variables': [PREVIEW_LINK_VARIABLE] },
        phases: { build: { commands: previewPublishCommands(props.upload.sourceDirectory) } },
      }),
      environment: withEnvironment(environment),
      ...this.deployProjectDefaults(),
    });
    const uploadAction = new actions.CodeBuildAction({
      actionName: 'Upload',
      project: upload,
      role: actionRole('Upload'),
      input: buildOutput,
      runOrder: 1,
      environmentVariables: {
        ...previewName(publishPipeline),
        [RELEASE_ENV.commitId]: { value: publishPipeline.source.variables.commitId },
      },
    });
    publishPipeline.pipeline.addStage({
      stageName: 'Preview',
      actions: [uploadAction, new actions.CodeBuildAction({
        actionName: 'Publish',
        project: publish,
        role: actionRole('Publish'),
        input: buildOutput,
        runOrder: 2,
        environmentVariables: {
          [RELEASE_ENV.releaseId]: { value: uploadAction.variable(RELEASE_ENV.releaseId) },
          ...previewName(publishPipeline),
        },
      })],
    });

    // Remove: source (the closed pull request) -> pull request? and its name -> remove its preview.
    const removePipeline = this.previewPipeline('RemovePipeline', artifactBucket, [codepipeline.GitPullRequestEvent.CLOSED]);
    const remove = new PipelineStepProject(this, 'Remove', {
      kind: ProjectKind.PREVIEW_REMOVE,
      description: `Removes the preview of a pull request into ${props.branch} once it is closed or merged`,
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: { build: { commands: previewRemoveCommands() } },
      }),
      environment: withEnvironment(environment),
      ...this.deployProjectDefaults(),
    });
    removePipeline.pipeline.addStage({
      stageName: 'Preview',
      actions: [new actions.CodeBuildAction({
        actionName: 'Remove',
        project: remove,
        role: pipelineActionRole(this, 'RemoveActionRole', removePipeline.role),
        input: removePipeline.output,
        environmentVariables: previewName(removePipeline),
      })],
    });
    [upload, publish, remove].forEach(props.compute.finish);
    for (const { pipeline, firstStep } of [publishPipeline, removePipeline]) {
      skipUnlessPullRequest(pipeline, firstStep);
    }
    return { publish, remove, pipeline: publishPipeline.pipeline };
  }

  /** What the upload, publish and remove projects share: they write no artifact, on the deploy compute. */
  private deployProjectDefaults() {
    return {
      encryptionKey: this.props.encryptionKey,
      writesArtifacts: false,
      logRetention: this.props.logRetention,
      timeout: this.props.compute.timeout,
    };
  }

  /**
   * A V2 pipeline whose source stage is the site's connection, started by pull requests into the
   * branch, and whose first step (stage PullRequest) tells what started the execution and names
   * the preview (see `pullRequestStep`). The pipeline has a name of its own, which the first step's
   * role names in its grant without a reference to the pipeline: the pipeline can then wait for
   * that grant, and the run CodePipeline starts at creation finds it in place.
   */
  private previewPipeline(id: string, artifactBucket: s3.IBucket, pullRequestEvents: codepipeline.GitPullRequestEvent[]) {
    const scope = new Construct(this, `${id}Source`);
    const role = new ManagedPolicyRole(scope, 'PipelineRole', { assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com') });
    const bound = this.props.source._bind(scope, { pipelineRole: role });
    if (!(bound.action instanceof actions.CodeStarConnectionsSourceAction)) {
      // A source without a repository is a connection (PipelineSource has no other kind).
      throw new Error(`SitePreviews: expected a connection source action, got ${bound.action.constructor.name}`);
    }
    const pipelineName = `${Names.uniqueResourceName(this, { maxLength: PIPELINE_NAME_MAX_LENGTH - id.length - 1, separator: '-' })}-${id}`;
    const pipeline = new codepipeline.Pipeline(this, id, {
      pipelineName,
      pipelineType: codepipeline.PipelineType.V2,
      // Pull requests are independent: one must not cancel or wait for another's execution.
      executionMode: codepipeline.ExecutionMode.PARALLEL,
      artifactBucket,
      crossAccountKeys: false,
      restartExecutionOnUpdate: false,
      role,
      stages: [{ stageName: 'Source', actions: [bound.action] }],
    });
    pipeline.addTrigger({
      providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
      gitConfiguration: {
        sourceAction: bound.action,
        pullRequestFilter: [{ branchesIncludes: [this.props.branch], events: pullRequestEvents }],
      },
    });
    if (bound.pushFilter) {
      // The site's file paths filter its pull requests too (written on the resource, as its push trigger is).
      (pipeline.node.defaultChild as codepipeline.CfnPipeline)
        .addPropertyOverride('Triggers.0.GitConfiguration.PullRequest.0.FilePaths', filePathsCriteria(bound.pushFilter.filePaths));
    }
    const firstStep = this.pullRequestStep(id, pipeline, pipelineName, role, bound.action, bound.output);
    markResource(pipeline, ResourceKind.PIPELINE);
    return { pipeline, role, output: bound.output, source: bound.action, firstStep };
  }

  /**
   * The stage PullRequest of a preview pipeline: a step on the deploy compute that exports what
   * started the execution (`EXECUTION_TRIGGER`, from GetPipelineExecution, which the later stages'
   * entry conditions check) and the preview's name (`PREVIEW_NAME`). Its role may read the
   * executions of this pipeline only. Both preview pipelines name a pull request's preview with the
   * same commands from the same branch, so the remove pipeline removes what the publish one made.
   *
   * @see https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_GetPipelineExecution.html
   * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodepipeline.html
   */
  private pullRequestStep(id: string, pipeline: codepipeline.Pipeline, pipelineName: string, pipelineRole: iam.IRole,
    source: actions.CodeStarConnectionsSourceAction, sourceOutput: codepipeline.Artifact): actions.CodeBuildAction {
    const variables = { pipeline: 'PIPELINE_NAME', execution: RELEASE_ENV.executionId, branch: BRANCH_VARIABLE };
    const project = new PipelineStepProject(this, `Identify${id}`, {
      kind: ProjectKind.PREVIEW_IDENTIFY,
      description: `Tells whether a pull request into ${this.props.branch} started the preview pipeline's execution, and names its preview`,
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { 'exported-variables': [EXECUTION_TRIGGER_VARIABLE, PREVIEW_NAME_VARIABLE] },
        phases: { build: { commands: pullRequestStepCommands(variables) } },
      }),
      environment: this.props.compute.environment,
      ...this.deployProjectDefaults(),
    });
    this.props.compute.finish(project);
    project.addToRolePolicy(new iam.PolicyStatement({
      actions: ['codepipeline:GetPipelineExecution'],
      resources: [Stack.of(this).formatArn({ service: 'codepipeline', resource: pipelineName })],
    }));
    const actionRole = pipelineActionRole(this, `Identify${id}ActionRole`, pipelineRole);
    const firstStep = new actions.CodeBuildAction({
      actionName: 'Identify',
      project,
      role: actionRole,
      // CodeBuild actions take an input; the step reads none of it.
      input: sourceOutput,
      environmentVariables: {
        [variables.pipeline]: { value: pipelineName },
        [variables.execution]: { value: codepipeline.GlobalVariables.executionId },
        [variables.branch]: { value: source.variables.branchName },
      },
    });
    pipeline.addStage({ stageName: PULL_REQUEST_STAGE, actions: [firstStep] });
    pipeline.node.addDependency(project.role!, actionRole);
    return firstStep;
  }
}

/**
 * Gives every stage after PullRequest of a preview pipeline an entry condition: skip the stage
 * unless a pull request started the execution, as the first step read it from CodePipeline
 * (`WebhookV2`: the pipeline's only trigger is its pull-request filter). CodePipeline runs a
 * pipeline once when it creates it (`CreatePipeline`), and a start by hand runs it too
 * (`StartPipelineExecution`), both on the source action's branch: such an execution must neither
 * publish that branch as a preview nor remove one. What started the execution decides, never the
 * branch's name: a fork's pull request from its own `main` is a pull request.
 *
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-about-starting.html
 */
function skipUnlessPullRequest(pipeline: codepipeline.Pipeline, firstStep: actions.CodeBuildAction): void {
  const after = pipeline.stages.findIndex((stage) => stage.stageName === PULL_REQUEST_STAGE);
  skipStagesUnless(pipeline, after + 1, {
    name: 'PullRequestOnly', variable: firstStep.variable(EXECUTION_TRIGGER_VARIABLE), operator: 'EQ', value: PULL_REQUEST_TRIGGER,
  });
}

/** The stage of a preview pipeline that tells a pull request's execution from the others. */
const PULL_REQUEST_STAGE = 'PullRequest';

/**
 * The trigger type of an execution that a V2 pipeline's trigger with a filter started; the
 * preview pipelines' only trigger is their pull-request filter.
 *
 * @see https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ExecutionTrigger.html
 */
const PULL_REQUEST_TRIGGER = 'WebhookV2';

/** CodePipeline's longest pipeline name. @see https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineDeclaration.html */
const PIPELINE_NAME_MAX_LENGTH = 100;

/** The variable of the preview projects holding the pull request's source branch (connections). */
const BRANCH_VARIABLE = 'PULL_REQUEST_BRANCH';

/** The variables the pull-request rules give the CodeCommit preview projects. */
const PULL_REQUEST = {
  id: 'PULL_REQUEST_ID',
  sourceCommit: 'SOURCE_COMMIT',
  destinationCommit: 'DESTINATION_COMMIT',
  event: 'PULL_REQUEST_EVENT',
} as const;

/**
 * Each variable and the field of the event's detail it is taken from.
 *
 * @see https://docs.aws.amazon.com/codecommit/latest/userguide/monitoring-events.html
 */
const PULL_REQUEST_FIELDS: Record<string, string> = {
  [PULL_REQUEST.id]: 'pullRequestId',
  [PULL_REQUEST.sourceCommit]: 'sourceCommit',
  [PULL_REQUEST.destinationCommit]: 'destinationCommit',
  [PULL_REQUEST.event]: 'event',
};

/**
 * Checks the preview domain: a domain name, not one of the site's, with the site on a custom domain
 * (the distribution serves the preview hosts with the site's certificate).
 */
export function validatePreviewDomain(scope: Construct, domain: PreviewDomainOptions, siteDomainNames: string[] | undefined): void {
  const name = domain.domainName;
  if (!siteDomainNames) {
    throw validationError(scope, `previews.domain needs domain, got previews.domain.domainName '${name}' for a site on its CloudFront domain; `
      + `give domain with a certificate that also covers '*.${name}' (a distribution has one certificate), or remove previews.domain`);
  }
  validateDomainName(scope, 'previews.domain.domainName', name);
  if (!Token.isUnresolved(name) && name.startsWith('*.')) {
    throw validationError(scope, `previews.domain.domainName must be the domain under which previews get hosts, without '*.', got '${name}'; e.g. 'preview.example.com'`);
  }
  if (!Token.isUnresolved(name) && siteDomainNames.includes(name)) {
    throw validationError(scope, `previews.domain.domainName must not be a domain name of the site, got '${name}'; e.g. 'preview.${siteDomainNames[0]}'`);
  }
}

/** Checks the options; returns them with their defaults, the expiry in seconds. */
export function validatePreviewOptions(scope: Construct, options: PreviewOptions): { maxPreviews: number; linkSeconds: number } {
  const maxPreviews = options.maxPreviews ?? PREVIEW_LIMITS.maxPreviews.default;
  validateIntegerRange(scope, 'previews.maxPreviews', maxPreviews, PREVIEW_LIMITS.maxPreviews.min, PREVIEW_LIMITS.maxPreviews.max);
  const expiry = options.linkExpiry ?? PREVIEW_LIMITS.linkExpiry.default;
  const { minMinutes, maxMinutes } = PREVIEW_LIMITS.linkExpiry;
  if (!expiry.isUnresolved()) {
    const minutes = expiry.toMilliseconds({ integral: false }) / 60_000;
    if (!(Number.isInteger(minutes) && minutes >= minMinutes && minutes <= maxMinutes)) {
      throw validationError(scope, `previews.linkExpiry must be a whole number of minutes from ${minMinutes} (an hour) to ${maxMinutes} (30 days), `
        + `got '${expiry}'; e.g. Duration.days(7)`);
    }
  }
  return { maxPreviews, linkSeconds: expiry.toSeconds() };
}

/**
 * The preview role: objects of preview releases only (written, listed, deleted), and the store's
 * keys. The CloudFront KeyValueStore API authorizes per store, never per key: this role could
 * change any key, `live` included; it runs only the preview program, never the pull request's code
 * (except on CodeCommit, whose pull requests come from branches of the repository itself).
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudfrontkeyvaluestore.html
 */
function grantPreviews(project: codebuild.IProject, bucket: s3.IBucket, store: cloudfront.IKeyValueStore): void {
  project.addToRolePolicy(new iam.PolicyStatement({
    actions: ['s3:ListBucket'],
    resources: [bucket.bucketArn],
    conditions: { StringLike: { 's3:prefix': [PREVIEW_RELEASE_OBJECTS] } },
  }));
  project.addToRolePolicy(new iam.PolicyStatement({
    actions: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
    resources: [bucket.arnForObjects(PREVIEW_RELEASE_OBJECTS)],
  }));
  project.addToRolePolicy(new iam.PolicyStatement({
    actions: ['DescribeKeyValueStore', 'ListKeys', 'UpdateKeys'].map((action) => `cloudfront-keyvaluestore:${action}`),
    resources: [store.keyValueStoreArn],
  }));
  suppressPreviewObjects(project, bucket);
}

/**
 * Lets the CodeCommit preview build, which runs the pull request's code, start the publish project
 * with the preview's variables and nothing else. The publish role writes the site's KeyValueStore
 * (`live` included: the API authorizes per store): a start that replaced its buildspec or image, or
 * set another variable (NODE_OPTIONS, PATH, the store's ARN), would run the pull request's code with
 * that role. CodeBuild's condition keys name what a StartBuild request overrides; absent means not
 * overridden.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/action-context-keys.html
 */
function startPublishStatement(publish: codebuild.IProject, variables: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['codebuild:StartBuild'],
    resources: [publish.projectArn],
    conditions: {
      'Null': { 'codebuild:source.buildspec': 'true', 'codebuild:environment.image': 'true' },
      'ForAllValues:StringEquals': { 'codebuild:environment.environmentVariables.name': variables },
    },
  });
}

/** Writes the objects of preview releases; nothing else (no list, no delete, no store access). */
function grantUpload(project: codebuild.IProject, bucket: s3.IBucket): void {
  project.addToRolePolicy(new iam.PolicyStatement({
    actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
    resources: [bucket.arnForObjects(PREVIEW_RELEASE_OBJECTS)],
  }));
  suppressPreviewObjects(project, bucket);
}

/** Accepts the preview release objects wildcard of the project's role, as cdk-nag reports it. */
function suppressPreviewObjects(project: codebuild.IProject, bucket: s3.IBucket): void {
  const cfnBucket = bucket.node.defaultChild as CfnResource;
  suppressNagFindings(project.role!.node.findChild('DefaultPolicy'), [{
    id: 'AwsSolutions-IAM5',
    reason: 'Preview steps write the files of preview releases, named by the build at run time; the grant is limited to preview release ids (releases/<time>-p...) of the site bucket.',
    appliesTo: [`Resource::<${Stack.of(cfnBucket).getLogicalId(cfnBucket)}.Arn>/${PREVIEW_RELEASE_OBJECTS}`],
  }]);
}

/**
 * The build options of a connection source's pull requests: the user's, without the variables read
 * from Secrets Manager or Parameter Store. A pull request may come from a fork, whose code must not
 * run with the account's secrets: the build's role can then only write the previews' own artifact
 * bucket and its logs. Says which variables the preview build goes without.
 */
function forkSafeBuildOptions(scope: Construct, options: BuildOptions): BuildOptions {
  const variables = options.environmentVariables ?? {};
  const isSecret = (variable: codebuild.BuildEnvironmentVariable) => variable.type === codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER
    || variable.type === codebuild.BuildEnvironmentVariableType.PARAMETER_STORE;
  const secret = Object.keys(variables).filter((name) => isSecret(variables[name]));
  if (!secret.length) {
    return options;
  }
  Annotations.of(scope).addWarningV2('cdk-deploy-pipelines:previewsWithoutSecrets',
    `Pull-request previews build without ${secret.join(', ')} (Secrets Manager or Parameter Store variables of buildOptions.environmentVariables): `
    + 'a pull request of a connection source may come from a fork, whose code must not read the account\'s secrets. '
    + 'Make the build work without them, e.g. with a placeholder when the variable is empty.');
  return {
    ...options,
    environmentVariables: Object.fromEntries(Object.entries(variables).filter(([name]) => !secret.includes(name))),
  };
}

/** Plain-text environment variables of a project. */
function plaintext(variables: Record<string, string>): Record<string, codebuild.BuildEnvironmentVariable> {
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, { value }]));
}
