/** What the library's extra resources of one CloudFormation type are, in one comparison. */
export interface ResourceKind {
  /** Whether they are a security feature (confidentiality, integrity, least privilege, audit), which the targets allow. */
  readonly security: boolean;
  /** What they are, for the report. */
  readonly what: string;
}

/** Extra resources per type, checked against the construct paths the report prints next to each. */
export type ResourceKinds = Record<string, ResourceKind>;

/** What both pipelines add to a hand-written one: the shared pipeline core (src/pipeline.ts). */
const PIPELINE_CORE: ResourceKinds = {
  'AWS::KMS::Key': {
    security: true,
    what: 'customer managed key with rotation, encrypting pipeline artifacts and CodeBuild output (cdk-nag CB4)',
  },
  'AWS::S3::Bucket': {
    security: true,
    what: 'the access-log bucket of the other buckets, the distribution or the load balancer (cdk-nag S1, CFR3, ELB2)',
  },
  'AWS::S3::BucketPolicy': {
    security: true,
    what: 'the access-log bucket\'s policy: TLS-only access',
  },
  'AWS::Logs::LogGroup': {
    security: false,
    what: 'CodeBuild log groups created ahead with a retention; without them CodeBuild creates the same groups ' +
      'at the first build, never expiring (a cost and retention control: the logs exist either way)',
  },
};

/** The static site's extras beyond the pipeline core. */
export const STATIC_SITE_KINDS: ResourceKinds = {
  ...PIPELINE_CORE,
  'AWS::CloudFront::ResponseHeadersPolicy': {
    security: true,
    what: 'security headers: HSTS, nosniff, X-Frame-Options DENY, Referrer-Policy',
  },
  'AWS::CloudFront::Function': {
    security: false,
    what: 'the routing function: directory indexes, SPA fallback that keeps real 404s for missing files ' +
      '(the baseline uses errorResponses instead)',
  },
  'AWS::CloudFront::KeyValueStore': {
    security: false,
    what: 'the store naming the live release, which the routing function reads (atomic release switch)',
  },
  'AWS::CodeBuild::Project': {
    security: false,
    what: 'the release projects: upload, then verify and switch the live release, and a rollback run on demand ' +
      '(the baseline has one deploy action and one invalidation project)',
  },
  'AWS::IAM::Role': {
    security: false,
    what: 'roles of the extra CodeBuild projects and pipeline actions',
  },
  'AWS::IAM::Policy': {
    security: false,
    what: 'policies of the roles of the extra CodeBuild projects and pipeline actions',
  },
};

/** The server app's extras beyond the pipeline core. */
export const SERVER_APP_KINDS: ResourceKinds = {
  ...PIPELINE_CORE,
  'AWS::IAM::Policy': {
    security: true,
    what: 'the CodeDeploy service role\'s own policy, scoped to the fleet, instead of the AWSCodeDeployRole ' +
      'managed policy (blue/green actions on every resource of the account)',
  },
  'AWS::CloudWatch::Alarm': {
    security: false,
    what: 'deployment alarms (5xx responses, unhealthy hosts) that stop and roll back a bad release',
  },
  'AWS::SNS::Topic': {
    security: false,
    what: 'the topic of the fleet\'s scaling notifications (launches, terminations, failures)',
  },
  'AWS::SNS::TopicPolicy': {
    security: false,
    what: 'the TLS-only policy of that topic, there because the topic is',
  },
};
