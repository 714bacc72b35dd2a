/**
 * The AWS quotas and format rules a synthesized template meets, each checked on the template as
 * CloudFormation will resolve it: unresolved values are counted at their longest (a region at the
 * longest region name, an ARN or id at 150 characters), so a check passes only if every account
 * and region passes.
 */
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { FLEET_RELEASE_LIMITS } from './fleet-release';
import { LAMBDA_COMPUTE_GO_LIVE_TIME, LAMBDA_COMPUTE_SETTINGS } from './lambda-compute';
import { RULE_BUDGET, storeBytesAtBudget } from './rule-budget';
import { PREVIEW_RECORD_BYTES } from '../../src/static-site/previews';
import { PREVIEW_ENV } from '../../src/static-site/release-contract';
import { resourcesOfType } from '../../test/support/template-resources';

/** One value a template gives a limited thing, and where. */
export interface Measured {
  /** Logical id (and property) of what was measured. */
  readonly where: string;
  /** Its size (characters, bytes or count), or -1 for a value that breaks a format rule. */
  readonly size: number;
  /** What is wrong when it breaks a format rule. */
  readonly problem?: string;
}

/** A quota or format rule of AWS that templates meet. */
export interface AwsLimit {
  /** What is limited, e.g. 'CodeBuild inline buildspec'. */
  readonly name: string;
  /** The limit, in the unit of `measure`. */
  readonly max: number;
  /** The unit, for the report. */
  readonly unit: string;
  /** Where AWS states it. */
  readonly source: string;
  /** A template that breaks the limit: the check must fail on it (its negative control). */
  readonly violation: CfnTemplate;
  /** Every value of `template` this limit applies to. */
  measure(template: CfnTemplate): Measured[];
}

/** A CloudFormation template as JSON. */
export interface CfnTemplate {
  readonly Resources?: Record<string, { Type: string; Properties?: any; DependsOn?: unknown }>;
  readonly Outputs?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** A value that breaks `limit` in `template`. */
export interface LimitViolation {
  readonly limit: string;
  readonly where: string;
  readonly detail: string;
}

const LONGEST_REGION = 'x'.repeat(Math.max(...RegionInfo.regions.map((r) => r.name.length)));
/** What an ARN, id or name CloudFormation fills in counts as; letters only, so format rules pass. */
const UNRESOLVED = 'x'.repeat(150);
const PSEUDO: Record<string, string> = {
  'AWS::Region': LONGEST_REGION,
  'AWS::AccountId': '123456789012',
  'AWS::Partition': 'aws-iso-b',
  'AWS::URLSuffix': 'amazonaws.com.cn',
  'AWS::StackName': 'x'.repeat(128),
  'AWS::NoValue': '',
};

/** The longest string `value` can become once CloudFormation resolves it. */
export function resolvedText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return JSON.stringify(value.map(resolvedText));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [fn, arg] = entries[0] as [string, any];
      if (fn === 'Ref') return PSEUDO[arg] ?? UNRESOLVED;
      if (fn === 'Fn::Join') return (arg[1] as unknown[]).map(resolvedText).join(arg[0]);
      if (fn === 'Fn::If') return [resolvedText(arg[1]), resolvedText(arg[2])].sort((a, b) => b.length - a.length)[0];
      if (fn === 'Fn::Sub') return String(typeof arg === 'string' ? arg : arg[0]).replace(/\$\{[^}]*\}/g, UNRESOLVED);
      if (fn.startsWith('Fn::')) return UNRESOLVED;
    }
    return resolvedJson(value);
  }
  return '';
}

/** `value` as JSON once resolved: objects keep their shape, intrinsic functions become their longest string. */
function resolvedJson(value: unknown): string {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return JSON.stringify(resolvedText(value));
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${resolvedJson(v)}`).join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(resolvedJson).join(',')}]`;
  return JSON.stringify(value);
}

/** The properties of each resource of `type`, with its logical id. */
function resources(template: CfnTemplate, type: string): Array<[string, any]> {
  return resourcesOfType(template, type).map(([id, r]) => [id, r.Properties ?? {}]);
}

/** A size per resource of `type`, of the property `read` returns (skipped when absent). */
function sizes(template: CfnTemplate, type: string, label: string, read: (props: any) => unknown, size: (v: unknown) => number): Measured[] {
  return resources(template, type)
    .filter(([, props]) => read(props) !== undefined)
    .map(([id, props]) => ({ where: `${id}.${label}`, size: size(read(props)) }));
}

const chars = (v: unknown) => resolvedText(v).length;
const bytes = (v: unknown) => Buffer.byteLength(resolvedText(v));
/** IAM counts policy size without whitespace. */
const policyChars = (v: unknown) => resolvedJson(v).length;

/** A name rule: a resource type's name property, its length and characters. */
function nameRule(name: string, type: string, property: string, max: number, pattern: RegExp, source: string): AwsLimit {
  const read = (props: any) => property.split('.').reduce((v, k) => v?.[k], props);
  return {
    name,
    max,
    unit: 'characters',
    source,
    measure: (template) => resources(template, type)
      .filter(([, props]) => read(props) !== undefined)
      // A name made of a value of the user's own (a parameter, another resource's name) is theirs to keep valid.
      .filter(([, props]) => !resolvedText(read(props)).includes(UNRESOLVED))
      .map(([id, props]) => {
        const text = resolvedText(read(props));
        return pattern.test(text)
          ? { where: `${id}.${property}`, size: text.length }
          : { where: `${id}.${property}`, size: -1, problem: `'${text.slice(0, 80)}' does not match ${pattern}` };
      }),
    // Too long, and with characters no name rule takes.
    violation: { Resources: { Bad: { Type: type, Properties: setPath(property, `bad name!${'y'.repeat(max)}`) } } },
  };
}

function setPath(path: string, value: unknown): any {
  return path.split('.').reduceRight<unknown>((v, k) => ({ [k]: v }), value);
}

function resource(type: string, properties: object): CfnTemplate {
  return { Resources: { Bad: { Type: type, Properties: properties } } };
}

function manyResources(n: number): Record<string, { Type: string }> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`R${i}`, { Type: 'AWS::SNS::Topic' }]));
}

/** The roles of a template and the managed policies attached to each (by ARN or by resource). */
function managedPoliciesPerRole(template: CfnTemplate): Measured[] {
  const counts = new Map<string, number>(resources(template, 'AWS::IAM::Role').map(([id, props]) => [id, (props.ManagedPolicyArns ?? []).length]));
  for (const [, props] of resources(template, 'AWS::IAM::ManagedPolicy')) {
    for (const role of props.Roles ?? []) {
      if (role?.Ref && counts.has(role.Ref)) counts.set(role.Ref, counts.get(role.Ref)! + 1);
    }
  }
  return [...counts].map(([id, n]) => ({ where: `${id} managed policies`, size: n }));
}

/** Inline policies per role, summed: IAM's quota is on the aggregate of a role's inline policies. */
function inlinePolicyCharsPerRole(template: CfnTemplate): Measured[] {
  const total = new Map<string, number>();
  for (const [, props] of resources(template, 'AWS::IAM::Policy')) {
    for (const role of props.Roles ?? []) {
      const key = role?.Ref ?? resolvedText(role);
      total.set(key, (total.get(key) ?? 0) + policyChars(props.PolicyDocument));
    }
  }
  return [...total].map(([id, n]) => ({ where: `${id} inline policies`, size: n }));
}

const IAM_QUOTAS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html';
const CFN_QUOTAS = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html';
const CLOUDFRONT_QUOTAS = 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html';

/** Every limit the proof checks. */
export const AWS_LIMITS: AwsLimit[] = [
  {
    name: 'CodeBuild inline buildspec',
    max: 25600,
    unit: 'characters',
    source: 'https://github.com/aws/aws-cdk/issues/30326 (CreateProject: "Max buildspec length is 25600")',
    measure: (t) => sizes(t, 'AWS::CodeBuild::Project', 'Source.BuildSpec', (p) => p.Source?.BuildSpec, chars),
    violation: resource('AWS::CodeBuild::Project', { Source: { Type: 'NO_SOURCE', BuildSpec: 'x'.repeat(25601) } }),
  },
  {
    name: 'CodePipeline action configuration value',
    max: 1000,
    unit: 'characters',
    source: 'https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html',
    measure: (t) => resources(t, 'AWS::CodePipeline::Pipeline').flatMap(([id, p]) => (p.Stages ?? []).flatMap((stage: any) =>
      (stage.Actions ?? []).flatMap((action: any) => Object.entries<unknown>(action.Configuration ?? {}).map(([key, value]) =>
        ({ where: `${id}.${stage.Name}.${action.Name}.${key}`, size: chars(value) }))))),
    violation: resource('AWS::CodePipeline::Pipeline', { Stages: [{ Name: 'S', Actions: [{ Name: 'A', Configuration: { EnvironmentVariables: 'x'.repeat(1001) } }] }] }),
  },
  {
    name: 'CloudFront Function code',
    max: 10240,
    unit: 'bytes',
    source: `${CLOUDFRONT_QUOTAS}#limits-functions`,
    measure: (t) => sizes(t, 'AWS::CloudFront::Function', 'FunctionCode', (p) => p.FunctionCode, bytes),
    violation: resource('AWS::CloudFront::Function', { FunctionCode: 'x'.repeat(10241) }),
  },
  {
    name: 'IAM customer managed policy (without whitespace)',
    max: 6144,
    unit: 'characters',
    source: IAM_QUOTAS,
    measure: (t) => sizes(t, 'AWS::IAM::ManagedPolicy', 'PolicyDocument', (p) => p.PolicyDocument, policyChars),
    violation: resource('AWS::IAM::ManagedPolicy', { PolicyDocument: { Statement: [{ Action: 'x'.repeat(6144) }] } }),
  },
  {
    name: 'IAM inline policies of one role (without whitespace)',
    max: 10240,
    unit: 'characters',
    source: IAM_QUOTAS,
    measure: inlinePolicyCharsPerRole,
    violation: resource('AWS::IAM::Policy', { Roles: [{ Ref: 'R' }], PolicyDocument: { Statement: [{ Action: 'x'.repeat(10240) }] } }),
  },
  {
    name: 'IAM role trust policy (without whitespace)',
    max: 2048,
    unit: 'characters',
    source: IAM_QUOTAS,
    measure: (t) => sizes(t, 'AWS::IAM::Role', 'AssumeRolePolicyDocument', (p) => p.AssumeRolePolicyDocument, policyChars),
    violation: resource('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [{ Principal: 'x'.repeat(2048) }] } }),
  },
  {
    name: 'IAM managed policies attached to one role',
    max: 10,
    unit: 'policies',
    source: IAM_QUOTAS,
    measure: managedPoliciesPerRole,
    violation: resource('AWS::IAM::Role', { ManagedPolicyArns: Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`) }),
  },
  {
    name: 'CodeDeploy alarms of one deployment group',
    max: 10,
    unit: 'alarms',
    source: 'https://docs.aws.amazon.com/codedeploy/latest/userguide/limits.html',
    measure: (t) => sizes(t, 'AWS::CodeDeploy::DeploymentGroup', 'AlarmConfiguration.Alarms', (p) => p.AlarmConfiguration?.Alarms, (v) => (v as unknown[]).length),
    violation: resource('AWS::CodeDeploy::DeploymentGroup', { AlarmConfiguration: { Alarms: Array.from({ length: 11 }, (_, i) => ({ Name: `a${i}` })) } }),
  },
  {
    name: 'CloudFormation template body',
    max: 1_000_000,
    unit: 'bytes',
    source: CFN_QUOTAS,
    measure: (t) => [{ where: 'template', size: Buffer.byteLength(JSON.stringify(t, undefined, 1)) }],
    violation: { Resources: { Bad: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'x'.repeat(1_000_001) } } } },
  },
  {
    name: 'CloudFormation resources of one stack',
    max: 500,
    unit: 'resources',
    source: CFN_QUOTAS,
    measure: (t) => [{ where: 'template', size: Object.keys(t.Resources ?? {}).length }],
    violation: { Resources: manyResources(501) },
  },
  {
    name: 'CloudFormation outputs of one stack',
    max: 200,
    unit: 'outputs',
    source: CFN_QUOTAS,
    measure: (t) => [{ where: 'template', size: Object.keys(t.Outputs ?? {}).length }],
    violation: { Outputs: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`O${i}`, { Value: 'x' }])) },
  },
  {
    name: 'CodePipeline pull request filters of one trigger',
    max: 3,
    unit: 'filters',
    source: 'https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_GitConfiguration.html',
    measure: (t) => resources(t, 'AWS::CodePipeline::Pipeline').flatMap(([id, p]) => (p.Triggers ?? []).map((trigger: any, i: number) =>
      ({ where: `${id}.Triggers[${i}]`, size: (trigger.GitConfiguration?.PullRequest ?? []).length }))),
    violation: resource('AWS::CodePipeline::Pipeline', { Triggers: [{ GitConfiguration: { PullRequest: [{}, {}, {}, {}] } }] }),
  },
  {
    name: 'CloudFront KeyValueStore size taken by previews at maxPreviews',
    max: 5 * 1024 * 1024,
    unit: 'bytes',
    source: `${CLOUDFRONT_QUOTAS}#limits-keyvaluestores`,
    measure: (t) => resources(t, 'AWS::CodeBuild::Project').flatMap(([id, p]) => (p.Environment?.EnvironmentVariables ?? [])
      .filter((v: any) => v.Name === PREVIEW_ENV.maxPreviews)
      .map((v: any) => ({ where: `${id} ${PREVIEW_ENV.maxPreviews}`, size: Number(resolvedText(v.Value)) * PREVIEW_RECORD_BYTES }))),
    violation: resource('AWS::CodeBuild::Project', { Environment: { EnvironmentVariables: [{ Name: PREVIEW_ENV.maxPreviews, Value: '100000' }] } }),
  },
  nameRule('CodePipeline pipeline name', 'AWS::CodePipeline::Pipeline', 'Name', 100, /^[A-Za-z0-9.@_-]{1,100}$/,
    'https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html'),
  nameRule('CodeBuild project name', 'AWS::CodeBuild::Project', 'Name', 255, /^[A-Za-z0-9][A-Za-z0-9_-]{1,254}$/,
    'https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html'),
  nameRule('CloudWatch Logs log group name', 'AWS::Logs::LogGroup', 'LogGroupName', 512, /^[.\-_/#A-Za-z0-9]{1,512}$/,
    'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html'),
  nameRule('CloudFront Function name', 'AWS::CloudFront::Function', 'Name', 64, /^[a-zA-Z0-9\-_]{1,64}$/,
    'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateFunction.html'),
  nameRule('CloudFront KeyValueStore name', 'AWS::CloudFront::KeyValueStore', 'Name', 64, /^[a-zA-Z0-9-_]{1,64}$/,
    'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_CreateKeyValueStore.html'),
  nameRule('CloudFront origin access control name', 'AWS::CloudFront::OriginAccessControl', 'OriginAccessControlConfig.Name', 64, /^.{1,64}$/,
    'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html'),
  nameRule('CloudFront response headers policy name', 'AWS::CloudFront::ResponseHeadersPolicy', 'ResponseHeadersPolicyConfig.Name', 128, /^[A-Za-z0-9_-]{1,128}$/,
    'https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ResponseHeadersPolicyConfig.html'),
  nameRule('IAM managed policy name', 'AWS::IAM::ManagedPolicy', 'ManagedPolicyName', 128, /^[\w+=,.@-]{1,128}$/, IAM_QUOTAS),
  nameRule('IAM role name', 'AWS::IAM::Role', 'RoleName', 64, /^[\w+=,.@-]{1,64}$/, IAM_QUOTAS),
  nameRule('CodeDeploy deployment group name', 'AWS::CodeDeploy::DeploymentGroup', 'DeploymentGroupName', 100, /^.{1,100}$/,
    'https://docs.aws.amazon.com/codedeploy/latest/userguide/limits.html'),
  LAMBDA_COMPUTE_SETTINGS,
  LAMBDA_COMPUTE_GO_LIVE_TIME,
  ...FLEET_RELEASE_LIMITS,
];

/**
 * The store bytes a site takes at the rule budget: its go-live step's releasesToKeep (from the
 * `release.js publish` command) and its previews' maxPreviews, when it loads `_redirects` or `_headers`.
 */
function ruleBudgetBytes(template: CfnTemplate): Measured[] {
  const projects = resources(template, 'AWS::CodeBuild::Project');
  const previews = Math.max(0, ...projects.flatMap(([, p]) => (p.Environment?.EnvironmentVariables ?? [])
    .filter((v: any) => v.Name === PREVIEW_ENV.maxPreviews).map((v: any) => Number(resolvedText(v.Value)))));
  return projects.flatMap(([id, p]) => {
    const text = resolvedText(p.Source?.BuildSpec ?? '');
    let commands: string[] = [text];
    try {
      commands = JSON.parse(text).phases.build.commands;
    } catch {
      // Not a JSON buildspec: its text is the command.
    }
    const publish = commands.map((c) => /release\.js"? publish \S+ (\d+) \S+ '(\{.*\})'$/.exec(c)).find(Boolean);
    if (!publish) return [];
    const rules = JSON.parse(publish[2].replace(/'\\''/g, "'"));
    return rules.redirects || rules.headers ? [{ where: `${id} (releasesToKeep ${publish[1]}, ${previews} previews)`, size: storeBytesAtBudget(Number(publish[1]), previews) }] : [];
  });
}

/**
 * The scale of `_redirects` and `_headers` as a limit: the KeyValueStore holds the rule budget of
 * every release and preview of the site, at its releasesToKeep and maxPreviews. Checked on the
 * example stacks (at the defaults), not on every fuzz case: with more releases or previews fewer
 * rules fit, which the go-live step checks when it writes them (it fails before the switch).
 */
export const RULE_BUDGET_LIMIT: AwsLimit = {
  name: `CloudFront KeyValueStore size at the rule budget (${RULE_BUDGET.exact} exact and ${RULE_BUDGET.patterns} pattern redirects, `
    + `${RULE_BUDGET.headerBlocks} header blocks per release, every release and preview)`,
  max: 5 * 1024 * 1024,
  unit: 'bytes',
  source: `${CLOUDFRONT_QUOTAS}#limits-keyvaluestores`,
  measure: ruleBudgetBytes,
  violation: {
    Resources: {
      GoLive: { Type: 'AWS::CodeBuild::Project', Properties: { Source: { BuildSpec: 'node "$RELEASE_PROGRAM_DIR/release.js" publish . 100 404.html \'{"redirects":true,"headers":true}\'' } } },
    },
  },
};

/** What breaks a limit in `template`. */
export function checkLimit(limit: AwsLimit, template: CfnTemplate): LimitViolation[] {
  return limit.measure(template)
    .filter((m) => m.size < 0 || m.size > limit.max)
    .map((m) => ({
      limit: limit.name,
      where: m.where,
      detail: m.problem ?? `${m.size} ${limit.unit}, over the limit of ${limit.max}`,
    }));
}

/** Every limit `template` breaks. */
export function checkLimits(template: CfnTemplate): LimitViolation[] {
  return AWS_LIMITS.flatMap((limit) => checkLimit(limit, template));
}

/** The largest value of each limit in `template`, as a fraction of the limit. */
export function largestFractions(template: CfnTemplate): Map<string, number> {
  return new Map(AWS_LIMITS.map((limit) => [limit.name, Math.max(0, ...limit.measure(template).map((m) => m.size)) / limit.max]));
}
