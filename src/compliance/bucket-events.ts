import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * Sends the bucket's object events to Amazon EventBridge (Control Tower CT.S3.PR.4), on the L1
 * resource: aws-cdk-lib's `eventBridgeEnabled` would add a Lambda-backed custom resource.
 * AWS service events on the default event bus cost nothing.
 */
export function enableEventBridge(bucket: s3.Bucket): void {
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
    eventBridgeConfiguration: { eventBridgeEnabled: true },
  };
}
