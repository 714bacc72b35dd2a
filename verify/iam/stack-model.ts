import { Stack } from 'aws-cdk-lib';
import { CfnTemplate, TemplateResolver } from './resolve-template';
import { DeployEnvironment } from './resource-attributes';
import { ProjectKind } from '../../src/project-kind';
import { projectKinds } from '../../test/support/project-kinds';
import { resourcesOfType } from '../../test/support/template-resources';

/** An IAM policy document with every intrinsic resolved. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: Array<Record<string, unknown>>;
}

/** A policy and where it comes from (an `AWS::IAM::Policy` logical id, `<role>/<inline name>`, a managed policy). */
export interface NamedPolicy {
  readonly name: string;
  readonly document: PolicyDocument;
}

/** An `AWS::IAM::Role` of the template, resolved. */
export interface RoleModel {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** Who may assume the role; unknown for a role outside the template. */
  readonly trustPolicy?: PolicyDocument;
  /**
   * Whether the role is outside the template (an imported role the template attaches a policy to):
   * only the policies of the template are known.
   */
  readonly external: boolean;
  /** Every identity policy this proof can read: inline, `AWS::IAM::Policy`, managed policies of the template. */
  readonly policies: NamedPolicy[];
  /** ARNs of attached AWS managed policies, whose text this proof cannot read. */
  readonly awsManagedPolicyArns: string[];
}

/** A resource policy of the template: bucket policy, key policy or topic policy. */
export interface ResourcePolicy {
  /** ARN of the bucket, key or topic. */
  readonly resourceArn: string;
  readonly name: string;
  readonly document: PolicyDocument;
}

/** What the proof knows of one synthesized stack. */
export interface StackModel {
  readonly stackName: string;
  /** The kind the library recorded on each CodeBuild project, by logical id. */
  readonly projectKinds: ReadonlyMap<string, ProjectKind>;
  readonly env: DeployEnvironment;
  readonly template: CfnTemplate;
  readonly resolver: TemplateResolver;
  readonly roles: RoleModel[];
  readonly resourcePolicies: ResourcePolicy[];
  /** Every policy of the template, for the check that each action it names exists. */
  readonly allPolicies: NamedPolicy[];
  /** What could not be resolved or read, one line each: each is a failure. */
  readonly problems: string[];
}

const AWS_MANAGED_POLICY = /^arn:[^:]+:iam::aws:policy\//;

/**
 * Reads the roles (identity and trust policies) and the resource policies of `stack`'s synthesized
 * template, every intrinsic resolved for `env`, and the kinds of its projects. What cannot be
 * resolved is a problem line, and the policy it belongs to is left out (so calls it should allow
 * fail too).
 */
export function readStackModel(stack: Stack, template: CfnTemplate, env: DeployEnvironment): StackModel {
  const stackName = stack.stackName;
  const resolver = new TemplateResolver(template, env);
  const problems: string[] = [];
  const attempt = <T>(what: string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      problems.push(`cannot resolve ${what}: ${(e as Error).message}`);
      return undefined;
    }
  };

  const ofType = (type: string) => resourcesOfType(template, type);
  const managedPolicies = ofType('AWS::IAM::ManagedPolicy').flatMap(([id, r]) => {
    const arn = attempt(`${id} ARN`, () => resolver.resolveString({ Ref: id }));
    const document = attempt(`${id} PolicyDocument`, () => resolver.resolve(r.Properties?.PolicyDocument) as PolicyDocument);
    return arn && document ? [{ logicalId: id, arn, policy: { name: id, document }, roles: r.Properties?.Roles ?? [] }] : [];
  });

  const roles: RoleModel[] = ofType('AWS::IAM::Role').flatMap(([id, r]) => {
    const props = r.Properties ?? {};
    const arn = attempt(`${id} Arn`, () => resolver.resolveString({ 'Fn::GetAtt': [id, 'Arn'] }));
    const trustPolicy = attempt(`${id} AssumeRolePolicyDocument`, () => resolver.resolve(props.AssumeRolePolicyDocument) as PolicyDocument);
    if (!arn || !trustPolicy) {
      return [];
    }
    const inline = (props.Policies ?? []).flatMap((p: any) => {
      const document = attempt(`${id} inline policy ${p.PolicyName}`, () => resolver.resolve(p.PolicyDocument) as PolicyDocument);
      return document ? [{ name: `${id}/${p.PolicyName}`, document }] : [];
    });
    const awsManagedPolicyArns: string[] = [];
    const managed: NamedPolicy[] = [];
    for (const value of props.ManagedPolicyArns ?? []) {
      const managedArn = attempt(`${id} ManagedPolicyArns`, () => resolver.resolveString(value));
      const ours = managedPolicies.find((m) => m.arn === managedArn);
      if (ours) {
        managed.push(ours.policy);
      } else if (managedArn && AWS_MANAGED_POLICY.test(managedArn)) {
        awsManagedPolicyArns.push(managedArn);
      } else if (managedArn) {
        problems.push(`${id} attaches ${managedArn}, a customer managed policy outside the template this proof cannot read`);
      }
    }
    return [{
      logicalId: id,
      name: resolver.physicalName(id),
      arn,
      trustPolicy,
      external: false,
      policies: [...inline, ...managed],
      awsManagedPolicyArns,
    }];
  });

  attachPolicies(roles, ofType('AWS::IAM::Policy'), resolver, attempt);
  for (const m of managedPolicies) {
    attachPolicy(roles, m.policy, m.roles, resolver, attempt, m.logicalId);
  }

  const resourcePolicies = readResourcePolicies(Object.entries(template.Resources), resolver, attempt);
  const allPolicies = [
    ...roles.flatMap((r) => [...r.trustPolicy ? [{ name: `${r.logicalId} trust policy`, document: r.trustPolicy }] : [], ...r.policies]),
    ...resourcePolicies,
  ];
  return {
    stackName, projectKinds: projectKinds(stack), env, template, resolver, roles, resourcePolicies, allPolicies: dedupe(allPolicies), problems,
  };
}

/** Returns the resource policy that applies to a request on `arn`: bucket (and its objects), key, topic, or role trust. */
export function resourcePolicyFor(model: StackModel, arn: string): PolicyDocument | undefined {
  const role = model.roles.find((r) => r.arn === arn);
  if (role) {
    return role.trustPolicy;
  }
  const bucket = /^(arn:[^:]+:s3:::[^/]+)(\/.*)?$/.exec(arn)?.[1];
  return model.resourcePolicies.find((p) => p.resourceArn === (bucket ?? arn))?.document;
}

type Attempt = <T>(what: string, fn: () => T) => T | undefined;

/** Adds each `AWS::IAM::Policy` to the roles it names. */
function attachPolicies(roles: RoleModel[], policies: Array<[string, any]>, resolver: TemplateResolver, attempt: Attempt): void {
  for (const [id, p] of policies) {
    const document = attempt(`${id} PolicyDocument`, () => resolver.resolve(p.Properties?.PolicyDocument) as PolicyDocument);
    if (document) {
      attachPolicy(roles, { name: id, document }, p.Properties?.Roles ?? [], resolver, attempt, id);
    }
  }
}

/**
 * Adds `policy` to the roles named in `roleNames`; a name of no role of the template is an imported
 * role, added as an external role (the template gives it rights, so the proof checks them).
 */
function attachPolicy(roles: RoleModel[], policy: NamedPolicy, roleNames: unknown[], resolver: TemplateResolver, attempt: Attempt, id: string): void {
  const { partition, account } = resolver.env;
  for (const value of roleNames) {
    const name = attempt(`${id} Roles`, () => resolver.resolveString(value));
    if (name === undefined) {
      continue;
    }
    let role = roles.find((r) => r.name === name);
    if (!role) {
      role = { logicalId: name, name, arn: `arn:${partition}:iam::${account}:role/${name}`, external: true, policies: [], awsManagedPolicyArns: [] };
      roles.push(role);
    }
    role.policies.push(policy);
  }
}

/** The bucket, key and topic policies of the template. */
function readResourcePolicies(resources: Array<[string, any]>, resolver: TemplateResolver, attempt: Attempt): ResourcePolicy[] {
  const { partition } = resolver.env;
  return resources.flatMap(([id, r]): ResourcePolicy[] => {
    const props = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::S3::BucketPolicy': {
        const bucket = attempt(`${id} Bucket`, () => resolver.resolveString(props.Bucket));
        const document = attempt(`${id} PolicyDocument`, () => resolver.resolve(props.PolicyDocument) as PolicyDocument);
        return bucket && document ? [{ resourceArn: `arn:${partition}:s3:::${bucket}`, name: id, document }] : [];
      }
      case 'AWS::KMS::Key': {
        const arn = attempt(`${id} Arn`, () => resolver.resolveString({ 'Fn::GetAtt': [id, 'Arn'] }));
        const document = attempt(`${id} KeyPolicy`, () => resolver.resolve(props.KeyPolicy) as PolicyDocument);
        return arn && document ? [{ resourceArn: arn, name: `${id} key policy`, document }] : [];
      }
      case 'AWS::SNS::TopicPolicy': {
        const document = attempt(`${id} PolicyDocument`, () => resolver.resolve(props.PolicyDocument) as PolicyDocument);
        const topics = (props.Topics ?? []).map((t: unknown) => attempt(`${id} Topics`, () => resolver.resolveString(t)));
        return document ? topics.filter(Boolean).map((arn: string) => ({ resourceArn: arn, name: id, document })) : [];
      }
      default:
        return [];
    }
  });
}

/** The policies once each (a policy attached to two roles, a topic policy of two topics). */
function dedupe(policies: NamedPolicy[]): NamedPolicy[] {
  return [...new Map(policies.map((p) => [p.name, p])).values()];
}
