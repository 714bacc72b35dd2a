import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { PipelineSource, StaticSitePipeline } from 'cdk-deploy-pipelines';

/**
 * The README's first example: a single-page app in a new CodeCommit repository, served on its
 * CloudFront domain.
 */
export class StaticSiteStack extends Stack {
  public readonly site: StaticSitePipeline;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.site = new StaticSitePipeline(this, 'Site', {
      source: PipelineSource.codeCommit({ repositoryName: 'marketing-site' }),
      buildOptions: {
        commands: ['npm ci', 'npm run build'],
        testCommands: ['npm test'],
        outputDirectory: 'dist',
      },
      singlePageApp: true,
    });
  }
}

/**
 * A documentation site from GitHub (through a CodeConnections connection) on a custom domain,
 * with `example.com` redirected to `www.example.com`, a manual approval and notifications.
 */
export class DocsSiteStack extends Stack {
  public readonly site: StaticSitePipeline;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const { hostedZone, certificate } = exampleDomain(this);

    this.site = new StaticSitePipeline(this, 'Docs', {
      source: PipelineSource.connection({
        connectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        owner: 'acme',
        repository: 'docs',
        branch: 'main',
      }),
      buildOptions: { commands: ['npm ci', 'npm run docs:build'], outputDirectory: 'site' },
      domain: {
        domainNames: ['www.example.com', 'example.com'],
        certificate,
        hostedZone,
        redirectToPrimaryDomain: true,
      },
      approval: { emails: ['release-managers@example.com'] },
      notifications: { emails: ['team@example.com'] },
    });
  }
}

/**
 * The README's preview example: every pull request into `main` of a CodeCommit repository is built,
 * tested and published as a preview, with its link commented on the pull request.
 */
export class PreviewSiteStack extends Stack {
  public readonly site: StaticSitePipeline;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.site = new StaticSitePipeline(this, 'Site', {
      source: PipelineSource.codeCommit({ repositoryName: 'shop-site' }),
      buildOptions: { commands: ['npm ci', 'npm run build'], testCommands: ['npm test'], outputDirectory: 'dist' },
      previews: { maxPreviews: 5, linkExpiry: Duration.days(3) },
    });
  }
}

/**
 * Previews of a GitHub repository (through a connection): a pipeline started by pull requests
 * builds and publishes them, another removes them when they close.
 */
export class ConnectionPreviewSiteStack extends Stack {
  public readonly site: StaticSitePipeline;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.site = new StaticSitePipeline(this, 'Site', {
      source: PipelineSource.connection({
        connectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        owner: 'acme',
        repository: 'shop-site',
      }),
      previews: {},
    });
  }
}

/**
 * A site moved from Netlify: a folder of a GitHub monorepo (only pushes that change it release), its
 * `_redirects` and `_headers` as they were, previews of pull requests on a domain of their own.
 */
export class MovedFromNetlifyStack extends Stack {
  public readonly site: StaticSitePipeline;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const { hostedZone, certificate } = exampleDomain(this);

    this.site = new StaticSitePipeline(this, 'Site', {
      source: PipelineSource.connection({
        connectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        owner: 'acme',
        repository: 'monorepo',
        filePaths: { includes: ['apps/site/**', 'packages/ui/**'], excludes: ['**/*.md'] },
      }),
      buildOptions: { workingDirectory: 'apps/site', commands: ['npm ci', 'npm run build'], outputDirectory: 'dist' },
      redirects: true,
      headers: true,
      domain: { domainNames: ['www.example.com', 'example.com'], certificate, hostedZone, redirectToPrimaryDomain: true },
      previews: { domain: { domainName: 'preview.example.com' } },
    });
  }
}

/**
 * The same monorepo on CodeCommit: CodePipeline's triggers filter file paths on connections only,
 * so a first step compares each push with the live release and skips the release when the site's
 * folder did not change.
 */
export class CodeCommitMonorepoSiteStack extends Stack {
  public readonly site: StaticSitePipeline;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.site = new StaticSitePipeline(this, 'Site', {
      source: PipelineSource.codeCommit({ repositoryName: 'monorepo', filePaths: { includes: ['apps/site/**'] } }),
      buildOptions: { workingDirectory: 'apps/site' },
      redirects: true,
    });
  }
}

/** The hosted zone of example.com and a certificate of it in us-east-1, imported. */
function exampleDomain(scope: Construct): { hostedZone: route53.IHostedZone; certificate: acm.ICertificate } {
  return {
    hostedZone: route53.HostedZone.fromHostedZoneAttributes(scope, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' }),
    certificate: acm.Certificate.fromCertificateArn(scope, 'Certificate',
      'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555'),
  };
}

/** The example stacks, in the environment the demo synthesizes them for. */
export function addStaticSiteExamples(app: App): Stack[] {
  const env = { account: '123456789012', region: 'eu-west-1' };
  return [
    new StaticSiteStack(app, 'StaticSiteExample', { env }),
    new DocsSiteStack(app, 'DocsSiteExample', { env }),
    new PreviewSiteStack(app, 'PreviewSiteExample', { env }),
    new ConnectionPreviewSiteStack(app, 'ConnectionPreviewSiteExample', { env }),
    new MovedFromNetlifyStack(app, 'MovedFromNetlifyExample', { env }),
    new CodeCommitMonorepoSiteStack(app, 'CodeCommitMonorepoSiteExample', { env }),
  ];
}
