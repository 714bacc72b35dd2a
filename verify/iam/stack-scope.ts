import { resourceArn } from './resource-arns';
import { StackModel } from './stack-model';
import { resourcesOfType } from '../../test/support/template-resources';

/** Resources of the stack that roles must keep their hands off, and resources of nobody's. */
export interface StackScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** Every bucket of the stack, by name. */
  readonly buckets: string[];
  readonly keyArns: string[];
  readonly projectArns: string[];
  readonly pipelineArns: string[];
  readonly distributionArns: string[];
  readonly keyValueStoreArns: string[];
  readonly topicArns: string[];
  /** Resources outside the stack, of the kinds its roles work on. */
  readonly unrelated: UnrelatedResources;
}

/** ARNs of resources that no role of the stack has any business with. */
export interface UnrelatedResources {
  readonly bucket: string;
  readonly object: string;
  readonly role: string;
  readonly project: string;
  readonly logStream: string;
  readonly repository: string;
  readonly distribution: string;
  readonly keyValueStore: string;
  readonly pipeline: string;
  readonly topic: string;
  readonly deploymentGroup: string;
  readonly autoScalingGroup: string;
  readonly targetGroup: string;
  readonly launchTemplate: string;
  readonly instance: string;
}

/** The resources of the stack, and unrelated ones, the expectations name. */
export function stackScope(model: StackModel): StackScope {
  const { partition, region, account } = model.env;
  const arnsOf = (type: string) => resourcesOfType(model.template, type).map(([id]) => resourceArn(model.resolver, id));
  const prefix = (service: string) => `arn:${partition}:${service}:${region}:${account}:`;
  return {
    partition,
    region,
    account,
    buckets: resourcesOfType(model.template, 'AWS::S3::Bucket').map(([id]) => model.resolver.physicalName(id)),
    keyArns: arnsOf('AWS::KMS::Key'),
    projectArns: arnsOf('AWS::CodeBuild::Project'),
    pipelineArns: arnsOf('AWS::CodePipeline::Pipeline'),
    distributionArns: arnsOf('AWS::CloudFront::Distribution'),
    keyValueStoreArns: arnsOf('AWS::CloudFront::KeyValueStore'),
    topicArns: arnsOf('AWS::SNS::Topic'),
    unrelated: {
      bucket: `arn:${partition}:s3:::unrelated-bucket`,
      object: `arn:${partition}:s3:::unrelated-bucket/data.txt`,
      role: `arn:${partition}:iam::${account}:role/unrelated-admin`,
      project: `${prefix('codebuild')}project/unrelated-project`,
      logStream: `${prefix('logs')}log-group:/aws/codebuild/unrelated-project:log-stream:x`,
      repository: `${prefix('codecommit')}unrelated-repo`,
      distribution: `arn:${partition}:cloudfront::${account}:distribution/EUNRELATED00000`,
      keyValueStore: `arn:${partition}:cloudfront::${account}:key-value-store/00000000-0000-0000-0000-000000000000`,
      pipeline: `${prefix('codepipeline')}unrelated-pipeline`,
      topic: `${prefix('sns')}unrelated-topic`,
      deploymentGroup: `${prefix('codedeploy')}deploymentgroup:unrelated-app/unrelated-group`,
      autoScalingGroup: `${prefix('autoscaling')}autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/unrelated-group`,
      targetGroup: `${prefix('elasticloadbalancing')}targetgroup/unrelated/0123456789abcdef`,
      launchTemplate: `${prefix('ec2')}launch-template/lt-0123456789abcdef0`,
      instance: `${prefix('ec2')}instance/i-0123456789abcdef0`,
    },
  };
}
