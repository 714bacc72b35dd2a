import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CLOUDFRONT_NAME_MAX_LENGTH, KEEP_KEY_VALUE_STORE_NAME_CONTEXT, nameAccountGlobalResource } from './cloudfront-names';
import { responseFunctionCode, routingFunctionCode, TokenReleases } from './routing-function';
import { markResource, ResourceKind } from '../compliance/accepted-findings';
import { enableEventBridge } from '../compliance/bucket-events';
import { validateCertificateArn, validateCertificateDomainName, validateDomainNameList, validationError } from '../validation';

/**
 * A custom domain for the site.
 *
 * CloudFront only accepts certificates from us-east-1. With the stack in another region, request the
 * certificate in us-east-1 and pass it with `acm.Certificate.fromCertificateArn` (a certificate of a
 * us-east-1 stack would need `crossRegionReferences`, which adds a Lambda-backed custom resource).
 *
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html
 */
export interface SiteDomainOptions {
  /** Domain names the site answers to; the first is the primary one. */
  readonly domainNames: string[];

  /**
   * An ACM certificate in us-east-1 covering every domain name.
   *
   * @default - created and validated through `hostedZone` when the stack is in us-east-1; required otherwise
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The Route 53 hosted zone of the domain names: A and AAAA alias records to the distribution are created in it.
   *
   * @default - no DNS records; point the names at the distribution yourself
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * Redirect (301) requests for every domain name but the first to the first, e.g. `example.com`
   * to `www.example.com`, keeping the path and query string.
   *
   * @default false
   */
  readonly redirectToPrimaryDomain?: boolean;
}

/** The hosting options of the static site. */
export interface SiteHostingProps {
  readonly domain?: SiteDomainOptions;
  readonly singlePageApp: boolean;
  readonly notFoundPage: string;
  readonly accessLogsBucket: s3.IBucket;
  readonly priceClass: cloudfront.PriceClass;
  readonly webAclId?: string;
  readonly contentSecurityPolicy?: string;
  /**
   * Serve atomic releases named in a KeyValueStore (with the rules of their `_redirects` and
   * `_headers` when `redirects` and `headers`), and with `tokenReleases`, the release a valid token
   * names to a request carrying it (its responses `noindex`); the distribution also answers the hosts
   * under its preview domain.
   */
  readonly releases?: { readonly redirects: boolean; readonly headers: boolean; readonly tokenReleases?: TokenReleases };
}

/**
 * Where the site lives: a private S3 bucket behind CloudFront (OAC), with the routing function,
 * security headers, logging and an optional custom domain.
 */
export class SiteHosting extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  public readonly url: string;
  /** The store naming the live release (and holding redirects), with `releases`. */
  public readonly keyValueStore?: cloudfront.KeyValueStore;

  /**
   * @param owner the public construct, against which bad options are reported
   */
  constructor(owner: Construct, id: string, props: SiteHostingProps) {
    super(owner, id);
    const domainNames = props.domain?.domainNames ?? [];
    const previewDomain = props.releases?.tokenReleases?.previewDomain;
    const previewHosts = previewDomain ? [`*.${previewDomain.domainName}`] : [];
    const previewZone = previewDomain?.hostedZone ?? props.domain?.hostedZone;
    const certificate = this.certificateFor(owner, props.domain, previewHosts, previewZone);
    this.bucket = this.siteBucket(props.accessLogsBucket);
    if (props.releases) {
      this.keyValueStore = this.releasesStore(owner, props.releases.redirects || props.releases.headers);
    }
    const routing = this.routingFunction(domainNames, props);
    this.distribution = this.distributionOf(owner, routing, [...domainNames, ...previewHosts], certificate, props);
    this.allowListing();
    if (props.domain?.hostedZone) {
      this.addAliasRecords(props.domain.hostedZone, domainNames);
    }
    if (previewZone && previewHosts.length) {
      this.addAliasRecords(previewZone, previewHosts, 'Preview');
    }
    this.url = `https://${domainNames[0] ?? this.distribution.distributionDomainName}`;
  }

  /** The private, versioned, encrypted, SSL-only bucket the site is served from, retained with the stack. */
  private siteBucket(accessLogsBucket: s3.IBucket): s3.Bucket {
    const bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      // Versions let an overwritten or deleted page be restored; old ones expire to bound the cost.
      versioned: true,
      lifecycleRules: [{
        noncurrentVersionExpiration: Duration.days(30),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
        // Deleted files (stale ones, pruned releases) leave delete markers once their versions expire.
        expiredObjectDeleteMarker: true,
      }],
      serverAccessLogsBucket: accessLogsBucket,
      serverAccessLogsPrefix: 'site-bucket/',
      // The live site is never deleted with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    enableEventBridge(bucket);
    markResource(bucket, ResourceKind.SITE_BUCKET);
    return bucket;
  }

  /** The KeyValueStore naming the live release (and its rules). */
  private releasesStore(owner: Construct, rules: boolean): cloudfront.KeyValueStore {
    const store = new cloudfront.KeyValueStore(this, 'Releases', {
      comment: `Live release${rules ? ' and rules' : ''} of ${owner.node.path}`.slice(0, 128),
    });
    // A new name replaces the store, and a new store has no live release until the next push.
    if (this.node.tryGetContext(KEEP_KEY_VALUE_STORE_NAME_CONTEXT) !== true) {
      nameAccountGlobalResource(store, 'Name', CLOUDFRONT_NAME_MAX_LENGTH.keyValueStore);
    }
    return store;
  }

  /** The viewer-request function: live release, directory indexes, single-page app fallback, redirects. */
  private routingFunction(domainNames: string[], props: SiteHostingProps): cloudfront.Function {
    return new cloudfront.Function(this, 'Routing', {
      comment: props.releases
        ? 'Live release, directory indexes, single-page app fallback and redirects'
        : 'Directory indexes, single-page app fallback and domain redirects',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      keyValueStore: this.keyValueStore,
      code: cloudfront.FunctionCode.fromInline(routingFunctionCode({
        singlePageApp: props.singlePageApp,
        hostRedirect: props.domain?.redirectToPrimaryDomain && domainNames.length > 1
          ? { fromHosts: domainNames.slice(1), toHost: domainNames[0] }
          : undefined,
        releases: this.keyValueStore && props.releases
          ? {
            keyValueStoreId: this.keyValueStore.keyValueStoreId,
            redirects: props.releases.redirects,
            tokenReleases: props.releases.tokenReleases,
          }
          : undefined,
      })),
    });
  }

  /**
   * The viewer-response function: `x-robots-tag: noindex` on token releases' responses; with rules, the
   * headers of a release's `_headers` and the status of its 404 and 410 pages. None when neither.
   */
  private responseFunction(props: SiteHostingProps): cloudfront.Function | undefined {
    const tokenReleases = props.releases?.tokenReleases;
    const rules = props.releases && (props.releases.redirects || props.releases.headers) ? this.keyValueStore : undefined;
    if (!tokenReleases && !rules) {
      return undefined;
    }
    // The id is the one the function had with previews alone: the function is updated, not replaced.
    return new cloudfront.Function(this, 'PreviewResponse', {
      comment: [tokenReleases ? 'Preview responses are not indexed (x-robots-tag: noindex)' : '', rules ? 'Headers of _headers, pages of _redirects' : '']
        .filter(Boolean).join('; '),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      keyValueStore: rules,
      code: cloudfront.FunctionCode.fromInline(responseFunctionCode({ tokenReleases, rules: rules && { keyValueStoreId: rules.keyValueStoreId } })),
    });
  }

  /**
   * With `_redirects`, an origin request policy naming CloudFront-Viewer-Country: CloudFront gives a
   * viewer-request function that header only when a cache or origin request policy names it, and
   * Country conditions read it. S3 ignores it, and it is no part of the cache key.
   *
   * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/adding-cloudfront-headers.html
   */
  private viewerCountryPolicy(props: SiteHostingProps): cloudfront.IOriginRequestPolicy | undefined {
    if (!props.releases?.redirects) {
      return undefined;
    }
    const policy = new cloudfront.OriginRequestPolicy(this, 'ViewerCountry', {
      comment: 'Gives the routing function the viewer\'s country, for Country conditions of _redirects',
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList('CloudFront-Viewer-Country'),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.none(),
    });
    nameAccountGlobalResource(policy, 'OriginRequestPolicyConfig.Name', CLOUDFRONT_NAME_MAX_LENGTH.originRequestPolicy);
    return policy;
  }

  /** The distribution: the bucket through OAC, HTTPS only, the routing function, headers, the not-found page, logs. */
  private distributionOf(owner: Construct, routing: cloudfront.Function, domainNames: string[],
    certificate: acm.ICertificate | undefined, props: SiteHostingProps): cloudfront.Distribution {
    const response = this.responseFunction(props);
    const distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Static site ${owner.node.path}`,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket, { originAccessControl: this.originAccessControl() }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
        compress: true,
        // Honours the Cache-Control the deploy step sets per file kind.
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        originRequestPolicy: this.viewerCountryPolicy(props),
        responseHeadersPolicy: this.securityHeaders(props.contentSecurityPolicy),
        functionAssociations: [
          { function: routing, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST },
          ...response ? [{ function: response, eventType: cloudfront.FunctionEventType.VIEWER_RESPONSE }] : [],
        ],
      },
      defaultRootObject: 'index.html',
      // Only S3 answers 404 here (the routing function sends extensionless paths to an index), so this
      // covers missing files, and keeps their 404 status.
      errorResponses: [{
        httpStatus: 404,
        responseHttpStatus: 404,
        responsePagePath: `/${props.notFoundPage}`,
        ttl: Duration.seconds(10),
      }],
      domainNames: domainNames.length ? domainNames : undefined,
      certificate,
      // Both only apply to a custom certificate; the default one's policy is fixed (TLSv1) by AWS.
      minimumProtocolVersion: certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      sslSupportMethod: certificate ? cloudfront.SSLMethod.SNI : undefined,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableIpv6: true,
      priceClass: props.priceClass,
      webAclId: props.webAclId,
      enableLogging: true,
      logBucket: props.accessLogsBucket,
      logFilePrefix: 'cloudfront/',
    });
    markResource(distribution, ResourceKind.SITE_DISTRIBUTION);
    return distribution;
  }

  /**
   * With s3:ListBucket, S3 answers a missing key with 404 instead of 403, so the not-found page is
   * served. Listing needs a request for a directory URI, which the routing function never forwards
   * (it maps each to an index.html). Granted here rather than with the origin's AccessLevel.LIST,
   * which aws-cdk-lib only has since 2.16x.
   */
  private allowListing(): void {
    this.bucket.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
      actions: ['s3:ListBucket'],
      resources: [this.bucket.bucketArn],
      conditions: { StringEquals: { 'AWS:SourceArn': distributionArn(this.distribution) } },
    }));
  }

  /**
   * Returns the certificate to use: the given one (checked), one created in the hosted zone, or none.
   * A created certificate has each name validated in the zone that answers for it: the preview hosts
   * in `previewZone`, which is usually a zone of its own delegated from the site's (ACM looks up the
   * validation record `_<hash>.<preview domain>` through public DNS, which asks the delegated zone).
   *
   * @see https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html
   */
  private certificateFor(owner: Construct, domain: SiteDomainOptions | undefined, previewHosts: string[],
    previewZone: route53.IHostedZone | undefined): acm.ICertificate | undefined {
    if (!domain) {
      return undefined;
    }
    validateDomainNameList(owner, 'domain.domainNames', domain.domainNames);

    if (domain.certificate) {
      validateSiteCertificate(owner, domain.certificate);
      return domain.certificate;
    }
    const stackRegion = Stack.of(owner).region;
    const siteZone = domain.hostedZone;
    if (siteZone && stackRegion === 'us-east-1') {
      validateCertificateDomainName(owner, 'domain.domainNames[0]', domain.domainNames[0]);
      const zoneOf = (name: string) => (previewHosts.includes(name) ? previewZone ?? siteZone : siteZone);
      const names = [...domain.domainNames, ...previewHosts];
      return new acm.Certificate(this, 'Certificate', {
        domainName: names[0],
        subjectAlternativeNames: names.slice(1),
        validation: acm.CertificateValidation.fromDnsMultiZone(Object.fromEntries(names.map((name) => [name, zoneOf(name)]))),
      });
    }
    throw validationError(owner, `domain.certificate is required for domain.domainNames [${domain.domainNames.join(', ')}]; ` +
      'pass an ACM certificate from us-east-1 (or a hostedZone with the stack in us-east-1 to have one created)');
  }

  /** The origin access control by which CloudFront signs its requests to the bucket. */
  private originAccessControl(): cloudfront.S3OriginAccessControl {
    const control = new cloudfront.S3OriginAccessControl(this, 'OriginAccessControl', {
      description: 'CloudFront reads the site bucket with signed requests',
    });
    nameAccountGlobalResource(control, 'OriginAccessControlConfig.Name', CLOUDFRONT_NAME_MAX_LENGTH.originAccessControl);
    return control;
  }

  /** The response headers policy: the security headers every site should send (SECURITY_HEADER_VALUES says what CloudFront sends). */
  private securityHeaders(contentSecurityPolicy?: string): cloudfront.ResponseHeadersPolicy {
    const policy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Security headers of the static site',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365 * 2), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        ...(contentSecurityPolicy ? { contentSecurityPolicy: { contentSecurityPolicy, override: true } } : {}),
      },
    });
    nameAccountGlobalResource(policy, 'ResponseHeadersPolicyConfig.Name', CLOUDFRONT_NAME_MAX_LENGTH.responseHeadersPolicy);
    return policy;
  }

  /**
   * A and AAAA alias records of each domain name to the distribution. The names are fully qualified
   * (with the final dot), so aws-cdk-lib does not read the zone's name, which a zone imported by id
   * alone does not have.
   */
  private addAliasRecords(zone: route53.IHostedZone, domainNames: string[], idPrefix: string = ''): void {
    const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.distribution));
    domainNames.forEach((name, index) => {
      const recordName = `${name}.`;
      new route53.ARecord(this, `${idPrefix}AliasA${index}`, { zone, recordName, target });
      new route53.AaaaRecord(this, `${idPrefix}AliasAaaa${index}`, { zone, recordName, target });
    });
  }
}

/**
 * The security headers the distribution sends, as CloudFront writes them (lower-case names): a
 * `_headers` rule may not change them (runtime/headers.js).
 *
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/understanding-response-headers-policies.html#understanding-response-headers-policies-security
 */
export function securityHeaderValues(contentSecurityPolicy?: string): Record<string, string> {
  return {
    'strict-transport-security': 'max-age=63072000; includeSubDomains',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    ...contentSecurityPolicy ? { 'content-security-policy': contentSecurityPolicy } : {},
  };
}

/** How to pass a certificate of us-east-1 to a site whatever the region of its stack. */
const IMPORT_CERTIFICATE = "pass acm.Certificate.fromCertificateArn(this, 'Cert', '<arn in us-east-1>')";

/**
 * Checks the certificate given for the site: an ACM certificate ARN (when known), in us-east-1,
 * and, when created in another stack of the app, in a stack of this stack's region: a reference
 * across regions needs `crossRegionReferences`, which adds a Lambda-backed custom resource (and a
 * region on both stacks).
 */
function validateSiteCertificate(owner: Construct, certificate: acm.ICertificate): void {
  validateCertificateArn(owner, 'domain.certificate', certificate.certificateArn);
  const region = certificateRegion(certificate);
  if (region !== undefined && region !== 'us-east-1') {
    throw validationError(owner, `domain.certificate must be in us-east-1 (CloudFront only uses certificates from there), got one in '${region}'; `
      + `request the certificate in us-east-1 and ${IMPORT_CERTIFICATE}`);
  }
  const certificateStack = Stack.of(certificate);
  const siteStack = Stack.of(owner);
  if (certificateStack !== siteStack && Token.isUnresolved(certificate.certificateArn) && !sameKnownRegion(certificateStack, siteStack)) {
    throw validationError(owner, `domain.certificate must not come from a stack of another region, got one of stack '${certificateStack.stackName}' `
      + `${whereIs(certificateStack)} for a stack ${whereIs(siteStack)}; a reference across regions adds a Lambda-backed custom resource, `
      + `so ${IMPORT_CERTIFICATE} instead`);
  }
}

/** Whether two stacks are in one region, known at synth time. */
function sameKnownRegion(a: Stack, b: Stack): boolean {
  return !Token.isUnresolved(a.region) && a.region === b.region;
}

/** Where a stack is, for a message: "in 'eu-west-1'", or 'without a region' when environment-agnostic. */
function whereIs(stack: Stack): string {
  return Token.isUnresolved(stack.region) ? 'without a region' : `in '${stack.region}'`;
}

/**
 * The region of a certificate when it is known at synth time: from its ARN, or from the stack of a
 * certificate created in this app. An imported certificate whose ARN is a token has no known region.
 */
function certificateRegion(certificate: acm.ICertificate): string | undefined {
  if (!Token.isUnresolved(certificate.certificateArn)) {
    return certificate.certificateArn.split(':')[3];
  }
  const region = certificate instanceof acm.Certificate ? certificate.env.region : undefined;
  return region === undefined || Token.isUnresolved(region) ? undefined : region;
}

/** The ARN of a distribution (CloudFront is global: no region in it). */
export function distributionArn(distribution: cloudfront.IDistribution): string {
  return Stack.of(distribution).formatArn({
    service: 'cloudfront',
    region: '',
    resource: 'distribution',
    resourceName: distribution.distributionId,
  });
}
