import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { markResource, ResourceKind } from './compliance/accepted-findings';
import { enableEventBridge } from './compliance/bucket-events';
import { suppressObjectsWildcard } from './compliance/nag';
import { PipelineKey } from './pipeline-key';

/**
 * The S3 actions CodePipeline, CodeBuild, CodeDeploy and the instances need on pipeline artifacts,
 * spelled out: aws-cdk-lib's `grant*` helpers give `s3:GetObject*`, `s3:List*`, `s3:DeleteObject*`
 * and `s3:Abort*`, wildcards that cover far more than the pipeline uses (and that cdk-nag reports).
 *
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/security-iam.html#how-to-custom-role
 */
const ARTIFACT_ACTIONS = {
  readBucket: ['s3:GetBucketLocation', 's3:GetBucketVersioning'],
  readObjects: ['s3:GetObject', 's3:GetObjectVersion'],
  writeObjects: ['s3:PutObject', 's3:AbortMultipartUpload'],
  putAcl: ['s3:PutObjectAcl', 's3:PutObjectVersionAcl'],
};

/**
 * The customer managed key of the pipeline artifacts. CodeBuild projects need a customer managed
 * key for cdk-nag's CB4, and one key shared by the bucket, the projects and their log groups costs
 * one key a month.
 */
export class ArtifactKey extends PipelineKey {
  private readonly decryptOnly = new Set<iam.IPrincipal>();

  constructor(scope: Construct, id: string) {
    super(scope, id, 'Encrypts the pipeline artifacts, build outputs and build logs');
    // CloudWatch Logs encrypts the CodeBuild log groups with this key. The condition names the
    // /aws/codebuild/ prefix, not each group: the group names contain the project names, and the
    // projects reference this key. The actions are the ones AWS documents for log group keys.
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
    const stack = Stack.of(this);
    this.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            resourceName: '/aws/codebuild/*',
          }),
        },
      },
    }));
  }

  public grantEncryptDecrypt(grantee: iam.IGrantable): iam.Grant {
    if (this.decryptOnly.has(grantee.grantPrincipal)) {
      return this.grantDecrypt(grantee);
    }
    return super.grantEncryptDecrypt(grantee);
  }

  /**
   * Makes `grantEncryptDecrypt` grant only decryption to `grantee`. aws-cdk-lib gives every
   * CodeBuild project of a pipeline whose artifact bucket has a key encrypt and decrypt on it; a
   * project that writes no artifact only reads.
   */
  public limitToDecrypt(grantee: iam.IGrantable): void {
    this.decryptOnly.add(grantee.grantPrincipal);
  }
}

/** Options of the artifact bucket. */
export interface ArtifactBucketProps {
  /** The key that encrypts every artifact. */
  readonly encryptionKey: ArtifactKey;
  /** Where S3 server access logs go. */
  readonly accessLogsBucket: s3.IBucket;
  /** How long artifacts (and the build cache) are kept. */
  readonly retention: Duration;
}

/**
 * The pipeline's artifact store: private, SSE-KMS, SSL-only, versioned, logged, with old artifacts
 * expiring. CodePipeline and its actions grant themselves access through `grantRead`,
 * `grantReadWrite` and `grantPutAcl`, overridden here to list explicit actions.
 */
export class ArtifactBucket extends s3.Bucket {
  private readonly artifactKey: ArtifactKey;

  constructor(scope: Construct, id: string, props: ArtifactBucketProps) {
    super(scope, id, {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      // One data key per bucket instead of a KMS call per object: fewer requests, lower cost.
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 'artifacts/',
      lifecycleRules: [{
        expiration: props.retention,
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      }],
    });
    this.artifactKey = props.encryptionKey;
    enableEventBridge(this);
    markResource(this, ResourceKind.ARTIFACT_BUCKET);
  }

  public grantRead(identity: iam.IGrantable, objectsKeyPattern: any = '*'): iam.Grant {
    this.artifactKey.grantDecrypt(identity);
    return this.grantOnBucketAndObjects(identity, ARTIFACT_ACTIONS.readBucket, ARTIFACT_ACTIONS.readObjects, objectsKeyPattern);
  }

  public grantReadWrite(identity: iam.IGrantable, objectsKeyPattern: any = '*'): iam.Grant {
    this.artifactKey.grantEncryptDecrypt(identity);
    return this.grantOnBucketAndObjects(identity, ARTIFACT_ACTIONS.readBucket,
      [...ARTIFACT_ACTIONS.readObjects, ...ARTIFACT_ACTIONS.writeObjects], objectsKeyPattern);
  }

  public grantPutAcl(identity: iam.IGrantable, objectsKeyPattern: string = '*'): iam.Grant {
    const grant = iam.Grant.addToPrincipalOrResource({
      grantee: identity,
      actions: ARTIFACT_ACTIONS.putAcl,
      resourceArns: [this.arnForObjects(objectsKeyPattern)],
      resource: this,
    });
    suppressObjectsWildcard(identity, this, 'Pipeline artifacts are objects named by CodePipeline at run time; the grant is limited to this bucket.');
    return grant;
  }

  private grantOnBucketAndObjects(identity: iam.IGrantable, bucketActions: string[], objectActions: string[], objectsKeyPattern: any): iam.Grant {
    const onBucket = iam.Grant.addToPrincipalOrResource({
      grantee: identity,
      actions: bucketActions,
      resourceArns: [this.bucketArn],
      resource: this,
    });
    const onObjects = iam.Grant.addToPrincipalOrResource({
      grantee: identity,
      actions: objectActions,
      resourceArns: [this.arnForObjects(objectsKeyPattern)],
      resource: this,
    });
    suppressObjectsWildcard(identity, this, 'Pipeline artifacts are objects named by CodePipeline at run time; the grant is limited to this bucket.');
    return onBucket.combine(onObjects);
  }
}
