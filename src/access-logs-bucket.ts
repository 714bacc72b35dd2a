import { CfnResource, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { markResource, ResourceKind } from './compliance/accepted-findings';
import { enableEventBridge } from './compliance/bucket-events';

/**
 * The bucket that receives S3 server access logs (and CloudFront standard logs) of the buckets a
 * pipeline creates. It does not log itself: S3 would log its own log deliveries forever.
 */
export class AccessLogsBucket extends s3.Bucket {
  constructor(scope: Construct, id: string, retention: Duration) {
    super(scope, id, {
      // S3 server access logging and Elastic Load Balancing deliver only to SSE-S3 buckets.
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // CloudFront standard logging writes with an ACL, which BUCKET_OWNER_ENFORCED would reject.
      // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/AccessLogs.html#AccessLogsBucketAndFileOwnership
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [{
        expiration: retention,
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      }],
    });
    // S3 server access logs are delivered under this bucket policy, never under the canned
    // LogDeliveryWrite ACL aws-cdk-lib sets when @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy is
    // off (Control Tower CT.S3.PR.5 rejects the AccessControl property). That canned ACL is for S3's
    // log delivery group only: CloudFront standard logging adds its own grant (FULL_CONTROL for its
    // awslogsdelivery account) to the bucket ACL when the distribution is created, which only needs
    // ACLs enabled (BUCKET_OWNER_PREFERRED above), as aws-cdk-lib's own CloudFront log buckets have.
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html#grant-log-delivery-permissions-general
    // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/AccessLogs.html#AccessLogsBucketAndFileOwnership
    this.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [this.arnForObjects('*')],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
        // Only the buckets of this stack that log here (the confused-deputy guard AWS recommends).
        ArnLike: { 'aws:SourceArn': Lazy.list({ produce: () => this.loggedBucketArns() }) },
      },
    }));
    (this.node.defaultChild as s3.CfnBucket).addPropertyDeletionOverride('AccessControl');
    enableEventBridge(this);
    markResource(this, ResourceKind.ACCESS_LOGS_BUCKET);
  }

  /** The ARNs of the buckets of this stack whose server access logs are delivered to this one. */
  private loggedBucketArns(): string[] {
    return Stack.of(this).node.findAll()
      // By resource type, not instanceof: an app may load two copies of aws-cdk-lib.
      .filter((c): c is s3.CfnBucket => CfnResource.isCfnResource(c) && c.cfnResourceType === s3.CfnBucket.CFN_RESOURCE_TYPE_NAME)
      .filter((b) => (b.loggingConfiguration as s3.CfnBucket.LoggingConfigurationProperty | undefined)?.destinationBucketName === this.bucketName)
      .map((b) => b.attrArn);
  }
}
