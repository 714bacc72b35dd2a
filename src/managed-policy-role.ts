import { CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * The most a managed policy of this library holds, by `estimateStatementSize`: IAM's quota is 6,144
 * characters; aws-cdk-lib splits its own policies at the same 6,000.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length
 */
export const MAX_MANAGED_POLICY_SIZE = 6000;

/**
 * What an unresolved value (a resource's ARN or name) is counted as: aws-cdk-lib's own estimate of
 * an ARN (`@aws-cdk/aws-iam:estimateArnSize`).
 */
const TOKEN_SIZE = 150;

/** Pseudo parameters (partition, region, account, URL suffix): short once resolved. */
const PSEUDO_TOKEN = /\$\{Token\[AWS\.(Partition|Region|AccountId|URLSuffix)\.\d+\]\}/g;
const PSEUDO_TOKEN_SIZE = 20;

/** Any other string token, as aws-cdk-lib encodes it (`${Token[...]}`, `#{Token[...]}` for lists). */
const TOKEN = /[$#]\{Token\[[^\]]*\]\}/g;

/**
 * Estimates how many characters `statement` adds to a policy once deployed: its JSON, with every
 * unresolved value counted as an ARN. Tokens are not resolved, so the estimate can be made while
 * the app is being built.
 */
export function estimateStatementSize(statement: iam.PolicyStatement): number {
  return measure(statement.toStatementJson());
}

function measure(value: unknown): number {
  if (typeof value === 'string') {
    return 3 + value
      .replace(PSEUDO_TOKEN, '-'.repeat(PSEUDO_TOKEN_SIZE))
      .replace(TOKEN, '-'.repeat(TOKEN_SIZE))
      .length;
  }
  if (Array.isArray(value)) {
    return 3 + value.reduce((n: number, v) => n + measure(v), 0);
  }
  if (value !== null && typeof value === 'object') {
    return 3 + Object.entries(value).reduce((n, [k, v]) => n + k.length + 3 + measure(v), 0);
  }
  return 1 + String(value).length;
}

/**
 * A role whose statements go to customer managed policies instead of an inline policy: the
 * NIST 800-53, HIPAA and PCI DSS packs (AWS Config `iam-no-inline-policy-check`) reject inline
 * policies. The first policy is created with the first statement (an empty managed policy is
 * invalid) and keeps the `DefaultPolicy` id, so code that looks up a role's policy finds it.
 *
 * A managed policy holds 6,144 characters (an inline one 10,240, and aws-cdk-lib splits those):
 * a statement that would take the current policy over `MAX_MANAGED_POLICY_SIZE` starts the next
 * one, `OverflowPolicy1`, `OverflowPolicy2`... Each takes the cdk-nag suppressions of
 * `DefaultPolicy` (`suppressNagFindings` on `DefaultPolicy` applies to all of them).
 */
export class ManagedPolicyRole extends iam.Role {
  private readonly policies: iam.ManagedPolicy[] = [];
  private currentSize = 0;
  /** The statements added so far (as JSON) and the policy holding each: a grant made twice (one project in two pipeline actions) is added once. */
  private readonly added = new Map<string, iam.ManagedPolicy>();

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    super(scope, id, props);
  }

  /** The policies holding the role's statements: `DefaultPolicy`, then any overflow policies. */
  public get statementPolicies(): iam.ManagedPolicy[] {
    return [...this.policies];
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    const json = JSON.stringify(statement.toStatementJson());
    const holder = this.added.get(json);
    if (holder) {
      return { statementAdded: true, policyDependable: holder };
    }
    const size = estimateStatementSize(statement);
    if (this.policies.length === 0 || this.currentSize + size > MAX_MANAGED_POLICY_SIZE) {
      this.startPolicy();
    }
    const policy = this.policies[this.policies.length - 1];
    policy.addStatements(statement);
    this.added.set(json, policy);
    this.currentSize += size;
    return { statementAdded: true, policyDependable: policy };
  }

  private startPolicy(): void {
    const first = this.policies[0];
    const id = first ? `OverflowPolicy${this.policies.length}` : 'DefaultPolicy';
    const policy = new iam.ManagedPolicy(this, id, { roles: [this] });
    if (first) {
      // The suppressions written on DefaultPolicy so far; later ones reach every policy.
      const suppressions = (first.node.defaultChild as CfnResource).getMetadata('cdk_nag');
      if (suppressions) {
        (policy.node.defaultChild as CfnResource).addMetadata('cdk_nag', suppressions);
      }
    }
    this.policies.push(policy);
    this.currentSize = 0;
  }
}

/**
 * The role of one pipeline action, trusted by the pipeline role alone (aws-cdk-lib's own action
 * roles trust the whole account unless @aws-cdk/aws-codepipeline:reduceStageRoleTrustScope is on).
 */
export function pipelineActionRole(scope: Construct, id: string, pipelineRole: iam.IRole, description?: string): iam.Role {
  return new ManagedPolicyRole(scope, id, { assumedBy: new iam.ArnPrincipal(pipelineRole.roleArn), description });
}

/**
 * A grantee standing for a role this app may not own (an imported one): what is granted to it
 * goes to a customer managed policy attached to the role, where aws-cdk-lib would attach an inline
 * policy. The policy is created with the first statement.
 */
export class ManagedPolicyGrantee extends iam.PrincipalBase {
  public readonly assumeRoleAction: string;
  public readonly principalAccount: string | undefined;
  /** The managed policy, once something was granted. */
  public policy?: iam.ManagedPolicy;

  constructor(public readonly policyScope: Construct, private readonly id: string, private readonly role: iam.IRole) {
    super();
    this.assumeRoleAction = role.assumeRoleAction;
    this.principalAccount = role.principalAccount;
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.role.policyFragment;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy ??= new iam.ManagedPolicy(this.policyScope, this.id, { roles: [this.role] });
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }

  public dedupeString(): string | undefined {
    return undefined;
  }
}
