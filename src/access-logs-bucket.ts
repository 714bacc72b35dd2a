import { CfnResource, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { enableEventBridge } from './bucket-compliance';
import { suppressControlFindings } from './control-suppressions';
import { inPacks, suppressNagFindings } from './nag-suppressions';
import { suppressCheckovFindings } from './template-check-suppressions';

/** Why the access log bucket is not encrypted with a KMS key. */
const SSE_S3_ONLY = 'S3 server access logging (and Elastic Load Balancing access logging) delivers only to buckets encrypted with SSE-S3, not SSE-KMS; the logs are encrypted at rest with AES-256.';

/** Why the access log bucket has no server access logging of its own. */
const NO_SELF_LOGGING = 'This is the access log bucket; logging its own writes would log every log delivery, forever.';

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
    suppressNagFindings(this, [
      ...inPacks(['S3BucketReplicationEnabled'],
        'Access logs expire after the retention period; a replica in a second bucket would double their cost without a recovery need.'),
      ...inPacks(['S3DefaultEncryptionKMS'], SSE_S3_ONLY),
    ]);
    suppressCheckovFindings(this, [{ id: 'CKV_AWS_18', reason: NO_SELF_LOGGING }]);
    suppressControlFindings(this, [
      { id: 'CT.S3.PR.2', reason: NO_SELF_LOGGING },
      { id: 'CT.S3.PR.10', reason: SSE_S3_ONLY },
      { id: 'CT.S3.PR.9', reason: 'S3 server access logging does not deliver to a bucket with an Object Lock default retention, and expired logs must be deletable.' },
    ]);
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
