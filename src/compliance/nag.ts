import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { ManagedPolicyGrantee, ManagedPolicyRole } from '../managed-policy-role';

/** A cdk-nag finding this library accepts, and why AWS makes it unavoidable. */
export interface NagFindingSuppression {
  /** Rule id, e.g. 'AwsSolutions-IAM5'. */
  readonly id: string;
  /** Why the finding cannot be fixed. */
  readonly reason: string;
  /** The exact findings (e.g. 'Resource::<Bucket.Arn>/*') the suppression covers; every finding of the rule when absent. */
  readonly appliesTo?: string[];
}

/**
 * Records suppressions in the `cdk_nag` metadata of the resource behind `construct`, the format
 * cdk-nag reads. Writing the metadata directly keeps cdk-nag out of the library's dependencies.
 * On the `DefaultPolicy` of a `ManagedPolicyRole`, they go to each of the role's policies.
 */
export function suppressNagFindings(construct: IConstruct, suppressions: NagFindingSuppression[]): void {
  const role = construct.node.scope;
  if (construct instanceof iam.ManagedPolicy && role instanceof ManagedPolicyRole) {
    role.statementPolicies.forEach((policy) => suppressResourceFindings(policy, suppressions));
  } else {
    suppressResourceFindings(construct, suppressions);
  }
}

function suppressResourceFindings(construct: IConstruct, suppressions: NagFindingSuppression[]): void {
  const resource = cfnResourceOf(construct);
  const rules: any[] = [...resource.getMetadata('cdk_nag')?.rules_to_suppress ?? []];
  for (const s of suppressions) {
    const rule = { id: s.id, reason: s.reason, ...(s.appliesTo ? { applies_to: s.appliesTo } : {}) };
    // Two grants on the same bucket to the same role ask for the same suppression once.
    if (!rules.some((r) => JSON.stringify(r) === JSON.stringify(rule))) {
      rules.push(rule);
    }
  }
  resource.addMetadata('cdk_nag', { rules_to_suppress: rules });
}

/** The resource behind a construct: itself when it is one, else its default child. */
export function cfnResourceOf(construct: IConstruct): CfnResource {
  return construct instanceof CfnResource ? construct : construct.node.defaultChild as CfnResource;
}

/** Rule id prefixes of cdk-nag's compliance packs besides AwsSolutions. */
export const NIST = 'NIST.800.53.R5';
export const HIPAA = 'HIPAA.Security';
export const PCI = 'PCI.DSS.321';

/**
 * The suppressions of `rules` in each of `packs` (cdk-nag prefixes a rule id with its pack's), all
 * for one reason: the packs share most rules, and a finding unavoidable in one is in all.
 */
export function inPacks(rules: string[], reason: string, packs: string[] = [NIST, HIPAA, PCI]): NagFindingSuppression[] {
  return packs.flatMap((pack) => rules.map((rule) => ({ id: `${pack}-${rule}`, reason })));
}

/**
 * Returns the finding cdk-nag's IAM5 reports for an IAM resource ARN of `scope`'s stack:
 * `Resource::` and the ARN with `Ref`s as `<Id>` and `Fn::GetAtt`s as `<Id.Attr>`, as cdk-nag
 * flattens them, so a suppression can name exactly that resource.
 */
export function nagResourceFinding(scope: IConstruct, arn: string): string {
  return `Resource::${flatten(Stack.of(scope).resolve(arn))}`;
}

/**
 * Returns the policy construct that holds the statements added to a principal: the
 * `DefaultPolicy` of a role of this app, the `Policy` aws-cdk-lib attaches to an imported role,
 * or undefined for principals that are not roles.
 */
export function principalPolicyOf(principal: iam.IPrincipal): IConstruct | undefined {
  if (principal instanceof ManagedPolicyGrantee) return principal.policy;
  if (!Construct.isConstruct(principal)) return undefined;
  return principal.node.tryFindChild('DefaultPolicy') ?? principal.node.tryFindChild('Policy');
}

/**
 * Accepts the `bucket/*` resource of a grant to `grantee` on the objects of `bucket`: S3 object ARNs
 * need a wildcard whenever the keys are chosen at run time (build artifacts, site files).
 */
export function suppressObjectsWildcard(grantee: iam.IGrantable, bucket: s3.IBucket, reason: string): void {
  const policy = principalPolicyOf(grantee.grantPrincipal);
  if (policy) {
    suppressNagFindings(policy, [{ id: 'AwsSolutions-IAM5', reason, appliesTo: [nagResourceFinding(policy, bucket.arnForObjects('*'))] }]);
  }
}

/** Returns a resolved CloudFormation value as the flat string cdk-nag matches suppressions against. */
function flatten(value: unknown): string {
  if (typeof value === 'string') {
    return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  }
  const node = value as Record<string, any>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'];
    return (items as unknown[]).map(flatten).join(delimiter);
  }
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'];
    return `<${resource}.${attribute}>`;
  }
  if (node.Ref) {
    return `<${node.Ref}>`;
  }
  return JSON.stringify(value);
}
