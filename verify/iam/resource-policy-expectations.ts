import { ExpectedCall } from './expectations';
import { Caller } from './simulate';
import { StackModel } from './stack-model';
import { StackScope } from './stack-scope';

/** A call by a principal other than the stack's roles, which only the resource policy can stop. */
export interface ResourcePolicyCheck {
  /** What is checked, e.g. 'bucket docshostingbucket6c86ab7d'. */
  readonly subject: string;
  readonly caller: Caller;
  readonly call: ExpectedCall;
}

/**
 * What the bucket, topic and key policies must let through and stop: nobody anonymous, no request
 * without TLS (even an administrator's), nobody from another account; CloudFront reads the site
 * bucket only on behalf of its own distribution; CodeStar Notifications publishes to the topics of
 * notification rules.
 */
export function resourcePolicyChecks(model: StackModel, scope: StackScope): ResourcePolicyCheck[] {
  const { partition, account } = scope;
  const everything = [{ name: 'AdministratorAccess', document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }];
  const anonymous: Caller = { principal: 'anonymous', identityPolicies: [] };
  const administrator: Caller = { principal: `arn:${partition}:iam::${account}:role/administrator`, identityPolicies: everything };
  const outsider: Caller = { principal: `arn:${partition}:iam::210987654321:role/outsider`, identityPolicies: everything };
  const cloudFront: Caller = { principal: 'cloudfront.amazonaws.com', identityPolicies: [] };
  const insecure = { 'aws:SecureTransport': 'false' };
  const check = (subject: string, caller: Caller, action: string, resource: string, expect: ExpectedCall['expect'], context?: Record<string, string>) =>
    ({ subject, caller, call: { action, resource, expect, context } });

  const origins = distributionOrigins(model);
  const checks: ResourcePolicyCheck[] = scope.buckets.flatMap((bucket) => {
    const subject = `bucket ${bucket}`;
    const arn = `arn:${partition}:s3:::${bucket}`;
    const object = `${arn}/index.html`;
    return [
      ...['s3:GetObject', 's3:PutObject'].map((a) => check(subject, anonymous, a, object, 'denied')),
      check(subject, anonymous, 's3:ListBucket', arn, 'denied'),
      ...['s3:GetObject', 's3:PutObject'].map((a) => check(subject, administrator, a, object, 'explicitly denied', insecure)),
      check(subject, outsider, 's3:GetObject', object, 'denied'),
      ...origins.map(({ distributionArn, bucket: origin }) => check(subject, cloudFront, 's3:GetObject', object,
        origin === bucket ? 'allowed' : 'denied', { 'aws:SourceArn': distributionArn, 'aws:SourceAccount': account })),
      check(subject, cloudFront, 's3:GetObject', object, 'denied', { 'aws:SourceArn': scope.unrelated.distribution, 'aws:SourceAccount': account }),
    ];
  });

  const notified = notificationTopics(model);
  for (const topic of scope.topicArns) {
    const subject = `topic ${topic}`;
    checks.push(
      check(subject, anonymous, 'sns:Publish', topic, 'denied'),
      check(subject, administrator, 'sns:Publish', topic, 'explicitly denied', insecure),
      check(subject, outsider, 'sns:Publish', topic, 'denied'),
    );
    if (notified.includes(topic)) {
      checks.push(check(subject, { principal: 'codestar-notifications.amazonaws.com', identityPolicies: [] }, 'sns:Publish', topic, 'allowed', { 'aws:SourceAccount': account }));
    }
  }
  for (const key of scope.keyArns) {
    checks.push(check(`key ${key}`, outsider, 'kms:Decrypt', key, 'denied'));
  }
  return checks;
}

/** Each distribution of the stack with the bucket of the stack it serves (S3 origins only). */
function distributionOrigins(model: StackModel): Array<{ distributionArn: string; bucket: string }> {
  const { partition, account } = model.env;
  return Object.entries(model.template.Resources)
    .filter(([, r]) => r.Type === 'AWS::CloudFront::Distribution')
    .flatMap(([id, r]) => (r.Properties?.DistributionConfig?.Origins ?? []).flatMap((origin: any) => {
      const bucketId = origin.DomainName?.['Fn::GetAtt']?.[0];
      if (!bucketId || model.resolver.typeOf(bucketId) !== 'AWS::S3::Bucket') {
        return [];
      }
      return [{
        distributionArn: `arn:${partition}:cloudfront::${account}:distribution/${model.resolver.resolveString({ Ref: id })}`,
        bucket: model.resolver.physicalName(bucketId),
      }];
    }));
}

/** ARNs of the SNS topics notification rules of the stack publish to. */
function notificationTopics(model: StackModel): string[] {
  return Object.values(model.template.Resources)
    .filter((r) => r.Type === 'AWS::CodeStarNotifications::NotificationRule')
    .flatMap((r) => (r.Properties?.Targets ?? []).filter((t: any) => t.TargetType === 'SNS'))
    .map((t: any) => model.resolver.resolveString(t.TargetAddress));
}
