/**
 * Hints for the props every pipeline construct shares (`DeployPipelineProps`: the source, build
 * options, approval, notifications and the pipeline's own), and for the objects of other libraries
 * they take (repositories, topics, build images, durations).
 */
import { Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as fc from 'fast-check';
import {
  ACCOUNT, anyString, branches, commandLists, connectionArns, DurationSpec, emails, envVarNames, freeTexts, gitHostNames,
  hostile, hostileOrRandom, listOf, pathLists, pipelineNames, random, relativeDirectories, repositoryNames, Sample, Text,
  textToken, valid, ValueArbitraries, wholeDays, wholeMinutes,
} from '../arbitraries';
import { Constraint, Hints, StructValue, ValueHint } from '../schema';
import { text } from '../tokens';

/** An existing CodeCommit repository: imported by name, or created in the stack. */
type RepositorySpec = { readonly fromName: Text } | 'created';

/** One build environment variable. */
interface EnvVarSpec {
  readonly type: 'PLAINTEXT' | 'PARAMETER_STORE' | 'SECRETS_MANAGER';
  readonly value: Text | number;
}

/** An SNS topic: created in the stack (SSL-only, as cdk-nag asks), or imported. */
type TopicSpec = 'created' | { readonly imported: string };

/** Build images by name. */
const BUILD_IMAGES: Record<string, codebuild.IBuildImage> = {
  'STANDARD_7_0': codebuild.LinuxBuildImage.STANDARD_7_0,
  'AMAZON_LINUX_2_5': codebuild.LinuxBuildImage.AMAZON_LINUX_2_5,
  'docker:node:20': codebuild.LinuxBuildImage.fromDockerRegistry('node:20'),
  'ARM AMAZON_LINUX_2_STANDARD_3_0': codebuild.LinuxArmBuildImage.AMAZON_LINUX_2_STANDARD_3_0,
  'WIN_SERVER_CORE_2019_BASE': codebuild.WindowsBuildImage.WIN_SERVER_CORE_2019_BASE,
  'Lambda AMAZON_LINUX_2023_NODE_20': codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20,
  'Lambda AMAZON_LINUX_2023_NODE_22': codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22,
};

/** The build images that run on Lambda compute. */
const LAMBDA_BUILD_IMAGES = Object.keys(BUILD_IMAGES).filter((name) => name.startsWith('Lambda '));

/** A duration of a generated amount and unit. */
export const durations = (values: ValueArbitraries<DurationSpec>): ValueHint<DurationSpec> => ({
  values,
  build: (d) => Duration[d.unit](d.amount),
});

export const pipelineHints: Hints = {
  values: {
    'DeployPipelineProps.pipelineName': { values: pipelineNames },
    // S3 expires objects by whole days; the construct takes 1 to 3650.
    'DeployPipelineProps.artifactRetention': durations(wholeDays(1, 3650, [{ unit: 'days', amount: 30 }, { unit: 'hours', amount: 48 }, { unit: 'days', amount: 3650 }])),
    'aws-cdk-lib.aws_logs.RetentionDays': {
      values: {
        valid: valid(fc.constantFrom(logs.RetentionDays.ONE_DAY, logs.RetentionDays.ONE_YEAR, logs.RetentionDays.TEN_YEARS)),
        // A choice a user may make, which compliance checks flag (checkov CKV_AWS_66 wants a retention).
        hostile: hostile([['logs kept forever', logs.RetentionDays.INFINITE, 'odd']]),
      },
    },
    'ApprovalOptions.emails': { values: emailLists() },
    'ApprovalOptions.comment': { values: freeTexts },
    'PipelineNotificationOptions.emails': { values: emailLists() },
    // A topic is never wrong in itself.
    'aws-cdk-lib.aws_sns.ITopic': {
      values: { valid: valid(fc.constantFrom<TopicSpec>('created', { imported: `arn:aws:sns:eu-west-1:${ACCOUNT}:releases` })) },
      build: (spec: TopicSpec, at) => (spec === 'created'
        ? new sns.Topic(at.stack, at.id, { enforceSSL: true })
        : sns.Topic.fromTopicArn(at.stack, at.id, spec.imported)),
    },
    'CodeCommitSourceOptions.repositoryName': { values: repositoryNames },
    'CodeCommitSourceOptions.repositoryDescription': { values: freeTexts },
    'CodeCommitSourceOptions.branch': { values: branches },
    'CodeCommitSourceOptions.repository': {
      values: existingRepositories(),
      build: (spec: RepositorySpec, at) => (spec === 'created'
        ? new codecommit.Repository(at.stack, at.id, { repositoryName: 'existing' })
        : codecommit.Repository.fromRepositoryName(at.stack, at.id, text(at.stack, spec.fromName))),
    },
    'ConnectionSourceOptions.connectionArn': { values: connectionArns },
    'ConnectionSourceOptions.owner': { values: gitHostNames },
    'ConnectionSourceOptions.repository': { values: gitHostNames },
    'ConnectionSourceOptions.branch': { values: branches },
    'BuildOptions.installCommands': { values: commandLists },
    'BuildOptions.commands': { values: commandLists },
    'BuildOptions.testCommands': { values: commandLists },
    'BuildOptions.outputDirectory': { values: relativeDirectories },
    'BuildOptions.workingDirectory': { values: relativeDirectories },
    'FilePathFilter.includes': { values: filePathGlobs() },
    'FilePathFilter.excludes': { values: filePathGlobs() },
    'BuildOptions.environmentVariables': {
      values: environmentVariables(),
      build: (vars: Record<string, EnvVarSpec>, at) => Object.fromEntries(Object.entries(vars).map(([name, v]) => [name, {
        type: codebuild.BuildEnvironmentVariableType[v.type],
        value: typeof v.value === 'number' ? v.value : text(at.stack, v.value),
      }])),
    },
    'BuildOptions.buildImage': { values: buildImages(), build: (name: string) => BUILD_IMAGES[name] },
    'BuildOptions.computeType': { values: computeTypes() },
    'BuildOptions.runtimeVersions': { values: runtimeVersions() },
    'BuildOptions.cachePaths': { values: pathLists },
    'BuildOptions.testReports': { values: pathLists },
    // CodeBuild takes whole minutes from 5 to 2160.
    'BuildOptions.timeout': durations(wholeMinutes(5, 2160, [{ unit: 'minutes', amount: 30 }, { unit: 'hours', amount: 8 }, { unit: 'seconds', amount: 600 }])),
  },
  lists: {},
  rules: [
    { kind: 'oneOf', struct: 'CodeCommitSourceOptions', members: ['repositoryName', 'repository'], required: true, names: [''] },
    lambdaBuildRule(),
  ],
};

/**
 * A build on a Lambda image takes no cache, no timeout and only a Lambda compute type (CodeBuild's
 * Lambda compute limits): kept by leaving those out.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.limitations
 */
function lambdaBuildRule(): Constraint {
  const onLambda = (v: StructValue) => LAMBDA_BUILD_IMAGES.includes(v.buildImage as string);
  const refused = (v: StructValue) => [
    ...Array.isArray(v.cachePaths) && v.cachePaths.length ? ['.cachePaths'] : [],
    ...v.timeout !== undefined ? ['.timeout'] : [],
    ...v.computeType !== undefined && !String(v.computeType).startsWith('BUILD_LAMBDA_') ? ['.computeType', '.buildImage'] : [],
  ];
  return {
    kind: 'constraint',
    struct: 'BuildOptions',
    label: 'a Lambda build image with a cache, a timeout or an EC2 compute type',
    severity: 'invalid',
    broken: (v) => (onLambda(v) ? refused(v) : []),
    keep: (v) => (onLambda(v) ? { ...v, cachePaths: undefined, timeout: undefined, computeType: undefined } : v),
    break: (v) => ({ ...v, buildImage: 'Lambda AMAZON_LINUX_2023_NODE_22', timeout: { unit: 'minutes', amount: 10 } }),
  };
}

/**
 * File path globs of a source: CodePipeline takes at most 8 of 1 to 255 characters, relative, with
 * the wildcards `*`, `**` and `?` only.
 *
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-filter.html
 */
function filePathGlobs(): ValueArbitraries<string[]> {
  return {
    valid: valid(fc.constantFrom(['apps/site/**'], ['apps/site/**', 'packages/ui/**'], ['**/*.md'], ['docs/?/*.html'], ['a'.repeat(255)])),
    hostile: hostile<string[]>([
      ['9 globs', Array.from({ length: 9 }, (_, i) => `apps/${i}/**`), 'invalid'],
      ['a glob of 256 characters', ['a'.repeat(256)], 'invalid'],
      ['an empty glob', [''], 'invalid'],
      ['an absolute path', ['/apps/site/**'], 'invalid'],
      ['braces', ['apps/{site,docs}/**'], 'invalid'],
      ['a character class', ['apps/[sd]ite/**'], 'invalid'],
      ['a negation', ['!apps/api/**'], 'invalid'],
      ['no globs', [], 'odd'],
      ['unicode', ['äpps/ビルド/**'], 'odd'],
    ]),
  };
}

/**
 * A CodeCommit source's `filePaths` is kept by a first step that compares each push with the live
 * release: it needs a StaticSitePipeline with atomic releases (`withoutReleases` says when a props
 * value has none). Kept with `keepReleases` (a props value with releases), or else by a source of
 * no file paths; a source with a hostile value stays, broken.
 */
export function codeCommitFilePathsRule(struct: string, withoutReleases: (v: StructValue) => boolean,
  keepReleases?: (v: StructValue) => StructValue): Constraint {
  const broken = (v: StructValue) => withoutReleases(v)
    && (v.source as { codeCommit?: { filePaths?: unknown } } | undefined)?.codeCommit?.filePaths !== undefined;
  return {
    kind: 'constraint',
    struct,
    label: 'a CodeCommit source with filePaths and no atomic releases',
    severity: 'invalid',
    broken: (v) => (broken(v) ? ['.source'] : []),
    keep: (v, isHostile) => {
      if (!broken(v)) return v;
      if (keepReleases) return keepReleases(v);
      return isHostile('source') ? v : { ...v, source: { codeCommit: { repositoryName: 'marketing-site' } } };
    },
  };
}

/** Existing repositories: imported by a name (which the construct cannot check) or created. */
function existingRepositories(): ValueArbitraries<RepositorySpec> {
  return {
    valid: fc.oneof(
      { arbitrary: valid(fc.constantFrom<RepositorySpec>('created', { fromName: 'legacy-site' })), weight: 4 },
      { arbitrary: valid<RepositorySpec>(textToken('legacy-site').map((t) => ({ fromName: t }))), weight: 1 },
    ),
    hostile: hostile<RepositorySpec>([
      ['imported with a bad name', { fromName: 'bad name' }, 'odd'],
      ['imported with an empty name', { fromName: '' }, 'odd'],
    ]),
  };
}

/** Environment variable maps: valid and hostile names, values of each type. */
function environmentVariables(): ValueArbitraries<Record<string, EnvVarSpec>> {
  const validValue = fc.constantFrom<EnvVarSpec>(
    { type: 'PLAINTEXT', value: 'production' },
    { type: 'PLAINTEXT', value: { token: 'ref' } },
    { type: 'PARAMETER_STORE', value: '/site/api-key' },
    { type: 'PARAMETER_STORE', value: 'api-key' },
    { type: 'PARAMETER_STORE', value: `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/site/key` },
    { type: 'SECRETS_MANAGER', value: 'site-secret' },
    { type: 'SECRETS_MANAGER', value: 'site-secret:password' },
    { type: 'SECRETS_MANAGER', value: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:site-AbCdEf` },
    { type: 'SECRETS_MANAGER', value: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:site-AbCdEf:password::` },
    { type: 'SECRETS_MANAGER', value: { token: 'lazy', value: 'site-secret' } },
  );
  const hostileValue = hostileOrRandom<EnvVarSpec>([
    ['empty plain value', { type: 'PLAINTEXT', value: '' }, 'odd'],
    ['number value', { type: 'PLAINTEXT', value: 42 }, 'odd'],
    ['unicode value', { type: 'PLAINTEXT', value: 'ünï 🚀' }, 'odd'],
    ['empty parameter name', { type: 'PARAMETER_STORE', value: '' }, 'invalid'],
    ['empty secret name', { type: 'SECRETS_MANAGER', value: '' }, 'invalid'],
    ['garbage secret ARN', { type: 'SECRETS_MANAGER', value: 'arn:aws:secretsmanager:garbage' }, 'invalid'],
    ['secret ARN of another service', { type: 'SECRETS_MANAGER', value: 'arn:aws:s3:::bucket' }, 'invalid'],
    ['parameter ARN without name', { type: 'PARAMETER_STORE', value: `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter` }, 'invalid'],
  ], random('random value', fc.record({ type: fc.constantFrom('PLAINTEXT', 'PARAMETER_STORE', 'SECRETS_MANAGER'), value: anyString })));
  const entry = (name: fc.Arbitrary<Sample<string>>, value: fc.Arbitrary<Sample<EnvVarSpec>>) => fc.tuple(name, value);
  const validEntries = fc.array(entry(envVarNames.valid, valid(validValue)), { maxLength: 4 });
  const hostileEntry = fc.oneof(entry(envVarNames.hostile!, valid(validValue)), entry(envVarNames.valid, hostileValue));
  const toMap = (entries: Array<[Sample<string>, Sample<EnvVarSpec>]>): Sample<Record<string, EnvVarSpec>> => {
    const bad = entries.flatMap(([n, v]) => [n, v]).filter((s) => s.hostile !== undefined);
    return {
      value: Object.fromEntries(entries.map(([n, v]) => [n.value, v.value])),
      ...(bad.length ? { hostile: bad.map((s) => s.hostile).join(', ') } : {}),
      ...(bad.some((s) => s.invalid) ? { invalid: true } : {}),
    };
  };
  return {
    valid: validEntries.map(toMap),
    hostile: fc.tuple(validEntries, hostileEntry).map(([entries, bad]) => toMap([...entries, bad])),
  };
}

/** Build images: Linux x86 ones are valid; ARM, Windows and Lambda ones only with matching compute types. */
function buildImages(): ValueArbitraries<string> {
  return {
    // A Lambda image is valid alone; with a cache, a timeout or an EC2 compute type it breaks a rule (lambdaBuildRule).
    valid: valid(fc.constantFrom('STANDARD_7_0', 'AMAZON_LINUX_2_5', 'docker:node:20', 'Lambda AMAZON_LINUX_2023_NODE_22')),
    hostile: hostile<string>([
      ['ARM image', 'ARM AMAZON_LINUX_2_STANDARD_3_0', 'odd'],
      ['Windows image (no bash)', 'WIN_SERVER_CORE_2019_BASE', 'odd'],
      ['Lambda image of Node.js 20 (past its end of life)', 'Lambda AMAZON_LINUX_2023_NODE_20', 'odd'],
    ]),
  };
}

/** Compute types: general-purpose ones are valid; Lambda and attribute-based ones need other images or settings. */
function computeTypes(): ValueArbitraries<codebuild.ComputeType> {
  return {
    valid: valid(fc.constantFrom(codebuild.ComputeType.SMALL, codebuild.ComputeType.MEDIUM, codebuild.ComputeType.LARGE)),
    hostile: hostile<codebuild.ComputeType>([
      ['2XLARGE', codebuild.ComputeType.X2_LARGE, 'odd'],
      ['Lambda compute', codebuild.ComputeType.LAMBDA_1GB, 'odd'],
      ['attribute-based compute', codebuild.ComputeType.ATTRIBUTE_BASED, 'odd'],
      ['custom instance type', codebuild.ComputeType.CUSTOM_INSTANCE_TYPE, 'odd'],
    ]),
  };
}

/** `runtime-versions` of the buildspec. */
function runtimeVersions(): ValueArbitraries<Record<string, string>> {
  return {
    valid: valid(fc.constantFrom<Record<string, string>>({ nodejs: '20' }, { nodejs: '22', python: '3.12' })),
    hostile: hostile<Record<string, string>>([
      ['empty map', {}, 'odd'],
      ['empty runtime', { '': '' }, 'odd'],
      ['empty version', { nodejs: '' }, 'odd'],
      ['unicode', { nodejs: 'ünï' }, 'odd'],
    ]),
  };
}

/** Lists of email addresses. */
function emailLists(): ValueArbitraries<Text[]> {
  return listOf(emails, [
    ['empty list', [], 'odd'],
    ['duplicates', ['team@example.com', 'team@example.com'], 'odd'],
  ], { minLength: 1, maxLength: 3 });
}
