import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';

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
 */
export function suppressNagFindings(construct: IConstruct, suppressions: NagFindingSuppression[]): void {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild as CfnResource;
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

/**
 * The finding cdk-nag's IAM5 reports for a grant on every object of `bucket`: `Resource::<Id.Arn>/*`
 * for a bucket of this app, the ARN itself for an imported one.
 */
function objectsFinding(bucket: s3.IBucket): string {
  const cfnBucket = bucket.node.defaultChild;
  if (cfnBucket instanceof CfnResource) {
    return `Resource::<${Stack.of(cfnBucket).getLogicalId(cfnBucket)}.Arn>/*`;
  }
  return `Resource::${bucket.arnForObjects('*')}`;
}

/**
 * Accepts the `bucket/*` resource of a grant to `grantee` on the objects of `bucket`: S3 object ARNs
 * need a wildcard whenever the keys are chosen at run time (build artifacts, site files).
 */
export function suppressObjectsWildcard(grantee: iam.IGrantable, bucket: s3.IBucket, reason: string): void {
  const policy = grantee.grantPrincipal instanceof iam.Role
    ? grantee.grantPrincipal.node.tryFindChild('DefaultPolicy')
    : undefined;
  if (policy) {
    suppressNagFindings(policy, [{ id: 'AwsSolutions-IAM5', reason, appliesTo: [objectsFinding(bucket)] }]);
  }
}
