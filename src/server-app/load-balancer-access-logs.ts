import { Aws, CfnMapping, Fn, Stack, Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { regionIsOneOf } from '../region-condition';

/**
 * Turns on the access logs of `loadBalancer`, delivered to `bucket` under `prefix`.
 *
 * In a stack with a region, aws-cdk-lib's `logAccessLogs` grants that region's Elastic Load
 * Balancing account. In an environment-agnostic stack the region is known only at deploy time, so
 * the bucket policy grants both ways AWS documents: the `logdelivery.elasticloadbalancing` service
 * principal (Regions opened from August 2022) and, in the older Regions, their Elastic Load
 * Balancing account, picked from a mapping. In the newer Regions that second statement names the
 * stack's own account instead, which grants nothing a same-account principal did not have.
 *
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
 */
export function logAccessLogs(loadBalancer: elbv2.ApplicationLoadBalancer, bucket: s3.IBucket, prefix: string): void {
  if (!Token.isUnresolved(Stack.of(loadBalancer).region)) {
    loadBalancer.logAccessLogs(bucket, prefix);
    return;
  }
  loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
  loadBalancer.setAttribute('access_logs.s3.bucket', bucket.bucketName);
  loadBalancer.setAttribute('access_logs.s3.prefix', prefix);
  const logs = bucket.arnForObjects(`${prefix}/AWSLogs/${Aws.ACCOUNT_ID}/*`);
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com')],
    actions: ['s3:PutObject'],
    resources: [logs],
  }));
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ArnPrincipal(legacyRegionAccountRoot(Stack.of(loadBalancer)))],
    actions: ['s3:PutObject'],
    resources: [logs],
  }));
  // The load balancer checks that it may write when it is created or its attributes change.
  const policy = bucket.policy?.node.defaultChild;
  if (policy) {
    loadBalancer.node.addDependency(policy);
  }
}

/**
 * `arn:<partition>:iam::<account>:root` of the deploy Region's Elastic Load Balancing account in the
 * Regions that have one, else of the stack's own account. One mapping and condition per stack.
 */
function legacyRegionAccountRoot(stack: Stack): string {
  const id = 'ElbAccessLogsAccounts';
  const accounts = RegionInfo.regions.filter((region) => region.elbv2Account !== undefined);
  const mapping = stack.node.tryFindChild(id) as CfnMapping | undefined ?? new CfnMapping(stack, id, {
    mapping: Object.fromEntries(accounts.map((region) => [region.name, { account: region.elbv2Account! }])),
  });
  const inLegacyRegion = regionIsOneOf(stack, `${id}InRegion`, accounts.map((region) => region.name));
  const account = Fn.conditionIf(inLegacyRegion.logicalId, mapping.findInMap(Aws.REGION, 'account'), Aws.ACCOUNT_ID).toString();
  return `arn:${Aws.PARTITION}:iam::${account}:root`;
}
