import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { responseFunctionCode, TokenReleases } from '../../src/static-site/routing-function';
import { SiteHosting } from '../../src/static-site/site-hosting';

/** The template of a site with releases, and with `tokenReleases` when given (on a domain of its own with a preview domain). */
function siteTemplate(tokenReleases?: TokenReleases): Template {
  const stack = new Stack(new App(), 'Site', { env: { account: '111111111111', region: 'eu-west-1' } });
  const certificateArn = 'arn:aws:acm:us-east-1:111111111111:certificate/11111111-2222-3333-4444-555555555555';
  new SiteHosting(stack, 'Hosting', {
    domain: tokenReleases?.previewDomain ? { domainNames: ['www.example.com'], certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', certificateArn) } : undefined,
    singlePageApp: true,
    notFoundPage: '404.html',
    accessLogsBucket: new s3.Bucket(stack, 'Logs'),
    priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    releases: { redirects: false, headers: false, tokenReleases },
  });
  return Template.fromStack(stack);
}

describe('SiteHosting with previews', () => {
  test('associates the viewer-response function that marks previews noindex, after the routing function', () => {
    const template = siteTemplate({ previewDomain: { domainName: 'preview.example.com' } });
    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: responseFunctionCode({ tokenReleases: { previewDomain: { domainName: 'preview.example.com' } } }),
      FunctionConfig: { Runtime: 'cloudfront-js-2.0', Comment: 'Preview responses are not indexed (x-robots-tag: noindex)' },
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        DefaultCacheBehavior: {
          FunctionAssociations: [
            { EventType: 'viewer-request', FunctionARN: Match.anyValue() },
            { EventType: 'viewer-response', FunctionARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HostingPreviewResponse'), 'FunctionARN'] } },
          ],
        },
      },
    });
  });

  test('the routing function gets the preview settings, with the preview domain', () => {
    const code = JSON.stringify(siteTemplate({ previewDomain: { domainName: 'preview.example.com' } }).findResources('AWS::CloudFront::Function'));
    expect(code).toContain('\\"preview\\":{\\"keyPrefix\\":\\"preview:\\",\\"tokenKeyPrefix\\":\\"token:\\",\\"header\\":\\"x-preview-token\\",'
      + '\\"cookie\\":\\"preview-token\\",\\"query\\":\\"preview-token\\",\\"marker\\":\\"x-preview\\",\\"domain\\":\\"preview.example.com\\"}');
  });

  test('without previews there is no viewer-response function, and the routing function reads no token', () => {
    const template = siteTemplate();
    template.resourceCountIs('AWS::CloudFront::Function', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: { DefaultCacheBehavior: { FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: Match.anyValue() }] } },
    });
    // The settings line has no preview settings, so the function never reads a token (the code is shared by every site).
    expect(JSON.stringify(template.findResources('AWS::CloudFront::Function'))).not.toContain('\\"preview\\":');
  });
});
