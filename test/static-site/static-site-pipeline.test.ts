import { App, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { DocsSiteStack, StaticSiteStack } from '../../examples/static-site';
import { DeployCompute, PipelineSource, StaticSitePipeline, StaticSitePipelineProps } from '../../src';
import { LAMBDA_COMPUTE_REGIONS } from '../../src/deploy-compute';
import { DeployMode } from '../../src/static-site/static-site-pipeline';
import { allIamActions, logicalIdOf, nagErrors, newStack, projectBuildSpec, projectRole, roleStatements, TEST_ENV } from '../util';

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:123456789012:connection/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

/** Synthesizes a StaticSitePipeline with the given props (and cdk-nag applied) and returns its template. */
function synth(props: Partial<StaticSitePipelineProps> = {}, stack: Stack = newStack()): Template {
  new StaticSitePipeline(stack, 'Site', {
    source: PipelineSource.codeCommit({ repositoryName: 'site' }),
    ...props,
  });
  return Template.fromStack(stack);
}

/** The message a StaticSitePipeline with these props fails with. */
function errorOf(props: Partial<StaticSitePipelineProps>, stack: Stack = newStack()): string {
  try {
    synth(props, stack);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

// The README example, synthesized once with cdk-nag for every wiring test.
const exampleStack = new StaticSiteStack(new App(), 'Example', { env: TEST_ENV });
const example = Template.fromStack(exampleStack);
const exampleResources = example.toJSON().Resources;

/** The source of the only CloudFront Function, with each CloudFormation reference in it shown as JSON. */
function functionCode(template: Template): string {
  const code = Object.values<any>(template.findResources('AWS::CloudFront::Function'))[0].Properties.FunctionCode;
  const parts: unknown[] = typeof code === 'string' ? [code] : code['Fn::Join'][1];
  return parts.map((part) => typeof part === 'string' ? part : JSON.stringify(part)).join('');
}

describe('pipeline wiring', () => {
  test('the pipeline is a V2 pipeline with Source, Build and Deploy stages in that order', () => {
    example.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      PipelineType: 'V2',
      Stages: [
        Match.objectLike({ Name: 'Source', Actions: [Match.objectLike({ ActionTypeId: Match.objectLike({ Provider: 'CodeCommit' }) })] }),
        Match.objectLike({ Name: 'Build', Actions: [Match.objectLike({ ActionTypeId: Match.objectLike({ Provider: 'CodeBuild' }) })] }),
        Match.objectLike({
          Name: 'Deploy',
          Actions: [
            Match.objectLike({ Name: 'UploadRelease', ActionTypeId: Match.objectLike({ Provider: 'CodeBuild' }), RunOrder: 1 }),
            Match.objectLike({ Name: 'GoLive', ActionTypeId: Match.objectLike({ Provider: 'CodeBuild' }), RunOrder: 2 }),
          ],
        }),
      ],
    });
  });

  test('the source output feeds the build, and the build output feeds the deploy step', () => {
    const sourceOut = new Capture();
    const buildIn = new Capture();
    const buildOut = new Capture();
    const uploadIn = new Capture();
    const goLiveIn = new Capture();
    example.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: [
        Match.objectLike({ Actions: [Match.objectLike({ OutputArtifacts: [{ Name: sourceOut }] })] }),
        Match.objectLike({ Actions: [Match.objectLike({ InputArtifacts: [{ Name: buildIn }], OutputArtifacts: [{ Name: buildOut }] })] }),
        Match.objectLike({
          Actions: [Match.objectLike({ InputArtifacts: [{ Name: uploadIn }] }), Match.objectLike({ InputArtifacts: [{ Name: goLiveIn }] })],
        }),
      ],
    });
    expect(buildIn.asString()).toEqual(sourceOut.asString());
    expect(uploadIn.asString()).toEqual(buildOut.asString());
    expect(goLiveIn.asString()).toEqual(buildOut.asString());
    expect(buildOut.asString()).not.toEqual(sourceOut.asString());
  });

  test('the build and deploy actions run their own projects', () => {
    const buildProject = logicalIdOf(example, 'AWS::CodeBuild::Project', 'SiteBuild');
    const uploadProject = logicalIdOf(example, 'AWS::CodeBuild::Project', 'SiteUploadRelease');
    const goLiveProject = logicalIdOf(example, 'AWS::CodeBuild::Project', 'SiteGoLive');
    example.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([
        Match.objectLike({ Name: 'Build', Actions: [Match.objectLike({ Configuration: { ProjectName: { Ref: buildProject } } })] }),
        Match.objectLike({
          Name: 'Deploy',
          Actions: [
            Match.objectLike({ Configuration: Match.objectLike({ ProjectName: { Ref: uploadProject } }) }),
            Match.objectLike({ Configuration: Match.objectLike({ ProjectName: { Ref: goLiveProject } }) }),
          ],
        }),
      ]),
    });
  });

  test('a new CodeCommit repository is created and every push to main starts the pipeline', () => {
    example.hasResourceProperties('AWS::CodeCommit::Repository', { RepositoryName: 'marketing-site' });
    example.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        source: ['aws.codecommit'],
        detail: Match.objectLike({ referenceName: ['main'], event: ['referenceCreated', 'referenceUpdated'] }),
      }),
    });
    example.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Actions: [Match.objectLike({ Configuration: Match.objectLike({ BranchName: 'main', PollForSourceChanges: false }) })],
      })]),
    });
  });

  test('an existing repository and branch are used as given, and no repository is created', () => {
    const stack = newStack();
    const repository = codecommit.Repository.fromRepositoryName(stack, 'Existing', 'legacy-site');
    const template = synth({ source: PipelineSource.codeCommit({ repository, branch: 'release' }) }, stack);
    template.resourceCountIs('AWS::CodeCommit::Repository', 0);
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Actions: [Match.objectLike({ Configuration: Match.objectLike({ RepositoryName: 'legacy-site', BranchName: 'release' }) })],
      })]),
    });
  });

  test('a connection source checks out owner/repository on push, with codeconnections:UseConnection', () => {
    const template = synth({
      source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repository: 'docs' }),
    });
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'Source',
        Actions: [Match.objectLike({
          ActionTypeId: Match.objectLike({ Provider: 'CodeStarSourceConnection' }),
          Configuration: Match.objectLike({ ConnectionArn: CONNECTION_ARN, FullRepositoryId: 'acme/docs', BranchName: 'main', DetectChanges: true }),
        })],
      })]),
    });
    const role = logicalIdOf(template, 'AWS::IAM::Role', 'SiteSourceConnectionRole');
    expect(roleStatements(template, role)).toContainEqual({ Action: 'codeconnections:UseConnection', Effect: 'Allow', Resource: CONNECTION_ARN });
  });

  test('only the pipeline role may assume the connection source role', () => {
    const template = synth({
      source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repository: 'docs' }),
    });
    const role = logicalIdOf(template, 'AWS::IAM::Role', 'SiteSourceConnectionRole');
    const pipelineRole = logicalIdOf(template, 'AWS::IAM::Role', 'SitePipelineRole');
    expect(template.toJSON().Resources[role].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': [pipelineRole, 'Arn'] } } },
    ]);
  });

  test('an older codestar-connections ARN gets only the codestar-connections action', () => {
    const arn = CONNECTION_ARN.replace('codeconnections', 'codestar-connections');
    const template = synth({ source: PipelineSource.connection({ connectionArn: arn, owner: 'acme', repository: 'docs' }) });
    const actions = allIamActions(template);
    expect(actions).toContain('codestar-connections:UseConnection');
    expect(actions).not.toContain('codeconnections:UseConnection');
  });

  test('a manual approval stage sits between build and deploy, and emails go through an SSL-only topic', () => {
    const template = synth({ approval: { emails: ['lead@example.com'] } });
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: [
        Match.objectLike({ Name: 'Source' }),
        Match.objectLike({ Name: 'Build' }),
        Match.objectLike({ Name: 'Approve', Actions: [Match.objectLike({ ActionTypeId: Match.objectLike({ Category: 'Approval', Provider: 'Manual' }) })] }),
        Match.objectLike({ Name: 'Deploy' }),
      ],
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'lead@example.com' });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('notifications publish failed and succeeded executions to a topic', () => {
    const template = synth({ notifications: { emails: ['team@example.com'] } });
    template.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      EventTypeIds: ['codepipeline-pipeline-pipeline-execution-failed', 'codepipeline-pipeline-pipeline-execution-succeeded'],
      Targets: [Match.objectLike({ TargetType: 'SNS' })],
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'team@example.com' });
  });

  test('notifications can be limited to failures', () => {
    const template = synth({ notifications: { notifyOnSuccess: false } });
    template.hasResourceProperties('AWS::CodeStarNotifications::NotificationRule', {
      EventTypeIds: ['codepipeline-pipeline-pipeline-execution-failed'],
    });
  });

  test('the stack outputs the pipeline console URL, the clone URL and the site URL', () => {
    const outputs = example.toJSON().Outputs;
    const values = Object.values<any>(outputs).map((o) => JSON.stringify(o.Value));
    expect(values.some((v) => v.includes('codesuite/codepipeline/pipelines/'))).toBe(true);
    expect(values.some((v) => v.includes('CloneUrlHttp'))).toBe(true);
    expect(values.some((v) => v.includes('"https://"') && v.includes('DomainName'))).toBe(true);
  });
});

describe('artifact store', () => {
  const artifacts = logicalIdOf(example, 'AWS::S3::Bucket', 'SiteArtifacts');
  const key = logicalIdOf(example, 'AWS::KMS::Key', 'SiteArtifactsKey');

  test('artifacts are encrypted with a rotated customer managed key, used by the pipeline too', () => {
    example.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    example.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      ArtifactStore: { Type: 'S3', Location: { Ref: artifacts }, EncryptionKey: { Type: 'KMS', Id: { 'Fn::GetAtt': [key, 'Arn'] } } },
    });
    example.resourceCountIs('AWS::KMS::Key', 1);
  });

  test('the artifact bucket is private, SSL-only, logged and expires old artifacts', () => {
    const bucket = exampleResources[artifacts].Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(bucket.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: logicalIdOf(example, 'AWS::S3::Bucket', 'SiteAccessLogs') });
    expect(bucket.LifecycleConfiguration.Rules).toContainEqual(expect.objectContaining({ ExpirationInDays: 30, Status: 'Enabled' }));
    example.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: artifacts },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('no IAM action anywhere is a wildcard', () => {
    expect(allIamActions(example).filter((a) => a.includes('*'))).toEqual([]);
  });
});

describe('build project', () => {
  const buildSpec = (template: Template): any => {
    const project = template.findResources('AWS::CodeBuild::Project', { Properties: { Description: 'Builds and tests each pushed commit' } });
    return projectBuildSpec(template, Object.keys(project)[0]);
  };

  test('the build runs the commands, then the tests, and publishes the output directory', () => {
    const spec = buildSpec(example);
    expect(spec.phases.build.commands).toEqual(['npm ci', 'npm run build', 'npm test']);
    expect(spec.phases.build['on-failure']).toBe('ABORT');
    expect(spec.artifacts).toEqual({ 'base-directory': 'dist', 'files': ['**/*'] });
  });

  test('without build options the defaults are npm ci, npm run build and dist', () => {
    const spec = buildSpec(synth());
    expect(spec.phases.build.commands).toEqual(['npm ci', 'npm run build']);
    expect(spec.phases.install['runtime-versions']).toEqual({ nodejs: '22' });
    expect(spec.artifacts['base-directory']).toBe('dist');
  });

  test('install commands run in the install phase', () => {
    const spec = buildSpec(synth({ buildOptions: { installCommands: ['npm i -g pnpm'] } }));
    expect(spec.phases.install.commands).toEqual(['npm i -g pnpm']);
  });

  test('the npm cache is kept in the artifact bucket between builds', () => {
    expect(buildSpec(example).cache).toEqual({ paths: ['/root/.npm/**/*'] });
    example.hasResourceProperties('AWS::CodeBuild::Project', {
      Description: 'Builds and tests each pushed commit',
      Cache: { Type: 'S3', Location: Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
    });
  });

  test('an empty cachePaths turns the cache off', () => {
    const template = synth({ buildOptions: { cachePaths: [] } });
    expect(buildSpec(template).cache).toBeUndefined();
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Description: 'Builds and tests each pushed commit',
      Cache: { Type: 'NO_CACHE' },
    });
  });

  test('the build uses the current standard image on a small machine, encrypted with the artifact key', () => {
    example.hasResourceProperties('AWS::CodeBuild::Project', {
      Description: 'Builds and tests each pushed commit',
      Environment: Match.objectLike({ Image: 'aws/codebuild/standard:7.0', ComputeType: 'BUILD_GENERAL1_SMALL', PrivilegedMode: false }),
      EncryptionKey: { 'Fn::GetAtt': [logicalIdOf(example, 'AWS::KMS::Key', 'SiteArtifactsKey'), 'Arn'] },
    });
  });

  test('environment variables of every kind reach the project, and the role may read the parameter and secret', () => {
    const template = synth({
      buildOptions: {
        environmentVariables: {
          SITE_TITLE: { value: 'Acme' },
          API_URL: { type: codebuild.BuildEnvironmentVariableType.PARAMETER_STORE, value: '/site/api-url' },
          TOKEN: { type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER, value: 'site/token' },
        },
      },
    });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({
        EnvironmentVariables: Match.arrayWith([
          { Name: 'SITE_TITLE', Type: 'PLAINTEXT', Value: 'Acme' },
          { Name: 'API_URL', Type: 'PARAMETER_STORE', Value: '/site/api-url' },
          { Name: 'TOKEN', Type: 'SECRETS_MANAGER', Value: 'site/token' },
        ]),
      }),
    });
    const actions = allIamActions(template);
    expect(actions).toContain('ssm:GetParameters');
    expect(actions).toContain('secretsmanager:GetSecretValue');
  });

  test('test reports go to a dedicated report group granted by ARN', () => {
    const template = synth({ buildOptions: { testCommands: ['npm test'], testReports: ['reports/junit.xml'] } });
    const group = logicalIdOf(template, 'AWS::CodeBuild::ReportGroup', 'SiteBuildTestReports');
    const spec = buildSpec(template);
    expect(spec.reports).toEqual({ TOKEN: { 'files': ['reports/junit.xml'], 'file-format': 'JUNITXML' } });
    const project = Object.values<any>(template.findResources('AWS::CodeBuild::Project', { Properties: { Description: 'Builds and tests each pushed commit' } }))[0];
    expect(JSON.stringify(project.Properties.Source.BuildSpec)).toContain(JSON.stringify({ 'Fn::GetAtt': [group, 'Arn'] }));
    const role = projectRole(template, logicalIdOf(template, 'AWS::CodeBuild::Project', 'SiteBuild'));
    expect(roleStatements(template, role)).toContainEqual(expect.objectContaining({
      Action: ['codebuild:CreateReport', 'codebuild:UpdateReport', 'codebuild:BatchPutTestCases'],
      Resource: { 'Fn::GetAtt': [group, 'Arn'] },
    }));
  });

  test('build logs go to a log group that expires them after a year', () => {
    example.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: { 'Fn::Join': ['', ['/aws/codebuild/', { Ref: logicalIdOf(example, 'AWS::CodeBuild::Project', 'SiteBuild') }]] },
      RetentionInDays: 365,
    });
  });
});

describe('hosting', () => {
  const siteBucket = logicalIdOf(example, 'AWS::S3::Bucket', 'SiteHostingBucket');
  // The same site deployed in place (the default until atomic releases), for the deploy step's tests.
  const inPlace = synth({ deployMode: DeployMode.IN_PLACE, singlePageApp: true });
  const distribution = Object.values<any>(example.findResources('AWS::CloudFront::Distribution'))[0];
  const config = distribution.Properties.DistributionConfig;

  test('the site bucket is private, encrypted, versioned, SSL-only and retained', () => {
    example.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'site-bucket/' }),
      }),
    });
    expect(exampleResources[siteBucket].DeletionPolicy).toBe('Retain');
  });

  test('only the distribution, through origin access control, may read and list the site bucket', () => {
    example.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const readSource = new Capture();
    const listSource = new Capture();
    example.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: siteBucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [siteBucket, 'Arn'] }, '/*']] },
            Condition: { StringEquals: { 'AWS:SourceArn': readSource } },
          }),
          // ListBucket makes S3 answer a missing key with 404 (not 403), so the not-found page is used.
          Match.objectLike({
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:ListBucket',
            Resource: { 'Fn::GetAtt': [siteBucket, 'Arn'] },
            Condition: { StringEquals: { 'AWS:SourceArn': listSource } },
          }),
        ]),
      },
    });
    const distributionId = logicalIdOf(example, 'AWS::CloudFront::Distribution', 'SiteHostingDistribution');
    for (const source of [readSource, listSource]) {
      expect(JSON.stringify(source.asObject())).toMatch(new RegExp(`:distribution/",\\{"Ref":"${distributionId}"\\}`));
    }
    expect(config.Origins[0].S3OriginConfig.OriginAccessIdentity).toBe('');
    expect(config.Origins[0].OriginAccessControlId).toBeDefined();
  });

  test('the distribution serves HTTP/2 and 3 over HTTPS with compression and index.html at the root', () => {
    expect(config.HttpVersion).toBe('http2and3');
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultCacheBehavior.Compress).toBe(true);
    expect(config.IPV6Enabled).toBe(true);
  });

  test('the distribution logs to the access log bucket', () => {
    expect(config.Logging).toEqual({
      Bucket: { 'Fn::GetAtt': [logicalIdOf(example, 'AWS::S3::Bucket', 'SiteAccessLogs'), 'RegionalDomainName'] },
      Prefix: 'cloudfront/',
    });
  });

  test('the response headers policy sends HSTS, nosniff, DENY framing and a strict referrer policy', () => {
    example.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
        },
      }),
    });
  });

  test('a content security policy is added when given', () => {
    synth({ contentSecurityPolicy: "default-src 'self'" }).hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({ ContentSecurityPolicy: { ContentSecurityPolicy: "default-src 'self'", Override: true } }),
      }),
    });
  });

  test('the routing function runs on viewer requests of the default behaviour, with the SPA fallback', () => {
    const fn = logicalIdOf(example, 'AWS::CloudFront::Function', 'SiteHostingRouting');
    const response = logicalIdOf(example, 'AWS::CloudFront::Function', 'SiteHostingPreviewResponse');
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fn, 'FunctionARN'] } },
      // The go-live check's token makes responses of a token holder noindex (verification is on by default).
      { EventType: 'viewer-response', FunctionARN: { 'Fn::GetAtt': [response, 'FunctionARN'] } },
    ]);
    expect(exampleResources[fn].Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    expect(functionCode(example)).toContain("request.uri = '/index.html'");
  });

  test('without singlePageApp, directories are served from their index.html', () => {
    expect(functionCode(synth())).toContain('var ROUTING = {"singlePageApp":false,');
  });

  test('missing files get the 404 page with a 404 status, and no error response rewrites to index.html', () => {
    expect(config.CustomErrorResponses).toEqual([
      { ErrorCode: 404, ResponseCode: 404, ResponsePagePath: '/404.html', ErrorCachingMinTTL: 10 },
    ]);
  });

  test('the template has no Lambda function and no custom resource', () => {
    example.resourceCountIs('AWS::Lambda::Function', 0);
    expect(Object.values<any>(exampleResources).filter((r) => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource')).toEqual([]);
  });

  test('in place, the deploy project publishes to the site bucket and distribution named in its environment', () => {
    inPlace.hasResourceProperties('AWS::CodeBuild::Project', {
      Description: 'Publishes the site build to S3 and invalidates CloudFront',
      Environment: Match.objectLike({
        EnvironmentVariables: Match.arrayWith([
          { Name: 'SITE_BUCKET', Type: 'PLAINTEXT', Value: { Ref: siteBucket } },
          { Name: 'DISTRIBUTION_ID', Type: 'PLAINTEXT', Value: { Ref: logicalIdOf(inPlace, 'AWS::CloudFront::Distribution', 'SiteHostingDistribution') } },
        ]),
      }),
    });
  });

  test('in place, the deploy role may list, write and delete site files and invalidate this distribution, and nothing else', () => {
    const deployProject = logicalIdOf(inPlace, 'AWS::CodeBuild::Project', 'SiteDeploy');
    const distributionId = logicalIdOf(inPlace, 'AWS::CloudFront::Distribution', 'SiteHostingDistribution');
    const artifacts = logicalIdOf(inPlace, 'AWS::S3::Bucket', 'SiteArtifacts');
    const key = logicalIdOf(inPlace, 'AWS::KMS::Key', 'SiteArtifactsKey');
    const logGroupArn = (suffix: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:/aws/codebuild/', { Ref: deployProject }, ...suffix ? [suffix] : []]],
    });
    expect(roleStatements(inPlace, projectRole(inPlace, deployProject))).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [logGroupArn(''), logGroupArn(':*')] },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [siteBucket, 'Arn'] } },
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [siteBucket, 'Arn'] }, '/*']] } },
      {
        Effect: 'Allow',
        Action: 'cloudfront:CreateInvalidation',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudfront::123456789012:distribution/', { Ref: distributionId }]] },
      },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [key, 'Arn'] } },
      { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:GetBucketVersioning'], Resource: { 'Fn::GetAtt': [artifacts, 'Arn'] } },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [artifacts, 'Arn'] }, '/*']] } },
    ]);
  });
});

describe('atomic releases (the default)', () => {
  const template = synth({ redirects: true });
  const resources = template.toJSON().Resources;
  const siteBucket = logicalIdOf(template, 'AWS::S3::Bucket', 'SiteHostingBucket');
  const store = logicalIdOf(template, 'AWS::CloudFront::KeyValueStore', 'SiteHostingReleases');
  const key = logicalIdOf(template, 'AWS::KMS::Key', 'SiteArtifactsKey');
  const artifacts = logicalIdOf(template, 'AWS::S3::Bucket', 'SiteArtifacts');
  const objects = (suffix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [siteBucket, 'Arn'] }, suffix]] });
  const storeArn = { 'Fn::GetAtt': [store, 'Arn'] };
  const listReleases = { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [siteBucket, 'Arn'] }, Condition: { StringLike: { 's3:prefix': ['releases/*'] } } };
  const roleOf = (prefix: string) => projectRole(template, logicalIdOf(template, 'AWS::CodeBuild::Project', prefix));
  /** The statements of a project's role after its log statement. */
  const grants = (prefix: string) => roleStatements(template, roleOf(prefix)).slice(1);
  const readArtifacts = [
    { Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [key, 'Arn'] } },
    { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:GetBucketVersioning'], Resource: { 'Fn::GetAtt': [artifacts, 'Arn'] } },
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [artifacts, 'Arn'] }, '/*']] } },
  ];

  test('the routing function is associated with the KeyValueStore and reads it by its id', () => {
    const fn = Object.values<any>(template.findResources('AWS::CloudFront::Function'))[0].Properties;
    expect(fn.FunctionConfig).toEqual(expect.objectContaining({ Runtime: 'cloudfront-js-2.0', KeyValueStoreAssociations: [{ KeyValueStoreARN: storeArn }] }));
    const code = functionCode(template);
    expect(code.split('\n')[0]).toBe("import cf from 'cloudfront';");
    expect(code.split('\n')[1]).toContain(`"keyValueStoreId":"${JSON.stringify({ 'Fn::GetAtt': [store, 'Id'] })}"`);
    expect(code.split('\n')[1]).toContain('"rules":{"redirects":"*","statusPages":".status/"}');
  });

  test('the routing function runs on viewer requests of the default behaviour', () => {
    const fn = logicalIdOf(template, 'AWS::CloudFront::Function', 'SiteHostingRouting');
    const response = logicalIdOf(template, 'AWS::CloudFront::Function', 'SiteHostingPreviewResponse');
    const distribution = Object.values<any>(template.findResources('AWS::CloudFront::Distribution'))[0];
    expect(distribution.Properties.DistributionConfig.DefaultCacheBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fn, 'FunctionARN'] } },
      // The go-live check's token makes responses of a token holder noindex (verification is on by default).
      { EventType: 'viewer-response', FunctionARN: { 'Fn::GetAtt': [response, 'FunctionARN'] } },
    ]);
  });

  test('without redirects, the function never looks one up', () => {
    expect(functionCode(synth()).split('\n')[1]).not.toContain('"rules"');
  });

  test('the upload action gets the commit and the execution id; the go-live action the release id the upload exported and the commit', () => {
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([
        Match.objectLike({ Name: 'Source', Actions: [Match.objectLike({ Namespace: 'Source_CodeCommit_NS' })] }),
        Match.objectLike({
          Name: 'Deploy',
          Actions: [
            Match.objectLike({
              Namespace: 'Deploy_UploadRelease_NS',
              Configuration: Match.objectLike({
                EnvironmentVariables: JSON.stringify([
                  { name: 'COMMIT_ID', type: 'PLAINTEXT', value: '#{Source_CodeCommit_NS.CommitId}' },
                  { name: 'EXECUTION_ID', type: 'PLAINTEXT', value: '#{codepipeline.PipelineExecutionId}' },
                ]),
              }),
            }),
            Match.objectLike({
              Configuration: Match.objectLike({
                EnvironmentVariables: JSON.stringify([
                  { name: 'RELEASE_ID', type: 'PLAINTEXT', value: '#{Deploy_UploadRelease_NS.RELEASE_ID}' },
                  // Named in the release's marker, for the changes check of file paths on CodeCommit.
                  { name: 'COMMIT_ID', type: 'PLAINTEXT', value: '#{Source_CodeCommit_NS.CommitId}' },
                ]),
              }),
            }),
          ],
        }),
      ]),
    });
  });

  test('the deploy projects name the artifact key without being allowed to encrypt with it, as they write no artifact', () => {
    for (const prefix of ['SiteUploadRelease', 'SiteGoLive', 'SiteRollback']) {
      template.hasResourceProperties('AWS::CodeBuild::Project', {
        Description: Match.anyValue(),
        EncryptionKey: { 'Fn::GetAtt': [key, 'Arn'] },
        ServiceRole: { 'Fn::GetAtt': [roleOf(prefix), 'Arn'] },
      });
      const keyActions = roleStatements(template, roleOf(prefix))
        .filter((st) => JSON.stringify(st.Resource).includes(key))
        .flatMap((st) => [st.Action].flat());
      expect(keyActions).toEqual(prefix === 'SiteRollback' ? [] : ['kms:Decrypt']);
    }
  });

  test('the upload role may only write objects under releases/, and abort its multipart uploads (and read the build artifact)', () => {
    expect(grants('SiteUploadRelease')).toEqual([
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: objects('/releases/*') },
      ...readArtifacts,
    ]);
  });

  test('the go-live role may list, read, write and delete releases, write the root not-found page, use that KeyValueStore only, and read metrics', () => {
    expect(grants('SiteGoLive')).toEqual([
      listReleases,
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects('/releases/*') },
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], Resource: [objects('/releases/*'), objects('/404.html')] },
      {
        Effect: 'Allow',
        Action: ['DescribeKeyValueStore', 'GetKey', 'PutKey', 'ListKeys', 'UpdateKeys'].map((a) => `cloudfront-keyvaluestore:${a}`),
        Resource: storeArn,
      },
      // Verified releases (on by default): CloudFront's 5xx rate during the bake time.
      { Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' },
      ...readArtifacts,
    ]);
  });

  test('without redirects, the go-live role cannot list keys; it batch-updates them for the check of verified releases only', () => {
    const keyActions = (t: Template) => roleStatements(t, projectRole(t, logicalIdOf(t, 'AWS::CodeBuild::Project', 'SiteGoLive')))
      .filter((st) => JSON.stringify(st.Action).includes('cloudfront-keyvaluestore')).map((st) => st.Action);
    expect(keyActions(synth())).toEqual([
      ['cloudfront-keyvaluestore:DescribeKeyValueStore', 'cloudfront-keyvaluestore:GetKey', 'cloudfront-keyvaluestore:PutKey', 'cloudfront-keyvaluestore:UpdateKeys'],
    ]);
    expect(keyActions(synth({ verifyRelease: { enabled: false } }))).toEqual([
      ['cloudfront-keyvaluestore:DescribeKeyValueStore', 'cloudfront-keyvaluestore:GetKey', 'cloudfront-keyvaluestore:PutKey'],
    ]);
  });

  test('the rollback role may list releases, read their not-found pages, write the root one and switch the live key', () => {
    expect(grants('SiteRollback')).toEqual([
      listReleases,
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects('/releases/*/404.html') },
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], Resource: objects('/404.html') },
      {
        Effect: 'Allow',
        Action: ['cloudfront-keyvaluestore:DescribeKeyValueStore', 'cloudfront-keyvaluestore:GetKey', 'cloudfront-keyvaluestore:PutKey'],
        Resource: storeArn,
      },
    ]);
  });

  test('nothing may invalidate the CloudFront cache: a new release is a new cache key', () => {
    expect(allIamActions(template)).not.toContain('cloudfront:CreateInvalidation');
  });

  test('the rollback project has no source, knows the bucket and the store, and is encrypted with the artifact key', () => {
    const project = resources[logicalIdOf(template, 'AWS::CodeBuild::Project', 'SiteRollback')].Properties;
    expect(project.Source.Type).toBe('NO_SOURCE');
    expect(project.EncryptionKey).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    expect(project.Environment.EnvironmentVariables).toEqual([
      { Name: 'SITE_BUCKET', Type: 'PLAINTEXT', Value: { Ref: siteBucket } },
      { Name: 'KVS_ARN', Type: 'PLAINTEXT', Value: storeArn },
      // The rollback stops before CodeBuild does (15 minutes on Lambda compute).
      { Name: 'STEP_TIME_LIMIT_MINUTES', Type: 'PLAINTEXT', Value: '15' },
    ]);
    const commands: string[] = JSON.parse(project.Source.BuildSpec).phases.build.commands;
    expect(commands.slice(-2)).toEqual([
      expect.stringMatching(/^export RELEASE_PROGRAM_DIR="\$\(node -e '[^']*' '[A-Za-z0-9+\/=]+'\)"$/),
      'node "$RELEASE_PROGRAM_DIR/release.js" rollback 404.html',
    ]);
  });

  test('the stack outputs the rollback commands and the command that reads the live release', () => {
    const outputs = Object.entries<any>(template.toJSON().Outputs)
      .filter(([id]) => /^Site(Rollback|RollbackToRelease|LiveRelease)Command/.test(id))
      .map(([, output]) => output.Value['Fn::Join'][1].map((part: unknown) => typeof part === 'string' ? part : JSON.stringify(part)).join(''));
    const project = JSON.stringify({ Ref: logicalIdOf(template, 'AWS::CodeBuild::Project', 'SiteRollback') });
    const region = JSON.stringify({ Ref: 'AWS::Region' });
    expect(outputs).toEqual([
      `aws codebuild start-build --region ${region} --project-name ${project}`,
      `aws codebuild start-build --region ${region} --project-name ${project} --environment-variables-override name=RELEASE,value=<release-id>,type=PLAINTEXT`,
      `aws cloudfront-keyvaluestore get-key --kvs-arn ${JSON.stringify(storeArn)} --key live`,
    ]);
  });

  test('HTML of a release is revalidated by browsers and kept by CloudFront, unless configured', () => {
    const uploadSpec = (t: Template) => JSON.parse(t.toJSON().Resources[logicalIdOf(t, 'AWS::CodeBuild::Project', 'SiteUploadRelease')].Properties.Source.BuildSpec);
    const htmlUpload = (t: Template) => uploadSpec(t).phases.build.commands.filter((c: string) => c.includes("--include '*.html'")).pop();
    expect(htmlUpload(template)).toContain("--cache-control 'public, max-age=0, must-revalidate, s-maxage=31536000'");
    expect(htmlUpload(synth({ cacheControl: { revalidated: 'no-cache' } }))).toContain('--cache-control no-cache');
  });

  test('the construct exposes the store and the rollback project, and neither in place', () => {
    const stack = newStack();
    const site = new StaticSitePipeline(stack, 'Site', { source: PipelineSource.codeCommit({ repositoryName: 'site' }) });
    const inPlaceSite = new StaticSitePipeline(stack, 'Other', { source: PipelineSource.codeCommit({ repositoryName: 'other' }), deployMode: DeployMode.IN_PLACE });
    expect(stack.resolve(site.keyValueStore?.keyValueStoreArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SiteHostingReleases/), 'Arn'] });
    expect(stack.resolve(site.rollbackProject?.projectName)).toEqual({ Ref: expect.stringMatching(/^SiteRollback/) });
    expect([inPlaceSite.keyValueStore, inPlaceSite.rollbackProject]).toEqual([undefined, undefined]);
  });
});

describe('verified releases (on by default)', () => {
  const template = synth();
  const goLive = (t: Template) => t.toJSON().Resources[logicalIdOf(t, 'AWS::CodeBuild::Project', 'SiteGoLive')].Properties;
  const variables = (t: Template) => Object.fromEntries(goLive(t).Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
  const settings = (t: Template) => JSON.parse(variables(t).VERIFY_RELEASE);
  const distribution = logicalIdOf(template, 'AWS::CloudFront::Distribution', 'SiteHostingDistribution');

  test('the go-live project knows the distribution it checks the release through and whose metrics it watches', () => {
    expect(variables(template)).toEqual(expect.objectContaining({
      DISTRIBUTION_DOMAIN: { 'Fn::GetAtt': [distribution, 'DomainName'] },
      DISTRIBUTION_ID: { Ref: distribution },
    }));
  });

  test('by default it checks the root page and bakes 5 minutes at most 5% 5xx responses', () => {
    expect(settings(template)).toEqual({
      paths: [],
      singlePageApp: false,
      propagationSeconds: 60,
      bakeSeconds: 300,
      maxErrorRatePercent: 5,
      breachMinutes: 2,
      minRequests: 10,
    });
  });

  test('takes paths, bake time and error rate, and the single-page-app routing', () => {
    const t = synth({ singlePageApp: true, verifyRelease: { paths: ['/about', '/docs/'], bakeTime: Duration.seconds(90), maxErrorRatePercent: 0.5 } });
    expect(settings(t)).toEqual(expect.objectContaining({ paths: ['/about', '/docs/'], singlePageApp: true, bakeSeconds: 90, maxErrorRatePercent: 0.5 }));
  });

  test('with a bake time of zero, the go-live role may not read metrics', () => {
    const t = synth({ verifyRelease: { bakeTime: Duration.minutes(0) } });
    expect(settings(t).bakeSeconds).toBe(0);
    expect(allIamActions(t)).not.toContain('cloudwatch:GetMetricData');
  });

  test('turned off, the go-live project has no settings, no distribution and no metric grant', () => {
    const t = synth({ verifyRelease: { enabled: false } });
    expect(Object.keys(variables(t))).toEqual(['SITE_BUCKET', 'KVS_ARN', 'STEP_TIME_LIMIT_MINUTES']);
    expect(allIamActions(t)).not.toContain('cloudwatch:GetMetricData');
  });

  test('turned off with settings, it warns that they are not used, once for all of them', () => {
    const stack = newStack();
    synth({ verifyRelease: { enabled: false, paths: ['/about'], bakeTime: Duration.minutes(2) } }, stack);
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('verifyRelease'));
    expect(warnings.map((w) => w.entry.data)).toEqual([
      'verifyRelease.paths, verifyRelease.bakeTime are not used: verifyRelease.enabled is false, so no release is checked before or after it goes live; '
      + 'remove enabled to check releases, or remove the settings [ack: cdk-deploy-pipelines:verifyReleaseOff]',
    ]);
  });

  test('turned off without settings, it does not warn', () => {
    const stack = newStack();
    synth({ verifyRelease: { enabled: false } }, stack);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('verifyRelease'))).toEqual([]);
  });

  test('the routing function reads the check\'s token only while verification is on, and with it marks responses noindex', () => {
    const routingCode = (t: Template) => {
      const functions = t.findResources('AWS::CloudFront::Function');
      return Object.values(functions).map((f: any) => JSON.stringify(f.Properties.FunctionCode));
    };
    const on = routingCode(synth());
    expect(on.find((code) => code.includes('var ROUTING'))).toContain('x-preview-token');
    expect(on).toHaveLength(2);
    const off = routingCode(synth({ verifyRelease: { enabled: false } }));
    expect(off.find((code) => code.includes('var ROUTING'))).not.toContain('x-preview-token');
    expect(off).toHaveLength(1);
  });

  test('the metric grant is the only wildcard resource, suppressed for cdk-nag with its reason, and the template has no errors', () => {
    const stack = newStack();
    synth({ verifyRelease: { paths: ['/about'] } }, stack);
    expect(nagErrors(stack)).toEqual([]);
  });

  test('allows a 10-minute bake on Lambda compute and a 15-minute one on EC2 compute', () => {
    expect(settings(synth({ verifyRelease: { bakeTime: Duration.minutes(10) } })).bakeSeconds).toBe(600);
    expect(settings(synth({ deployCompute: DeployCompute.EC2, verifyRelease: { bakeTime: Duration.minutes(15) } })).bakeSeconds).toBe(900);
  });

  test('paths and the bake time must be literals: the go-live step reads them from its environment, and the limit is checked at synth time', () => {
    const path = Lazy.string({ produce: () => '/about' });
    expect(errorOf({ verifyRelease: { paths: [path] } })).toBe(
      `StaticSitePipeline 'Site': verifyRelease.paths must be literals, got '${path}'; the go-live step reads them at deploy time from its environment, e.g. '/about'`);
    const bakeTime = Duration.minutes(Token.asNumber({ Ref: 'Bake' }));
    expect(errorOf({ verifyRelease: { bakeTime } })).toBe(
      `StaticSitePipeline 'Site': verifyRelease.bakeTime must be a literal duration, got '${bakeTime}'; its limit depends on the deploy compute, checked at synth time, e.g. Duration.minutes(5)`);
  });

  test('the go-live buildspec stays within CodeBuild\'s inline limit', () => {
    expect(goLive(synth({ redirects: true })).Source.BuildSpec.length).toBeLessThan(25600);
  });
});

describe('custom domain', () => {
  const docsStack = new DocsSiteStack(new App(), 'Docs', { env: TEST_ENV });
  const docs = Template.fromStack(docsStack);

  test('the distribution answers to the domain names with the certificate, TLS 1.2 and SNI', () => {
    docs.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['www.example.com', 'example.com'],
        ViewerCertificate: { AcmCertificateArn: CERTIFICATE_ARN, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
      }),
    });
  });

  test('A and AAAA alias records point every domain name at the distribution', () => {
    for (const type of ['A', 'AAAA']) {
      for (const name of ['www.example.com.', 'example.com.']) {
        docs.hasResourceProperties('AWS::Route53::RecordSet', {
          Name: name,
          Type: type,
          HostedZoneId: 'Z0123456789ABCDEFGHIJ',
          AliasTarget: Match.objectLike({ DNSName: Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('DocsHostingDistribution'), 'DomainName'] }) }),
        });
      }
    }
  });

  test('the alternate domain is redirected to the primary one by the routing function', () => {
    expect(functionCode(docs)).toContain('"fromHosts":["example.com"],"toHost":"www.example.com"');
  });

  test('the site URL output is the primary domain', () => {
    expect(Object.values<any>(docs.toJSON().Outputs).map((o) => o.Value)).toContain('https://www.example.com');
  });

  test('with a hosted zone and the stack in us-east-1, a DNS-validated certificate is created', () => {
    const stack = newStack({ env: { account: '123456789012', region: 'us-east-1' } });
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z1', zoneName: 'example.com' });
    const template = synth({ domain: { domainNames: ['www.example.com'], hostedZone } }, stack);
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'www.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'www.example.com', HostedZoneId: 'Z1' }],
    });
  });

  test('the alias records are fully qualified names, so a hosted zone imported by id alone works', () => {
    const stack = newStack();
    const hostedZone = route53.HostedZone.fromHostedZoneId(stack, 'Zone', 'Z0123456789ABCDEFGHIJ');
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN);
    const template = synth({ domain: { domainNames: ['www.example.com', '*.example.com'], certificate, hostedZone } }, stack);
    const records = Object.values<any>(template.findResources('AWS::Route53::RecordSet')).map((r) => [r.Properties.Type, r.Properties.Name]);
    expect(records.sort()).toEqual([['A', '*.example.com.'], ['A', 'www.example.com.'], ['AAAA', '*.example.com.'], ['AAAA', 'www.example.com.']]);
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('the README example has no errors', () => {
    expect(nagErrors(exampleStack)).toEqual([]);
  });

  test('the custom domain example has no errors', () => {
    const stack = new DocsSiteStack(new App(), 'Docs', { env: TEST_ENV });
    Template.fromStack(stack);
    expect(nagErrors(stack)).toEqual([]);
  });

  const suppressedFindings = (template: Template): string[] => Object.values<any>(template.toJSON().Resources)
    .flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? [])
    .filter((s: any) => s.id.startsWith('AwsSolutions-'))
    .map((s: any) => `${s.id} ${(s.applies_to ?? []).join(' ')}`.replace(/[0-9A-F]{8}([>.])/g, 'X$1'))
    .sort();

  test('the only suppressed findings are object ARNs, CodeBuild log streams and the default certificate', () => {
    expect(suppressedFindings(example)).toEqual([
      'AwsSolutions-CFR4 ',
      // The go-live role reads CloudFront's metrics (GetMetricData has no resource-level permissions).
      'AwsSolutions-IAM5 Resource::*',
      // Build, pipeline, source action, upload and go-live roles read or write artifacts.
      'AwsSolutions-IAM5 Resource::<SiteArtifactsX.Arn>/*',
      'AwsSolutions-IAM5 Resource::<SiteArtifactsX.Arn>/*',
      'AwsSolutions-IAM5 Resource::<SiteArtifactsX.Arn>/*',
      'AwsSolutions-IAM5 Resource::<SiteArtifactsX.Arn>/*',
      'AwsSolutions-IAM5 Resource::<SiteArtifactsX.Arn>/*',
      // Upload and go-live roles write release files; the rollback role reads not-found pages.
      'AwsSolutions-IAM5 Resource::<SiteHostingBucketX.Arn>/releases/*',
      'AwsSolutions-IAM5 Resource::<SiteHostingBucketX.Arn>/releases/*',
      'AwsSolutions-IAM5 Resource::<SiteHostingBucketX.Arn>/releases/*/404.html',
      'AwsSolutions-IAM5 Resource::arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:/aws/codebuild/<SiteBuildX>:*',
      'AwsSolutions-IAM5 Resource::arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:/aws/codebuild/<SiteGoLiveX>:*',
      'AwsSolutions-IAM5 Resource::arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:/aws/codebuild/<SiteRollbackX>:*',
      'AwsSolutions-IAM5 Resource::arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:/aws/codebuild/<SiteUploadReleaseX>:*',
    ]);
  });

  test('in place, the only suppressed findings are those of the in-place deploy role', () => {
    const stack = newStack();
    const template = synth({ deployMode: DeployMode.IN_PLACE }, stack);
    expect(nagErrors(stack)).toEqual([]);
    expect(suppressedFindings(template)).toEqual([
      'AwsSolutions-CFR4 ',
      'AwsSolutions-IAM5 Resource::<SiteArtifactsX.Arn>/*',
      'AwsSolutions-IAM5 Resource::<SiteArtifactsX.Arn>/*',
      'AwsSolutions-IAM5 Resource::<SiteArtifactsX.Arn>/*',
      'AwsSolutions-IAM5 Resource::<SiteArtifactsX.Arn>/*',
      'AwsSolutions-IAM5 Resource::<SiteHostingBucketX.Arn>/*',
      'AwsSolutions-IAM5 Resource::arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:/aws/codebuild/<SiteBuildX>:*',
      'AwsSolutions-IAM5 Resource::arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:/aws/codebuild/<SiteDeployX>:*',
    ]);
  });

  test('a secret given by ARN is read with the wildcard aws-cdk-lib appends, suppressed for that secret alone', () => {
    const stack = newStack();
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:site-AbCdEf';
    const template = synth({
      buildOptions: {
        environmentVariables: {
          API_KEY: { type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER, value: `${secretArn}:password::` },
        },
      },
    }, stack);
    expect(nagErrors(stack)).toEqual([]);
    expect(suppressedFindings(template)).toContain(`AwsSolutions-IAM5 Resource::${secretArn}*`);
  });

  test('with redirects, the template has no errors either', () => {
    const stack = newStack();
    synth({ redirects: true, releasesToKeep: 3 }, stack);
    expect(nagErrors(stack)).toEqual([]);
  });

  test('the template synthesizes without CDK warnings', () => {
    const warnings = Annotations.fromStack(exampleStack).findWarning('*', Match.anyValue())
      .map((m) => String(m.entry.data))
      .filter((text) => !text.startsWith('AwsSolutions-'));
    expect(warnings).toEqual([]);
  });
});

describe('deploy compute', () => {
  const deployProjects = ['SiteUploadRelease', 'SiteGoLive', 'SiteRollback'];
  const lambdaEnvironment = {
    Type: 'LINUX_LAMBDA_CONTAINER',
    ComputeType: 'BUILD_LAMBDA_1GB',
    Image: 'aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs22',
  };
  // The deploy steps name their image by id: a curated image is pulled with CodeBuild's credentials
  // (the API refuses SERVICE_ROLE for one).
  const deployStepEnvironment = { ...lambdaEnvironment, ImagePullCredentialsType: 'CODEBUILD' };
  const ec2Environment = { Type: 'LINUX_CONTAINER', ComputeType: 'BUILD_GENERAL1_SMALL', Image: 'aws/codebuild/standard:7.0' };
  const project = (template: Template, prefix: string) => template.toJSON().Resources[logicalIdOf(template, 'AWS::CodeBuild::Project', prefix)].Properties;
  const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('Lambda compute'));

  test('upload, go-live and rollback run on Lambda compute without a timeout in a region that has it', () => {
    for (const prefix of deployProjects) {
      expect(project(example, prefix).Environment).toEqual(expect.objectContaining({ ...deployStepEnvironment, PrivilegedMode: false }));
      expect(project(example, prefix).TimeoutInMinutes).toBeUndefined();
    }
  });

  test('the build stays on EC2 compute with its cache and timeout', () => {
    const build = project(example, 'SiteBuild');
    expect(build.Environment).toEqual(expect.objectContaining(ec2Environment));
    expect(build.TimeoutInMinutes).toBe(30);
  });

  test('the in-place publish runs on Lambda compute too', () => {
    const template = synth({ deployMode: DeployMode.IN_PLACE });
    expect(project(template, 'SiteDeploy').Environment).toEqual(expect.objectContaining(deployStepEnvironment));
    expect(project(template, 'SiteDeploy').TimeoutInMinutes).toBeUndefined();
  });

  test('DeployCompute.EC2 keeps every deploy step on EC2 compute with a 20-minute timeout', () => {
    const template = synth({ deployCompute: DeployCompute.EC2 });
    for (const prefix of deployProjects) {
      expect(project(template, prefix).Environment).toEqual(expect.objectContaining(ec2Environment));
      expect(project(template, prefix).TimeoutInMinutes).toBe(20);
    }
  });

  test('in a region without Lambda compute the deploy steps fall back to EC2 compute, with a warning naming the prop', () => {
    const stack = newStack({ env: { ...TEST_ENV, region: 'eu-west-2' } });
    const template = synth({}, stack);
    for (const prefix of deployProjects) {
      expect(project(template, prefix).Environment).toEqual(expect.objectContaining(ec2Environment));
    }
    expect(warnings(stack).map((w) => w.entry.data)).toEqual([
      'CodeBuild has no Lambda compute in eu-west-2: the deploy steps run on EC2 compute, each waiting for an instance; '
      + 'set deployCompute: DeployCompute.EC2 to say so [ack: cdk-deploy-pipelines:deployStepsOnEc2]',
    ]);
  });

  test('choosing EC2 compute in a region without Lambda compute silences the warning', () => {
    const stack = newStack({ env: { ...TEST_ENV, region: 'eu-west-2' } });
    synth({ deployCompute: DeployCompute.EC2 }, stack);
    expect(warnings(stack)).toEqual([]);
  });

  test('without a region at synth time CloudFormation chooses by region: Lambda compute where CodeBuild has it, EC2 elsewhere', () => {
    const stack = newStack({});
    const template = synth({}, stack);
    const choose = (lambda: unknown, ec2: unknown) => ({ 'Fn::If': ['CdkDeployPipelinesLambdaComputeRegion', lambda, ec2] });
    for (const prefix of deployProjects) {
      expect(project(template, prefix).Environment).toEqual(expect.objectContaining({
        Type: choose('LINUX_LAMBDA_CONTAINER', 'LINUX_CONTAINER'),
        ComputeType: choose('BUILD_LAMBDA_1GB', 'BUILD_GENERAL1_SMALL'),
        Image: choose('aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs22', 'aws/codebuild/standard:7.0'),
      }));
      expect(project(template, prefix).TimeoutInMinutes).toEqual(choose({ Ref: 'AWS::NoValue' }, 20));
    }
    expect(template.toJSON().Conditions.CdkDeployPipelinesLambdaComputeRegion).toEqual({
      'Fn::Or': LAMBDA_COMPUTE_REGIONS.map((region) => ({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, region] })),
    });
    expect(warnings(stack)).toEqual([]);
  });

  test('the regions of Lambda compute fit in one Fn::Or (at most 10 conditions)', () => {
    expect(LAMBDA_COMPUTE_REGIONS.length).toBeGreaterThanOrEqual(2);
    expect(LAMBDA_COMPUTE_REGIONS.length).toBeLessThanOrEqual(10);
  });

  test('DeployCompute.LAMBDA without a region at synth time is Lambda compute, unconditionally', () => {
    const template = synth({ deployCompute: DeployCompute.LAMBDA }, newStack({}));
    expect(project(template, 'SiteGoLive').Environment).toEqual(expect.objectContaining(lambdaEnvironment));
    expect(template.toJSON().Conditions).toBeUndefined();
  });

  describe('the steps that switch the store are told how long CodeBuild lets them run, to finish before it stops them', () => {
    const switching = ['SiteGoLive', 'SiteRollback', 'SitePreviewsPublish', 'SitePreviewsRemove'];
    const timeLimit = (template: Template, prefix: string) => project(template, prefix).Environment.EnvironmentVariables
      .filter((v: { Name: string }) => v.Name === 'STEP_TIME_LIMIT_MINUTES');

    test.each([
      ['Lambda compute: 15 minutes', {}, '15'],
      ['EC2 compute: its 20-minute timeout', { deployCompute: DeployCompute.EC2 }, '20'],
    ])('%s', (_name, props, minutes) => {
      const template = synth({ ...props, previews: {} });
      for (const prefix of switching) {
        expect(timeLimit(template, prefix)).toEqual([{ Name: 'STEP_TIME_LIMIT_MINUTES', Type: 'PLAINTEXT', Value: minutes }]);
      }
    });

    test('without a region at synth time: chosen by CloudFormation with the compute', () => {
      const template = synth({ previews: {} }, newStack({}));
      for (const prefix of switching) {
        expect(timeLimit(template, prefix)).toEqual([{
          Name: 'STEP_TIME_LIMIT_MINUTES', Type: 'PLAINTEXT', Value: { 'Fn::If': ['CdkDeployPipelinesLambdaComputeRegion', '15', '20'] },
        }]);
      }
    });
  });

  test('a build on a Lambda image runs on Lambda compute without cache or timeout, and without runtime-versions', () => {
    const template = synth({ buildOptions: { buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22 } });
    const build = project(template, 'SiteBuild');
    expect(build.Environment).toEqual(expect.objectContaining(lambdaEnvironment));
    expect(build.TimeoutInMinutes).toBeUndefined();
    expect(build.Cache).toEqual({ Type: 'NO_CACHE' });
    const spec = JSON.parse(build.Source.BuildSpec);
    expect(spec.cache).toBeUndefined();
    expect(spec.phases.install).toBeUndefined();
  });

  test('a build on a Lambda image takes a larger Lambda compute type', () => {
    const template = synth({
      buildOptions: { buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22, computeType: codebuild.ComputeType.LAMBDA_4GB },
    });
    expect(project(template, 'SiteBuild').Environment.ComputeType).toBe('BUILD_LAMBDA_4GB');
  });
});

describe('bad input', () => {
  test.each<[string, Partial<StaticSitePipelineProps>, string]>([
    ['an empty repository name', { source: PipelineSource.codeCommit({ repositoryName: '' }) },
      "StaticSitePipeline 'Site': source.repositoryName must not be empty; give the CodeCommit repository a name such as 'my-site'"],
    ['a repository name with a space', { source: PipelineSource.codeCommit({ repositoryName: 'my site' }) },
      "StaticSitePipeline 'Site': source.repositoryName must be 1-100 letters, digits, '.', '_' or '-' and must not end in '.git' (CodeCommit's rules), got 'my site'"],
    ['a repository name ending in .git', { source: PipelineSource.codeCommit({ repositoryName: 'site.git' }) },
      "StaticSitePipeline 'Site': source.repositoryName must be 1-100 letters, digits, '.', '_' or '-' and must not end in '.git' (CodeCommit's rules), got 'site.git'"],
    ['a repository name of 101 characters', { source: PipelineSource.codeCommit({ repositoryName: 'a'.repeat(101) }) },
      `StaticSitePipeline 'Site': source.repositoryName must be 1-100 letters, digits, '.', '_' or '-' and must not end in '.git' (CodeCommit's rules), got '${'a'.repeat(101)}'`],
    ['an existing repository imported with an empty name', { source: PipelineSource.codeCommit({ repository: codecommit.Repository.fromRepositoryName(new Stack(), 'Imported', '') }) },
      "StaticSitePipeline 'Site': source.repository must not be empty; give the CodeCommit repository a name such as 'my-site'"],
    ['neither a repository name nor a repository', { source: PipelineSource.codeCommit({}) },
      "StaticSitePipeline 'Site': source: give exactly one of repositoryName (to create a repository) or repository (an existing one)"],
    ['an empty branch', { source: PipelineSource.codeCommit({ repositoryName: 'site', branch: '' }) },
      "StaticSitePipeline 'Site': source.branch must not be empty; name the branch that triggers the pipeline, e.g. 'main'"],
    ['a branch with ..', { source: PipelineSource.codeCommit({ repositoryName: 'site', branch: 'release..1' }) },
      "StaticSitePipeline 'Site': source.branch must be a valid git branch name (no spaces, '..', '~^:?*[\\', leading/trailing '/'), got 'release..1'"],
    ['an absolute output directory', { buildOptions: { outputDirectory: '/dist' } },
      "StaticSitePipeline 'Site': buildOptions.outputDirectory must be a relative path, got '/dist'; use the path relative to the repository root, e.g. 'dist'"],
    ['an output directory outside the build', { buildOptions: { outputDirectory: '../dist' } },
      "StaticSitePipeline 'Site': buildOptions.outputDirectory must stay inside the build directory, got '../dist'; remove the '..' segments"],
    ['an empty output directory', { buildOptions: { outputDirectory: '' } },
      "StaticSitePipeline 'Site': buildOptions.outputDirectory must not be empty; use '.' for the root of the build"],
    ['an invalid environment variable name', { buildOptions: { environmentVariables: { '1API': { value: 'x' } } } },
      "StaticSitePipeline 'Site': buildOptions.environmentVariables has an invalid environment variable name '1API'; use letters, digits and '_', not starting with a digit"],
    ['a reserved environment variable name', { buildOptions: { environmentVariables: { CODEBUILD_X: { value: 'x' } } } },
      "StaticSitePipeline 'Site': buildOptions.environmentVariables has a reserved environment variable name 'CODEBUILD_X'; the CODEBUILD_ prefix belongs to CodeBuild"],
    ['a connection ARN that is not one', { source: PipelineSource.connection({ connectionArn: 'arn:aws:s3:::bucket', owner: 'acme', repository: 'docs' }) },
      "StaticSitePipeline 'Site': source.connectionArn must be a CodeConnections connection ARN such as 'arn:aws:codeconnections:us-east-1:123456789012:connection/0a1b2c3d-...', got 'arn:aws:s3:::bucket'"],
    ['an empty connection owner', { source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: ' ', repository: 'docs' }) },
      "StaticSitePipeline 'Site': source.owner must not be empty"],
    ['domain names without a certificate', { domain: { domainNames: ['www.example.com'] } },
      "StaticSitePipeline 'Site': domain.certificate is required for domain.domainNames [www.example.com]; pass an ACM certificate from us-east-1 (or a hostedZone with the stack in us-east-1 to have one created)"],
    ['an empty list of domain names', { domain: { domainNames: [] } },
      "StaticSitePipeline 'Site': domain.domainNames must list at least one domain name; leave out domain to use the CloudFront domain"],
    ['an invalid domain name', { domain: { domainNames: ['www.example.com/'] } },
      "StaticSitePipeline 'Site': domain.domainNames must be a domain name such as 'www.example.com', got 'www.example.com/'"],
    ['an absolute not-found page', { notFoundPage: '/404.html' },
      "StaticSitePipeline 'Site': notFoundPage must be a relative path, got '/404.html'; use the path relative to the repository root, e.g. '404.html'"],
    ['a not-found page of 976 bytes', { notFoundPage: `errors/${'p'.repeat(964)}.html` },
      `StaticSitePipeline 'Site': notFoundPage must be at most 975 bytes of UTF-8, got 976 bytes ('errors/${'p'.repeat(33)}...'); `
      + "each release stores the page under releases/<release id>/ and an S3 key is at most 1024 bytes, so give a shorter path, e.g. '404.html'"],
    ['a not-found page of 488 two-byte characters', { notFoundPage: 'ü'.repeat(488) },
      `StaticSitePipeline 'Site': notFoundPage must be at most 975 bytes of UTF-8, got 976 bytes ('${'ü'.repeat(40)}...'); `
      + "each release stores the page under releases/<release id>/ and an S3 key is at most 1024 bytes, so give a shorter path, e.g. '404.html'"],
    ['no artifact retention', { artifactRetention: Duration.days(0) },
      "StaticSitePipeline 'Site': artifactRetention must be a whole number of days from 1 to 3650, got 'Duration.days(0)'; e.g. Duration.days(30)"],
    ['an artifact retention of hours', { artifactRetention: Duration.hours(36) },
      "StaticSitePipeline 'Site': artifactRetention must be a whole number of days from 1 to 3650, got 'Duration.hours(36)'; e.g. Duration.days(30)"],
    ['an artifact retention over ten years', { artifactRetention: Duration.days(3651) },
      "StaticSitePipeline 'Site': artifactRetention must be a whole number of days from 1 to 3650, got 'Duration.days(3651)'; e.g. Duration.days(30)"],
    ['keeping one release', { releasesToKeep: 1 },
      "StaticSitePipeline 'Site': releasesToKeep must be a whole number from 2 to 100, got 1"],
    ['keeping 101 releases', { releasesToKeep: 101 },
      "StaticSitePipeline 'Site': releasesToKeep must be a whole number from 2 to 100, got 101"],
    ['keeping 2.5 releases', { releasesToKeep: 2.5 },
      "StaticSitePipeline 'Site': releasesToKeep must be a whole number from 2 to 100, got 2.5"],
    ['verifyRelease with in-place deploys', { deployMode: DeployMode.IN_PLACE, verifyRelease: { paths: ['/about'] } },
      "StaticSitePipeline 'Site': verifyRelease needs deployMode DeployMode.ATOMIC_RELEASES (it checks a release before it goes live); remove it or use atomic releases"],
    ['a bake time over 10 minutes on Lambda compute', { verifyRelease: { bakeTime: Duration.minutes(11) } },
      "StaticSitePipeline 'Site': verifyRelease.bakeTime must be at most 10 minutes on Lambda compute (CodeBuild stops a step there after 15 minutes, and the go-live step needs up to 5 more), got '11 minutes'; shorten it, or set deployCompute: DeployCompute.EC2 (bakeTime up to 15 minutes)"],
    ['a bake time over 15 minutes on EC2 compute', { deployCompute: DeployCompute.EC2, verifyRelease: { bakeTime: Duration.minutes(16) } },
      "StaticSitePipeline 'Site': verifyRelease.bakeTime must be at most 15 minutes on EC2 compute (the deploy steps time out after 20 minutes, and the go-live step needs up to 5 more), got '16 minutes'; shorten it"],
    ['an error rate of 0', { verifyRelease: { maxErrorRatePercent: 0 } },
      "StaticSitePipeline 'Site': verifyRelease.maxErrorRatePercent must be above 0 and at most 100, got '0'; e.g. 5"],
    ['an error rate over 100', { verifyRelease: { maxErrorRatePercent: 101 } },
      "StaticSitePipeline 'Site': verifyRelease.maxErrorRatePercent must be above 0 and at most 100, got '101'; e.g. 5"],
    ['a path without a leading slash', { verifyRelease: { paths: ['about'] } },
      "StaticSitePipeline 'Site': verifyRelease.paths must be paths of the site starting with '/', without spaces, query or fragment, at most 200 characters, got 'about'; e.g. '/about'"],
    ['a path with a query', { verifyRelease: { paths: ['/search?q=x'] } },
      "StaticSitePipeline 'Site': verifyRelease.paths must be paths of the site starting with '/', without spaces, query or fragment, at most 200 characters, got '/search?q=x'; e.g. '/about'"],
    ['a path without a leading slash while verification is off', { verifyRelease: { enabled: false, paths: ['about'] } },
      "StaticSitePipeline 'Site': verifyRelease.paths must be paths of the site starting with '/', without spaces, query or fragment, at most 200 characters, got 'about'; e.g. '/about'"],
    ['a bake time over 10 minutes on Lambda compute while verification is off', { verifyRelease: { enabled: false, bakeTime: Duration.minutes(11) } },
      "StaticSitePipeline 'Site': verifyRelease.bakeTime must be at most 10 minutes on Lambda compute (CodeBuild stops a step there after 15 minutes, and the go-live step needs up to 5 more), got '11 minutes'; shorten it, or set deployCompute: DeployCompute.EC2 (bakeTime up to 15 minutes)"],
    ['an error rate of 0 while verification is off', { verifyRelease: { enabled: false, maxErrorRatePercent: 0 } },
      "StaticSitePipeline 'Site': verifyRelease.maxErrorRatePercent must be above 0 and at most 100, got '0'; e.g. 5"],
    ['21 paths', { verifyRelease: { paths: Array.from({ length: 21 }, (_, i) => `/page${i}`) } },
      "StaticSitePipeline 'Site': verifyRelease.paths must list at most 20 paths, got '21'; check a few pages, their scripts, style sheets and images are checked with them"],
    ['releasesToKeep with in-place deploys', { deployMode: DeployMode.IN_PLACE, releasesToKeep: 5 },
      "StaticSitePipeline 'Site': releasesToKeep only applies to deployMode DeployMode.ATOMIC_RELEASES; remove it or use atomic releases"],
    ['redirects with in-place deploys', { deployMode: DeployMode.IN_PLACE, redirects: true },
      "StaticSitePipeline 'Site': redirects needs deployMode DeployMode.ATOMIC_RELEASES (redirects are loaded into its KeyValueStore); remove it or use atomic releases"],
    ['an empty pipeline name', { pipelineName: '' },
      "StaticSitePipeline 'Site': pipelineName must be 1-100 letters, digits, '.', '@', '_' or '-' (CodePipeline's rules), got ''; e.g. 'marketing-site'"],
    ['a pipeline name with a space', { pipelineName: 'my pipeline' },
      "StaticSitePipeline 'Site': pipelineName must be 1-100 letters, digits, '.', '@', '_' or '-' (CodePipeline's rules), got 'my pipeline'; e.g. 'marketing-site'"],
    ['a domain name in upper case', { domain: { domainNames: ['www.example.com', 'WWW.example.com'] } },
      "StaticSitePipeline 'Site': domain.domainNames must be lower case, got 'WWW.example.com'; use 'www.example.com'"],
    ['a regional web ACL', { webAclId: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/site/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' },
      "StaticSitePipeline 'Site': webAclId must be the ARN of a WAFv2 web ACL of scope CLOUDFRONT, such as 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/<id>', "
      + "got 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/site/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'; create the web ACL with scope CLOUDFRONT (in us-east-1) and pass its ARN"],
    ['a web ACL id that is not an ARN', { webAclId: 'not-a-web-acl' },
      "StaticSitePipeline 'Site': webAclId must be the ARN of a WAFv2 web ACL of scope CLOUDFRONT, such as 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/<id>', "
      + "got 'not-a-web-acl'; create the web ACL with scope CLOUDFRONT (in us-east-1) and pass its ARN"],
    ['a build timeout of 90 seconds', { buildOptions: { timeout: Duration.seconds(90) } },
      "StaticSitePipeline 'Site': buildOptions.timeout must be a whole number of minutes from 5 to 2160 (CodeBuild's limits), got 'Duration.seconds(90)'; e.g. Duration.minutes(30)"],
    ['a build timeout of 4 minutes', { buildOptions: { timeout: Duration.minutes(4) } },
      "StaticSitePipeline 'Site': buildOptions.timeout must be a whole number of minutes from 5 to 2160 (CodeBuild's limits), got 'Duration.minutes(4)'; e.g. Duration.minutes(30)"],
    ['a Lambda build image on an EC2 compute type', {
      buildOptions: { buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22, computeType: codebuild.ComputeType.SMALL },
    }, "StaticSitePipeline 'Site': buildOptions.buildImage and buildOptions.computeType do not go together, "
      + "got 'aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs22' with 'BUILD_GENERAL1_SMALL'; "
      + "Lambda images only support Lambda ComputeTypes between 'BUILD_LAMBDA_1GB' and 'BUILD_LAMBDA_10GB', got 'BUILD_GENERAL1_SMALL'; pick a compute type the image supports"],
    ['a cache on Lambda compute', { buildOptions: { buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22, cachePaths: ['/tmp/npm/**/*'] } },
      "StaticSitePipeline 'Site': buildOptions.cachePaths must be empty with buildOptions.buildImage the Lambda image 'aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs22' "
      + "(Lambda compute keeps no build cache), got '/tmp/npm/**/*'; remove cachePaths, or use an EC2 image such as codebuild.LinuxBuildImage.STANDARD_7_0"],
    ['a timeout on Lambda compute', { buildOptions: { buildImage: codebuild.LinuxArmLambdaBuildImage.AMAZON_LINUX_2023_NODE_22, timeout: Duration.minutes(10) } },
      "StaticSitePipeline 'Site': buildOptions.timeout cannot be set with buildOptions.buildImage the Lambda image 'aws/codebuild/amazonlinux-aarch64-lambda-standard:nodejs22' "
      + "(CodeBuild stops Lambda builds after 15 minutes and takes no other timeout), got 'Duration.minutes(10)'; "
      + 'remove timeout, or use an EC2 image such as codebuild.LinuxBuildImage.STANDARD_7_0'],
    ['a secret ARN without a secret', {
      buildOptions: { environmentVariables: { API_KEY: { type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER, value: 'arn:aws:secretsmanager:garbage' } } },
    }, "StaticSitePipeline 'Site': buildOptions.environmentVariables.API_KEY must be the name or the ARN of a Secrets Manager secret, got 'arn:aws:secretsmanager:garbage'; "
      + "e.g. 'site-secret:password' or 'arn:aws:secretsmanager:us-east-1:123456789012:secret:site-AbCdEf'"],
    ['an empty parameter name', {
      buildOptions: { environmentVariables: { API_KEY: { type: codebuild.BuildEnvironmentVariableType.PARAMETER_STORE, value: '' } } },
    }, "StaticSitePipeline 'Site': buildOptions.environmentVariables.API_KEY must name a Systems Manager parameter, got ''; "
      + "give its name or ARN, e.g. '/site/api-key' or 'arn:aws:ssm:us-east-1:123456789012:parameter/site/api-key'"],
    ['an approval email listed twice', { approval: { emails: ['lead@example.com', 'Lead@example.com'] } },
      "StaticSitePipeline 'Site': approval.emails lists an email address twice, got 'Lead@example.com'; list each address once"],
    ['an empty approval email', { approval: { emails: [''] } },
      "StaticSitePipeline 'Site': approval.emails must hold email addresses, got ''; give addresses such as 'team@example.com'"],
    ['a notification email listed twice', { notifications: { emails: ['team@example.com', 'team@example.com'] } },
      "StaticSitePipeline 'Site': notifications.emails lists an email address twice, got 'team@example.com'; list each address once"],
    ['an empty approval comment', { approval: { comment: '' } },
      "StaticSitePipeline 'Site': approval.comment must not be empty (CodePipeline takes 1 to 1000 characters), got ''; leave it out to show 'Approve to deploy this release'"],
    ['an approval comment of 1001 characters', { approval: { comment: 'c'.repeat(1001) } },
      `StaticSitePipeline 'Site': approval.comment must be at most 1000 characters (CodePipeline's limit for an action's configuration values), got '${'c'.repeat(1001)}'; shorten it`],
    ['a repository description of 1001 characters', { source: PipelineSource.codeCommit({ repositoryName: 'site', repositoryDescription: 'd'.repeat(1001) }) },
      `StaticSitePipeline 'Site': source.repositoryDescription must be at most 1000 characters (CodeCommit's limit), got '${'d'.repeat(1001)}'; shorten it`],
    ['a connection owner of 101 characters', { source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'o'.repeat(101), repository: 'docs' }) },
      `StaticSitePipeline 'Site': source.owner must be at most 100 characters without spaces or line breaks, got '${'o'.repeat(101)}'; give the name as it appears in the repository URL`],
    ['a connection repository with a line break', { source: PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repository: 'docs\nsite' }) },
      "StaticSitePipeline 'Site': source.repository must be at most 100 characters without spaces or line breaks, got 'docs\nsite'; give the name as it appears in the repository URL"],
    ['a Content-Security-Policy with a line break', { contentSecurityPolicy: "default-src 'self'\nX-Evil: 1" },
      "StaticSitePipeline 'Site': contentSecurityPolicy must be one line without control characters, got 'default-src 'self'\nX-Evil: 1'; "
      + "remove the line breaks, the header's directives are separated by ';' or ','"],
    ['a Content-Security-Policy of 1784 characters', { contentSecurityPolicy: `default-src 'self' ${'a'.repeat(1765)}` },
      `StaticSitePipeline 'Site': contentSecurityPolicy must be at most 1783 characters (CloudFront's limit for this header), got 'default-src 'self' ${'a'.repeat(1765)}'; shorten it`],
    ['a Cache-Control with a line break', { cacheControl: { immutable: 'no-cache\nX-Evil: 1' } },
      "StaticSitePipeline 'Site': cacheControl.immutable must be one line without control characters, got 'no-cache\nX-Evil: 1'; "
      + "remove the line breaks, the header's directives are separated by ';' or ','"],
  ])('%s is rejected with a message naming the prop and the fix', (_, props, message) => {
    expect(errorOf(props)).toBe(message);
  });

  test('a certificate outside us-east-1 is rejected', () => {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN.replace('us-east-1', 'eu-west-1'));
    expect(errorOf({ domain: { domainNames: ['www.example.com'], certificate } }, stack)).toBe(
      "StaticSitePipeline 'Site': domain.certificate must be in us-east-1 (CloudFront only uses certificates from there), got one in 'eu-west-1'; " +
      "request the certificate in us-east-1 and pass acm.Certificate.fromCertificateArn(this, 'Cert', '<arn in us-east-1>')");
  });

  test('a certificate created in a eu-west-1 stack is rejected by its stack region', () => {
    const stack = newStack();
    const certificate = new acm.Certificate(stack, 'Cert', { domainName: 'www.example.com' });
    expect(errorOf({ domain: { domainNames: ['www.example.com'], certificate } }, stack)).toContain("got one in 'eu-west-1'");
  });

  test('a not-found page of 975 bytes, the longest an S3 key under releases/<release id>/ leaves, is accepted', () => {
    const notFoundPage = `errors/${'p'.repeat(963)}.html`;
    const template = synth({ notFoundPage });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ CustomErrorResponses: Match.arrayWith([Match.objectLike({ ResponsePagePath: `/${notFoundPage}` })]) }),
    });
  });

  test('a not-found page that is a token is rejected: the deploy scripts and the rollback permissions need its name', () => {
    const notFoundPage = Lazy.string({ produce: () => '404.html' });
    expect(errorOf({ notFoundPage })).toBe(`StaticSitePipeline 'Site': notFoundPage must not be a token, got '${notFoundPage}'; `
      + "the deploy scripts and the rollback role's permissions need the page's name at synth time, so pass a literal such as '404.html'");
  });

  test('domain names given as a list token are rejected: the first name is needed at synth time', () => {
    const stack = newStack();
    const domainNames = Token.asList({ Ref: 'DomainNames' });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN);
    expect(errorOf({ domain: { domainNames, certificate } }, stack)).toBe(
      `StaticSitePipeline 'Site': domain.domainNames must list the names, got the list token '${domainNames}'; the first name is the site URL `
      + "and the domain of its certificate, which are needed at synth time, so pass the names, e.g. ['www.example.com']");
  });

  test.each([
    ['an empty ARN', ''],
    ['a value that is not an ARN', 'not-an-arn'],
    ['an ARN without a region', 'arn:aws:acm::123456789012:certificate/abc'],
    ['an ARN of another service', 'arn:aws:s3:us-east-1:123456789012:certificate/abc'],
    ['an IAM server certificate', 'arn:aws:iam::123456789012:server-certificate/site'],
  ])('a certificate imported from %s is rejected', (_, arn) => {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', arn);
    expect(errorOf({ domain: { domainNames: ['www.example.com'], certificate } }, stack)).toBe(
      `StaticSitePipeline 'Site': domain.certificate must be an ACM certificate ARN such as 'arn:aws:acm:us-east-1:123456789012:certificate/...', got '${arn}'; `
      + "import the certificate with acm.Certificate.fromCertificateArn(this, 'Cert', '<its ARN>')");
  });

  test('a certificate of a us-east-1 stack is rejected for a stack in another region: the reference would need a Lambda function', () => {
    const app = new App();
    const certificateStack = new Stack(app, 'Certificates', { env: { ...TEST_ENV, region: 'us-east-1' }, crossRegionReferences: true });
    const certificate = new acm.Certificate(certificateStack, 'Cert', { domainName: 'www.example.com' });
    const stack = new Stack(app, 'Site', { env: TEST_ENV, crossRegionReferences: true });
    expect(errorOf({ domain: { domainNames: ['www.example.com'], certificate } }, stack)).toBe(
      "StaticSitePipeline 'Site': domain.certificate must not come from a stack of another region, got one of stack 'Certificates' in 'us-east-1' "
      + "for a stack in 'eu-west-1'; a reference across regions adds a Lambda-backed custom resource, "
      + "so pass acm.Certificate.fromCertificateArn(this, 'Cert', '<arn in us-east-1>') instead");
  });

  test('a certificate of a us-east-1 stack is rejected for an environment-agnostic stack', () => {
    const app = new App();
    const certificateStack = new Stack(app, 'Certificates', { env: { ...TEST_ENV, region: 'us-east-1' } });
    const certificate = new acm.Certificate(certificateStack, 'Cert', { domainName: 'www.example.com' });
    expect(errorOf({ domain: { domainNames: ['www.example.com'], certificate } }, new Stack(app, 'Site'))).toContain(
      "got one of stack 'Certificates' in 'us-east-1' for a stack without a region;");
  });

  test('a certificate of another us-east-1 stack is used through an ordinary cross-stack reference', () => {
    const app = new App();
    const env = { ...TEST_ENV, region: 'us-east-1' };
    const certificate = new acm.Certificate(new Stack(app, 'Certificates', { env }), 'Cert', { domainName: 'www.example.com' });
    const template = synth({ domain: { domainNames: ['www.example.com'], certificate } }, new Stack(app, 'Site', { env }));
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ ViewerCertificate: Match.objectLike({ AcmCertificateArn: { 'Fn::ImportValue': Match.anyValue() } }) }),
    });
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('a first domain name over 64 characters is rejected before a certificate is created for it', () => {
    const stack = newStack({ env: { ...TEST_ENV, region: 'us-east-1' } });
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z1', zoneName: 'example.com' });
    const name = `${'l'.repeat(53)}.example.com`;
    expect(errorOf({ domain: { domainNames: [name], hostedZone } }, stack)).toBe(
      `StaticSitePipeline 'Site': domain.domainNames[0] must be at most 64 characters to be the domain name of the certificate created for the site (ACM's limit), got '${name}'; `
      + 'list a shorter name first, or pass a certificate in domain.certificate');
  });

  test('DeployCompute.LAMBDA in a region without Lambda compute is rejected with the regions that have it', () => {
    expect(errorOf({ deployCompute: DeployCompute.LAMBDA }, newStack({ env: { ...TEST_ENV, region: 'eu-west-2' } }))).toBe(
      "StaticSitePipeline 'Site': deployCompute is DeployCompute.LAMBDA, which CodeBuild does not offer in the stack's region, got 'eu-west-2'; "
      + `use DeployCompute.EC2, or deploy to one of ${LAMBDA_COMPUTE_REGIONS.join(', ')}`);
  });

  test('tokens are not validated', () => {
    const stack = newStack();
    const token = (name: string) => Token.asString({ Ref: name });
    expect(() => synth({
      source: PipelineSource.connection({ connectionArn: token('Arn'), owner: token('Owner'), repository: token('Repo'), branch: token('Branch') }),
      buildOptions: { outputDirectory: token('Dir') },
      domain: { domainNames: [token('Domain')], certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', token('CertArn')) },
      pipelineName: token('PipelineName'),
      webAclId: token('WebAcl'),
      contentSecurityPolicy: token('Policy'),
      cacheControl: { immutable: token('CacheControl') },
      approval: { emails: [token('Email')], comment: token('Comment') },
    }, stack)).not.toThrow();
  });
});
