import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { StaticSiteStack } from '../examples/static-site';
import { DeploymentTarget, MinimumHealthyHosts, PipelineSource, ServerAppPipeline, StaticSitePipeline } from '../src';
import { TEST_ENV } from './util';
import { KEEP_KEY_VALUE_STORE_NAME_CONTEXT } from '../src/static-site/cloudfront-names';
import { StaticSitePipelineProps } from '../src/static-site/static-site-pipeline';

// What a real account would reject or break although the template synthesizes: each test here
// failed on the main branch before it was fixed.

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

function siteTemplate(props: Partial<StaticSitePipelineProps> = {}, stack = new Stack(new App(), 'Test', { env: TEST_ENV })): Template {
  new StaticSitePipeline(stack, 'Site', { source: PipelineSource.codeCommit({ repositoryName: 'site' }), ...props });
  return Template.fromStack(stack);
}

function errorOf(create: () => void): string {
  try {
    create();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

/** The Name of the only resource of `type`, at `path` in its properties. */
function nameOf(template: Template, type: string, propertyPath: string[]): unknown {
  const props = Object.values<any>(template.findResources(type))[0].Properties;
  return propertyPath.reduce((v, k) => v[k], props);
}

describe('the CodeCommit repository the construct creates', () => {
  test.each([
    ['StaticSitePipeline', (stack: Stack) => new StaticSitePipeline(stack, 'Site', { source: PipelineSource.codeCommit({ repositoryName: 'site' }) })],
    ['ServerAppPipeline', (stack: Stack) => new ServerAppPipeline(stack, 'Api', {
      source: PipelineSource.codeCommit({ repositoryName: 'api' }),
      target: DeploymentTarget.ec2Tags({ app: ['api'] }),
    })],
  ])('is retained when the stack of a %s is deleted', (_name, create) => {
    const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
    create(stack);
    Template.fromStack(stack).hasResource('AWS::CodeCommit::Repository', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('account-global CloudFront names', () => {
  const inRegion = (region: string) => siteTemplate({}, new Stack(new App(), 'Test', { env: { account: TEST_ENV.account, region } }));
  const NAMED = [
    ['AWS::CloudFront::KeyValueStore', ['Name']],
    ['AWS::CloudFront::OriginAccessControl', ['OriginAccessControlConfig', 'Name']],
    ['AWS::CloudFront::ResponseHeadersPolicy', ['ResponseHeadersPolicyConfig', 'Name']],
  ] as const;

  test.each(NAMED)('the %s of one stack differs between two regions of an account', (type, propertyPath) => {
    const west = nameOf(inRegion('eu-west-1'), type, [...propertyPath]);
    const east = nameOf(inRegion('us-east-1'), type, [...propertyPath]);
    expect(west).toMatch(/^eu-west-1-/);
    expect(east).toMatch(/^us-east-1-/);
    expect(west).not.toEqual(east);
  });

  test.each(NAMED)('the %s of a stack without a region joins the region in at deploy time', (type, propertyPath) => {
    const name = nameOf(siteTemplate({}, new Stack(new App(), 'Agnostic')), type, [...propertyPath]);
    expect(name).toEqual({ 'Fn::Join': ['', [{ Ref: 'AWS::Region' }, expect.stringMatching(/^-AgnosticSite/)]] });
  });

  test('a site deployed before region-unique names keeps its KeyValueStore, and with it the live release, when the context key asks', () => {
    // The store as the integration snapshot of the README example had it before names held the region.
    const before = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'upgrade', 'key-value-store-before-regional-names.json'), 'utf8'));
    const app = new App({ context: { [KEEP_KEY_VALUE_STORE_NAME_CONTEXT]: true } });
    const upgraded = Template.fromStack(new StaticSiteStack(app, 'StaticSiteSpaInteg'));
    // Same logical id and name: CloudFormation leaves the store, and its live key, in place.
    expect(upgraded.findResources('AWS::CloudFront::KeyValueStore')).toEqual(before);
  });

  test('without the context key, a new site gets the region-unique name', () => {
    const fresh = Template.fromStack(new StaticSiteStack(new App(), 'StaticSiteExample', { env: TEST_ENV }));
    expect(nameOf(fresh, 'AWS::CloudFront::KeyValueStore', ['Name'])).toEqual('eu-west-1-StaticSiteExampleSiteHostingReleases56F76B34');
  });
});

describe('values that synthesize but cannot deploy', () => {
  test.each(['*', 'errors/*.html', '40?.html'])('a not-found page with an IAM wildcard (%s) is rejected', (notFoundPage) => {
    expect(errorOf(() => siteTemplate({ notFoundPage }))).toBe(`StaticSitePipeline 'Site': notFoundPage must name one file, got '${notFoundPage}'; `
      + "'*' and '?' are IAM wildcards that would let the rollback role write other files of the bucket; e.g. '404.html'");
  });

  test('build commands that make the buildspec longer than CodeBuild takes are rejected', () => {
    const commands = Array.from({ length: 30 }, (_, i) => `echo ${i} ${'x'.repeat(1000)}`);
    expect(errorOf(() => siteTemplate({ buildOptions: { commands } }))).toMatch(new RegExp(
      "^StaticSitePipeline 'Site': buildOptions.commands makes an inline buildspec longer than CodeBuild takes \\(25600 characters\\), got \\d+ characters; "
      + "move long commands into a script of the repository, e.g. commands: \\['bash scripts/build.sh'\\]$"));
  });

  test('immutable patterns that make the upload buildspec longer than CodeBuild takes are rejected', () => {
    const immutablePatterns = Array.from({ length: 40 }, (_, i) => `assets-${i}/*.[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f].js`);
    expect(errorOf(() => siteTemplate({ cacheControl: { immutablePatterns } }))).toMatch(new RegExp(
      "^StaticSitePipeline 'Site': cacheControl.immutablePatterns makes an inline buildspec longer than CodeBuild takes \\(25600 characters\\), got \\d+ characters; "
      + 'each pattern is repeated in every upload command'));
  });

  test('a Cache-Control value that makes the upload buildspec too long is named, not the patterns', () => {
    const immutable = `public, ${'x'.repeat(3000)}`;
    expect(errorOf(() => siteTemplate({ cacheControl: { immutable } }))).toMatch(new RegExp(
      "^StaticSitePipeline 'Site': cacheControl.immutable makes an inline buildspec longer than CodeBuild takes \\(25600 characters\\), got \\d+ characters; "
      + "it is repeated in every upload command, so give a shorter one, e.g. 'public, max-age=31536000, immutable'$"));
  });

  test('install commands that make the build buildspec too long are named', () => {
    const installCommands = Array.from({ length: 300 }, (_, i) => `echo step-${i} ${'x'.repeat(80)}`);
    expect(errorOf(() => siteTemplate({ buildOptions: { installCommands } }))).toMatch(
      /^StaticSitePipeline 'Site': buildOptions.installCommands makes an inline buildspec longer than CodeBuild takes/);
  });

  test('more than 10 alarms on one deployment group are rejected', () => {
    const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
    const alarms = Array.from({ length: 11 }, (_, i) => cloudwatch.Alarm.fromAlarmArn(stack, `Alarm${i}`, `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a${i}`));
    expect(errorOf(() => new ServerAppPipeline(stack, 'Api', {
      source: PipelineSource.codeCommit({ repositoryName: 'api' }),
      environments: [{ name: 'Staging', target: DeploymentTarget.ec2Tags({ app: ['api'] }), alarms }],
    }))).toBe("ServerAppPipeline 'Api': environments[0].alarms lists 11 alarms, got '11'; CodeDeploy watches at most 10 per environment");
  });

  test('deploymentConfig and minimumHealthyHosts together in one environment are rejected', () => {
    const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
    expect(errorOf(() => new ServerAppPipeline(stack, 'Api', {
      source: PipelineSource.codeCommit({ repositoryName: 'api' }),
      environments: [{
        name: 'Staging',
        target: DeploymentTarget.ec2Tags({ app: ['api'] }),
        deploymentConfig: codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME,
        minimumHealthyHosts: MinimumHealthyHosts.count(1),
      }],
    }))).toBe("ServerAppPipeline 'Api': environments[0].deploymentConfig and environments[0].minimumHealthyHosts are exclusive, got both; "
      + 'minimumHealthyHosts creates a deployment configuration, so give one of them');
  });
});

describe('access log delivery', () => {
  test('S3 may deliver server access logs for the buckets of this stack that log there, and no other', () => {
    const template = siteTemplate();
    const buckets = Object.entries<any>(template.findResources('AWS::S3::Bucket'))
      .filter(([, b]) => b.Properties.LoggingConfiguration !== undefined)
      .map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
    expect(buckets.length).toBe(2);
    const statements = Object.values<any>(template.findResources('AWS::S3::BucketPolicy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => s.Principal?.Service === 'logging.s3.amazonaws.com');
    expect(statements).toHaveLength(1);
    expect(statements[0].Condition.StringEquals).toEqual({ 'aws:SourceAccount': TEST_ENV.account });
    const sources = statements[0].Condition.ArnLike['aws:SourceArn'];
    expect([...sources].sort(byJson)).toEqual([...buckets].sort(byJson));
  });
});

describe('a custom domain without a hosted zone', () => {
  const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
  const template = siteTemplate({ domain: { domainNames: ['www.example.com'], certificate: certificate(stack) } }, stack);

  test('outputs the CloudFront domain name to point a DNS record at', () => {
    const outputs = template.findOutputs('*', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('Distribution'), 'DomainName'] } });
    expect(Object.keys(outputs)).toEqual([expect.stringMatching(/^SiteDistributionDomainName/)]);
  });

  test('warns that the DNS record is the user\'s to create', () => {
    Annotations.fromStack(stack).hasWarning('/Test/Site', Match.stringLikeRegexp(
      '^domain has no hostedZone: no DNS record is created for www.example.com; create a CNAME \\(or alias\\) record of each pointing at the DistributionDomainName output'));
  });

  test('with a hosted zone, no warning is given', () => {
    const zoned = new Stack(new App(), 'Zoned', { env: TEST_ENV });
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(zoned, 'Zone', { hostedZoneId: 'Z1', zoneName: 'example.com' });
    siteTemplate({ domain: { domainNames: ['www.example.com'], certificate: certificate(zoned), hostedZone } }, zoned);
    Annotations.fromStack(zoned).hasNoWarning('*', Match.stringLikeRegexp('hostedZone'));
  });
});

function certificate(stack: Stack): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN);
}

function byJson(a: unknown, b: unknown): number {
  return JSON.stringify(a).localeCompare(JSON.stringify(b));
}
