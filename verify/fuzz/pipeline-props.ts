/**
 * The props every pipeline construct shares (`DeployPipelineProps`: source, buildOptions, approval,
 * notifications, pipelineName, artifactRetentionDays, logRetention): their generated values and how
 * a case turns them into real props in its stack.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as fc from 'fast-check';
import {
  ACCOUNT, branches, commandLists, connectionArns, emails, envVarNames, freeTexts, gitHostNames,
  hostile, hostileOrRandom, listOf, Num, pathLists, pipelineNames, random, relativeDirectories,
  repositoryNames, Sample, Text, textToken, valid, ValueArbitraries, anyString,
} from './arbitraries';
import { FuzzCase, hasGroup, PropGroup, propReader } from './case';
import { text, texts } from './tokens';
import { BuildOptions, DeployPipelineProps, PipelineSource } from 'cdk-deploy-pipelines';

/** An existing CodeCommit repository: imported by name, or created in the stack. */
type RepositorySpec = { readonly fromName: Text } | 'created';

/** One build environment variable. */
interface EnvVarSpec {
  readonly type: 'PLAINTEXT' | 'PARAMETER_STORE' | 'SECRETS_MANAGER';
  readonly value: Text | number;
}

/** A duration (a build timeout, a retention): an amount of a unit, as `Duration` takes them. */
interface DurationSpec {
  readonly unit: 'millis' | 'seconds' | 'minutes' | 'hours' | 'days';
  readonly amount: number;
}

/** Build images by name. */
const BUILD_IMAGES: Record<string, codebuild.IBuildImage> = {
  'STANDARD_7_0': codebuild.LinuxBuildImage.STANDARD_7_0,
  'AMAZON_LINUX_2_5': codebuild.LinuxBuildImage.AMAZON_LINUX_2_5,
  'docker:node:20': codebuild.LinuxBuildImage.fromDockerRegistry('node:20'),
  'ARM AMAZON_LINUX_2_STANDARD_3_0': codebuild.LinuxArmBuildImage.AMAZON_LINUX_2_STANDARD_3_0,
  'WIN_SERVER_CORE_2019_BASE': codebuild.WindowsBuildImage.WIN_SERVER_CORE_2019_BASE,
  'Lambda AMAZON_LINUX_2023_NODE_20': codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20,
};

/** An SNS topic: created in the stack (SSL-only, as cdk-nag asks), or imported. */
type TopicSpec = 'created' | { readonly imported: string };

/** The kinds of source, exactly one of which a case gives. */
export const sourceAlternatives: PropGroup[] = [
  {
    name: 'source',
    fields: [
      { path: 'source.repositoryName', values: repositoryNames, required: true },
      { path: 'source.repositoryDescription', values: freeTexts },
      { path: 'source.branch', values: branches },
    ],
  },
  {
    name: 'source',
    fields: [
      { path: 'source.repository', values: existingRepositories(), required: true },
      { path: 'source.branch', values: branches },
    ],
  },
  {
    name: 'source',
    fields: [
      { path: 'source.connectionArn', values: connectionArns, required: true },
      { path: 'source.owner', values: gitHostNames, required: true },
      { path: 'source.repository', values: gitHostNames, required: true },
      { path: 'source.branch', values: branches },
    ],
  },
  {
    name: 'source',
    hostileShape: 'both repositoryName and repository',
    fields: [
      { path: 'source.repositoryName', values: repositoryNames, required: true },
      { path: 'source.repository', values: existingRepositories(), required: true },
    ],
  },
  {
    name: 'source',
    hostileShape: 'neither repositoryName nor repository',
    fields: [{ path: 'source.branch', values: branches }],
  },
];

/** `buildOptions`, `approval`, `notifications` and the pipeline's own props. */
export const pipelineGroups: PropGroup[] = [
  {
    name: 'buildOptions',
    optional: true,
    fields: [
      { path: 'buildOptions.installCommands', values: commandLists },
      { path: 'buildOptions.commands', values: commandLists },
      { path: 'buildOptions.testCommands', values: commandLists },
      { path: 'buildOptions.outputDirectory', values: relativeDirectories },
      { path: 'buildOptions.environmentVariables', values: environmentVariables() },
      { path: 'buildOptions.buildImage', values: buildImages() },
      { path: 'buildOptions.computeType', values: computeTypes() },
      { path: 'buildOptions.runtimeVersions', values: runtimeVersions() },
      { path: 'buildOptions.cachePaths', values: pathLists },
      { path: 'buildOptions.testReports', values: pathLists },
      { path: 'buildOptions.timeout', values: timeouts() },
    ],
  },
  {
    name: 'approval',
    optional: true,
    fields: [
      { path: 'approval.emails', values: emailLists() },
      { path: 'approval.topic', values: topics() },
      { path: 'approval.comment', values: freeTexts },
    ],
  },
  {
    name: 'notifications',
    optional: true,
    fields: [
      { path: 'notifications.topic', values: topics() },
      { path: 'notifications.emails', values: emailLists() },
      { path: 'notifications.notifyOnSuccess', values: { valid: valid(fc.boolean()) } },
    ],
  },
  {
    name: 'pipeline',
    fields: [
      { path: 'pipelineName', values: pipelineNames },
      { path: 'artifactRetention', values: retentions() },
      { path: 'logRetention', values: { valid: valid(fc.constantFrom(logs.RetentionDays.ONE_DAY, logs.RetentionDays.ONE_YEAR, logs.RetentionDays.INFINITE)) } },
    ],
  },
];

/** The shared props of a case, built in `stack`. */
export function pipelineProps(stack: Stack, c: FuzzCase): DeployPipelineProps {
  const get = propReader(c);
  const has = (group: string) => hasGroup(c, group);
  return {
    source: source(stack, c),
    buildOptions: has('buildOptions') ? buildOptions(stack, c) : undefined,
    approval: has('approval') ? {
      emails: optional(get<Text[]>('approval.emails'), (v) => texts(stack, v)),
      topic: optional(get<TopicSpec>('approval.topic'), (v) => topic(stack, 'ApprovalTopic', v)),
      comment: optional(get<Text>('approval.comment'), (v) => text(stack, v)),
    } : undefined,
    notifications: has('notifications') ? {
      topic: optional(get<TopicSpec>('notifications.topic'), (v) => topic(stack, 'NotificationTopic', v)),
      emails: optional(get<Text[]>('notifications.emails'), (v) => texts(stack, v)),
      notifyOnSuccess: get<boolean>('notifications.notifyOnSuccess'),
    } : undefined,
    pipelineName: optional(get<Text>('pipelineName'), (v) => text(stack, v)),
    artifactRetention: optional(get<DurationSpec>('artifactRetention'), (d) => Duration[d.unit](d.amount)),
    logRetention: get<logs.RetentionDays>('logRetention'),
  };
}

/** `fn(value)`, or undefined for an absent value. */
export function optional<T, R>(value: T | undefined, fn: (v: T) => R): R | undefined {
  return value === undefined ? undefined : fn(value);
}

/** The case's source: a connection when it has a connection ARN, CodeCommit otherwise. */
function source(stack: Stack, c: FuzzCase): PipelineSource {
  const get = propReader(c);
  const branch = optional(get<Text>('source.branch'), (v) => text(stack, v));
  if (c.props['source.connectionArn']) {
    return PipelineSource.connection({
      connectionArn: text(stack, get<Text>('source.connectionArn')!),
      owner: text(stack, get<Text>('source.owner')!),
      repository: text(stack, get<Text>('source.repository')!),
      branch,
    });
  }
  return PipelineSource.codeCommit({
    repositoryName: optional(get<Text>('source.repositoryName'), (v) => text(stack, v)),
    repositoryDescription: optional(get<Text>('source.repositoryDescription'), (v) => text(stack, v)),
    repository: optional(get<RepositorySpec>('source.repository'), (v) => (v === 'created'
      ? new codecommit.Repository(stack, 'ExistingRepository', { repositoryName: 'existing' })
      : codecommit.Repository.fromRepositoryName(stack, 'ImportedRepository', text(stack, v.fromName)))),
    branch,
  });
}

/** The case's build options. */
function buildOptions(stack: Stack, c: FuzzCase): BuildOptions {
  const get = propReader(c);
  const commands = (path: string) => optional(get<Text[]>(path), (v) => texts(stack, v));
  return {
    installCommands: commands('buildOptions.installCommands'),
    commands: commands('buildOptions.commands'),
    testCommands: commands('buildOptions.testCommands'),
    outputDirectory: optional(get<Text>('buildOptions.outputDirectory'), (v) => text(stack, v)),
    environmentVariables: optional(get<Record<string, EnvVarSpec>>('buildOptions.environmentVariables'), (vars) => Object.fromEntries(
      Object.entries(vars).map(([name, v]) => [name, {
        type: codebuild.BuildEnvironmentVariableType[v.type],
        value: typeof v.value === 'number' ? v.value : text(stack, v.value),
      }]))),
    buildImage: optional(get<string>('buildOptions.buildImage'), (name) => BUILD_IMAGES[name]),
    computeType: get<codebuild.ComputeType>('buildOptions.computeType'),
    runtimeVersions: get<Record<string, string>>('buildOptions.runtimeVersions'),
    cachePaths: get<string[]>('buildOptions.cachePaths'),
    testReports: get<string[]>('buildOptions.testReports'),
    timeout: optional(get<DurationSpec>('buildOptions.timeout'), (d) => Duration[d.unit](d.amount)),
  };
}

/** The topic a case passes. */
function topic(stack: Stack, id: string, spec: TopicSpec): sns.ITopic {
  return spec === 'created'
    ? new sns.Topic(stack, id, { enforceSSL: true })
    : sns.Topic.fromTopicArn(stack, id, spec.imported);
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
    valid: valid(fc.constantFrom('STANDARD_7_0', 'AMAZON_LINUX_2_5', 'docker:node:20')),
    hostile: hostile<string>([
      ['ARM image', 'ARM AMAZON_LINUX_2_STANDARD_3_0', 'odd'],
      ['Windows image (no bash)', 'WIN_SERVER_CORE_2019_BASE', 'odd'],
      ['Lambda image', 'Lambda AMAZON_LINUX_2023_NODE_20', 'odd'],
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

/** Build timeouts: CodeBuild takes whole minutes from 5 to 2160. */
function timeouts(): ValueArbitraries<DurationSpec> {
  return {
    valid: valid(
      fc.constantFrom<DurationSpec>({ unit: 'minutes', amount: 30 }, { unit: 'hours', amount: 8 }, { unit: 'seconds', amount: 600 }),
      fc.integer({ min: 5, max: 2160 }).map((amount): DurationSpec => ({ unit: 'minutes', amount })),
    ),
    hostile: hostile<DurationSpec>([
      ['zero', { unit: 'minutes', amount: 0 }, 'invalid'],
      ['4 minutes', { unit: 'minutes', amount: 4 }, 'invalid'],
      ['2161 minutes', { unit: 'minutes', amount: 2161 }, 'invalid'],
      ['90 seconds', { unit: 'seconds', amount: 90 }, 'invalid'],
      ['1 ms', { unit: 'millis', amount: 1 }, 'invalid'],
      ['2 days', { unit: 'days', amount: 2 }, 'invalid'],
      ['fraction', { unit: 'minutes', amount: 10.5 }, 'invalid'],
      ['NaN', { unit: 'minutes', amount: NaN }, 'invalid'],
      ['Infinity', { unit: 'minutes', amount: Infinity }, 'invalid'],
    ]),
  };
}

/** Artifact retentions: whole days from 1 to 3650. */
function retentions(): ValueArbitraries<DurationSpec> {
  return {
    valid: valid(
      fc.constantFrom<DurationSpec>({ unit: 'days', amount: 1 }, { unit: 'days', amount: 30 }, { unit: 'hours', amount: 48 }, { unit: 'days', amount: 3650 }),
      fc.integer({ min: 1, max: 3650 }).map((amount): DurationSpec => ({ unit: 'days', amount })),
    ),
    hostile: hostile<DurationSpec>([
      ['zero', { unit: 'days', amount: 0 }, 'invalid'],
      ['36 hours', { unit: 'hours', amount: 36 }, 'invalid'],
      ['3651 days', { unit: 'days', amount: 3651 }, 'invalid'],
      ['fraction', { unit: 'days', amount: 1.5 }, 'invalid'],
      ['NaN', { unit: 'days', amount: NaN }, 'invalid'],
    ]),
  };
}

/** SNS topics; a topic is never wrong in itself. */
function topics(): ValueArbitraries<TopicSpec> {
  return { valid: valid(fc.constantFrom<TopicSpec>('created', { imported: `arn:aws:sns:eu-west-1:${ACCOUNT}:releases` })) };
}

/** Lists of email addresses. */
function emailLists(): ValueArbitraries<Text[]> {
  return listOf(emails, [
    ['empty list', [], 'odd'],
    ['duplicates', ['team@example.com', 'team@example.com'], 'odd'],
  ], { minLength: 1, maxLength: 3 });
}
