import { createHash } from 'crypto';

/** The account, region and partition a template is resolved for. */
export interface DeployEnvironment {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly stackName: string;
}

/** A resource of the template with the physical name it is given when resolved. */
export interface NamedResource {
  readonly logicalId: string;
  readonly name: string;
  /** The IAM path of IAM resources ('/' unless the template sets `Path`). */
  readonly path: string;
  readonly env: DeployEnvironment;
  /** The resolved value of one of the resource's properties (a listener's ARN is made from its load balancer's). */
  readonly property: (name: string) => unknown;
}

/** What `Ref` and `Fn::GetAtt` return for one resource type, as CloudFormation documents it. */
interface TypeRules {
  /** The property that names the resource when the template sets it. */
  readonly nameProperty?: string;
  /** The physical name CloudFormation would generate, from the logical id, when the template sets none. */
  readonly defaultName?: (logicalId: string) => string;
  /** What `Ref` returns. */
  readonly ref: (r: NamedResource) => string;
  /** What `Fn::GetAtt` returns, per attribute. */
  readonly attributes?: Record<string, (r: NamedResource) => unknown>;
}

/**
 * Returns what `Ref` (attribute undefined) or `Fn::GetAtt` of a resource resolves to, in the real
 * ARN and id formats of its type; throws when the type or attribute has no rule here, so an
 * unknown intrinsic fails the proof instead of being guessed.
 */
export function resourceAttribute(type: string, resource: NamedResource, attribute?: string): unknown {
  const rules = RULES[type];
  if (!rules) {
    throw new Error(`no rule for resources of type ${type} (add one to verify/iam/resource-attributes.ts)`);
  }
  if (attribute === undefined) {
    return rules.ref(resource);
  }
  const rule = rules.attributes?.[attribute];
  if (!rule) {
    throw new Error(`no rule for attribute ${attribute} of ${type} (add one to verify/iam/resource-attributes.ts)`);
  }
  return rule(resource);
}

/** The property naming a resource of `type`, and the name CloudFormation would otherwise generate. */
export function namingOf(type: string): { nameProperty?: string; defaultName: (logicalId: string) => string } {
  const rules = RULES[type];
  return { nameProperty: rules?.nameProperty, defaultName: rules?.defaultName ?? ((id) => id) };
}

/** `n` hex digits derived from `seed`: stable ids that differ between resources. */
function hexId(seed: string, n: number): string {
  let hex = '';
  for (let i = 0; hex.length < n; i++) {
    hex += createHash('sha256').update(`${seed}/${i}`).digest('hex');
  }
  return hex.slice(0, n);
}

/** A UUID-shaped id derived from `seed`. */
export function uuidId(seed: string): string {
  const h = hexId(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const arn = (r: NamedResource, service: string, resource: string, region = r.env.region, account = r.env.account) =>
  `arn:${r.env.partition}:${service}:${region}:${account}:${resource}`;
const lowerCase = (id: string) => id.toLowerCase();
const prefixedId = (prefix: string, n: number) => (r: NamedResource) => `${prefix}${hexId(r.logicalId, n)}`;
const uuidOf = (r: NamedResource) => uuidId(r.logicalId);
const cloudFrontId = (r: NamedResource) => `E${hexId(r.logicalId, 13).toUpperCase()}`;
// Elastic Load Balancing names hold at most 32 characters.
const elbName = (id: string) => id.slice(0, 32);
const targetGroupPath = (r: NamedResource) => `targetgroup/${r.name}/${hexId(r.logicalId, 16)}`;
const loadBalancerPath = (r: NamedResource) => `app/${r.name}/${hexId(r.logicalId, 16)}`;
const keyArn = (r: NamedResource) => arn(r, 'kms', `key/${uuidOf(r)}`);
const iamArn = (kind: string) => (r: NamedResource) => arn(r, 'iam', `${kind}${r.path}${r.name}`, '');
const s3Arn = (r: NamedResource) => `arn:${r.env.partition}:s3:::${r.name}`;

/** The rules per resource type; see each type's "Return values" in the CloudFormation reference. */
const RULES: Record<string, TypeRules> = {
  'AWS::S3::Bucket': {
    nameProperty: 'BucketName',
    defaultName: lowerCase,
    ref: (r) => r.name,
    attributes: {
      Arn: s3Arn,
      DomainName: (r) => `${r.name}.s3.amazonaws.com`,
      RegionalDomainName: (r) => `${r.name}.s3.${r.env.region}.amazonaws.com`,
      DualStackDomainName: (r) => `${r.name}.s3.dualstack.${r.env.region}.amazonaws.com`,
      WebsiteURL: (r) => `http://${r.name}.s3-website-${r.env.region}.amazonaws.com`,
    },
  },
  'AWS::KMS::Key': { ref: uuidOf, attributes: { Arn: keyArn, KeyId: uuidOf } },
  'AWS::KMS::Alias': { nameProperty: 'AliasName', ref: (r) => r.name },
  'AWS::IAM::Role': {
    nameProperty: 'RoleName',
    ref: (r) => r.name,
    attributes: { Arn: iamArn('role'), RoleId: (r) => `AROA${hexId(r.logicalId, 17).toUpperCase()}` },
  },
  'AWS::IAM::Policy': { ref: (r) => r.logicalId },
  'AWS::IAM::ManagedPolicy': {
    nameProperty: 'ManagedPolicyName',
    ref: iamArn('policy'),
    attributes: { PolicyArn: iamArn('policy') },
  },
  'AWS::IAM::InstanceProfile': {
    nameProperty: 'InstanceProfileName',
    ref: (r) => r.name,
    attributes: { Arn: iamArn('instance-profile') },
  },
  'AWS::CodeBuild::Project': {
    nameProperty: 'Name',
    ref: (r) => r.name,
    attributes: { Arn: (r) => arn(r, 'codebuild', `project/${r.name}`) },
  },
  'AWS::CodeBuild::ReportGroup': {
    nameProperty: 'Name',
    ref: (r) => arn(r, 'codebuild', `report-group/${r.name}`),
    attributes: { Arn: (r) => arn(r, 'codebuild', `report-group/${r.name}`), Name: (r) => r.name },
  },
  'AWS::CodePipeline::Pipeline': { nameProperty: 'Name', ref: (r) => r.name, attributes: { Version: () => '1' } },
  'AWS::CodeCommit::Repository': {
    nameProperty: 'RepositoryName',
    ref: uuidOf,
    attributes: {
      Arn: (r) => arn(r, 'codecommit', r.name),
      Name: (r) => r.name,
      CloneUrlHttp: (r) => `https://git-codecommit.${r.env.region}.amazonaws.com/v1/repos/${r.name}`,
      CloneUrlSsh: (r) => `ssh://git-codecommit.${r.env.region}.amazonaws.com/v1/repos/${r.name}`,
      CloneUrlGrc: (r) => `codecommit::${r.env.region}://${r.name}`,
    },
  },
  'AWS::CloudFront::Distribution': {
    ref: cloudFrontId,
    attributes: { Id: cloudFrontId, DomainName: (r) => `d${hexId(r.logicalId, 13)}.cloudfront.net` },
  },
  'AWS::CloudFront::Function': {
    nameProperty: 'Name',
    ref: (r) => arn(r, 'cloudfront', `function/${r.name}`, ''),
    attributes: { FunctionARN: (r) => arn(r, 'cloudfront', `function/${r.name}`, ''), Stage: () => 'LIVE' },
  },
  'AWS::CloudFront::OriginAccessControl': { ref: cloudFrontId, attributes: { Id: cloudFrontId } },
  'AWS::CloudFront::KeyValueStore': {
    nameProperty: 'Name',
    ref: (r) => r.name,
    attributes: { Arn: (r) => arn(r, 'cloudfront', `key-value-store/${uuidOf(r)}`, ''), Id: uuidOf, Status: () => 'READY' },
  },
  'AWS::CloudFront::ResponseHeadersPolicy': { ref: uuidOf, attributes: { Id: uuidOf } },
  'AWS::CloudFront::CachePolicy': { ref: uuidOf, attributes: { Id: uuidOf } },
  'AWS::CloudFront::OriginRequestPolicy': { ref: uuidOf, attributes: { Id: uuidOf } },
  'AWS::Logs::LogGroup': {
    nameProperty: 'LogGroupName',
    ref: (r) => r.name,
    attributes: { Arn: (r) => arn(r, 'logs', `log-group:${r.name}:*`) },
  },
  'AWS::SNS::Topic': {
    nameProperty: 'TopicName',
    ref: (r) => arn(r, 'sns', r.name),
    attributes: { TopicArn: (r) => arn(r, 'sns', r.name), TopicName: (r) => r.name },
  },
  'AWS::SNS::Subscription': { ref: (r) => arn(r, 'sns', `subscription:${uuidOf(r)}`) },
  'AWS::Events::Rule': {
    nameProperty: 'Name',
    ref: (r) => r.name,
    attributes: { Arn: (r) => arn(r, 'events', `rule/${r.name}`) },
  },
  'AWS::CodeStarNotifications::NotificationRule': {
    ref: (r) => arn(r, 'codestar-notifications', `notificationrule/${hexId(r.logicalId, 40)}`),
    attributes: { Arn: (r) => arn(r, 'codestar-notifications', `notificationrule/${hexId(r.logicalId, 40)}`) },
  },
  'AWS::CodeDeploy::Application': { nameProperty: 'ApplicationName', ref: (r) => r.name },
  'AWS::CodeDeploy::DeploymentGroup': { nameProperty: 'DeploymentGroupName', ref: (r) => r.name },
  'AWS::CodeDeploy::DeploymentConfig': { nameProperty: 'DeploymentConfigName', ref: (r) => r.name },
  'AWS::AutoScaling::AutoScalingGroup': { nameProperty: 'AutoScalingGroupName', ref: (r) => r.name },
  'AWS::AutoScaling::LaunchConfiguration': { nameProperty: 'LaunchConfigurationName', ref: (r) => r.name },
  'AWS::EC2::LaunchTemplate': {
    ref: prefixedId('lt-', 17),
    attributes: {
      LaunchTemplateId: prefixedId('lt-', 17),
      LatestVersionNumber: () => '1',
      DefaultVersionNumber: () => '1',
    },
  },
  'AWS::EC2::VPC': { ref: prefixedId('vpc-', 17), attributes: { VpcId: prefixedId('vpc-', 17), CidrBlock: () => '10.0.0.0/16' } },
  'AWS::EC2::Subnet': {
    ref: prefixedId('subnet-', 17),
    attributes: { SubnetId: prefixedId('subnet-', 17), AvailabilityZone: (r) => `${r.env.region}a` },
  },
  'AWS::EC2::SecurityGroup': { ref: prefixedId('sg-', 17), attributes: { GroupId: prefixedId('sg-', 17) } },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': {
    nameProperty: 'Name',
    defaultName: elbName,
    ref: (r) => arn(r, 'elasticloadbalancing', `loadbalancer/${loadBalancerPath(r)}`),
    attributes: {
      LoadBalancerArn: (r) => arn(r, 'elasticloadbalancing', `loadbalancer/${loadBalancerPath(r)}`),
      LoadBalancerFullName: loadBalancerPath,
      LoadBalancerName: (r) => r.name,
      DNSName: (r) => `${r.name}-1234567890.${r.env.region}.elb.amazonaws.com`,
    },
  },
  // arn:...:listener/app/<load balancer name>/<load balancer id>/<listener id>
  'AWS::ElasticLoadBalancingV2::Listener': {
    ref: (r) => `${String(r.property('LoadBalancerArn')).replace(':loadbalancer/', ':listener/')}/${hexId(r.logicalId, 16)}`,
    attributes: { ListenerArn: (r) => `${String(r.property('LoadBalancerArn')).replace(':loadbalancer/', ':listener/')}/${hexId(r.logicalId, 16)}` },
  },
  'AWS::ElasticLoadBalancingV2::TargetGroup': {
    nameProperty: 'Name',
    defaultName: elbName,
    ref: (r) => arn(r, 'elasticloadbalancing', targetGroupPath(r)),
    attributes: {
      TargetGroupArn: (r) => arn(r, 'elasticloadbalancing', targetGroupPath(r)),
      TargetGroupFullName: targetGroupPath,
      TargetGroupName: (r) => r.name,
    },
  },
  'AWS::CloudWatch::Alarm': {
    nameProperty: 'AlarmName',
    ref: (r) => r.name,
    attributes: { Arn: (r) => arn(r, 'cloudwatch', `alarm:${r.name}`) },
  },
  'AWS::SSM::Parameter': { nameProperty: 'Name', ref: (r) => r.name },
  'AWS::Lambda::Function': {
    nameProperty: 'FunctionName',
    ref: (r) => r.name,
    attributes: { Arn: (r) => arn(r, 'lambda', `function:${r.name}`) },
  },
  'AWS::SecretsManager::Secret': {
    nameProperty: 'Name',
    ref: (r) => arn(r, 'secretsmanager', `secret:${r.name}-${hexId(r.logicalId, 6)}`),
  },
};
