import { Match, Template } from 'aws-cdk-lib/assertions';
import { DeploymentTarget, PipelineSource, ServerAppPipeline, StaticSitePipeline, StaticSitePipelineProps } from '../../src';
import { ProjectKind } from '../../src/project-kind';
import { DeployMode } from '../../src/static-site/static-site-pipeline';
import { onlyProjectOfKind, projectKinds } from '../support/project-kinds';
import { messageOf, newStack, projectRole, roleStatements } from '../util';

const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:123456789012:connection/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const CODECOMMIT = PipelineSource.codeCommit({ repositoryName: 'site' });

/** The template of a StaticSitePipeline with these props. */
function synth(props: Partial<StaticSitePipelineProps> = {}): Template {
  return synthProject(props, ProjectKind.BUILD).template;
}

/** The template of a StaticSitePipeline with these props, and its CodeBuild project of `kind` (logical id and resource). */
function synthProject(props: Partial<StaticSitePipelineProps>, kind: ProjectKind): { template: Template; id: string; project: any } {
  const stack = newStack();
  new StaticSitePipeline(stack, 'Site', { source: CODECOMMIT, ...props });
  const template = Template.fromStack(stack);
  const id = onlyProjectOfKind(projectKinds(stack), kind);
  return { template, id, project: template.toJSON().Resources[id] };
}

/** The message a StaticSitePipeline with these props fails with. */
const errorOf = (props: Partial<StaticSitePipelineProps>) => messageOf(() => synth(props));

/** The build project's buildspec of a StaticSitePipeline with these props. */
function buildSpecOf(props: Partial<StaticSitePipelineProps>): any {
  const spec = synthProject(props, ProjectKind.BUILD).project.Properties.Source.BuildSpec;
  // A report group's ARN makes the buildspec a join: its tokens stand as 'TOKEN'.
  return JSON.parse(typeof spec === 'string' ? spec : spec['Fn::Join'][1].map((p: unknown) => typeof p === 'string' ? p : 'TOKEN').join(''));
}

/** The go-live project's `release.js publish` command of a StaticSitePipeline with these props. */
function publishCommand(props: Partial<StaticSitePipelineProps>): string {
  const goLive = synthProject(props, ProjectKind.GO_LIVE).project;
  return JSON.parse(goLive.Properties.Source.BuildSpec).phases.build.commands.find((c: string) => c.includes(' publish '));
}

describe('_redirects and _headers', () => {
  test('redirects adds an origin request policy that gives the routing function the viewer\'s country', () => {
    const template = synth({ redirects: true });
    template.hasResourceProperties('AWS::CloudFront::OriginRequestPolicy', {
      OriginRequestPolicyConfig: Match.objectLike({
        HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['CloudFront-Viewer-Country'] },
        CookiesConfig: { CookieBehavior: 'none' },
        QueryStringsConfig: { QueryStringBehavior: 'none' },
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: { DefaultCacheBehavior: { OriginRequestPolicyId: { Ref: Match.stringLikeRegexp('ViewerCountry') } } },
    });
  });

  test('without redirects there is no origin request policy', () => {
    synth().resourceCountIs('AWS::CloudFront::OriginRequestPolicy', 0);
  });

  test.each([['redirects'], ['headers']])('%s makes the viewer-response function read the release\'s rules from the site\'s KeyValueStore', (prop) => {
    const template = synth({ [prop]: true, verifyRelease: { enabled: false } });
    const functions = Object.values<any>(template.findResources('AWS::CloudFront::Function'));
    const response = functions.find((f) => f.Properties.FunctionConfig.Comment.includes('_headers'));
    expect(response.Properties.FunctionConfig).toEqual(expect.objectContaining({
      Comment: 'Headers of _headers, pages of _redirects',
      KeyValueStoreAssociations: [{ KeyValueStoreARN: { 'Fn::GetAtt': [expect.stringMatching(/Releases/), 'Arn'] } }],
    }));
    expect(JSON.stringify(response.Properties.FunctionCode)).toContain('var RULES = {');
  });

  test('the go-live step gets the rules settings: the security headers the site sends, its Content-Security-Policy included', () => {
    const command = publishCommand({ headers: true, redirects: true, contentSecurityPolicy: "default-src 'self'" });
    const settings = JSON.parse(command.slice(command.indexOf("'{") + 1, command.lastIndexOf("}'") + 1).replace(/'\\''/g, "'"));
    expect(settings).toEqual(expect.objectContaining({
      redirects: true,
      headers: true,
      securityHeaders: {
        'strict-transport-security': 'max-age=63072000; includeSubDomains',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'strict-origin-when-cross-origin',
        'content-security-policy': "default-src 'self'",
      },
    }));
  });

  test('headers makes every upload give its objects the metadata that names the release', () => {
    const upload = synthProject({ headers: true }, ProjectKind.RELEASE_UPLOAD).project;
    const commands: string[] = JSON.parse(upload.Properties.Source.BuildSpec).phases.build.commands;
    expect(commands).toContain('if test -s ./_headers; then export RELEASE_METADATA="headers=$RELEASE_ID"; else export RELEASE_METADATA="headers=-"; fi');
    const uploads = commands.filter((c) => c.startsWith('aws s3 cp'));
    expect(uploads.length).toBeGreaterThan(5);
    expect(uploads.every((c) => c.endsWith('--metadata "$RELEASE_METADATA"') || c.includes('--metadata "$RELEASE_METADATA"'))).toBe(true);
  });

  test('headers needs atomic releases', () => {
    expect(errorOf({ headers: true, deployMode: DeployMode.IN_PLACE })).toBe("StaticSitePipeline 'Site': headers needs deployMode DeployMode.ATOMIC_RELEASES "
      + '(the rules of _headers are loaded into its KeyValueStore with each release); remove it or use atomic releases');
  });
});

describe('monorepos: buildOptions.workingDirectory', () => {
  test('each phase starts in the working directory, and the output directory, cache and reports are in it', () => {
    const spec = buildSpecOf({
      buildOptions: { workingDirectory: 'apps/site', installCommands: ['npm ci'], commands: ['npm run build'], outputDirectory: 'dist', testReports: ['reports/junit.xml'] },
    });
    expect(spec.phases.install.commands).toEqual(['cd "$CODEBUILD_SRC_DIR"/apps/site', 'npm ci']);
    expect(spec.phases.build.commands[0]).toBe('cd "$CODEBUILD_SRC_DIR"/apps/site');
    expect(spec.artifacts['base-directory']).toBe('apps/site/dist');
    expect(spec.cache.paths).toEqual(['/root/.npm/**/*']);
    expect(Object.values<any>(spec.reports)[0].files).toEqual(['apps/site/reports/junit.xml']);
  });

  test('relative cache paths are in the working directory', () => {
    const spec = buildSpecOf({ buildOptions: { workingDirectory: 'apps/site', cachePaths: ['node_modules/**/*', '/root/.npm/**/*'] } });
    expect(spec.cache.paths).toEqual(['apps/site/node_modules/**/*', '/root/.npm/**/*']);
  });

  test.each([
    ['/apps/site', "StaticSitePipeline 'Site': buildOptions.workingDirectory must be a relative path, got '/apps/site'; use the path relative to the repository root, e.g. 'apps/site'"],
    ['apps/../..', "StaticSitePipeline 'Site': buildOptions.workingDirectory must stay inside the build directory, got 'apps/../..'; remove the '..' segments"],
  ])('a working directory %s is rejected', (workingDirectory, message) => {
    expect(errorOf({ buildOptions: { workingDirectory } })).toBe(message);
  });
});

describe('monorepos: source.filePaths', () => {
  const connection = (filePaths: object) => PipelineSource.connection({ connectionArn: CONNECTION_ARN, owner: 'acme', repository: 'mono', filePaths });

  test('on a connection, the pipeline\'s trigger takes pushes to the branch that change the files, and the source action starts nothing itself', () => {
    const template = synth({ source: connection({ includes: ['apps/site/**', 'packages/ui/**'], excludes: ['**/*.md'] }) });
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Triggers: [{
        ProviderType: 'CodeStarSourceConnection',
        GitConfiguration: {
          SourceActionName: 'Checkout',
          Push: [{ Branches: { Includes: ['main'] }, FilePaths: { Includes: ['apps/site/**', 'packages/ui/**'], Excludes: ['**/*.md'] } }],
        },
      }],
      Stages: Match.arrayWith([Match.objectLike({ Name: 'Source', Actions: [Match.objectLike({ Configuration: Match.objectLike({ DetectChanges: false }) })] })]),
    });
  });

  test('on a connection, the previews\' pull requests are filtered by the same files', () => {
    const template = synth({ source: connection({ includes: ['apps/site/**'] }), previews: {} });
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Triggers: [{
        ProviderType: 'CodeStarSourceConnection',
        GitConfiguration: Match.objectLike({
          PullRequest: [Match.objectLike({ Branches: { Includes: ['main'] }, Events: ['OPEN', 'UPDATED'], FilePaths: { Includes: ['apps/site/**'] } })],
        }),
      }],
    });
  });

  test('on CodeCommit, a changes check follows the source and every later stage is skipped unless it says the files changed', () => {
    const template = synth({ source: PipelineSource.codeCommit({ repositoryName: 'mono', filePaths: { includes: ['apps/site/**'] } }) });
    const pipeline = Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
    expect(pipeline.Stages.map((s: any) => s.Name)).toEqual(['Source', 'Changes', 'Build', 'Deploy']);
    expect(pipeline.Stages[1].Actions[0]).toEqual(expect.objectContaining({ Name: 'ChangedFiles', Namespace: 'Changes_ChangedFiles_NS' }));
    for (const stage of pipeline.Stages.slice(2)) {
      expect(stage.BeforeEntry).toEqual({
        Conditions: [{
          Result: 'SKIP',
          Rules: [{
            Name: 'ChangedFilesOnly',
            RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'VariableCheck', Version: '1' },
            Configuration: { Variable: '#{Changes_ChangedFiles_NS.CHANGED}', Operator: 'EQ', Value: 'true' },
          }],
        }],
      });
    }
    expect(pipeline.Stages[0].BeforeEntry).toBeUndefined();
    expect(pipeline.Stages[1].BeforeEntry).toBeUndefined();
  });

  test('on CodeCommit, the changes check may compare commits of the repository and read the live release, nothing else', () => {
    const { template, id: check } = synthProject(
      { source: PipelineSource.codeCommit({ repositoryName: 'mono', filePaths: { includes: ['apps/site/**'] } }) }, ProjectKind.CHANGES_CHECK);
    const statements = roleStatements(template, projectRole(template, check));
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'codecommit:GetDifferences', Resource: { 'Fn::GetAtt': [expect.stringMatching(/Repository/), 'Arn'] } }),
      expect.objectContaining({ Action: 'cloudfront-keyvaluestore:GetKey' }),
      expect.objectContaining({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/HostingBucket/), 'Arn'] }, '/releases/*.json']] } }),
    ]));
  });

  test.each([
    [{ includes: Array.from({ length: 9 }, (_, i) => `apps/${i}/**`) },
      "StaticSitePipeline 'Site': source.filePaths.includes takes at most 8 globs (CodePipeline's limit), got 9; merge them, e.g. 'apps/site/**'"],
    [{ excludes: ['x'.repeat(256)] }, `StaticSitePipeline 'Site': source.filePaths.excludes[0] must be 1 to 255 characters (CodePipeline's limit), got '${'x'.repeat(256)}'`],
    [{ includes: [''] }, "StaticSitePipeline 'Site': source.filePaths.includes[0] must be 1 to 255 characters (CodePipeline's limit), got ''"],
    [{ includes: ['apps/{site,docs}/**'] },
      "StaticSitePipeline 'Site': source.filePaths.includes[0] must be a path relative to the repository root with the wildcards *, ** and ? only, got 'apps/{site,docs}/**'; e.g. 'apps/site/**'"],
    [{ includes: ['/apps/site/**'] },
      "StaticSitePipeline 'Site': source.filePaths.includes[0] must be a path relative to the repository root with the wildcards *, ** and ? only, got '/apps/site/**'; e.g. 'apps/site/**'"],
  ])('filePaths %j is rejected', (filePaths, message) => {
    expect(errorOf({ source: PipelineSource.codeCommit({ repositoryName: 'mono', filePaths }) })).toBe(message);
    expect(errorOf({ source: connection(filePaths) })).toBe(message);
  });

  test('on CodeCommit, a site published in place cannot compare a push with a live release', () => {
    expect(errorOf({ source: PipelineSource.codeCommit({ repositoryName: 'mono', filePaths: { includes: ['apps/site/**'] } }), deployMode: DeployMode.IN_PLACE }))
      .toBe("StaticSitePipeline 'Site': source.filePaths on a CodeCommit source needs a StaticSitePipeline with atomic releases (a first step compares "
        + 'each push with the live release); use a connection source, whose trigger filters file paths, or remove source.filePaths');
  });

  test('a ServerAppPipeline takes filePaths on a connection, not on CodeCommit', () => {
    const build = (source: PipelineSource) => {
      const stack = newStack();
      new ServerAppPipeline(stack, 'Api', { source, target: DeploymentTarget.ec2Tags({ Role: ['api'] }) });
      return Template.fromStack(stack);
    };
    expect(() => build(connection({ includes: ['services/api/**'] }))).not.toThrow();
    expect(() => build(PipelineSource.codeCommit({ repositoryName: 'mono', filePaths: { includes: ['services/api/**'] } })))
      .toThrow("ServerAppPipeline 'Api': source.filePaths on a CodeCommit source needs a StaticSitePipeline with atomic releases");
  });
});

describe('buildspec sizes', () => {
  test('the longest not-found page S3 takes (975 bytes) still fits the go-live and rollback buildspecs', () => {
    expect(errorOf({ notFoundPage: `${'p'.repeat(970)}.html`, redirects: true, headers: true })).toBe('no error');
  });
});
