import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { distributionConfig, DistributionConfig } from './distribution-config';
import { PipelineSource, StaticSitePipeline } from '../../src';
import { LIVE_RELEASE_KEY, PREVIEW_KEY_PREFIX, RELEASES_PREFIX, TOKEN_KEY_PREFIX } from '../../src/static-site/release-contract';
import { KeyValueStores } from '../../test/support/cloudfront-function';

/** The preview the site holds, and the token that may read it. */
export const PREVIEW_NAME = 'pr-42';
/** The domain of the preview hosts (`<name>.<domain>`; the browser resolves its names to 127.0.0.1). */
export const PREVIEW_DOMAIN = 'preview.example.test';
const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/11111111-2222-3333-4444-555555555555';
// Release ids as go-live writes them: <UTC time>-<commit>-<execution>.
const LIVE_RELEASE_ID = '20250102T030405Z-0123456789ab-0a1b2c3d';
const PREVIEW_RELEASE_ID = '20250103T040506Z-ba9876543210-1a2b3c4d';
/** How long the token is valid, in seconds from when the bucket is published. */
export const TOKEN_SECONDS = 3600;
/** The meta tag that tells the preview's pages from live's. */
export const PREVIEW_MARKER = '<meta name="release" content="preview" />';

/** A site with previews as the deploys leave it: its distribution, bucket and store. */
export interface PreviewSite {
  readonly config: DistributionConfig;
  readonly dir: string;
  readonly stores: KeyValueStores;
  /** A token of the store for PREVIEW_NAME, valid for TOKEN_SECONDS. */
  readonly token: string;
  dispose(): void;
}

/**
 * A StaticSitePipeline with previews on a preview domain (the single-page app settings of the
 * README example), synthesized in an app of its own, and its bucket and store after a release went live and a
 * preview was published: live is the build, the preview the build with PREVIEW_MARKER in its
 * index.html; the store names both and holds a token for the preview.
 */
export function previewSite(buildDir: string, notFoundPage: string): PreviewSite {
  const stack = new Stack(new App(), 'PreviewSiteExample', { env: { account: '111111111111', region: 'eu-west-1' } });
  new StaticSitePipeline(stack, 'Site', {
    source: PipelineSource.codeCommit({ repositoryName: 'preview-site' }),
    singlePageApp: true,
    notFoundPage,
    // Preview hosts are aliases of the distribution, which needs the site on a domain with a certificate.
    domain: { domainNames: ['www.example.test'], certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', CERTIFICATE_ARN) },
    previews: { domain: { domainName: PREVIEW_DOMAIN } },
  });
  const config = distributionConfig(stack);
  if (!config.keyValueStoreId || !config.viewerResponseCode) {
    throw new Error('the site with previews has no KeyValueStore or no viewer-response function');
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preview-bucket-'));
  const releases = path.join(dir, RELEASES_PREFIX);
  fs.mkdirSync(releases);
  fs.symlinkSync(buildDir, path.join(releases, LIVE_RELEASE_ID), 'dir');
  fs.cpSync(buildDir, path.join(releases, PREVIEW_RELEASE_ID), { recursive: true });
  const previewIndex = path.join(releases, PREVIEW_RELEASE_ID, 'index.html');
  fs.writeFileSync(previewIndex, fs.readFileSync(previewIndex, 'utf8').replace('</head>', `${PREVIEW_MARKER}</head>`));
  fs.copyFileSync(path.join(buildDir, notFoundPage), path.join(dir, notFoundPage));
  const token = crypto.randomBytes(16).toString('hex');
  return {
    config,
    dir,
    stores: {
      [config.keyValueStoreId]: {
        [LIVE_RELEASE_KEY]: LIVE_RELEASE_ID,
        [`${PREVIEW_KEY_PREFIX}${PREVIEW_NAME}`]: PREVIEW_RELEASE_ID,
        [`${TOKEN_KEY_PREFIX}${token}`]: `${Math.floor(Date.now() / 1000) + TOKEN_SECONDS} ${PREVIEW_NAME}`,
      },
    },
    token,
    dispose: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
