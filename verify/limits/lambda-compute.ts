/**
 * What CodeBuild's Lambda compute does not take, checked on every project that runs on it: in a
 * template whose compute is chosen by a region condition, in the branch that picks Lambda compute.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.limitations
 */
import type { AwsLimit, CfnTemplate, Measured } from './aws-limits';
import { GO_LIVE_MINUTES_BESIDES_BAKE } from '../../src/static-site/verify-release';
import { resourcesOfType } from '../../test/support/template-resources';

const SOURCE = 'https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.limitations';
const LAMBDA_ENVIRONMENT_TYPES = ['LINUX_LAMBDA_CONTAINER', 'ARM_LAMBDA_CONTAINER'];

/** A project setting Lambda compute refuses: where it is read, and when the value is one it refuses. */
interface UnsupportedSetting {
  readonly what: string;
  readonly read: (props: any) => unknown;
  readonly refused: (value: unknown) => boolean;
}

const given = (value: unknown) => value !== undefined;
const UNSUPPORTED: UnsupportedSetting[] = [
  { what: 'a compute type other than BUILD_LAMBDA_*', read: (p) => p.Environment?.ComputeType, refused: (v) => !String(v).startsWith('BUILD_LAMBDA_') },
  { what: 'a custom build timeout', read: (p) => p.TimeoutInMinutes, refused: given },
  { what: 'a queue timeout', read: (p) => p.QueuedTimeoutInMinutes, refused: given },
  { what: 'a cache', read: (p) => p.Cache?.Type, refused: (v) => given(v) && v !== 'NO_CACHE' },
  { what: 'privileged mode', read: (p) => p.Environment?.PrivilegedMode, refused: (v) => v === true },
  { what: 'a certificate to install', read: (p) => p.Environment?.Certificate, refused: given },
  { what: 'VPC connectivity', read: (p) => p.VpcConfig, refused: given },
  { what: 'an EFS file system', read: (p) => p.FileSystemLocations, refused: given },
  { what: 'a build badge', read: (p) => p.BadgeEnabled, refused: (v) => v === true },
];

/** `value` with every `Fn::If` replaced by its `branch` (1: condition true, 2: false), and `AWS::NoValue` removed. */
function choose(value: unknown, branch: 1 | 2): unknown {
  if (Array.isArray(value)) return value.map((v) => choose(v, branch)).filter((v) => v !== undefined);
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0][0] === 'Fn::If') return choose((entries[0][1] as unknown[])[branch], branch);
  if (entries.length === 1 && entries[0][0] === 'Ref' && entries[0][1] === 'AWS::NoValue') return undefined;
  return Object.fromEntries(entries.map(([k, v]) => [k, choose(v, branch)]).filter(([, v]) => v !== undefined));
}

/** The settings of each project that runs on Lambda compute (in either branch of its conditions) and that Lambda compute refuses. */
function unsupportedSettings(template: CfnTemplate): Measured[] {
  return resourcesOfType(template, 'AWS::CodeBuild::Project')
    .flatMap(([id, resource]) => {
      const conditional = JSON.stringify(resource.Properties ?? {}).includes('"Fn::If"');
      return ([1, 2] as const).map((branch) => ({
        where: conditional ? `${id} (condition ${branch === 1 ? 'true' : 'false'})` : id,
        props: choose(resource.Properties ?? {}, branch) as any,
      }));
    })
    .filter(({ props }) => LAMBDA_ENVIRONMENT_TYPES.includes(props.Environment?.Type))
    .map(({ where, props }) => {
      const refused = UNSUPPORTED.filter((setting) => setting.refused(setting.read(props))).map((setting) => setting.what);
      return refused.length ? { where, size: refused.length, problem: `Lambda compute with ${refused.join(', ')}` } : { where, size: 0 };
    });
}

/** Lambda compute's limitations as a limit of the proof: no refused setting on a project that runs on it. */
export const LAMBDA_COMPUTE_SETTINGS: AwsLimit = {
  name: 'CodeBuild Lambda compute: no custom timeout, queue timeout, cache, privileged mode, certificate, VPC, EFS or badge',
  max: 0,
  unit: 'refused settings',
  source: SOURCE,
  measure: unsupportedSettings,
  violation: {
    Resources: {
      Bad: {
        Type: 'AWS::CodeBuild::Project',
        Properties: {
          Environment: { Type: 'LINUX_LAMBDA_CONTAINER', ComputeType: 'BUILD_LAMBDA_1GB', Image: 'aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs22' },
          TimeoutInMinutes: { 'Fn::If': ['C', 20, { Ref: 'AWS::NoValue' }] },
          Cache: { Type: 'S3' },
        },
      },
    },
  },
};

/**
 * The minutes a go-live step of verified releases may run, on each project that runs on Lambda
 * compute: its bake time (the VERIFY_RELEASE variable) and the rest of the step.
 */
function goLiveMinutes(template: CfnTemplate): Measured[] {
  return resourcesOfType(template, 'AWS::CodeBuild::Project')
    .flatMap(([id, resource]) => ([1, 2] as const).map((branch) => ({ id, branch, props: choose(resource.Properties ?? {}, branch) as any })))
    .filter(({ props }) => LAMBDA_ENVIRONMENT_TYPES.includes(props.Environment?.Type))
    .flatMap(({ id, props }) => (props.Environment?.EnvironmentVariables ?? [])
      .filter((v: any) => v.Name === 'VERIFY_RELEASE' && typeof v.Value === 'string')
      .map((v: any) => ({ where: `${id} VERIFY_RELEASE`, size: JSON.parse(v.Value).bakeSeconds / 60 + GO_LIVE_MINUTES_BESIDES_BAKE })));
}

/** CodeBuild stops a build on Lambda compute after 15 minutes: the go-live step's bake time must leave it time to finish. */
export const LAMBDA_COMPUTE_GO_LIVE_TIME: AwsLimit = {
  name: 'CodeBuild Lambda compute: a go-live step\'s bake time plus the rest of the step within the 15-minute build limit',
  max: 15,
  unit: 'minutes',
  source: 'https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html',
  measure: goLiveMinutes,
  violation: {
    Resources: {
      Bad: {
        Type: 'AWS::CodeBuild::Project',
        Properties: {
          Environment: {
            Type: 'LINUX_LAMBDA_CONTAINER',
            ComputeType: 'BUILD_LAMBDA_1GB',
            Image: 'aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs22',
            EnvironmentVariables: [{ Name: 'VERIFY_RELEASE', Type: 'PLAINTEXT', Value: JSON.stringify({ bakeSeconds: 660 }) }],
          },
        },
      },
    },
  },
};
