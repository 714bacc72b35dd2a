import { IConstruct } from 'constructs';
import { ControlSuppression, suppressControlFindings } from './control-tower';
import { HIPAA, inPacks, NagFindingSuppression, NIST, PCI, suppressNagFindings } from './nag';
import { suppressCfnLintFindings, suppressCheckovFindings, TemplateCheckSuppression } from './template-checks';

/**
 * What a resource is, as the compliance checks see it. Each kind has the findings of the cdk-nag
 * packs, the Control Tower controls, cfn-lint and checkov this library accepts on such a resource
 * (ACCEPTED_FINDINGS), with the reason. Findings about a grant (IAM5 wildcards) stay next to the
 * grant, where the reason belongs.
 */
export enum ResourceKind {
  /** The private bucket a site is served from. */
  SITE_BUCKET = 'site-bucket',
  /** The bucket of pipeline artifacts. */
  ARTIFACT_BUCKET = 'artifact-bucket',
  /** The bucket that receives access logs. */
  ACCESS_LOGS_BUCKET = 'access-logs-bucket',
  /** A site's distribution. */
  SITE_DISTRIBUTION = 'site-distribution',
  /** A site's distribution on its *.cloudfront.net name (no `domain` prop). */
  DISTRIBUTION_ON_DEFAULT_DOMAIN = 'distribution-on-default-domain',
  /** A site's distribution without a web ACL (no `webAclId` prop). */
  DISTRIBUTION_WITHOUT_WEB_ACL = 'distribution-without-web-acl',
  /** The pipeline. */
  PIPELINE = 'pipeline',
  /** A CodeBuild project, whose source is the pipeline artifact or none. */
  CODEBUILD_PROJECT = 'codebuild-project',
  /** A fleet's launch template without detailed monitoring (the default). */
  FLEET_LAUNCH_TEMPLATE_BASIC_MONITORING = 'fleet-launch-template-basic-monitoring',
  /** A fleet's Auto Scaling group. */
  FLEET_GROUP = 'fleet-group',
  /** A fleet's Auto Scaling group with its subnets' zones stated. */
  FLEET_GROUP_WITH_ZONES = 'fleet-group-with-zones',
  /** The topic of a fleet's scaling events and alarms. */
  FLEET_TOPIC = 'fleet-topic',
  /** The security group of a fleet's internet-facing load balancer. */
  LOAD_BALANCER_SECURITY_GROUP = 'load-balancer-security-group',
  /** A fleet's internet-facing load balancer. */
  LOAD_BALANCER = 'load-balancer',
  /** A load balancer with `deletionProtection: false`. */
  LOAD_BALANCER_WITHOUT_DELETION_PROTECTION = 'load-balancer-without-deletion-protection',
  /** A plain HTTP listener (no `loadBalancer.certificate`). */
  HTTP_LISTENER = 'http-listener',
}

/** The findings accepted on one kind of resource, by checker. */
interface AcceptedFindings {
  readonly nag?: NagFindingSuppression[];
  readonly controls?: ControlSuppression[];
  readonly cfnLint?: TemplateCheckSuppression[];
  readonly checkov?: TemplateCheckSuppression[];
}

const PUBLIC_SITE_CONTENT = 'The bucket holds the public site, which CloudFront serves to anyone; SSE-S3 encrypts it at rest, and a KMS key would only add a key policy for CloudFront, KMS grants for the deploy projects and KMS requests on cache misses.';
const SSE_S3_ONLY = 'S3 server access logging (and Elastic Load Balancing access logging) delivers only to buckets encrypted with SSE-S3, not SSE-KMS; the logs are encrypted at rest with AES-256.';
const NO_SELF_LOGGING = 'This is the access log bucket; logging its own writes would log every log delivery, forever.';
const DEFAULT_CERTIFICATE = 'The default *.cloudfront.net certificate cannot enforce TLS 1.2; AWS only allows that with a custom domain and certificate (the domain prop).';
const SERVICE_LINKED_PUBLISHER = 'Auto Scaling publishes with its service-linked role, which a key policy can name only once the role exists (the first group of the account creates it); the messages hold group names, instance ids and alarm states.';
const OPEN_LISTENER = 'An internet-facing load balancer takes HTTP(S) from anywhere on its listener ports only; the instances accept traffic from this security group alone.';
const NO_DELETION_PROTECTION = 'loadBalancer.deletionProtection is false: the load balancer is deleted with its stack (a test or preview environment).';
const PLAIN_HTTP = 'No loadBalancer.certificate was given, so the load balancer serves plain HTTP; with a certificate it serves HTTPS and redirects HTTP.';

/** The findings this library accepts, by what the resource is, each with why it cannot comply. */
const ACCEPTED_FINDINGS: Record<ResourceKind, AcceptedFindings> = {
  [ResourceKind.SITE_BUCKET]: {
    nag: [
      ...inPacks(['S3BucketReplicationEnabled'],
        'The site is rebuilt from its source by running the pipeline, and the bucket keeps 30 days of versions; a replica would double storage without a recovery need.'),
      ...inPacks(['S3DefaultEncryptionKMS'], PUBLIC_SITE_CONTENT),
    ],
    controls: [
      { id: 'CT.S3.PR.10', reason: PUBLIC_SITE_CONTENT },
      {
        id: 'CT.S3.PR.9',
        reason: 'Releases are uploaded and pruned and old versions expire after 30 days; Object Lock protects nothing without a default retention, and one would only hold pruned files longer.',
      },
    ],
  },
  [ResourceKind.ARTIFACT_BUCKET]: {
    nag: inPacks(['S3BucketReplicationEnabled'],
      'Pipeline artifacts are rebuilt from the source by running the pipeline again, and expire after the retention period; a replica would add cost without a recovery need.'),
    controls: [{
      id: 'CT.S3.PR.9',
      reason: 'Artifacts are transient: rebuilt from the source and expired after the retention period. Object Lock protects nothing without a default retention, and one would only hold expired artifacts longer.',
    }],
  },
  [ResourceKind.ACCESS_LOGS_BUCKET]: {
    nag: [
      ...inPacks(['S3BucketReplicationEnabled'],
        'Access logs expire after the retention period; a replica in a second bucket would double their cost without a recovery need.'),
      ...inPacks(['S3DefaultEncryptionKMS'], SSE_S3_ONLY),
    ],
    checkov: [{ id: 'CKV_AWS_18', reason: NO_SELF_LOGGING }],
    controls: [
      { id: 'CT.S3.PR.2', reason: NO_SELF_LOGGING },
      { id: 'CT.S3.PR.10', reason: SSE_S3_ONLY },
      { id: 'CT.S3.PR.9', reason: 'S3 server access logging does not deliver to a bucket with an Object Lock default retention, and expired logs must be deletable.' },
    ],
  },
  [ResourceKind.SITE_DISTRIBUTION]: {
    controls: [{
      id: 'CT.CLOUDFRONT.PR.4',
      reason: 'The site has one origin, its S3 bucket; origin failover needs a replica bucket in a second region, which this construct does not create.',
    }],
  },
  [ResourceKind.DISTRIBUTION_ON_DEFAULT_DOMAIN]: {
    nag: [{ id: 'AwsSolutions-CFR4', reason: DEFAULT_CERTIFICATE }],
    checkov: [{ id: 'CKV_AWS_174', reason: DEFAULT_CERTIFICATE }],
    controls: ['CT.CLOUDFRONT.PR.6', 'CT.CLOUDFRONT.PR.7', 'CT.CLOUDFRONT.PR.9'].map((rule) => ({
      id: rule,
      reason: 'Without the domain prop the site is served on its *.cloudfront.net name, whose default certificate CloudFront manages: no custom certificate, SNI or TLS 1.2 minimum can be set.',
    })),
  },
  [ResourceKind.DISTRIBUTION_WITHOUT_WEB_ACL]: {
    checkov: [{
      id: 'CKV_AWS_68',
      reason: 'No webAclId was given: AWS WAF rules depend on the site (and are billed per rule and request); pass the ARN of a web ACL to attach one.',
    }],
  },
  [ResourceKind.PIPELINE]: {
    cfnLint: [{
      id: 'W3005',
      reason: "aws-cdk-lib's Pipeline depends on its role construct so that the role's policy exists before the pipeline is created; the DependsOn on the role itself duplicates the RoleArn reference and changes nothing.",
    }],
  },
  [ResourceKind.CODEBUILD_PROJECT]: {
    nag: inPacks(['CodeBuildProjectSourceRepoUrl'],
      'The project has no repository URL (its source is the pipeline artifact or none); cdk-nag fails every project without OAuth source auth, whatever its source type (cdklabs/cdk-nag#1590).',
      [HIPAA, PCI]),
  },
  [ResourceKind.FLEET_LAUNCH_TEMPLATE_BASIC_MONITORING]: {
    controls: [{
      id: 'CT.EC2.PR.10',
      reason: 'Detailed monitoring (one-minute metrics) costs about USD 2 a month per instance and is off by default; the fleet alarms read load balancer metrics, which are per minute anyway. Set detailedMonitoring to turn it on.',
    }],
  },
  [ResourceKind.FLEET_GROUP]: {
    controls: [{
      id: 'CT.AUTOSCALING.PR.6',
      reason: 'The fleet runs On-Demand instances of the one instanceType given; several types matter for Spot capacity, which this fleet does not use.',
    }],
  },
  [ResourceKind.FLEET_GROUP_WITH_ZONES]: {
    cfnLint: [{
      id: 'W3010',
      reason: 'The zones are those of the subnets the group launches in, as the VPC names them (aws-cdk-lib writes the zone names of a VPC into its subnets); Control Tower CT.AUTOSCALING.PR.1 reads AvailabilityZones only.',
    }],
  },
  [ResourceKind.FLEET_TOPIC]: {
    nag: inPacks(['SNSEncryptedKMS'], SERVICE_LINKED_PUBLISHER),
    checkov: [{ id: 'CKV_AWS_26', reason: SERVICE_LINKED_PUBLISHER }],
  },
  [ResourceKind.LOAD_BALANCER_SECURITY_GROUP]: {
    nag: [{ id: 'AwsSolutions-EC23', reason: OPEN_LISTENER }],
    checkov: [{ id: 'CKV_AWS_260', reason: OPEN_LISTENER }],
  },
  [ResourceKind.LOAD_BALANCER]: {
    nag: inPacks(['ALBWAFEnabled'],
      'The construct attaches no AWS WAF web ACL: its rules depend on the application (and are billed per rule and request); associate one with the loadBalancer the pipeline exposes.',
      [NIST, PCI]),
  },
  [ResourceKind.LOAD_BALANCER_WITHOUT_DELETION_PROTECTION]: {
    nag: inPacks(['ELBDeletionProtectionEnabled'], NO_DELETION_PROTECTION, [NIST, HIPAA]),
    controls: [{ id: 'CT.ELASTICLOADBALANCING.PR.5', reason: NO_DELETION_PROTECTION }],
  },
  [ResourceKind.HTTP_LISTENER]: {
    nag: inPacks(['ALBHttpToHttpsRedirection', 'ELBv2ACMCertificateRequired'], PLAIN_HTTP),
    checkov: ['CKV_AWS_2', 'CKV_AWS_103'].map((rule) => ({ id: rule, reason: PLAIN_HTTP })),
    controls: [{ id: 'CT.ELASTICLOADBALANCING.PR.1', reason: PLAIN_HTTP }],
  },
};

/** The kinds each construct was marked with (constructs are never copied, so identity is enough). */
const KINDS = new WeakMap<IConstruct, ResourceKind[]>();

/** Records what `construct` (a resource, or an L2 construct of one) is; `acceptFindings` reads it. */
export function markResource(construct: IConstruct, ...kinds: ResourceKind[]): void {
  KINDS.set(construct, [...KINDS.get(construct) ?? [], ...kinds]);
}

/**
 * Writes the accepted findings of every marked resource under `root` into its metadata, where
 * cdk-nag, the Control Tower proof, cfn-lint and checkov read them. Each top-level construct
 * calls it once, last.
 */
export function acceptFindings(root: IConstruct): void {
  for (const construct of root.node.findAll()) {
    for (const kind of KINDS.get(construct) ?? []) {
      const accepted = ACCEPTED_FINDINGS[kind];
      if (accepted.nag) suppressNagFindings(construct, accepted.nag);
      if (accepted.controls) suppressControlFindings(construct, accepted.controls);
      if (accepted.cfnLint) suppressCfnLintFindings(construct, accepted.cfnLint);
      if (accepted.checkov) suppressCheckovFindings(construct, accepted.checkov);
    }
  }
}

