/**
 * The README's first example: a single-page app in a new CodeCommit repository, served on its
 * CloudFront domain. Env-agnostic, so a real run deploys to any account and region.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { StaticSiteStack } from '../examples/static-site';

// Creation stacks record absolute paths of the machine that synthesizes: keep them out of the snapshot.
const app = new App({ context: { [cxapi.DISABLE_CREATION_STACK_TRACES]: true } });
// The example stack of examples/static-site.ts, so the snapshot is of exactly what the README and demo show.
const stack = new StaticSiteStack(app, 'StaticSiteSpaInteg');
const site = stack.site;

const integ = new IntegTest(app, 'StaticSiteSpa', {
  testCases: [stack],
  // No update workflow (deploying the committed snapshot before this one): it would need the
  // assertion handler's 2 MB bundle committed in the snapshot, and the templates are what we review.
  stackUpdateWorkflow: false,
});

// A push-to-deploy pipeline without an approval: Source, Build, then the S3 + CloudFront deploy.
integ.assertions.awsApiCall('CodePipeline', 'getPipeline', { name: site.pipeline.pipelineName })
  .expect(ExpectedResult.objectLike({
    pipeline: { pipelineType: 'V2', executionMode: 'SUPERSEDED', stages: [{ name: 'Source' }, { name: 'Build' }, { name: 'Deploy' }] },
  }));

// Nothing is released until the first push, but CloudFront already answers with the security
// headers of the response headers policy (it adds them to what the origin returns, 404 included).
integ.assertions.httpApiCall(site.url)
  .expect(ExpectedResult.objectLike({
    headers: {
      'strict-transport-security': ['max-age=63072000; includeSubDomains'],
      'x-content-type-options': ['nosniff'],
      'x-frame-options': ['DENY'],
      'referrer-policy': ['strict-origin-when-cross-origin'],
    },
  }));

app.synth();
