import { TemplateResolver, UnresolvableError } from './resolve-template';
import { uuidId } from './resource-attributes';

/**
 * Returns the ARN IAM authorizes requests on for a resource of the template, in its service's
 * format (several services return a name or an id, not an ARN, from `Ref` and `Fn::GetAtt`).
 */
export function resourceArn(resolver: TemplateResolver, logicalId: string): string {
  const type = resolver.typeOf(logicalId);
  const rule = type ? ARNS[type] : undefined;
  if (!rule) {
    throw new UnresolvableError(`no ARN rule for ${logicalId} (${type ?? 'not in the template'}); add one to verify/iam/resource-arns.ts`);
  }
  const { account, region, partition } = resolver.env;
  return rule({
    ref: () => resolver.resolveString({ Ref: logicalId }),
    att: (attribute) => resolver.resolveString({ 'Fn::GetAtt': [logicalId, attribute] }),
    name: () => resolver.physicalName(logicalId),
    prefix: (service, global = false) => `arn:${partition}:${service}:${global ? '' : region}:${account}:`,
    logicalId,
  });
}

/** What an ARN rule may read of a resource. */
interface ArnParts {
  readonly logicalId: string;
  ref(): string;
  att(attribute: string): string;
  name(): string;
  /** `arn:partition:service:region:account:` (no region for global services). */
  prefix(service: string, global?: boolean): string;
}

const ARNS: Record<string, (r: ArnParts) => string> = {
  'AWS::S3::Bucket': (r) => r.att('Arn'),
  'AWS::KMS::Key': (r) => r.att('Arn'),
  'AWS::IAM::Role': (r) => r.att('Arn'),
  'AWS::SNS::Topic': (r) => r.ref(),
  'AWS::CodeBuild::Project': (r) => r.att('Arn'),
  'AWS::CodeCommit::Repository': (r) => r.att('Arn'),
  'AWS::CodePipeline::Pipeline': (r) => `${r.prefix('codepipeline')}${r.ref()}`,
  'AWS::CloudFront::Distribution': (r) => `${r.prefix('cloudfront', true)}distribution/${r.ref()}`,
  'AWS::CloudFront::KeyValueStore': (r) => r.att('Arn'),
  'AWS::Logs::LogGroup': (r) => `${r.prefix('logs')}log-group:${r.name()}`,
  'AWS::CodeDeploy::Application': (r) => `${r.prefix('codedeploy')}application:${r.ref()}`,
  // Auto Scaling group ARNs hold a UUID that only the deployed group has.
  'AWS::AutoScaling::AutoScalingGroup': (r) =>
    `${r.prefix('autoscaling')}autoScalingGroup:${uuidId(r.logicalId)}:autoScalingGroupName/${r.ref()}`,
  'AWS::EC2::LaunchTemplate': (r) => `${r.prefix('ec2')}launch-template/${r.ref()}`,
  'AWS::ElasticLoadBalancingV2::TargetGroup': (r) => r.ref(),
  'AWS::CloudWatch::Alarm': (r) => r.att('Arn'),
  'AWS::CodeBuild::ReportGroup': (r) => r.att('Arn'),
};
