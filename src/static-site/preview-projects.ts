import { Annotations, CfnResource, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  EXECUTION_TRIGGER_VARIABLE,
  PREVIEW_LINK_VARIABLE,
  previewNameFromNumber,
  PREVIEW_NAME_VARIABLE,
  previewPublishCommands,
  previewRemoveCommands,
  previewUploadCommands,
  pullRequestStepCommands,
} from './buildspecs/preview-buildspecs';
import { UploadOptions } from './buildspecs/upload-commands';
import { PREVIEW_RELEASE_OBJECTS, RELEASE_ENV } from './release-contract';
import { ArtifactKey } from '../artifact-store';
import { BuildOptions, SourceBuildProject } from '../build';
import { deployStepProjectDefaults, PipelineStepProject, plaintextVariables, StandaloneProject } from '../codebuild-project';
import { suppressNagFindings } from '../compliance/nag';
import { DeployStepCompute } from '../deploy-compute';
import { ProjectKind } from '../project-kind';
import { CODECOMMIT_PULL_REQUEST } from '../pull-requests';

/*
 * The CodeBuild projects of pull-request previews, beside the release projects
 * (release-projects.ts). On a connection they are steps of the preview pipelines
 * (PullRequestStepProject, PreviewUploadStep, PreviewPublishStep, PreviewRemoveStep; the build is
 * the pipeline's BuildProject); on CodeCommit, rules start them (PreviewBuildProject, which starts
 * PreviewPublishProject, and PreviewRemoveProject). Upload and publish are two projects, as for
 * releases: the upload commands and the preview program together exceed CodeBuild's inline
 * buildspec limit, and the split keeps the role that runs a build from writing the store.
 */

/** What every preview project works on. */
export interface PreviewProjectProps {
  /** The site's branch, which the pull requests go into (for the projects' descriptions). */
  readonly branch: string;
  readonly bucket: s3.IBucket;
  readonly keyValueStore: cloudfront.IKeyValueStore;
  /** The preview program's variables: the release variables, the link's start and the preview limits. */
  readonly programEnvironment: Record<string, string>;
  readonly encryptionKey: ArtifactKey;
  readonly logRetention: logs.RetentionDays;
  /** The compute the projects run on (the deploy steps'). */
  readonly compute: DeployStepCompute;
}

/**
 * The first step of a preview pipeline (connections): exports what started the execution
 * (`EXECUTION_TRIGGER`, from GetPipelineExecution, which the later stages' entry conditions check)
 * and the preview's name (`PREVIEW_NAME`, from the pull request's source branch). Its role may
 * read the executions of this pipeline only, named without a reference to it: the pipeline can
 * then wait for the grant, and the run CodePipeline starts at creation finds it in place.
 *
 * @see https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_GetPipelineExecution.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodepipeline.html
 */
export class PullRequestStepProject extends PipelineStepProject {
  /** The variables the step reads: the pipeline's name, the execution's id and the pull request's source branch. */
  public static readonly VARIABLES = { pipeline: 'PIPELINE_NAME', execution: RELEASE_ENV.executionId, branch: 'PULL_REQUEST_BRANCH' } as const;

  constructor(scope: Construct, id: string, props: PreviewProjectProps & { readonly pipelineName: string }) {
    super(scope, id, {
      kind: ProjectKind.PREVIEW_IDENTIFY,
      description: `Tells whether a pull request into ${props.branch} started the preview pipeline's execution, and names its preview`,
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { 'exported-variables': [EXECUTION_TRIGGER_VARIABLE, PREVIEW_NAME_VARIABLE] },
        phases: { build: { commands: pullRequestStepCommands(PullRequestStepProject.VARIABLES) } },
      }),
      ...deployStepProjectDefaults(props, {}),
    });
    props.compute.finish(this);
    this.addToRolePolicy(new iam.PolicyStatement({
      actions: ['codepipeline:GetPipelineExecution'],
      resources: [Stack.of(this).formatArn({ service: 'codepipeline', resource: props.pipelineName })],
    }));
  }
}

/** Uploads the preview build of a pull request as a release (connections); writes preview release objects only. */
export class PreviewUploadStep extends PipelineStepProject {
  constructor(scope: Construct, id: string, props: PreviewProjectProps & { readonly upload: UploadOptions }) {
    super(scope, id, {
      kind: ProjectKind.PREVIEW_UPLOAD,
      description: `Uploads the preview of a pull request into ${props.branch} as a release`,
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { 'exported-variables': [RELEASE_ENV.releaseId] },
        phases: { build: { commands: previewUploadCommands(props.upload) } },
      }),
      ...deployStepProjectDefaults(props, { [RELEASE_ENV.bucket]: props.bucket.bucketName }),
    });
    props.compute.finish(this);
    grantUpload(this, props.bucket);
  }
}

/**
 * Names the uploaded preview in the store and exports its link (connections). Its grants are
 * given by `grantPreviews` once its action is in the pipeline (see there).
 */
export class PreviewPublishStep extends PipelineStepProject {
  constructor(scope: Construct, id: string, props: PreviewProjectProps & { readonly sourceDirectory: string }) {
    super(scope, id, {
      kind: ProjectKind.PREVIEW_PUBLISH,
      description: `Publishes the preview of a pull request into ${props.branch}`,
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { 'exported-variables': [PREVIEW_LINK_VARIABLE] },
        phases: { build: { commands: previewPublishCommands(props.sourceDirectory) } },
      }),
      ...deployStepProjectDefaults(props, props.programEnvironment),
    });
    props.compute.finish(this);
  }
}

/** Removes the preview of a closed or merged pull request (connections; the first step names it); granted like PreviewPublishStep. */
export class PreviewRemoveStep extends PipelineStepProject {
  constructor(scope: Construct, id: string, props: PreviewProjectProps) {
    super(scope, id, removeProjectProps(props, []));
    props.compute.finish(this);
  }
}

/**
 * Names the preview a CodeCommit preview build uploaded and comments its link on the pull request;
 * started by that build.
 */
export class PreviewPublishProject extends StandaloneProject {
  /** The variables a start of this project may set: the preview's and the pull request's. */
  public static readonly STARTED_WITH = [PREVIEW_NAME_VARIABLE, RELEASE_ENV.releaseId, CODECOMMIT_PULL_REQUEST.id,
    CODECOMMIT_PULL_REQUEST.sourceCommit, CODECOMMIT_PULL_REQUEST.destinationCommit];

  constructor(scope: Construct, id: string, props: PreviewProjectProps & { readonly repository: codecommit.IRepository }) {
    const pullRequest = CODECOMMIT_PULL_REQUEST;
    super(scope, id, {
      kind: ProjectKind.PREVIEW_PUBLISH,
      description: `Publishes the preview of a pull request into ${props.branch} and comments its link (started by the preview build)`,
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          build: {
            commands: [
              ...previewPublishCommands(),
              `aws codecommit post-comment-for-pull-request --repository-name ${props.repository.repositoryName} --pull-request-id "$${pullRequest.id}"`
              + ` --before-commit-id "$${pullRequest.destinationCommit}" --after-commit-id "$${pullRequest.sourceCommit}"`
              + ` --content "Preview of $${pullRequest.sourceCommit}: $${PREVIEW_LINK_VARIABLE}"`,
            ],
          },
        },
      }),
      ...deployStepProjectDefaults(props, props.programEnvironment),
    });
    this.addToRolePolicy(new iam.PolicyStatement({
      actions: ['codecommit:PostCommentForPullRequest'],
      resources: [props.repository.repositoryArn],
    }));
    props.compute.finish(this);
    grantPreviews(this, props.bucket, props.keyValueStore);
  }
}

/** What a CodeCommit preview build is given. */
export interface PreviewBuildProjectProps {
  readonly preview: PreviewProjectProps;
  readonly repository: codecommit.IRepository;
  readonly buildOptions: BuildOptions;
  readonly defaultOutputDirectory: string;
  readonly upload: UploadOptions;
  /** The bucket of the build's cache. */
  readonly artifactBucket: s3.IBucket;
  /** The project it starts once the preview is uploaded. */
  readonly publish: PreviewPublishProject;
}

/**
 * Checks out the source commit of a CodeCommit pull request, builds and tests it like the
 * pipeline, uploads it as a preview release and starts the publish project with the preview's
 * variables and nothing else.
 */
export class PreviewBuildProject extends SourceBuildProject {
  constructor(scope: Construct, id: string, props: PreviewBuildProjectProps) {
    const preview = props.preview;
    const forwarded = PreviewPublishProject.STARTED_WITH;
    super(scope, id, {
      kind: ProjectKind.PREVIEW_BUILD,
      description: `Builds, tests and uploads a preview of each pull request into ${preview.branch}`,
      source: codebuild.Source.codeCommit({ repository: props.repository }),
      options: {
        ...props.buildOptions,
        environmentVariables: {
          ...props.buildOptions.environmentVariables,
          ...plaintextVariables({ [RELEASE_ENV.bucket]: preview.bucket.bucketName }),
        },
      },
      defaultOutputDirectory: props.defaultOutputDirectory,
      postBuildCommands: [
        ...previewNameFromNumber(CODECOMMIT_PULL_REQUEST.id),
        `export ${RELEASE_ENV.commitId}="$${CODECOMMIT_PULL_REQUEST.sourceCommit}"`,
        ...previewUploadCommands({ ...props.upload, sourceDirectory: props.buildOptions.outputDirectory ?? props.defaultOutputDirectory }),
        `aws codebuild start-build --project-name ${props.publish.projectName} --environment-variables-override `
          + forwarded.map((name) => `"name=${name},value=$${name},type=PLAINTEXT"`).join(' '),
      ],
      artifactBucket: props.artifactBucket,
      encryptionKey: preview.encryptionKey,
      logRetention: preview.logRetention,
    });
    grantUpload(this, preview.bucket);
    this.addToRolePolicy(startPublishStatement(props.publish, forwarded));
  }
}

/** Removes the preview of a CodeCommit pull request once it is closed or merged; started by a rule. */
export class PreviewRemoveProject extends StandaloneProject {
  constructor(scope: Construct, id: string, props: PreviewProjectProps) {
    // The rule gives the pull request's number, which names its preview.
    super(scope, id, removeProjectProps(props, previewNameFromNumber(CODECOMMIT_PULL_REQUEST.id)));
    props.compute.finish(this);
    grantPreviews(this, props.bucket, props.keyValueStore);
  }
}

/**
 * The preview role: objects of preview releases only (written, listed, deleted), and the store's
 * keys. The CloudFront KeyValueStore API authorizes per store, never per key: this role could
 * change any key, `live` included; it runs only the preview program, never the pull request's code
 * (except on CodeCommit, whose pull requests come from branches of the repository itself).
 *
 * A pipeline step is granted after its action was added to the pipeline, which grants it the
 * artifacts first: the statements keep the order of the roles already deployed, so that an upgrade
 * of this library changes no policy.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudfrontkeyvaluestore.html
 */
export function grantPreviews(project: codebuild.IProject, bucket: s3.IBucket, store: cloudfront.IKeyValueStore): void {
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
 * The build options of a connection source's pull requests: the user's, without the variables read
 * from Secrets Manager or Parameter Store. A pull request may come from a fork, whose code must not
 * run with the account's secrets: the build's role can then only write the previews' own artifact
 * bucket and its logs. Says which variables the preview build goes without.
 */
export function forkSafeBuildOptions(scope: Construct, options: BuildOptions): BuildOptions {
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

/** The props of a project that removes a preview, after `nameCommands` (none when the preview's name is given). */
function removeProjectProps(props: PreviewProjectProps, nameCommands: string[]) {
  return {
    kind: ProjectKind.PREVIEW_REMOVE,
    description: `Removes the preview of a pull request into ${props.branch} once it is closed or merged`,
    buildSpec: codebuild.BuildSpec.fromObject({
      version: '0.2',
      phases: { build: { commands: [...nameCommands, ...previewRemoveCommands()] } },
    }),
    ...deployStepProjectDefaults(props, props.programEnvironment),
  };
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
