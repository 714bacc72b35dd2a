import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { PipelineSource, StaticSitePipeline, StaticSitePipelineProps } from '../../src';
import { PREVIEW_RELEASE_OBJECTS } from '../../src/static-site/release-contract';
import { DeployMode } from '../../src/static-site/static-site-pipeline';
import { stageEntry } from '../../verify/template-checks/stage-conditions';
import { fakeAwsEnvironment, fakeAwsTestDirs } from '../fake-aws';
import { resourcesOfType } from '../support/template-resources';
import { logicalIdOf, nagErrors, newStack, projectRole, roleStatements, TEST_ENV } from '../util';

const { tempDir } = fakeAwsTestDirs('previews');
const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:123456789012:connection/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const CODECOMMIT = PipelineSource.codeCommit({ repositoryName: 'site' });
const CONNECTION = PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repository: 'site' });

function site(props: Partial<StaticSitePipelineProps>, stack: Stack = newStack()): { stack: Stack; template: Template } {
  new StaticSitePipeline(stack, 'Site', { source: CODECOMMIT, ...props });
  return { stack, template: Template.fromStack(stack) };
}

function errorOf(props: Partial<StaticSitePipelineProps>): string {
  try {
    site(props);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

/** The template without the parts previews add, for comparison with a site without them. */
function resourceIds(template: Template): string[] {
  return Object.keys(template.toJSON().Resources).sort();
}

/** Commands of a project's buildspec, joined. */
function buildSpecOf(template: Template, projectPrefix: string): string {
  const project = template.toJSON().Resources[logicalIdOf(template, 'AWS::CodeBuild::Project', projectPrefix)];
  return JSON.stringify(project.Properties.Source.BuildSpec);
}

describe('previews: validation', () => {
  test('commands too long for the preview build (which also uploads) are reported against the site, naming the prop', () => {
    expect(errorOf({ previews: {}, buildOptions: { commands: ['npm ci', `npm run build -- ${'x'.repeat(6000)}`] } })).toMatch(
      /^StaticSitePipeline 'Site': buildOptions\.commands makes an inline buildspec longer than CodeBuild takes \(25600 characters\), got \d+ characters; move long commands into a script/);
  });

  test('a build output directory that is a token is named once in the preview build\'s uploads, which fit CodeBuild\'s limit', () => {
    const { template } = site({ previews: {}, buildOptions: { outputDirectory: Lazy.string({ produce: () => 'dist' }) } });
    const spec = buildSpecOf(template, 'SitePreviewsBuild');
    expect(spec).toContain("SITE_DIRECTORY='dist'");
    expect(spec.split('aws s3 cp \\\\\\"$SITE_DIRECTORY').length - 1).toBeGreaterThan(10);
  });

  test.each([
    ['previews with in-place deploys', { deployMode: DeployMode.IN_PLACE, previews: {} },
      "StaticSitePipeline 'Site': previews needs deployMode DeployMode.ATOMIC_RELEASES (a preview is a release named in its KeyValueStore); remove it or use atomic releases"],
    // The construct always rejected it: the fuzz reported it accepted because it never passed it.
    ['a preview domain with in-place deploys', { deployMode: DeployMode.IN_PLACE, previews: { domain: { domainName: 'preview.example.com' } } },
      "StaticSitePipeline 'Site': previews needs deployMode DeployMode.ATOMIC_RELEASES (a preview is a release named in its KeyValueStore); remove it or use atomic releases"],
    ['no previews kept', { previews: { maxPreviews: 0 } },
      "StaticSitePipeline 'Site': previews.maxPreviews must be a whole number from 1 to 50, got 0"],
    ['51 previews', { previews: { maxPreviews: 51 } },
      "StaticSitePipeline 'Site': previews.maxPreviews must be a whole number from 1 to 50, got 51"],
  ] as const)('rejects %s', (_, props, message) => {
    expect(errorOf(props as Partial<StaticSitePipelineProps>)).toBe(message);
  });

  test.each([
    ['30 minutes', Duration.minutes(30), 'Duration.minutes(30)'],
    ['31 days', Duration.days(31), 'Duration.days(31)'],
    ['90.5 minutes', Duration.seconds(5430), 'Duration.seconds(5430)'],
  ])('rejects a link expiry of %s', (_, linkExpiry, shown) => {
    expect(errorOf({ previews: { linkExpiry } })).toBe(
      `StaticSitePipeline 'Site': previews.linkExpiry must be a whole number of minutes from 60 (an hour) to 43200 (30 days), got '${shown}'; e.g. Duration.days(7)`);
  });
});

describe('previews leave the production pipeline as it is', () => {
  test.each([['CodeCommit', CODECOMMIT], ['a connection', CONNECTION]])('with %s, the resources of a site without previews are unchanged', (_, source) => {
    const without = site({ source }).template.toJSON().Resources;
    const withPreviews = site({ source, previews: {} }).template.toJSON().Resources;
    // The access log bucket's policy also lets S3 log the previews' artifact bucket.
    const accessLogsPolicy = logicalIdOf(site({ source }).template, 'AWS::S3::BucketPolicy', 'SiteAccessLogsPolicy');
    for (const [id, resource] of Object.entries(without).filter(([logicalId]) => logicalId !== accessLogsPolicy)) {
      expect([id, withPreviews[id]]).toEqual([id, resource]);
    }
    expect(resourceIds(site({ source, previews: {} }).template).filter((id) => !(id in without)).every((id) => id.startsWith('SitePreviews'))).toBe(true);
  });
});

describe('previews of a CodeCommit repository', () => {
  const { stack, template } = site({ previews: { maxPreviews: 5, linkExpiry: Duration.days(2) } });
  const repository = logicalIdOf(template, 'AWS::CodeCommit::Repository', 'SiteRepository');
  const siteBucket = logicalIdOf(template, 'AWS::S3::Bucket', 'SiteHostingBucket');
  const store = logicalIdOf(template, 'AWS::CloudFront::KeyValueStore', 'SiteHostingReleases');
  const build = logicalIdOf(template, 'AWS::CodeBuild::Project', 'SitePreviewsBuild');
  const publish = logicalIdOf(template, 'AWS::CodeBuild::Project', 'SitePreviewsPublish');
  const remove = logicalIdOf(template, 'AWS::CodeBuild::Project', 'SitePreviewsRemove');
  const previewObjects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [siteBucket, 'Arn'] }, `/${PREVIEW_RELEASE_OBJECTS}`]] };

  test('a rule on pull requests into the branch that open or change starts the build at the source commit', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.codecommit'],
        'detail-type': ['CodeCommit Pull Request State Change'],
        'resources': [{ 'Fn::GetAtt': [repository, 'Arn'] }],
        'detail': {
          destinationReference: ['refs/heads/main'],
          event: ['pullRequestCreated', 'pullRequestSourceBranchUpdated', 'pullRequestStatusChanged'],
          pullRequestStatus: ['Open'],
        },
      },
      Targets: [Match.objectLike({
        Arn: { 'Fn::GetAtt': [build, 'Arn'] },
        InputTransformer: {
          InputPathsMap: Match.objectLike({ 'detail-pullRequestId': '$.detail.pullRequestId', 'detail-sourceCommit': '$.detail.sourceCommit' }),
          InputTemplate: Match.stringLikeRegexp('"sourceVersion":<detail-sourceCommit>,"environmentVariablesOverride":\\[\\{"name":"PULL_REQUEST_ID","value":<detail-pullRequestId>'),
        },
      })],
    });
  });

  test('a rule on pull requests closed or merged starts the remove project', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: {
          destinationReference: ['refs/heads/main'],
          event: ['pullRequestStatusChanged', 'pullRequestMergeStatusUpdated'],
          pullRequestStatus: ['Closed'],
        },
      }),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [remove, 'Arn'] } })],
    });
  });

  test('the build checks out the repository, builds and tests like the pipeline, uploads the preview and starts the publish', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: Match.objectLike({ Type: 'CODECOMMIT' }),
    });
    const spec = buildSpecOf(template, 'SitePreviewsBuild');
    expect(spec).toContain('npm ci');
    expect(spec).toContain('npm run build');
    expect(spec).toContain('export PREVIEW_NAME=\\\\\\"pr-$PULL_REQUEST_ID');
    expect(spec).toContain('aws s3 cp dist');
    expect(spec).toContain('aws codebuild start-build --project-name');
  });

  test('the publish project names the preview and comments the link on the pull request', () => {
    const spec = buildSpecOf(template, 'SitePreviewsPublish');
    expect(spec).toContain('preview.js\\\\\\" publish');
    expect(spec).toContain('aws codecommit post-comment-for-pull-request');
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({
        EnvironmentVariables: Match.arrayWith([
          { Name: 'PREVIEW_MAX', Type: 'PLAINTEXT', Value: '5' },
          { Name: 'PREVIEW_LINK_SECONDS', Type: 'PLAINTEXT', Value: String(2 * 24 * 3600) },
        ]),
      }),
    });
  });

  test('the build role may only write objects of preview releases and start the publish', () => {
    const statements = roleStatements(template, projectRole(template, build));
    expect(statements).toContainEqual({ Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload'], Resource: previewObjects });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'codebuild:StartBuild',
      Resource: { 'Fn::GetAtt': [publish, 'Arn'] },
      // The pull request's code may start the publish with the preview's variables, never another buildspec, image or variable.
      Condition: {
        'Null': { 'codebuild:source.buildspec': 'true', 'codebuild:environment.image': 'true' },
        'ForAllValues:StringEquals': {
          'codebuild:environment.environmentVariables.name': ['PREVIEW_NAME', 'RELEASE_ID', 'PULL_REQUEST_ID', 'SOURCE_COMMIT', 'DESTINATION_COMMIT'],
        },
      },
    });
    const siteGrants = statements.filter((s) => JSON.stringify(s.Resource).includes(siteBucket));
    expect(siteGrants).toHaveLength(1);
    expect(JSON.stringify(statements)).not.toContain('cloudfront-keyvaluestore');
  });

  test('the publish and remove roles reach preview release objects only, and the store', () => {
    for (const project of [publish, remove]) {
      const statements = roleStatements(template, projectRole(template, project));
      expect(statements).toEqual(expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: { 'Fn::GetAtt': [siteBucket, 'Arn'] },
          Condition: { StringLike: { 's3:prefix': [PREVIEW_RELEASE_OBJECTS] } },
        },
        { Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'], Resource: previewObjects },
        {
          Effect: 'Allow',
          Action: ['cloudfront-keyvaluestore:DescribeKeyValueStore', 'cloudfront-keyvaluestore:ListKeys', 'cloudfront-keyvaluestore:UpdateKeys'],
          Resource: { 'Fn::GetAtt': [store, 'Arn'] },
        },
      ]));
      expect(JSON.stringify(statements)).not.toContain(`"${siteBucket}","Arn"]},"/releases/*"`);
    }
    expect(roleStatements(template, projectRole(template, publish))).toContainEqual({
      Effect: 'Allow', Action: 'codecommit:PostCommentForPullRequest', Resource: { 'Fn::GetAtt': [repository, 'Arn'] },
    });
  });

  test('the preview release grant matches preview release ids and never a pipeline release', () => {
    const iamPattern = new RegExp('^' + PREVIEW_RELEASE_OBJECTS.replace(/[.]/g, '\\.').replace(/\?/g, '.').replace(/\*/g, '.*') + '$');
    expect(iamPattern.test('releases/20260601T120000Z-p3f9a1c2b7d4e-pr42/index.html')).toBe(true);
    expect(iamPattern.test('releases/20260601T120000Z-3f9a1c2b7d4e-8c1f2a3b/index.html')).toBe(false);
    expect(iamPattern.test('releases/20260601T120000Z-3f9a1c2b7d4e-8c1f2a3b/img/hero-photo.png')).toBe(false);
    expect(iamPattern.test('releases/20260601T120000Z-3f9a1c2b7d4e-8c1f2a3b.json')).toBe(false);
  });

  test('passes the AwsSolutions checks', () => {
    expect(nagErrors(stack)).toEqual([]);
  });
});

describe('previews of a connection source', () => {
  const { stack, template } = site({ source: CONNECTION, previews: {} });
  const pipelines = template.findResources('AWS::CodePipeline::Pipeline');
  const publishPipeline = pipelines[logicalIdOf(template, 'AWS::CodePipeline::Pipeline', 'SitePreviewsPipeline')].Properties;
  const removePipeline = pipelines[logicalIdOf(template, 'AWS::CodePipeline::Pipeline', 'SitePreviewsRemovePipeline')].Properties;

  test('a V2 pipeline started by pull requests into the branch that open or change tells whether a pull request started it, builds, uploads and publishes', () => {
    expect(publishPipeline).toEqual(expect.objectContaining({
      PipelineType: 'V2',
      ExecutionMode: 'PARALLEL',
      Triggers: [{
        ProviderType: 'CodeStarSourceConnection',
        GitConfiguration: { SourceActionName: 'Checkout', PullRequest: [{ Branches: { Includes: ['main'] }, Events: ['OPEN', 'UPDATED'] }] },
      }],
    }));
    expect(publishPipeline.Stages.map((s: any) => [s.Name, s.Actions.map((a: any) => a.Name)])).toEqual([
      ['Source', ['Checkout']], ['PullRequest', ['Identify']], ['Build', ['BuildAndTest']], ['Preview', ['Upload', 'Publish']],
    ]);
  });

  test('a second pipeline started by closed or merged pull requests tells whether a pull request started it and removes the preview', () => {
    expect(removePipeline.Triggers).toEqual([{
      ProviderType: 'CodeStarSourceConnection',
      GitConfiguration: { SourceActionName: 'Checkout', PullRequest: [{ Branches: { Includes: ['main'] }, Events: ['CLOSED'] }] },
    }]);
    expect(removePipeline.Stages.map((s: any) => [s.Name, s.Actions.map((a: any) => a.Name)])).toEqual([
      ['Source', ['Checkout']], ['PullRequest', ['Identify']], ['Preview', ['Remove']],
    ]);
  });

  test('the first step of each reads its own execution, by the pipeline\'s name, and the pull request\'s source branch', () => {
    for (const pipeline of [publishPipeline, removePipeline]) {
      expect(actionVariables(actionOf(pipeline, 'Identify'))).toEqual({
        PIPELINE_NAME: pipeline.Name,
        EXECUTION_ID: '#{codepipeline.PipelineExecutionId}',
        PULL_REQUEST_BRANCH: '#{Source_Checkout_NS.BranchName}',
      });
    }
    // Names of their own (a stack's pipelines are named apart by its name and the construct's path).
    expect(publishPipeline.Name).toMatch(/^[A-Za-z0-9-]+-Site-Previews-[0-9A-F]{8}-Pipeline$/);
    expect(removePipeline.Name).toBe(publishPipeline.Name.replace(/-Pipeline$/, '-RemovePipeline'));
  });

  test('the pipelines\' names fit CodePipeline\'s 100 characters, whatever the stack\'s name and the construct\'s path', () => {
    const longNamed = new Stack(new App(), 'Stack', { env: TEST_ENV, stackName: `s${'x'.repeat(127)}` });
    const scope = new Construct(new Construct(longNamed, 'A'.repeat(60)), 'B'.repeat(60));
    new StaticSitePipeline(scope, 'Site', { source: CONNECTION, previews: {} });
    const names = Object.values<any>(Template.fromStack(longNamed).findResources('AWS::CodePipeline::Pipeline'))
      .map((p) => p.Properties.Name).filter((name) => name !== undefined);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9.@_-]{1,100}$/);
  });

  test('upload, publish and remove take the preview\'s name from their pipeline\'s first step, which names it the same way in both', () => {
    const name = (pipeline: any, action: string) => actionVariables(actionOf(pipeline, action)).PREVIEW_NAME;
    expect(name(publishPipeline, 'Upload')).toBe('#{PullRequest_Identify_NS.PREVIEW_NAME}');
    expect(name(publishPipeline, 'Publish')).toBe('#{PullRequest_Identify_NS.PREVIEW_NAME}');
    expect(name(removePipeline, 'Remove')).toBe('#{PullRequest_Identify_NS.PREVIEW_NAME}');
    const [publishStep, removeStep] = [publishPipeline, removePipeline].map((pipeline) => firstStepOf(template, pipeline));
    expect(removeStep.commands).toEqual(publishStep.commands);
    expect(publishStep.exported).toEqual(['EXECUTION_TRIGGER', 'PREVIEW_NAME']);
    // No step after the first names a preview from the branch itself.
    for (const project of ['SitePreviewsUpload', 'SitePreviewsPublish', 'SitePreviewsRemove']) {
      expect(buildSpecOf(template, project)).not.toContain('PULL_REQUEST_BRANCH');
    }
  });

  test('every stage after the first step runs only when a pull request started the execution, whatever the branch', () => {
    const entry = {
      Conditions: [{
        Result: 'SKIP',
        Rules: [{
          Name: 'PullRequestOnly',
          RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'VariableCheck', Version: '1' },
          Configuration: { Variable: '#{PullRequest_Identify_NS.EXECUTION_TRIGGER}', Operator: 'EQ', Value: 'WebhookV2' },
        }],
      }],
    };
    const entries = (pipeline: any) => pipeline.Stages.map((stage: any) => [stage.Name, stage.BeforeEntry]);
    expect(entries(publishPipeline)).toEqual([['Source', undefined], ['PullRequest', undefined], ['Build', entry], ['Preview', entry]]);
    expect(entries(removePipeline)).toEqual([['Source', undefined], ['PullRequest', undefined], ['Preview', entry]]);
    expect(JSON.stringify([publishPipeline.Stages, removePipeline.Stages].map((stages) => stages.map((s: any) => s.BeforeEntry)))).not.toContain('BranchName');
  });

  describe.each([
    ['the run at the pipeline\'s creation', 'CreatePipeline', 'main', false],
    ['a start by hand', 'StartPipelineExecution', 'main', false],
    ['a pull request from a fork\'s main', 'WebhookV2', 'main', true],
    ['a pull request from feature/x', 'WebhookV2', 'feature/x', true],
  ])('%s (%s, branch %s)', (_label, triggerType, branch, runs) => {
    test.each([['publish', 'Build'], ['publish', 'Preview'], ['remove', 'Preview']])(`the %s pipeline\'s stage %s ${runs ? 'runs' : 'is skipped'}`, (which, stage) => {
      const pipeline = which === 'publish' ? publishPipeline : removePipeline;
      const exported = runFirstStep(template, pipeline, triggerType, branch);
      expect(exported.EXECUTION_TRIGGER).toBe(triggerType);
      const variables = Object.fromEntries(Object.entries(exported).map(([name, value]) => [`#{PullRequest_Identify_NS.${name}}`, value]));
      expect(stageEntry(pipeline.Stages.find((s: any) => s.Name === stage), variables)).toBe(runs ? 'enter' : 'SKIP');
    });
  });

  test('the first step\'s role may read the executions of its own pipeline and nothing else of CodePipeline; each pipeline waits for its first step\'s grants', () => {
    for (const pipeline of [publishPipeline, removePipeline]) {
      const step = actionOf(pipeline, 'Identify');
      const project = template.toJSON().Resources[step.Configuration.ProjectName.Ref];
      const statements = roleStatements(template, project.Properties.ServiceRole['Fn::GetAtt'][0]);
      const pipelineStatements = statements.filter((st) => [st.Action].flat().some((a: string) => a.startsWith('codepipeline:')));
      expect(pipelineStatements).toEqual([{
        Effect: 'Allow',
        Action: 'codepipeline:GetPipelineExecution',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:codepipeline:eu-west-1:123456789012:${pipeline.Name}`]] },
      }]);
      const resources = template.toJSON().Resources;
      const pipelineId = Object.keys(resources).find((id) => resources[id].Properties === pipeline)!;
      const dependsOn: string[] = resources[pipelineId].DependsOn;
      const policies = (roleLogicalId: string) => resourcesOfType<any>({ Resources: resources }, 'AWS::IAM::ManagedPolicy')
        .filter(([, r]) => JSON.stringify(r.Properties.Roles).includes(roleLogicalId)).map(([id]) => id);
      expect(dependsOn).toEqual(expect.arrayContaining(policies(project.Properties.ServiceRole['Fn::GetAtt'][0])));
      expect(dependsOn).toEqual(expect.arrayContaining(policies(step.RoleArn['Fn::GetAtt'][0])));
    }
  });

  test('the production pipeline has no trigger', () => {
    const production = pipelines[logicalIdOf(template, 'AWS::CodePipeline::Pipeline', 'SitePipeline')].Properties;
    expect(production.Triggers).toBeUndefined();
  });

  test('pull request builds use a project and an artifact bucket of their own', () => {
    const build = logicalIdOf(template, 'AWS::CodeBuild::Project', 'SitePreviewsBuild');
    const productionBuild = logicalIdOf(template, 'AWS::CodeBuild::Project', 'SiteBuild');
    expect(projectRole(template, build)).not.toBe(projectRole(template, productionBuild));
    const previewArtifacts = logicalIdOf(template, 'AWS::S3::Bucket', 'SitePreviewsArtifacts');
    expect(publishPipeline.ArtifactStore.Location).toEqual({ Ref: previewArtifacts });
    const productionArtifacts = logicalIdOf(template, 'AWS::S3::Bucket', 'SiteArtifacts');
    expect(JSON.stringify(roleStatements(template, projectRole(template, build)))).not.toContain(`"${productionArtifacts}"`);
  });

  test('passes the AwsSolutions checks', () => {
    expect(nagErrors(stack)).toEqual([]);
  });
});

describe('pull requests of a connection source may come from forks', () => {
  const environmentVariables = {
    API_URL: { value: 'https://api.example.com' },
    NPM_TOKEN: { type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER, value: 'npm-token' },
    SENTRY_DSN: { type: codebuild.BuildEnvironmentVariableType.PARAMETER_STORE, value: '/site/sentry-dsn' },
  };
  const { stack, template } = site({ source: CONNECTION, previews: {}, buildOptions: { environmentVariables } });
  const variablesOf = (prefix: string) => template.toJSON().Resources[logicalIdOf(template, 'AWS::CodeBuild::Project', prefix)]
    .Properties.Environment.EnvironmentVariables.map((v: any) => v.Name);

  test('their build gets the plain variables and none read from Secrets Manager or Parameter Store, the push build all', () => {
    expect(variablesOf('SitePreviewsBuild')).toEqual(['API_URL']);
    expect(variablesOf('SiteBuild')).toEqual(['API_URL', 'NPM_TOKEN', 'SENTRY_DSN']);
  });

  test('their build role may read no secret or parameter', () => {
    const actions = roleStatements(template, projectRole(template, logicalIdOf(template, 'AWS::CodeBuild::Project', 'SitePreviewsBuild')))
      .flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action: string) => /^(secretsmanager|ssm):/.test(action))).toEqual([]);
  });

  test('a warning names the variables the previews build without', () => {
    Annotations.fromStack(stack).hasWarning('/Test/Site/Previews', Match.stringLikeRegexp(
      '^Pull-request previews build without NPM_TOKEN, SENTRY_DSN \\(Secrets Manager or Parameter Store variables of buildOptions.environmentVariables\\): '
      + 'a pull request of a connection source may come from a fork'));
  });

  test('CodeCommit pull requests come from branches of the repository: their build gets every variable', () => {
    const codeCommit = site({ previews: {}, buildOptions: { environmentVariables } }).template;
    const project = codeCommit.toJSON().Resources[logicalIdOf(codeCommit, 'AWS::CodeBuild::Project', 'SitePreviewsBuild')];
    expect(project.Properties.Environment.EnvironmentVariables.map((v: any) => v.Name)).toEqual(expect.arrayContaining(['NPM_TOKEN', 'SENTRY_DSN']));
  });
});

describe('previews on a domain of their own', () => {
  const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
  const withDomain = (stack: Stack, previewDomain: string = 'preview.example.com'): Partial<StaticSitePipelineProps> => ({
    domain: {
      domainNames: ['www.example.com'],
      certificate: acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN),
      hostedZone: route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' }),
    },
    previews: { domain: { domainName: previewDomain } },
  });

  test('the distribution answers every host under the preview domain, and the zone points them at it', () => {
    const stack = newStack();
    const { template } = site(withDomain(stack), stack);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ Aliases: ['www.example.com', '*.preview.example.com'] }),
    });
    for (const type of ['A', 'AAAA']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', { Name: '*.preview.example.com.', Type: type, HostedZoneId: 'Z0123456789ABCDEFGHIJ' });
    }
    expect(nagErrors(stack)).toEqual([]);
  });

  test('the link goes to the preview\'s own host', () => {
    const stack = newStack();
    const { template } = site(withDomain(stack), stack);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ EnvironmentVariables: Match.arrayWith([{ Name: 'PREVIEW_URL', Type: 'PLAINTEXT', Value: 'https://{name}.preview.example.com/' }]) }),
    });
  });

  test('a certificate created for the site also covers the preview hosts', () => {
    const stack = newStack({ env: { account: '123456789012', region: 'us-east-1' } });
    const zone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    const { template } = site({ domain: { domainNames: ['www.example.com'], hostedZone: zone }, previews: { domain: { domainName: 'preview.example.com' } } }, stack);
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'www.example.com',
      SubjectAlternativeNames: ['*.preview.example.com'],
      // One zone holds both names: each is validated in it.
      DomainValidationOptions: [
        { DomainName: 'www.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' },
        { DomainName: '*.preview.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' },
      ],
    });
  });

  test('a preview domain in a delegated zone of its own is validated in that zone, the site in its own', () => {
    const stack = newStack({ env: { account: '123456789012', region: 'us-east-1' } });
    const siteZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    const previewZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'PreviewZone', { hostedZoneId: 'Z9999999999PREVIEWZN', zoneName: 'preview.example.com' });
    const { template } = site({
      domain: { domainNames: ['www.example.com', 'example.com'], hostedZone: siteZone },
      previews: { domain: { domainName: 'preview.example.com', hostedZone: previewZone } },
    }, stack);
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'www.example.com',
      SubjectAlternativeNames: ['example.com', '*.preview.example.com'],
      DomainValidationOptions: [
        { DomainName: 'www.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' },
        { DomainName: 'example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' },
        // ACM asks public DNS for _<hash>.preview.example.com, which the delegated zone answers.
        { DomainName: '*.preview.example.com', HostedZoneId: 'Z9999999999PREVIEWZN' },
      ],
    });
    for (const type of ['A', 'AAAA']) {
      template.hasResourceProperties('AWS::Route53::RecordSet', { Name: '*.preview.example.com.', Type: type, HostedZoneId: 'Z9999999999PREVIEWZN' });
      template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'www.example.com.', Type: type, HostedZoneId: 'Z0123456789ABCDEFGHIJ' });
    }
  });

  test('without previews.domain the link is on the site\'s own domain', () => {
    const stack = newStack();
    const { template } = site({ ...withDomain(stack), previews: {} }, stack);
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Environment: Match.objectLike({ EnvironmentVariables: Match.arrayWith([{ Name: 'PREVIEW_URL', Type: 'PLAINTEXT', Value: 'https://www.example.com/' }]) }),
    });
  });

  test.each([
    ['a site on its CloudFront domain', () => ({ previews: { domain: { domainName: 'preview.example.com' } } }),
      "StaticSitePipeline 'Site': previews.domain needs domain, got previews.domain.domainName 'preview.example.com' for a site on its CloudFront domain; "
      + "give domain with a certificate that also covers '*.preview.example.com' (a distribution has one certificate), or remove previews.domain"],
    ['a wildcard', (stack: Stack) => withDomain(stack, '*.preview.example.com'),
      "StaticSitePipeline 'Site': previews.domain.domainName must be the domain under which previews get hosts, without '*.', got '*.preview.example.com'; e.g. 'preview.example.com'"],
    ['the site\'s own domain', (stack: Stack) => withDomain(stack, 'www.example.com'),
      "StaticSitePipeline 'Site': previews.domain.domainName must not be a domain name of the site, got 'www.example.com'; e.g. 'preview.www.example.com'"],
    ['upper case', (stack: Stack) => withDomain(stack, 'Preview.example.com'),
      "StaticSitePipeline 'Site': previews.domain.domainName must be lower case, got 'Preview.example.com'; use 'preview.example.com'"],
    ['not a domain name', (stack: Stack) => withDomain(stack, 'preview example'),
      "StaticSitePipeline 'Site': previews.domain.domainName must be a domain name such as 'www.example.com', got 'preview example'"],
  ])('rejects a preview domain for %s', (_, props, message) => {
    const stack = newStack();
    expect(() => site(props(stack) as Partial<StaticSitePipelineProps>, stack)).toThrow(message);
  });
});

/** The action of a pipeline (its CloudFormation properties) named `name`. */
function actionOf(pipeline: any, name: string): any {
  return pipeline.Stages.flatMap((stage: any) => stage.Actions).find((action: any) => action.Name === name);
}

/** The environment variables a CodeBuild action gives its project: name -> value. */
function actionVariables(action: any): Record<string, string> {
  return Object.fromEntries(JSON.parse(action.Configuration.EnvironmentVariables).map((v: any) => [v.name, v.value]));
}

/** The commands and exported variables of the project a preview pipeline's first step runs. */
function firstStepOf(template: Template, pipeline: any): { commands: string[]; exported: string[] } {
  const projectId = actionOf(pipeline, 'Identify').Configuration.ProjectName.Ref;
  const spec = JSON.parse(template.toJSON().Resources[projectId].Properties.Source.BuildSpec);
  return { commands: spec.phases.build.commands, exported: spec.env['exported-variables'] };
}

/**
 * Runs the synthesized first step of a preview pipeline as CodeBuild would, against the fake AWS CLI
 * holding one execution started by `triggerType`; returns the variables it exported.
 */
function runFirstStep(template: Template, pipeline: any, triggerType: string, branch: string): Record<string, string> {
  const dir = tempDir('first-step');
  const execution = 'e1a2b3c4-0000-4000-8000-000000000001';
  const state = path.join(dir, 'state.json');
  fs.writeFileSync(state, JSON.stringify({ pipelineExecutions: { [execution]: { pipelineName: pipeline.Name, triggerType } } }));
  const variables = { ...actionVariables(actionOf(pipeline, 'Identify')), EXECUTION_ID: execution, PULL_REQUEST_BRANCH: branch };
  const { commands, exported } = firstStepOf(template, pipeline);
  const run = spawnSync('bash', ['-e', '-c', [...commands, ...exported.map((name) => `echo "${name}=$${name}"`)].join('\n')], {
    cwd: dir, encoding: 'utf8', env: { ...fakeAwsEnvironment(state, path.join(dir, 'aws.log'), dir), ...variables },
  });
  if (run.status !== 0) throw new Error(`the first step failed: ${run.stderr}`);
  return Object.fromEntries(exported.map((name) => [name, new RegExp(`^${name}=(.*)$`, 'm').exec(run.stdout)![1]]));
}
