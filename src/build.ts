import { ArnFormat, Duration, RemovalPolicy, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ArtifactKey } from './artifact-store';
import { PipelineStepProject, PipelineStepProjectProps, StandaloneProject } from './codebuild-project';
import { nagResourceFinding, suppressNagFindings } from './compliance/nag';
import { ProjectKind } from './project-kind';
import { failUnless, shellQuote } from './shell';
import {
  isLambdaImage,
  validateBuildEnvironment,
  validateLambdaBuildOptions,
  validateEnvironmentVariableName,
  validateInlineBuildSpec,
  validateEnvironmentVariableValue,
  validateRelativeDirectory,
  validateWholeMinutes,
} from './validation';

/**
 * How the code is built and tested in AWS CodeBuild.
 *
 * The commands run with bash in the repository root, in this order: `installCommands`,
 * `commands`, `testCommands`. The first failing command fails the build and stops the pipeline
 * before anything is deployed.
 */
export interface BuildOptions {
  /**
   * Commands that install tools the build needs (the install phase).
   *
   * @default - none
   */
  readonly installCommands?: string[];

  /**
   * Commands that build the code (the build phase).
   *
   * @default ['npm ci', 'npm run build']
   */
  readonly commands?: string[];

  /**
   * Commands that test the build, run after `commands`; a failure stops the release.
   *
   * @default - none
   */
  readonly testCommands?: string[];

  /**
   * Directory, relative to the repository root, in which the commands run: the app's folder of a
   * monorepo (e.g. 'apps/site'). `outputDirectory`, relative `cachePaths` and `testReports` are
   * relative to it too.
   *
   * @default '.' - the repository root
   */
  readonly workingDirectory?: string;

  /**
   * Directory, relative to `workingDirectory`, that holds what is deployed.
   *
   * @default - 'dist' for a static site, '.' for a server app
   */
  readonly outputDirectory?: string;

  /**
   * Environment variables of the build: plain text, SSM Parameter Store parameters or Secrets
   * Manager secrets (`{ type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER, value: 'name:key' }`).
   * The build role is granted read on the parameters and secrets named.
   *
   * @default - none
   */
  readonly environmentVariables?: { [name: string]: codebuild.BuildEnvironmentVariable };

  /**
   * The build image. A Lambda image (`codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22`)
   * runs the build on Lambda compute: it starts without provisioning an instance, but stops after 15
   * minutes, keeps no cache, and may write under /tmp only, without root (no `yum`, no Docker).
   *
   * @default codebuild.LinuxBuildImage.STANDARD_7_0 (EC2 compute)
   * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.limitations
   */
  readonly buildImage?: codebuild.IBuildImage;

  /**
   * The build machine size (with a Lambda image, its memory: `ComputeType.LAMBDA_1GB` to `LAMBDA_10GB`).
   *
   * @default - codebuild.ComputeType.SMALL; ComputeType.LAMBDA_1GB with a Lambda image
   */
  readonly computeType?: codebuild.ComputeType;

  /**
   * Language runtimes the default image installs before the build (the `runtime-versions` of the
   * buildspec). Ignored when `buildImage` is given.
   *
   * @default { nodejs: '22' } - Node.js 22, an LTS release the default image offers (20 is past its end of life)
   * @see https://docs.aws.amazon.com/codebuild/latest/userguide/available-runtimes.html
   */
  readonly runtimeVersions?: { [runtime: string]: string };

  /**
   * Directories kept between builds to speed up dependency installs, stored in the artifact bucket.
   * Set to an empty list to turn the cache off. Lambda compute has no cache.
   *
   * @default ['/root/.npm/**\/*'] - the npm cache, which `npm ci` fills and reuses; none with a Lambda image
   */
  readonly cachePaths?: string[];

  /**
   * JUnit XML files written by `testCommands`, relative to the repository root (globs allowed,
   * e.g. 'reports/junit.xml' or 'reports/**\/*.xml'). The results show in the CodeBuild console.
   *
   * @default - no test report
   */
  readonly testReports?: string[];

  /**
   * How long a build may take before CodeBuild stops it: whole minutes from 5 to 2160. Not with a
   * Lambda image: CodeBuild stops those builds after 15 minutes, and takes no other timeout.
   *
   * @default - Duration.minutes(30); 15 minutes, CodeBuild's fixed limit, with a Lambda image
   */
  readonly timeout?: Duration;
}

/** What the construct adds to the user's build options. */
export interface BuildProjectProps {
  /** The user's options. */
  readonly options: BuildOptions;
  /** Output directory when the user gives none. */
  readonly defaultOutputDirectory: string;
  /** Commands run after a successful build (checks of the output), in the post_build phase. */
  readonly postBuildCommands?: string[];
  /** Bucket of the pipeline artifacts, which also holds the build cache. */
  readonly artifactBucket: s3.IBucket;
  /** Key of the pipeline artifacts; CodeBuild encrypts its outputs with it. */
  readonly encryptionKey: ArtifactKey;
  /** How long build logs are kept. */
  readonly logRetention: logs.RetentionDays;
  /** What the project does: the pipeline's build, or a preview's. */
  readonly kind: ProjectKind;
  /** What the project is for, in the console. @default 'Builds and tests each pushed commit' */
  readonly description?: string;
}

/** The default build commands: a clean npm install, then the project's build script. */
const DEFAULT_COMMANDS = ['npm ci', 'npm run build'];
const DEFAULT_CACHE_PATHS = ['/root/.npm/**/*'];
/**
 * The runtime of the default image: Node.js 22, a maintained LTS release (until April 2027) that
 * standard:7.0 installs; Node.js 20 reached its end of life in April 2026.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/available-runtimes.html
 * @see https://github.com/nodejs/release#release-schedule
 */
const DEFAULT_RUNTIME_VERSIONS = { nodejs: '22' };

/**
 * The build timeouts CodeBuild accepts, in whole minutes.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html#CodeBuild-CreateProject-request-timeoutInMinutes
 */
const TIMEOUT_MINUTES = { min: 5, max: 2160 };

/**
 * The CodeBuild project that builds and tests the code, from the user's `BuildOptions`.
 * Bad options are reported against `scope`, the pipeline construct.
 */
export class BuildProject extends PipelineStepProject {
  constructor(scope: Construct, id: string, props: BuildProjectProps) {
    const settings = buildProjectSettings(scope, id, props);
    super(scope, id, settings.projectProps);
    settings.finish(this);
  }
}

/** A build started outside a pipeline (a pull-request preview): the source and version to check out. */
export interface SourceBuildProjectProps extends BuildProjectProps {
  /** The repository the build checks out, at the version its start names. */
  readonly source: codebuild.ISource;
}

/** Like `BuildProject`, for a build started outside a pipeline: the project checks out its source itself. */
export class SourceBuildProject extends StandaloneProject {
  constructor(scope: Construct, id: string, props: SourceBuildProjectProps) {
    const settings = buildProjectSettings(scope, id, props);
    super(scope, id, { ...settings.projectProps, source: props.source });
    settings.finish(this);
  }
}

/**
 * Validates the build options and renders the project's settings; `finish` grants the project its
 * test report group and accepts the wildcards of its secrets, once it exists.
 */
function buildProjectSettings(scope: Construct, id: string, props: BuildProjectProps) {
  const options = props.options;
  const outputDirectory = options.outputDirectory ?? props.defaultOutputDirectory;
  const workingDirectory = options.workingDirectory ?? '.';
  const buildImage = options.buildImage ?? codebuild.LinuxBuildImage.STANDARD_7_0;
  const lambda = isLambdaImage(buildImage);
  const computeType = options.computeType ?? (lambda ? buildImage.defaultComputeType : codebuild.ComputeType.SMALL);
  validateBuildOptions(scope, options, outputDirectory, buildImage, computeType);
  validateRelativeDirectory(scope, 'buildOptions.workingDirectory', workingDirectory);

  const cachePaths = (options.cachePaths ?? (lambda ? [] : DEFAULT_CACHE_PATHS)).map((p) => inDirectory(workingDirectory, p));
  const reportGroup = options.testReports?.length
    ? new codebuild.ReportGroup(scope, `${id}TestReports`, { removalPolicy: RemovalPolicy.DESTROY })
    : undefined;
  const buildSpec = renderBuildSpec({
    options,
    lambda,
    workingDirectory,
    outputDirectory,
    postBuildCommands: props.postBuildCommands ?? [],
    cachePaths,
    reportGroupArn: reportGroup?.reportGroupArn,
  });
  const commandsFix = "move long commands into a script of the repository, e.g. commands: ['bash scripts/build.sh']";
  validateInlineBuildSpec(scope, [
    ...(['installCommands', 'commands', 'testCommands'] as const).map((prop) => ({ prop: `buildOptions.${prop}`, value: options[prop], fix: commandsFix })),
    { prop: 'buildOptions.cachePaths', value: cachePaths, fix: 'give fewer cache paths' },
    { prop: 'buildOptions.testReports', value: options.testReports, fix: 'give fewer report paths, or a glob such as \'reports/**/*.xml\'' },
    ...(['outputDirectory', 'workingDirectory'] as const).map((prop) => ({
      prop: `buildOptions.${prop}`,
      value: options[prop],
      fix: 'the commands after the build repeat it, so give a shorter path (a token counts as 150 characters), e.g. \'dist\'',
    })),
  ], buildSpec);

  const projectProps: PipelineStepProjectProps = {
    kind: props.kind,
    description: props.description ?? 'Builds and tests each pushed commit',
    buildSpec: codebuild.BuildSpec.fromObject(buildSpec),
    environment: {
      buildImage,
      computeType,
      environmentVariables: options.environmentVariables,
    },
    cache: cachePaths.length > 0 ? codebuild.Cache.bucket(props.artifactBucket, { prefix: `build-cache/${id}` }) : undefined,
    timeout: lambda ? undefined : options.timeout ?? Duration.minutes(30),
    encryptionKey: props.encryptionKey,
    writesArtifacts: true,
    logRetention: props.logRetention,
  };
  const finish = (project: codebuild.Project) => {
    reportGroup?.grantWrite(project);
    suppressSecretArnWildcards(project, options.environmentVariables ?? {});
  };
  return { projectProps, finish };
}

/** Checks the user's build options; the image and compute type are the ones the project will get. */
function validateBuildOptions(scope: Construct, options: BuildOptions, outputDirectory: string,
  buildImage: codebuild.IBuildImage, computeType: codebuild.ComputeType): void {
  validateRelativeDirectory(scope, 'buildOptions.outputDirectory', outputDirectory);
  validateBuildEnvironment(scope, 'buildOptions', buildImage, computeType);
  if (isLambdaImage(buildImage)) {
    validateLambdaBuildOptions(scope, 'buildOptions', buildImage, options);
  }
  for (const [name, variable] of Object.entries(options.environmentVariables ?? {})) {
    validateEnvironmentVariableName(scope, 'buildOptions.environmentVariables', name);
    validateEnvironmentVariableValue(scope, `buildOptions.environmentVariables.${name}`, variable);
  }
  if (options.timeout) {
    validateWholeMinutes(scope, 'buildOptions.timeout', options.timeout, TIMEOUT_MINUTES.min, TIMEOUT_MINUTES.max);
  }
}

/**
 * Accepts the wildcards aws-cdk-lib grants a project for each Secrets Manager secret named by ARN
 * in its environment variables: `<secret ARN>*`, and, for a secret of another account, any key of
 * that account (the one encrypting the secret is not known).
 */
function suppressSecretArnWildcards(project: codebuild.Project, variables: { [name: string]: codebuild.BuildEnvironmentVariable }): void {
  const stack = Stack.of(project);
  const secretArns = Object.values(variables)
    .filter((v) => v.type === codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER)
    .map((v) => String(v.value))
    .filter((value) => !Token.isUnresolved(value) && value.startsWith('arn:'))
    .map((value) => stack.splitArn(value, ArnFormat.COLON_RESOURCE_NAME));
  if (secretArns.length === 0) {
    return;
  }
  const policy = project.role!.node.findChild('DefaultPolicy');
  const findings = (arns: string[]) => arns.map((arn) => nagResourceFinding(policy, arn));
  // The same ARNs aws-cdk-lib grants (Project.serializeEnvVariables).
  const secrets = secretArns.map((arn) => stack.formatArn({
    ...arn,
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${arn.resourceName!.split(':')[0]}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  }));
  const otherAccountKeys = secretArns
    .filter((arn) => arn.account && Token.compareStrings(arn.account, stack.account) === TokenComparison.DIFFERENT)
    .map((arn) => stack.formatArn({ ...arn, service: 'kms', resource: 'key', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }));
  suppressNagFindings(policy, [
    {
      id: 'AwsSolutions-IAM5',
      reason: 'aws-cdk-lib appends * to a secret ARN: Secrets Manager adds a random suffix to secret names',
      appliesTo: findings(secrets),
    },
    ...otherAccountKeys.length ? [{
      id: 'AwsSolutions-IAM5',
      reason: 'A secret of another account is encrypted with a key of that account, which the build cannot name; aws-cdk-lib grants decryption with any of its keys.',
      appliesTo: findings(otherAccountKeys),
    }] : [],
  ]);
}

/** What the build spec is made of. */
interface BuildSpecParts {
  readonly options: BuildOptions;
  /** Whether the build runs on Lambda compute, where phases take no `on-failure`. */
  readonly lambda: boolean;
  readonly workingDirectory: string;
  readonly outputDirectory: string;
  readonly postBuildCommands: string[];
  readonly cachePaths: string[];
  readonly reportGroupArn?: string;
}

/**
 * The first post_build command on Lambda compute. Lambda compute takes no `on-failure` ("The
 * on-failure attribute is not supported when using Lambda compute"), and CodeBuild goes on to
 * post_build after a failed build phase, with CODEBUILD_BUILD_SUCCEEDING=0: this command ends the
 * phase there, so nothing built by a failed build or test is checked, uploaded or released.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda-compute-images.html
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/view-build-details-phases.html
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html
 */
const STOP_AFTER_FAILED_BUILD = failUnless('test "${CODEBUILD_BUILD_SUCCEEDING:-0}" = 1',
  'The build or its tests failed: nothing of this build is checked or released.');

/** Returns the buildspec object (version 0.2) for the build project. */
function renderBuildSpec(parts: BuildSpecParts): Record<string, unknown> {
  const { options } = parts;
  const runtimeVersions = options.buildImage ? undefined : options.runtimeVersions ?? DEFAULT_RUNTIME_VERSIONS;
  // Each phase starts in the working directory: CodeBuild starts every phase in the source root.
  const inWorkingDirectory = (commands: string[] | undefined) => commands?.length && parts.workingDirectory !== '.'
    ? [`cd "$CODEBUILD_SRC_DIR"/${shellQuote(parts.workingDirectory)}`, ...commands]
    : commands;
  const install = { 'runtime-versions': runtimeVersions, 'commands': inWorkingDirectory(options.installCommands) };
  return {
    version: '0.2',
    env: { shell: 'bash' },
    phases: {
      ...(install['runtime-versions'] || install.commands?.length ? { install: dropEmpty(install) } : {}),
      build: {
        // Without ABORT, CodeBuild would run post_build (the output checks) after a failed build.
        ...(parts.lambda ? {} : { 'on-failure': 'ABORT' }),
        commands: inWorkingDirectory([...options.commands ?? DEFAULT_COMMANDS, ...options.testCommands ?? []]),
      },
      ...(parts.postBuildCommands.length ? {
        post_build: { commands: [...(parts.lambda ? [STOP_AFTER_FAILED_BUILD] : []), ...inWorkingDirectory(parts.postBuildCommands)!] },
      } : {}),
    },
    artifacts: {
      'base-directory': inDirectory(parts.workingDirectory, parts.outputDirectory),
      'files': ['**/*'],
    },
    ...(parts.reportGroupArn ? {
      reports: { [parts.reportGroupArn]: { 'files': options.testReports?.map((p) => inDirectory(parts.workingDirectory, p)), 'file-format': 'JUNITXML' } },
    } : {}),
    ...(parts.cachePaths.length ? { cache: { paths: parts.cachePaths } } : {}),
  };
}

/** A path relative to the working directory as one relative to the source root; an absolute path as it is. */
function inDirectory(workingDirectory: string, relative: string): string {
  if (relative.startsWith('/') || workingDirectory === '.') {
    return relative;
  }
  const base = workingDirectory.replace(/\/+$/, '');
  return relative === '.' ? base : `${base}/${relative.replace(/^\.\//, '')}`;
}

/** Removes undefined and empty-list entries, so the buildspec has no empty keys. */
function dropEmpty(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));
}
