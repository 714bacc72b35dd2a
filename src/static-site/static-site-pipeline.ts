import { CfnOutput } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CacheControlOptions, createSiteDeployProject } from './site-deploy-project';
import { SiteDomainOptions, SiteHosting } from './site-hosting';
import { suppressNagFindings } from '../nag-suppressions';
import { DeployPipelineProps, PipelineCore } from '../pipeline';
import { validateRelativeDirectory } from '../validation';

/** Properties of a `StaticSitePipeline`. */
export interface StaticSitePipelineProps extends DeployPipelineProps {
  /**
   * A custom domain (names, certificate, Route 53 zone).
   *
   * @default - the site is served on its `*.cloudfront.net` domain
   */
  readonly domain?: SiteDomainOptions;

  /**
   * Serve `/index.html` for paths without a file extension (client-side routing), with status 200.
   * Missing files with an extension (a stale JS chunk, an image) stay a real 404.
   *
   * @default false - `/docs` and `/docs/` serve `docs/index.html`
   */
  readonly singlePageApp?: boolean;

  /**
   * The page, relative to the site root, served with status 404 for missing files.
   *
   * @default '404.html'
   */
  readonly notFoundPage?: string;

  /**
   * Cache-Control per file kind.
   *
   * @default - fingerprinted assets immutable for a year, everything else revalidated
   */
  readonly cacheControl?: CacheControlOptions;

  /**
   * A Content-Security-Policy header for every response.
   *
   * @default - none (HSTS, nosniff, frame options and referrer policy are always sent)
   */
  readonly contentSecurityPolicy?: string;

  /**
   * Edge locations serving the site.
   *
   * @default cloudfront.PriceClass.PRICE_CLASS_100
   */
  readonly priceClass?: cloudfront.PriceClass;

  /**
   * ARN of an AWS WAF web ACL (scope CLOUDFRONT, in us-east-1) protecting the distribution.
   *
   * @default - no web ACL
   */
  readonly webAclId?: string;
}

/**
 * A push-to-deploy static website: each push to the branch is built and tested in CodeBuild, then
 * published to a private S3 bucket served by CloudFront.
 *
 * Stages: Source → Build → (Approve) → Deploy. The deploy step uploads fingerprinted assets with
 * a one-year immutable Cache-Control, then the other files and HTML with `no-cache`, removes files
 * the new build no longer has, and invalidates the CloudFront cache.
 *
 * @example
 * new StaticSitePipeline(this, 'Site', {
 *   source: PipelineSource.codeCommit({ repositoryName: 'marketing-site' }),
 *   buildOptions: { commands: ['npm ci', 'npm run build'], outputDirectory: 'dist' },
 *   singlePageApp: true,
 * });
 */
export class StaticSitePipeline extends Construct {
  /** The CodePipeline pipeline. */
  public readonly pipeline: codepipeline.Pipeline;

  /** The CodeCommit repository, when the source is CodeCommit. */
  public readonly repository?: codecommit.IRepository;

  /** The CodeBuild project that builds and tests the site. */
  public readonly buildProject: codebuild.IProject;

  /** The CodeBuild project that publishes the build to the bucket. */
  public readonly deployProject: codebuild.IProject;

  /** The bucket holding the site (retained when the stack is deleted). */
  public readonly bucket: s3.IBucket;

  /** The CloudFront distribution serving the site. */
  public readonly distribution: cloudfront.IDistribution;

  /** The pipeline's artifact bucket. */
  public readonly artifactBucket: s3.IBucket;

  /** The bucket receiving S3 and CloudFront access logs. */
  public readonly accessLogsBucket: s3.IBucket;

  /** The site's URL: `https://` and the first domain name, or the CloudFront domain. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: StaticSitePipelineProps) {
    super(scope, id);
    const notFoundPage = props.notFoundPage ?? '404.html';
    validateRelativeDirectory(this, 'notFoundPage', notFoundPage);

    const core = new PipelineCore(this, { ...props, defaultOutputDirectory: 'dist' });
    const hosting = new SiteHosting(this, 'Hosting', {
      domain: props.domain,
      singlePageApp: props.singlePageApp ?? false,
      notFoundPage,
      accessLogsBucket: core.accessLogsBucket,
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      webAclId: props.webAclId,
      contentSecurityPolicy: props.contentSecurityPolicy,
    });

    const deployProject = createSiteDeployProject(this, 'Deploy', {
      bucket: hosting.bucket,
      distribution: hosting.distribution,
      cacheControl: props.cacheControl ?? {},
      encryptionKey: core.artifactsKey,
      logRetention: core.logRetention,
    });
    core.addStage('Deploy', [new actions.CodeBuildAction({
      actionName: 'PublishSite',
      project: deployProject,
      input: core.buildOutput,
    })]);

    this.pipeline = core.pipeline;
    this.repository = core.repository;
    this.buildProject = core.buildProject;
    this.deployProject = deployProject;
    this.bucket = hosting.bucket;
    this.distribution = hosting.distribution;
    this.artifactBucket = core.artifactBucket;
    this.accessLogsBucket = core.accessLogsBucket;
    this.url = hosting.url;

    new CfnOutput(this, 'SiteUrl', { description: 'The site', value: this.url });
    new CfnOutput(this, 'SiteBucketName', { description: 'The bucket holding the site', value: this.bucket.bucketName });
    if (!props.domain) {
      suppressNagFindings(hosting.distribution, [{
        id: 'AwsSolutions-CFR4',
        reason: 'The default *.cloudfront.net certificate cannot enforce TLS 1.2; AWS only allows that with a custom domain and certificate (the domain prop).',
      }]);
    }
  }
}
