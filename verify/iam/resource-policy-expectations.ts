import { ExpectedCall } from './expectations';
import { resourceArn } from './resource-arns';
import { Caller } from './simulate';
import { StackModel } from './stack-model';
import { StackScope } from './stack-scope';
import { resourcesOfType } from '../../test/support/template-resources';

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
 * notification rules (and uses their key); CloudWatch publishes the alarms of the account to the
 * topics they notify; CloudWatch Logs encrypts the log groups of the stack with their key, for
 * those groups only; nobody creates a grant on a key but for an AWS resource.
 */
export function resourcePolicyChecks(model: StackModel, scope: StackScope): ResourcePolicyCheck[] {
  const { partition, account } = scope;
  const everything = [{ name: 'AdministratorAccess', document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }];
  const anonymous: Caller = { principal: 'anonymous', identityPolicies: [] };
  const administrator: Caller = { principal: `arn:${partition}:iam::${account}:role/administrator`, identityPolicies: everything };
  const outsider: Caller = { principal: `arn:${partition}:iam::210987654321:role/outsider`, identityPolicies: everything };
  const cloudFront: Caller = { principal: 'cloudfront.amazonaws.com', identityPolicies: [] };
  const cloudWatch: Caller = { principal: 'cloudwatch.amazonaws.com', identityPolicies: [] };
  const topicKeys = topicKeysOf(model);
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
      const notifications: Caller = { principal: 'codestar-notifications.amazonaws.com', identityPolicies: [] };
      checks.push(check(subject, notifications, 'sns:Publish', topic, 'allowed', { 'aws:SourceAccount': account }));
      const key = topicKeys.get(topic);
      if (key) {
        checks.push(...['kms:GenerateDataKey', 'kms:Decrypt'].map((a) => check(`key ${key} of ${subject}`, notifications, a, key, 'allowed')));
      }
    }
    for (const alarm of alarmsNotifying(model, topic)) {
      checks.push(
        check(subject, cloudWatch, 'sns:Publish', topic, 'allowed', { 'aws:SourceAccount': account, 'aws:SourceArn': alarm }),
        check(subject, cloudWatch, 'sns:Publish', topic, 'denied', { 'aws:SourceAccount': '210987654321', 'aws:SourceArn': alarm.replace(account, '210987654321') }),
      );
    }
  }
  for (const key of scope.keyArns) {
    checks.push(
      check(`key ${key}`, outsider, 'kms:Decrypt', key, 'denied'),
      check(`key ${key}`, administrator, 'kms:CreateGrant', key, 'explicitly denied', { 'kms:GrantIsForAWSResource': 'false' }),
    );
  }
  // CloudWatch Logs names the log group in the encryption context; the simulator reads that key as
  // aws:SourceArn (an ARN too), see ExpectedCall.renameContextKey.
  const logsContext = { from: 'kms:EncryptionContext:aws:logs:arn', to: 'aws:SourceArn' };
  for (const { key, logGroupArn } of encryptedLogGroups(model)) {
    const logs: Caller = { principal: `logs.${scope.region}.amazonaws.com`, identityPolicies: [] };
    const otherGroup = `arn:${partition}:logs:${scope.region}:${account}:log-group:/aws/lambda/unrelated`;
    const logsCheck = (action: string, group: string, expect: ExpectedCall['expect']) => ({
      subject: `key ${key}`,
      caller: logs,
      call: { action, resource: key, expect, context: { [logsContext.from]: group }, renameContextKey: logsContext },
    });
    checks.push(
      ...['kms:GenerateDataKey', 'kms:Decrypt'].map((a) => logsCheck(a, logGroupArn, 'allowed')),
      logsCheck('kms:Decrypt', otherGroup, 'denied'),
    );
  }
  return checks;
}

/** The KMS key of each encrypted topic of the stack, by topic ARN. */
function topicKeysOf(model: StackModel): Map<string, string> {
  return new Map(resourcesOfType(model.template, 'AWS::SNS::Topic')
    .filter(([, r]) => r.Properties?.KmsMasterKeyId !== undefined)
    .map(([id, r]) => [resourceArn(model.resolver, id), model.resolver.resolveString(r.Properties!.KmsMasterKeyId)]));
}

/** ARNs of the alarms of the stack whose actions publish to `topic`. */
function alarmsNotifying(model: StackModel, topic: string): string[] {
  return resourcesOfType(model.template, 'AWS::CloudWatch::Alarm')
    .filter(([, r]) => (r.Properties?.AlarmActions ?? []).some((a: unknown) => model.resolver.resolveString(a) === topic))
    .map(([id]) => resourceArn(model.resolver, id));
}

/** The log groups of the stack encrypted with a key, with the key's ARN. */
function encryptedLogGroups(model: StackModel): Array<{ key: string; logGroupArn: string }> {
  return resourcesOfType(model.template, 'AWS::Logs::LogGroup')
    .filter(([, r]) => r.Properties?.KmsKeyId !== undefined)
    .map(([id, r]) => ({ key: model.resolver.resolveString(r.Properties!.KmsKeyId), logGroupArn: resourceArn(model.resolver, id) }));
}

/** Each distribution of the stack with the bucket of the stack it serves (S3 origins only). */
function distributionOrigins(model: StackModel): Array<{ distributionArn: string; bucket: string }> {
  const { partition, account } = model.env;
  return resourcesOfType(model.template, 'AWS::CloudFront::Distribution')
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
  return resourcesOfType(model.template, 'AWS::CodeStarNotifications::NotificationRule')
    .flatMap(([, r]) => (r.Properties?.Targets ?? []).filter((t: any) => t.TargetType === 'SNS'))
    .map((t: any) => model.resolver.resolveString(t.TargetAddress));
}
