import { Annotations, Aws, CfnOutput } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { MAX_RELEASE_ID_LENGTH, RELEASE_REVALIDATED_CACHE_CONTROL } from './buildspecs/release-buildspecs';
import { CONTENT_TYPES, DEFAULT_IMMUTABLE_PATTERNS, UploadOptions } from './buildspecs/upload-commands';
import { LiveReleaseChangesCheck } from './changes-check';
import { CacheControlOptions, InPlaceDeployProject } from './in-place-deploy-project';
import { PreviewOptions, SitePreviews, validatePreviewDomain } from './previews';
import { LIVE_RELEASE_KEY, RELEASE_ENV, RELEASES_PREFIX } from './release-contract';
import { GoLiveProject, ReleaseProjectProps, RollbackProject, UploadReleaseProject } from './release-projects';
import { TokenReleases } from './routing-function';
import { securityHeaderValues, SiteDomainOptions, SiteHosting } from './site-hosting';
import { VerifyReleaseOptions, verifySettings } from './verify-release';
import { acceptFindings, markResource, ResourceKind } from '../compliance/accepted-findings';
import { DeployCompute, deployStepCompute, DeployStepCompute } from '../deploy-compute';
import { DeployPipelineProps, PipelineCore } from '../pipeline';
import {
  reportsValidationErrors,
  validateHeaderValue,
  validateIntegerRange,
  validateLiteral,
  validateRelativeDirectory,
  validateWebAclArn,
  validationError,
} from '../validation';

/**
 * The longest Content-Security-Policy a response headers policy takes.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-response-headers-policies
 */
const MAX_CONTENT_SECURITY_POLICY_LENGTH = 1783;

/**
 * The longest not-found page, in bytes of UTF-8: an S3 key is at most 1,024 bytes, and each release
 * stores the page at `releases/<release id>/<page>` (CloudFront fetches it there as the custom error
 * response's page path).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
 */
const MAX_NOT_FOUND_PAGE_BYTES = 1024 - RELEASES_PREFIX.length - MAX_RELEASE_ID_LENGTH - '/'.length;

/** Where the build writes the site when `buildOptions.outputDirectory` is not given. */
const DEFAULT_OUTPUT_DIRECTORY = 'dist';

/** How a build is published. */
export enum DeployMode {
  /**
   * Each build is uploaded as a release of its own (`releases/<id>/`) and goes live all at once by
   * switching one CloudFront KeyValueStore key; recent releases are kept for instant rollback.
   */
  ATOMIC_RELEASES = 'ATOMIC_RELEASES',

  /**
   * Files are overwritten in place (assets first, HTML last), stale files removed, and the CloudFront
   * cache invalidated. During a deploy, a visitor may get a mix of old and new files.
   */
  IN_PLACE = 'IN_PLACE',
}

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
   * The page, relative to the site root, served with status 404 for missing files. A literal, not a
   * token: the deploy steps look for it in each build.
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
   * A Content-Security-Policy header for every response: one line of at most 1783 characters.
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

  /**
   * How each build is published: as an atomic release, or by overwriting files in place.
   *
   * @default DeployMode.ATOMIC_RELEASES
   */
  readonly deployMode?: DeployMode;

  /**
   * Releases kept for rollback (and for tabs opened on them), 2 to 100; the deploy step deletes
   * older ones, never the live release or the one before it. Atomic releases only.
   *
   * @default 10
   */
  readonly releasesToKeep?: number;

  /**
   * Answer requests by the `_redirects` file of the build (Netlify's syntax: redirects, rewrites with
   * status 200, custom 404 and 410 pages, splats, placeholders, query parameters, `!`, Country,
   * Language and Cookie conditions), loaded into the KeyValueStore with each release, so the rules
   * change with a push and roll back with their release. A line the edge would answer otherwise than
   * Netlify (proxying to another origin, Role conditions) fails the go-live step with its line
   * number. Adds an origin request policy that gives the routing function the viewer's country.
   * Atomic releases only.
   *
   * @default false
   * @see https://docs.netlify.com/manage/routing/redirects/overview/
   */
  readonly redirects?: boolean;

  /**
   * Add the headers of the build's `_headers` file (Netlify's syntax: path patterns with splats and
   * placeholders, several headers per path) to the responses of each release, from the
   * viewer-response function; a rule's Cache-Control is also stored on the files it names at
   * upload, so CloudFront caches by it (it wins over `cacheControl`). Not on error responses (400
   * and above): CloudFront runs no viewer-response function on them. A header CloudFront Functions
   * may not set, or one the security headers policy sends with another value, fails the upload
   * with its line number. Atomic releases only.
   *
   * @default false
   * @see https://docs.netlify.com/manage/routing/headers/
   */
  readonly headers?: boolean;

  /**
   * Where CodeBuild runs the deploy steps (upload and go-live, or the in-place publish) and the
   * rollback. Lambda compute starts a step without provisioning an instance; a step on it stops
   * after 15 minutes. The build itself runs where `buildOptions` says.
   *
   * @default - DeployCompute.LAMBDA where CodeBuild offers it; in other regions DeployCompute.EC2,
   *   with a warning when the stack's region is known, chosen by CloudFormation when it is not
   * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html
   */
  readonly deployCompute?: DeployCompute;

  /**
   * Verified releases: before a release goes live, the go-live step fetches it through the
   * distribution (the root page, `paths`, and their scripts, style sheets and images) as a preview
   * only it can read, and stops the release on any failure; after the switch it checks again as a
   * visitor and watches CloudFront's 5xx error rate for a bake time, rolling back to the previous
   * release and failing the execution on a failure. Atomic releases only.
   *
   * @default - on, with the root page and a 5-minute bake at most 5% 5xx responses
   */
  readonly verifyRelease?: VerifyReleaseOptions;

  /**
   * Publish a preview of each open pull request into the branch (built and tested like a push),
   * reachable with a link whose token expires; a closed or merged pull request removes it. The
   * production pipeline is unchanged. Atomic releases only.
   *
   * @default - no previews
   */
  readonly previews?: PreviewOptions;
}

/**
 * A push-to-deploy static website: each push to the branch is built and tested in CodeBuild, then
 * published to a private S3 bucket served by CloudFront.
 *
 * Stages: Source → Build → (Approve) → Deploy. By default the deploy step uploads the build as a
 * new release (`releases/<id>/`, fingerprinted assets immutable for a year, HTML revalidated) and
 * switches the live release in a CloudFront KeyValueStore at once; `rollbackProject` switches back.
 * With `DeployMode.IN_PLACE` it overwrites the files, removes stale ones and invalidates the cache.
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

  /** The CodeBuild project that publishes the build to the bucket (with atomic releases: uploads the release). */
  public readonly deployProject: codebuild.IProject;

  /** With atomic releases, the store whose key `live` names the live release: `aws cloudfront-keyvaluestore get-key --kvs-arn <arn> --key live`. */
  public readonly keyValueStore?: cloudfront.IKeyValueStore;

  /** With atomic releases, the CodeBuild project that rolls back: `aws codebuild start-build --project-name <name>`. */
  public readonly rollbackProject?: codebuild.IProject;

  /** With `previews` and a connection source, the pipeline that builds and publishes pull-request previews. */
  public readonly previewPipeline?: codepipeline.IPipeline;

  /** With `previews`, the CodeBuild project that names each pull-request preview in the store and prints its link. */
  public readonly previewProject?: codebuild.IProject;

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
    reportsValidationErrors(this);
    const notFoundPage = props.notFoundPage ?? '404.html';
    validateSiteOptions(this, notFoundPage, props);
    const atomic = (props.deployMode ?? DeployMode.ATOMIC_RELEASES) === DeployMode.ATOMIC_RELEASES;
    validateReleaseOptions(this, atomic, props);
    if (props.previews?.domain) {
      validatePreviewDomain(this, props.previews.domain, props.domain?.domainNames);
    }
    const compute = deployStepCompute(this, 'deployCompute', props.deployCompute);

    const core = new PipelineCore(this, { ...props, defaultOutputDirectory: DEFAULT_OUTPUT_DIRECTORY });
    const hosting = new SiteHosting(this, 'Hosting', {
      domain: props.domain,
      singlePageApp: props.singlePageApp ?? false,
      notFoundPage,
      accessLogsBucket: core.accessLogsBucket,
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      webAclId: props.webAclId,
      contentSecurityPolicy: props.contentSecurityPolicy,
      releases: atomic ? {
        redirects: props.redirects ?? false,
        headers: props.headers ?? false,
        tokenReleases: tokenReleasesOf(props),
      } : undefined,
    });
    if (atomic) {
      const releaseProps = releaseProjectProps(this, core, hosting, notFoundPage, compute, props);
      this.deployProject = this.addReleaseStage(core, releaseProps);
      this.keyValueStore = hosting.keyValueStore;
      this.rollbackProject = new RollbackProject(this, 'Rollback', releaseProps);
      addReleaseOutputs(this, this.rollbackProject, hosting.keyValueStore!);
      if (props.previews) {
        const previews = this.addPreviews(core, hosting, compute, props, props.previews);
        this.previewPipeline = previews.pipeline;
        this.previewProject = previews.publishProject;
      }
    } else {
      this.deployProject = this.addInPlaceStage(core, hosting, compute, props);
    }

    this.pipeline = core.pipeline;
    this.repository = core.repository;
    this.buildProject = core.buildProject;
    this.bucket = hosting.bucket;
    this.distribution = hosting.distribution;
    this.artifactBucket = core.artifactBucket;
    this.accessLogsBucket = core.accessLogsBucket;
    this.url = hosting.url;
    this.addSiteOutputs(hosting, props);
    this.markDistribution(hosting.distribution, props);
    core.filterPushes(atomic && core.repository ? {
      // Made only for a CodeCommit source with filePaths, which asks for it.
      action: (filePaths) => new LiveReleaseChangesCheck(this, 'Changes', {
        repository: core.repository!,
        bucket: hosting.bucket,
        keyValueStore: hosting.keyValueStore!,
        sourceOutput: core.sourceOutput,
        commitId: core.sourceCommitId,
        actionRole: core.actionRole('ChangedFiles'),
        compute,
        encryptionKey: core.artifactsKey,
        logRetention: core.logRetention,
      }).action(filePaths),
    } : undefined);
    acceptFindings(this);
  }

  /** The Deploy stage of atomic releases: UploadRelease, then GoLive with the id the upload exported. */
  private addReleaseStage(core: PipelineCore, releaseProps: ReleaseProjectProps): codebuild.IProject {
    const uploadProject = new UploadReleaseProject(this, 'UploadRelease', releaseProps);
    const goLiveProject = new GoLiveProject(this, 'GoLive', releaseProps);
    const upload = new actions.CodeBuildAction({
      actionName: 'UploadRelease',
      project: uploadProject,
      role: core.actionRole('UploadRelease'),
      input: core.buildOutput,
      runOrder: 1,
      environmentVariables: {
        [RELEASE_ENV.commitId]: { value: core.sourceCommitId },
        [RELEASE_ENV.executionId]: { value: codepipeline.GlobalVariables.executionId },
      },
    });
    core.addStage('Deploy', [upload, new actions.CodeBuildAction({
      actionName: 'GoLive',
      project: goLiveProject,
      role: core.actionRole('GoLive'),
      input: core.buildOutput,
      runOrder: 2,
      environmentVariables: {
        [RELEASE_ENV.releaseId]: { value: upload.variable(RELEASE_ENV.releaseId) },
        // Named in the release's marker, for the changes check of a CodeCommit source with file paths.
        [RELEASE_ENV.commitId]: { value: core.sourceCommitId },
      },
    })]);
    return uploadProject;
  }

  /** Pull-request previews, beside the production pipeline. */
  private addPreviews(core: PipelineCore, hosting: SiteHosting, compute: DeployStepCompute, props: StaticSitePipelineProps,
    options: PreviewOptions): SitePreviews {
    return new SitePreviews(this, 'Previews', {
      options,
      pullRequests: core.pullRequests,
      branch: core.sourceBranch,
      buildOptions: props.buildOptions ?? {},
      defaultOutputDirectory: DEFAULT_OUTPUT_DIRECTORY,
      upload: uploadOptions(props),
      bucket: hosting.bucket,
      keyValueStore: hosting.keyValueStore!,
      // The preview program puts the preview's name in place of {name}.
      url: options.domain ? `https://{name}.${options.domain.domainName}/` : `${hosting.url}/`,
      encryptionKey: core.artifactsKey,
      accessLogsBucket: core.accessLogsBucket,
      artifactRetention: core.artifactRetention,
      logRetention: core.logRetention,
      compute,
    });
  }

  /** The Deploy stage of in-place deploys: one project that publishes the build and invalidates. */
  private addInPlaceStage(core: PipelineCore, hosting: SiteHosting, compute: DeployStepCompute,
    props: StaticSitePipelineProps): codebuild.IProject {
    const project = new InPlaceDeployProject(this, 'Deploy', {
      bucket: hosting.bucket,
      distribution: hosting.distribution,
      cacheControl: props.cacheControl ?? {},
      encryptionKey: core.artifactsKey,
      logRetention: core.logRetention,
      compute,
    });
    core.addStage('Deploy', [new actions.CodeBuildAction({
      actionName: 'PublishSite',
      project,
      role: core.actionRole('PublishSite'),
      input: core.buildOutput,
    })]);
    return project;
  }

  /** The site's URL, bucket and CloudFront name, and a warning when the DNS records are the user's. */
  private addSiteOutputs(hosting: SiteHosting, props: StaticSitePipelineProps): void {
    new CfnOutput(this, 'SiteUrl', { description: 'The site', value: hosting.url });
    new CfnOutput(this, 'SiteBucketName', { description: 'The bucket holding the site', value: hosting.bucket.bucketName });
    new CfnOutput(this, 'DistributionDomainName', {
      description: 'The CloudFront domain name; without domain.hostedZone, point a CNAME (or an alias) record of each domain name at it',
      value: hosting.distribution.distributionDomainName,
    });
    if (props.domain && !props.domain.hostedZone) {
      Annotations.of(this).addWarningV2('cdk-deploy-pipelines:dnsRecordsAreYours',
        `domain has no hostedZone: no DNS record is created for ${props.domain.domainNames.join(', ')}; `
        + 'create a CNAME (or alias) record of each pointing at the DistributionDomainName output, or give domain.hostedZone');
    }
  }

  /** What the distribution is without a custom domain or a web ACL, for the findings accepted on it. */
  private markDistribution(distribution: cloudfront.Distribution, props: StaticSitePipelineProps): void {
    if (!props.domain) {
      markResource(distribution, ResourceKind.DISTRIBUTION_ON_DEFAULT_DOMAIN);
    }
    if (props.webAclId === undefined) {
      markResource(distribution, ResourceKind.DISTRIBUTION_WITHOUT_WEB_ACL);
    }
  }
}

/** What the release projects work on: the site's bucket and store, and the user's release options. */
function releaseProjectProps(scope: Construct, core: PipelineCore, hosting: SiteHosting, notFoundPage: string, compute: DeployStepCompute,
  props: StaticSitePipelineProps): ReleaseProjectProps {
  return {
    bucket: hosting.bucket,
    keyValueStore: hosting.keyValueStore!,
    upload: { ...uploadOptions(props), headers: props.headers ?? false },
    releasesToKeep: props.releasesToKeep ?? 10,
    notFoundPage,
    rules: {
      redirects: props.redirects ?? false,
      headers: props.headers ?? false,
      securityHeaders: securityHeaderValues(props.contentSecurityPolicy),
      pageCacheControl: props.cacheControl?.revalidated ?? RELEASE_REVALIDATED_CACHE_CONTROL,
      contentTypes: Object.fromEntries(CONTENT_TYPES),
    },
    encryptionKey: core.artifactsKey,
    logRetention: core.logRetention,
    compute,
    verify: releaseVerification(scope, hosting, compute, props),
  };
}

/**
 * Whether the site's releases are read with a token, and where: previews are (each link carries its
 * token), and so is the candidate release of the go-live check (`verifyRelease`, on by default),
 * read as the preview 'go-live.check' with a token of its own. The one place both features meet.
 */
function tokenReleasesOf(props: StaticSitePipelineProps): TokenReleases | undefined {
  return props.previews || props.verifyRelease?.enabled !== false ? { previewDomain: props.previews?.domain } : undefined;
}

/** How a release is uploaded: the build artifact holds the output directory's contents at its root. */
function uploadOptions(props: StaticSitePipelineProps): UploadOptions {
  return {
    sourceDirectory: '.',
    immutablePatterns: props.cacheControl?.immutablePatterns ?? DEFAULT_IMMUTABLE_PATTERNS,
    immutableCacheControl: props.cacheControl?.immutable ?? 'public, max-age=31536000, immutable',
    defaultCacheControl: props.cacheControl?.revalidated ?? RELEASE_REVALIDATED_CACHE_CONTROL,
  };
}

/**
 * Checks what the site serves: the not-found page, the headers and the web ACL. The page must be a
 * literal: the deploy scripts check the build for it, and the rollback role may read it alone.
 */
function validateSiteOptions(scope: Construct, notFoundPage: string, props: StaticSitePipelineProps): void {
  validateLiteral(scope, 'notFoundPage', notFoundPage, "the deploy scripts and the rollback role's permissions need the page's name at synth time", '404.html');
  validateRelativeDirectory(scope, 'notFoundPage', notFoundPage);
  const bytes = Buffer.byteLength(notFoundPage, 'utf8');
  if (bytes > MAX_NOT_FOUND_PAGE_BYTES) {
    throw validationError(scope, `notFoundPage must be at most ${MAX_NOT_FOUND_PAGE_BYTES} bytes of UTF-8, got ${bytes} bytes ('${notFoundPage.slice(0, 40)}...'); `
      + `each release stores the page under ${RELEASES_PREFIX}<release id>/ and an S3 key is at most 1024 bytes, so give a shorter path, e.g. '404.html'`);
  }
  if (/[*?]/.test(notFoundPage)) {
    // The page names IAM resources (the rollback role reads releases/*/<page>), where * and ? match any key.
    throw validationError(scope, `notFoundPage must name one file, got '${notFoundPage}'; '*' and '?' are IAM wildcards that would let the rollback role write other files of the bucket; e.g. '404.html'`);
  }
  if (props.contentSecurityPolicy !== undefined) {
    validateHeaderValue(scope, 'contentSecurityPolicy', props.contentSecurityPolicy, MAX_CONTENT_SECURITY_POLICY_LENGTH);
  }
  for (const kind of ['immutable', 'revalidated'] as const) {
    const value = props.cacheControl?.[kind];
    if (value !== undefined) {
      validateHeaderValue(scope, `cacheControl.${kind}`, value);
    }
  }
  if (props.webAclId !== undefined) {
    validateWebAclArn(scope, 'webAclId', props.webAclId);
  }
}

/** Release options make sense with atomic releases only, and within bounds. */
function validateReleaseOptions(scope: Construct, atomic: boolean, props: StaticSitePipelineProps): void {
  if (!atomic && props.releasesToKeep !== undefined) {
    throw validationError(scope, 'releasesToKeep only applies to deployMode DeployMode.ATOMIC_RELEASES; remove it or use atomic releases');
  }
  if (!atomic && props.verifyRelease) {
    throw validationError(scope, 'verifyRelease needs deployMode DeployMode.ATOMIC_RELEASES (it checks a release before it goes live); remove it or use atomic releases');
  }
  if (!atomic && props.previews) {
    throw validationError(scope, 'previews needs deployMode DeployMode.ATOMIC_RELEASES (a preview is a release named in its KeyValueStore); remove it or use atomic releases');
  }
  if (!atomic && props.redirects) {
    throw validationError(scope, 'redirects needs deployMode DeployMode.ATOMIC_RELEASES (redirects are loaded into its KeyValueStore); remove it or use atomic releases');
  }
  if (!atomic && props.headers) {
    throw validationError(scope, 'headers needs deployMode DeployMode.ATOMIC_RELEASES (the rules of _headers are loaded into its KeyValueStore with each release); remove it or use atomic releases');
  }
  validateIntegerRange(scope, 'releasesToKeep', props.releasesToKeep ?? 10, 2, 100);
}

/** What the go-live step checks and where, from `verifyRelease`; none when it is turned off. */
function releaseVerification(scope: Construct, hosting: SiteHosting, compute: DeployStepCompute, props: StaticSitePipelineProps) {
  const settings = verifySettings(scope, props.verifyRelease, compute, props.singlePageApp ?? false);
  return settings && { settings, distribution: hosting.distribution };
}

/** Outputs with the commands that roll back and that read the live release. */
function addReleaseOutputs(scope: Construct, rollback: codebuild.IProject, store: cloudfront.IKeyValueStore): void {
  const startBuild = `aws codebuild start-build --region ${Aws.REGION} --project-name ${rollback.projectName}`;
  new CfnOutput(scope, 'RollbackCommand', {
    description: 'Makes the release before the live one live again, at once (no rebuild)',
    value: startBuild,
  });
  new CfnOutput(scope, 'RollbackToReleaseCommand', {
    description: 'Makes a named release live (ids: aws s3 ls s3://<SiteBucketName>/releases/)',
    value: `${startBuild} --environment-variables-override name=${RELEASE_ENV.rollbackTarget},value=<release-id>,type=PLAINTEXT`,
  });
  new CfnOutput(scope, 'LiveReleaseCommand', {
    description: 'Prints the id of the live release',
    value: `aws cloudfront-keyvaluestore get-key --kvs-arn ${store.keyValueStoreArn} --key ${LIVE_RELEASE_KEY}`,
  });
}
