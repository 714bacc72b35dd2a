import { Duration, Names, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EXECUTION_TRIGGER_VARIABLE, previewProgramEnvironment, PREVIEW_NAME_VARIABLE } from './buildspecs/preview-buildspecs';
import { UploadOptions } from './buildspecs/upload-commands';
import {
  forkSafeBuildOptions,
  grantPreviews,
  PreviewBuildProject,
  PreviewProjectProps,
  PreviewPublishProject,
  PreviewPublishStep,
  PreviewRemoveProject,
  PreviewRemoveStep,
  PreviewUploadStep,
  PullRequestStepProject,
} from './preview-projects';
import { RELEASE_ENV } from './release-contract';
import { ArtifactBucket, ArtifactKey } from '../artifact-store';
import { BuildOptions, BuildProject } from '../build';
import { DeployStepCompute } from '../deploy-compute';
import { pipelineActionRole } from '../managed-policy-role';
import { ProjectKind } from '../project-kind';
import {
  CodeCommitPullRequests,
  ConnectionPullRequestPipeline,
  ConnectionPullRequests,
  PullRequestSource,
  PullRequestState,
} from '../pull-requests';
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
 * The most bytes one preview takes in the KeyValueStore: `preview:<name>` -> `<release id>` and one
 * valid token `token:<32 hex>` -> `<expiry> <name>` (expired tokens are deleted at each publish).
 * Names are at most 40 characters, release ids `<16>-p<12>-<8>`, expiries 10 digits.
 */
export const PREVIEW_RECORD_BYTES = ('preview:'.length + 40 + 16 + 2 + 12 + 1 + 8) + ('token:'.length + 32 + 10 + 1 + 40);

/** What the previews work on. */
export interface SitePreviewsProps {
  readonly options: PreviewOptions;
  /** The source's pull requests, which decide how a preview's build starts. */
  readonly pullRequests: PullRequestSource;
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
 * changed. The source decides how a pull request starts its preview (pull-requests.ts); the
 * projects are in preview-projects.ts.
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
    const projectProps: PreviewProjectProps = {
      branch: props.branch,
      bucket: props.bucket,
      keyValueStore: props.keyValueStore,
      programEnvironment: {
        [RELEASE_ENV.bucket]: props.bucket.bucketName,
        [RELEASE_ENV.keyValueStoreArn]: props.keyValueStore.keyValueStoreArn,
        [RELEASE_ENV.timeLimitMinutes]: props.compute.timeLimitMinutes,
        ...previewProgramEnvironment({ url: props.url, maxPreviews: options.maxPreviews, linkSeconds: options.linkSeconds }),
      },
      encryptionKey: props.encryptionKey,
      logRetention: props.logRetention,
      compute: props.compute,
    };
    // Build caches and the preview pipelines' artifacts: a bucket of their own, so that no
    // pull request's build can write an artifact of the production pipeline.
    const artifactBucket = new ArtifactBucket(this, 'Artifacts', {
      encryptionKey: props.encryptionKey,
      accessLogsBucket: props.accessLogsBucket,
      retention: props.artifactRetention,
    });
    const previews = props.pullRequests.startBuilds<PreviewFlow>({
      codeCommit: (pullRequests) => this.codeCommitPreviews(pullRequests, artifactBucket, projectProps),
      connection: (pullRequests) => this.connectionPreviews(pullRequests, artifactBucket, projectProps),
    });
    this.publishProject = previews.publish;
    this.removeProject = previews.remove;
    this.pipeline = previews.pipeline;
  }

  /**
   * CodeCommit: a project that checks out the pull request's source commit, builds and tests it like
   * the pipeline, uploads it as a preview release and starts the publish project, which names it and
   * comments the link on the pull request; another removes it. Rules on the repository's
   * pull-request events into the branch start them.
   */
  private codeCommitPreviews(pullRequests: CodeCommitPullRequests, artifactBucket: s3.IBucket, projectProps: PreviewProjectProps): PreviewFlow {
    const props = this.props;
    const publish = new PreviewPublishProject(this, 'Publish', { ...projectProps, repository: pullRequests.repository });
    const build = new PreviewBuildProject(this, 'Build', {
      preview: projectProps,
      repository: pullRequests.repository,
      buildOptions: props.buildOptions,
      defaultOutputDirectory: props.defaultOutputDirectory,
      upload: props.upload,
      artifactBucket,
      publish,
    });
    const remove = new PreviewRemoveProject(this, 'Remove', projectProps);
    pullRequests.startOn(this, 'BuildRule', {
      description: `Builds a preview of each pull request into ${props.branch} when it opens or changes`,
      state: PullRequestState.OPEN,
      project: build,
      checkout: true,
    });
    pullRequests.startOn(this, 'RemoveRule', {
      description: `Removes the preview of a pull request into ${props.branch} when it is closed or merged`,
      state: PullRequestState.CLOSED,
      project: remove,
      checkout: false,
    });
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
  private connectionPreviews(pullRequests: ConnectionPullRequests, artifactBucket: s3.IBucket, projectProps: PreviewProjectProps): PreviewFlow {
    const props = this.props;
    const previewName = (pipeline: PreviewPipeline) =>
      ({ [PREVIEW_NAME_VARIABLE]: { value: pipeline.firstStep.variable(PREVIEW_NAME_VARIABLE) } });

    // Publish: source (pull request head) -> pull request? and its name -> build and test -> upload -> publish.
    const publishPipeline = this.previewPipeline(pullRequests, 'Pipeline', artifactBucket, projectProps,
      [codepipeline.GitPullRequestEvent.OPEN, codepipeline.GitPullRequestEvent.UPDATED]);
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
    const upload = new PreviewUploadStep(this, 'Upload', { ...projectProps, upload: props.upload });
    const publish = new PreviewPublishStep(this, 'Publish', { ...projectProps, sourceDirectory: props.upload.sourceDirectory });
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
    const removePipeline = this.previewPipeline(pullRequests, 'RemovePipeline', artifactBucket, projectProps,
      [codepipeline.GitPullRequestEvent.CLOSED]);
    const remove = new PreviewRemoveStep(this, 'Remove', projectProps);
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
    for (const { pipeline, firstStep } of [publishPipeline, removePipeline]) {
      skipUnlessPullRequest(pipeline, firstStep);
    }
    for (const project of [publish, remove]) {
      grantPreviews(project, props.bucket, props.keyValueStore);
    }
    return { publish, remove, pipeline: publishPipeline.pipeline };
  }

  /**
   * A pipeline of the connection's pull requests (see `ConnectionPullRequests.pipeline`) whose
   * first step (stage PullRequest) tells what started the execution and names the preview. The
   * pipeline has a name of its own, which the first step's role names in its grant.
   */
  private previewPipeline(pullRequests: ConnectionPullRequests, id: string, artifactBucket: s3.IBucket, projectProps: PreviewProjectProps,
    pullRequestEvents: codepipeline.GitPullRequestEvent[]): PreviewPipeline {
    const pipelineName = `${Names.uniqueResourceName(this, { maxLength: PIPELINE_NAME_MAX_LENGTH - id.length - 1, separator: '-' })}-${id}`;
    const started = pullRequests.pipeline(this, id, { pipelineName, artifactBucket, events: pullRequestEvents });
    const project = new PullRequestStepProject(this, `Identify${id}`, { ...projectProps, pipelineName });
    const actionRole = pipelineActionRole(this, `Identify${id}ActionRole`, started.role);
    const variables = PullRequestStepProject.VARIABLES;
    const firstStep = new actions.CodeBuildAction({
      actionName: 'Identify',
      project,
      role: actionRole,
      // CodeBuild actions take an input; the step reads none of it.
      input: started.output,
      environmentVariables: {
        [variables.pipeline]: { value: pipelineName },
        [variables.execution]: { value: codepipeline.GlobalVariables.executionId },
        [variables.branch]: { value: started.source.variables.branchName },
      },
    });
    started.pipeline.addStage({ stageName: PULL_REQUEST_STAGE, actions: [firstStep] });
    started.pipeline.node.addDependency(project.role!, actionRole);
    return { ...started, firstStep };
  }
}

/** What the previews of one kind of source made. */
interface PreviewFlow {
  readonly publish: codebuild.IProject;
  readonly remove: codebuild.IProject;
  readonly pipeline?: codepipeline.Pipeline;
}

/** A preview pipeline and its first step. */
interface PreviewPipeline extends ConnectionPullRequestPipeline {
  readonly firstStep: actions.CodeBuildAction;
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
