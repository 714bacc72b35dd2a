import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ArtifactKey } from '../artifact-store';
import { deployStepProjectDefaults, PipelineStepProject } from '../codebuild-project';
import { suppressObjectsWildcard } from '../compliance/nag';
import { DeployStepCompute } from '../deploy-compute';
import { uploadBuildSpecParts, validateInlineBuildSpec } from '../validation';
import { DEFAULT_IMMUTABLE_PATTERNS, DEPLOY_ENV, deployBuildSpecObject } from './buildspecs/upload-commands';
import { distributionArn } from './site-hosting';
import { ProjectKind } from '../project-kind';

/**
 * How browsers and CloudFront cache the deployed files.
 */
export interface CacheControlOptions {
  /**
   * Patterns (aws s3 `--include` syntax) of fingerprinted files whose content never changes under
   * their name. HTML files are never treated as immutable.
   *
   * @default - names carrying a content hash (`index-3f9a1c2b.js`, `main.3f9a1c2b.css` as Vite, Rollup,
   *   esbuild, webpack and Parcel write them) and `_next/static/*`, `_app/immutable/*`, `_astro/*`
   */
  readonly immutablePatterns?: string[];

  /**
   * Cache-Control of the immutable files.
   *
   * @default 'public, max-age=31536000, immutable'
   */
  readonly immutable?: string;

  /**
   * Cache-Control of every other file (HTML, service worker, manifest, robots.txt...), which must
   * be revalidated so a release shows at once.
   *
   * @default - 'public, max-age=0, must-revalidate, s-maxage=31536000' with atomic releases (browsers
   *   revalidate; CloudFront keeps each release's copy, which never changes), 'no-cache' in place
   */
  readonly revalidated?: string;
}

/** What the deploy project deploys, and where. */
export interface SiteDeployProjectProps {
  readonly bucket: s3.IBucket;
  readonly distribution: cloudfront.IDistribution;
  readonly cacheControl: CacheControlOptions;
  readonly encryptionKey: ArtifactKey;
  readonly logRetention: logs.RetentionDays;
  readonly compute: DeployStepCompute;
}

/**
 * The CodeBuild project that publishes the build output: uploads with Cache-Control per file kind
 * (assets before HTML), removes stale files, then invalidates CloudFront. Plain `aws` CLI in a
 * buildspec: no Lambda function, no asset. Its role can do exactly that.
 */
export class InPlaceDeployProject extends PipelineStepProject {
  constructor(scope: Construct, id: string, props: SiteDeployProjectProps) {
    const buildSpec = deployBuildSpecObject({
      // The build artifact holds the output directory's contents at its root.
      sourceDirectory: '.',
      prefix: '',
      immutablePatterns: props.cacheControl.immutablePatterns ?? DEFAULT_IMMUTABLE_PATTERNS,
      immutableCacheControl: props.cacheControl.immutable ?? 'public, max-age=31536000, immutable',
      defaultCacheControl: props.cacheControl.revalidated ?? 'no-cache',
      invalidation: 'all',
    });
    validateInlineBuildSpec(scope, uploadBuildSpecParts({
      immutablePatterns: props.cacheControl.immutablePatterns ?? DEFAULT_IMMUTABLE_PATTERNS,
      immutable: props.cacheControl.immutable ?? '',
      revalidated: props.cacheControl.revalidated ?? '',
    }), buildSpec);
    super(scope, id, {
      kind: ProjectKind.SITE_DEPLOY,
      description: 'Publishes the site build to S3 and invalidates CloudFront',
      buildSpec: codebuild.BuildSpec.fromObject(buildSpec),
      ...deployStepProjectDefaults(props, {
        [DEPLOY_ENV.bucket]: props.bucket.bucketName,
        [DEPLOY_ENV.distributionId]: props.distribution.distributionId,
      }),
    });
    props.compute.finish(this);
    this.grantDeploy(props);
  }

  /** Lists and writes the site bucket, and invalidates the distribution. */
  private grantDeploy(props: SiteDeployProjectProps): void {
    // `aws s3 sync` lists the bucket to compare; uploads and deletes touch objects only.
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
    this.addToRolePolicy(new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [props.bucket.bucketArn],
    }));
    this.addToRolePolicy(new iam.PolicyStatement({
      actions: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      resources: [props.bucket.arnForObjects('*')],
    }));
    suppressObjectsWildcard(this, props.bucket, 'The deploy step writes and deletes the site files, whose names come from the build; the grant is limited to the site bucket.');
    this.addToRolePolicy(new iam.PolicyStatement({
      actions: ['cloudfront:CreateInvalidation'],
      resources: [distributionArn(props.distribution)],
    }));
  }
}
