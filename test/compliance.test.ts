import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { logicalIdOf, TEST_ENV } from './util';
import { ServerAppStack, StagedServerAppStack } from '../examples/server-app';
import { DocsSiteStack, StaticSiteStack } from '../examples/static-site';
import { resourcesOfType } from './support/template-resources';

// The example stacks, each synthesized once: what every pipeline of the library shares.
const app = new App();
const stacks: Array<[string, Stack]> = [
  ['static site', new StaticSiteStack(app, 'Site', { env: TEST_ENV })],
  ['docs site', new DocsSiteStack(app, 'Docs', { env: TEST_ENV })],
  ['server', new ServerAppStack(app, 'Server', { env: TEST_ENV })],
  ['staged server', new StagedServerAppStack(app, 'Staged', { env: TEST_ENV })],
];
const templates: Array<[string, Template]> = stacks.map(([name, stack]) => [name, Template.fromStack(stack)]);
const [site, docs, server, staged] = templates.map(([, t]) => t);


/** The rule ids suppressed on the resources of a template: cdk-nag (`cdk_nag`) or Control Tower (`guard`), by logical-id prefix. */
function suppressions(template: Template, kind: 'cdk_nag' | 'guard'): string[] {
  return Object.entries<any>(template.toJSON().Resources).flatMap(([id, r]) => {
    const rules: any[] = kind === 'cdk_nag' ? r.Metadata?.cdk_nag?.rules_to_suppress ?? [] : r.Metadata?.guard?.SuppressedRules ?? [];
    return rules.filter((rule) => !rule.id.startsWith('AwsSolutions-')).map((rule) => `${id.replace(/[0-9A-F]{8}$/, '')} ${rule.id}`);
  }).sort();
}

describe('IAM', () => {
  test.each(templates)('no role of the %s example has an inline policy', (_, template) => {
    template.resourceCountIs('AWS::IAM::Policy', 0);
    expect(resourcesOfType<any>(template.toJSON(), 'AWS::IAM::ManagedPolicy').length).toBeGreaterThan(5);
  });

  test('every action role of a pipeline is trusted by the pipeline role alone', () => {
    for (const [, template] of templates) {
      const pipelineRole = logicalIdOf(template, 'AWS::IAM::Role', template === docs ? 'DocsPipelineRole' : template === site ? 'SitePipelineRole' : 'ApiPipelineRole');
      const actionRoles = resourcesOfType<any>(template.toJSON(), 'AWS::IAM::Role').filter(([id]) => /(ActionRole|SourceConnectionRole)/.test(id));
      expect(actionRoles.length).toBeGreaterThan(1);
      for (const [, role] of actionRoles) {
        expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': [pipelineRole, 'Arn'] } } },
        ]);
      }
    }
  });

  test('the pipeline runs as its own role, with a managed policy', () => {
    const role = logicalIdOf(site, 'AWS::IAM::Role', 'SitePipelineRole');
    site.hasResourceProperties('AWS::CodePipeline::Pipeline', { RoleArn: { 'Fn::GetAtt': [role, 'Arn'] } });
    site.hasResourceProperties('AWS::IAM::ManagedPolicy', { Roles: [{ Ref: role }] });
  });

  test('the CodeCommit push rule starts the pipeline with a role of its own, with a managed policy', () => {
    const role = logicalIdOf(site, 'AWS::IAM::Role', 'SiteSourceEventsRole');
    site.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ RoleArn: { 'Fn::GetAtt': [role, 'Arn'] } })] });
    site.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: role }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'codepipeline:StartPipelineExecution' })] },
    });
  });
});

describe('keys', () => {
  test.each(templates)('every key of the %s example is rotated and denies grants that are not for an AWS resource', (_, template) => {
    const keys = resourcesOfType<any>(template.toJSON(), 'AWS::KMS::Key');
    expect(keys.length).toBeGreaterThan(0);
    for (const [, key] of keys) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.Properties.KeyPolicy.Statement).toContainEqual({
        Action: 'kms:CreateGrant',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Resource: '*',
        Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      });
    }
  });

  test.each(templates)('no key policy of the %s example names its own key (CloudFormation would find a circular dependency)', (_, template) => {
    for (const [id, key] of resourcesOfType<any>(template.toJSON(), 'AWS::KMS::Key')) {
      expect(JSON.stringify(key.Properties.KeyPolicy)).not.toContain(`"${id}"`);
    }
  });

  test('CloudWatch Logs of the region may use the artifact key for /aws/codebuild/ log groups only', () => {
    const key = logicalIdOf(site, 'AWS::KMS::Key', 'SiteArtifactsKey');
    expect(site.toJSON().Resources[key].Properties.KeyPolicy.Statement).toContainEqual({
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Effect: 'Allow',
      Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
      Resource: '*',
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:/aws/codebuild/*']],
          },
        },
      },
    });
  });
});

describe('build logs', () => {
  test.each(templates)('every CodeBuild project of the %s example logs to CloudWatch Logs', (_, template) => {
    const projects = resourcesOfType<any>(template.toJSON(), 'AWS::CodeBuild::Project');
    expect(projects.length).toBeGreaterThan(0);
    for (const [, project] of projects) {
      expect(project.Properties.LogsConfig).toEqual({ CloudWatchLogs: { Status: 'ENABLED' } });
    }
  });

  test.each(templates)('every project log group of the %s example is encrypted with the artifact key', (_, template) => {
    const key = logicalIdOf(template, 'AWS::KMS::Key', template === site ? 'SiteArtifactsKey' : template === docs ? 'DocsArtifactsKey' : 'ApiArtifactsKey');
    const groups = resourcesOfType<any>(template.toJSON(), 'AWS::Logs::LogGroup');
    expect(groups.length).toBe(resourcesOfType<any>(template.toJSON(), 'AWS::CodeBuild::Project').length);
    for (const [, group] of groups) {
      expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    }
  });
});

describe('topics', () => {
  test('the approval and notification topics are encrypted with a topics key, not the artifact key', () => {
    const topicsKey = logicalIdOf(docs, 'AWS::KMS::Key', 'DocsTopicsKey');
    const topics = resourcesOfType<any>(docs.toJSON(), 'AWS::SNS::Topic');
    expect(topics.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['DocsApproveTopic', 'DocsNotificationsTopic']);
    for (const [, topic] of topics) {
      expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [topicsKey, 'Arn'] });
    }
  });

  test('a pipeline without topics has no topics key', () => {
    expect(resourcesOfType<any>(site.toJSON(), 'AWS::KMS::Key').map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['SiteArtifactsKey']);
  });

  test('the approval action role may encrypt with the topics key, which publishing to the topic takes', () => {
    const role = logicalIdOf(staged, 'AWS::IAM::Role', 'ApiApproveProductionActionRole');
    const key = logicalIdOf(staged, 'AWS::KMS::Key', 'ApiTopicsKey');
    staged.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: [{ Ref: role }],
      PolicyDocument: {
        Statement: Match.arrayWith([{ Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [key, 'Arn'] } }]),
      },
    });
  });

  test('CodeStar Notifications may encrypt with the topics key, to publish execution notifications', () => {
    const key = logicalIdOf(staged, 'AWS::KMS::Key', 'ApiTopicsKey');
    expect(staged.toJSON().Resources[key].Properties.KeyPolicy.Statement).toContainEqual({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Effect: 'Allow',
      Principal: { Service: 'codestar-notifications.amazonaws.com' },
      Resource: '*',
    });
  });
});

describe('buckets', () => {
  test.each(templates)('every bucket of the %s example sends its events to EventBridge, with no custom resource', (_, template) => {
    for (const [, bucket] of resourcesOfType<any>(template.toJSON(), 'AWS::S3::Bucket')) {
      expect(bucket.Properties.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    }
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test.each(templates)('no bucket of the %s example sets a canned ACL', (_, template) => {
    for (const [, bucket] of resourcesOfType<any>(template.toJSON(), 'AWS::S3::Bucket')) {
      expect(bucket.Properties.AccessControl).toBeUndefined();
    }
  });

  test('S3 delivers server access logs to the access log bucket under its bucket policy, for the buckets of this account that log there', () => {
    const bucket = logicalIdOf(site, 'AWS::S3::Bucket', 'SiteAccessLogs');
    site.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: 's3:PutObject',
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] },
          Condition: {
            StringEquals: { 'aws:SourceAccount': '123456789012' },
            ArnLike: { 'aws:SourceArn': Match.arrayWith([{ 'Fn::GetAtt': [logicalIdOf(site, 'AWS::S3::Bucket', 'SiteHostingBucket'), 'Arn'] }]) },
          },
        }]),
      },
    });
  });

  test('the access log bucket keeps ACLs enabled, which CloudFront standard logging grants itself through', () => {
    const bucket = logicalIdOf(site, 'AWS::S3::Bucket', 'SiteAccessLogs');
    expect(site.toJSON().Resources[bucket].Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] });
    site.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ Logging: Match.objectLike({ Bucket: { 'Fn::GetAtt': [bucket, 'RegionalDomainName'] } }) }),
    });
  });
});

describe('suppressed findings of the NIST 800-53, HIPAA and PCI DSS packs and Control Tower', () => {
  const packs = (...rules: string[]) => ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].flatMap((pack) => rules.map((rule) => `${pack}-${rule}`));
  const on = (id: string, rules: string[]) => rules.map((rule) => `${id} ${rule}`);
  const sitePart = (prefix: string) => [
    ...on(`${prefix}AccessLogs`, packs('S3BucketReplicationEnabled', 'S3DefaultEncryptionKMS')),
    ...on(`${prefix}Artifacts`, packs('S3BucketReplicationEnabled')),
    ...on(`${prefix}HostingBucket`, packs('S3BucketReplicationEnabled', 'S3DefaultEncryptionKMS')),
    ...['Build', 'UploadRelease', 'GoLive', 'Rollback'].flatMap((project) => on(`${prefix}${project}`,
      ['HIPAA.Security-CodeBuildProjectSourceRepoUrl', 'PCI.DSS.321-CodeBuildProjectSourceRepoUrl'])),
  ];

  test('the static site example suppresses replication, KMS on the log and site buckets, and the repository URL rule', () => {
    expect(suppressions(site, 'cdk_nag')).toEqual(sitePart('Site').sort());
  });

  test('the docs site example suppresses the same', () => {
    expect(suppressions(docs, 'cdk_nag')).toEqual(sitePart('Docs').sort());
  });

  test('the server example also suppresses WAF, HTTPS and KMS on the scaling topic of the fleet', () => {
    expect(suppressions(server, 'cdk_nag')).toEqual([
      ...on('ApiAccessLogs', packs('S3BucketReplicationEnabled', 'S3DefaultEncryptionKMS')),
      ...on('ApiArtifacts', packs('S3BucketReplicationEnabled')),
      ...on('ApiBuild', ['HIPAA.Security-CodeBuildProjectSourceRepoUrl', 'PCI.DSS.321-CodeBuildProjectSourceRepoUrl']),
      ...on('ApiProductionFleetScalingNotifications', packs('SNSEncryptedKMS')),
      ...on('ApiProductionFleetEndpointLoadBalancer', ['NIST.800.53.R5-ALBWAFEnabled', 'PCI.DSS.321-ALBWAFEnabled']),
      ...on('ApiProductionFleetEndpointLoadBalancerHttp', packs('ALBHttpToHttpsRedirection', 'ELBv2ACMCertificateRequired')),
      // The example's own: its public subnets route to the internet gateway.
      ...on('VpcPublicSubnet1DefaultRoute', packs('VPCNoUnrestrictedRouteToIGW')),
      ...on('VpcPublicSubnet2DefaultRoute', packs('VPCNoUnrestrictedRouteToIGW')),
    ].sort());
  });

  test('the staged server example suppresses replication, KMS on the log bucket and the repository URL rule', () => {
    expect(suppressions(staged, 'cdk_nag')).toEqual([
      ...on('ApiAccessLogs', packs('S3BucketReplicationEnabled', 'S3DefaultEncryptionKMS')),
      ...on('ApiArtifacts', packs('S3BucketReplicationEnabled')),
      ...on('ApiBuild', ['HIPAA.Security-CodeBuildProjectSourceRepoUrl', 'PCI.DSS.321-CodeBuildProjectSourceRepoUrl']),
    ].sort());
  });

  test('the static site example suppresses the Control Tower controls on logging, KMS, Object Lock and the default certificate', () => {
    expect(suppressions(site, 'guard')).toEqual([
      ...on('SiteAccessLogs', ['CT.S3.PR.2', 'CT.S3.PR.10', 'CT.S3.PR.9']),
      ...on('SiteArtifacts', ['CT.S3.PR.9']),
      ...on('SiteHostingBucket', ['CT.S3.PR.10', 'CT.S3.PR.9']),
      ...on('SiteHostingDistribution', ['CT.CLOUDFRONT.PR.4', 'CT.CLOUDFRONT.PR.6', 'CT.CLOUDFRONT.PR.7', 'CT.CLOUDFRONT.PR.9']),
    ].sort());
  });

  test('with a custom domain, the certificate controls are met', () => {
    expect(suppressions(docs, 'guard').filter((s) => s.startsWith('DocsHostingDistribution'))).toEqual(['DocsHostingDistribution CT.CLOUDFRONT.PR.4']);
  });

  test('the server example suppresses the Control Tower controls on instance types, detailed monitoring and plain HTTP', () => {
    expect(suppressions(server, 'guard')).toEqual([
      ...on('ApiAccessLogs', ['CT.S3.PR.2', 'CT.S3.PR.10', 'CT.S3.PR.9']),
      ...on('ApiArtifacts', ['CT.S3.PR.9']),
      'ApiProductionFleetGroupASG CT.AUTOSCALING.PR.6',
      'ApiProductionFleetLaunchTemplate CT.EC2.PR.10',
      'ApiProductionFleetEndpointLoadBalancerHttp CT.ELASTICLOADBALANCING.PR.1',
    ].sort());
  });

  test.each(templates)('every suppression of the %s example has a reason of a sentence or more', (_, template) => {
    for (const r of Object.values<any>(template.toJSON().Resources)) {
      for (const rule of [...r.Metadata?.cdk_nag?.rules_to_suppress ?? [], ...r.Metadata?.guard?.SuppressedRules ?? []]) {
        expect(rule.reason.length).toBeGreaterThan(40);
      }
    }
  });
});
