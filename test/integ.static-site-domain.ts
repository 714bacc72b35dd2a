/**
 * A documentation site from GitHub (through a CodeConnections connection) on a custom domain, with
 * `example.com` redirected to `www.example.com`, a manual approval and notifications.
 *
 * The connection, hosted zone and certificate are placeholders: the snapshot shows what the
 * construct makes of them. A real run needs an account where they exist (an Available connection, the
 * zone, and a us-east-1 certificate for both names); substitute them before `--update-on-failed`.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { DocsSiteStack } from '../examples/static-site';

// Creation stacks record absolute paths of the machine that synthesizes: keep them out of the snapshot.
const app = new App({ context: { [cxapi.DISABLE_CREATION_STACK_TRACES]: true } });
// The example stack of examples/static-site.ts, so the snapshot is of exactly what the README and demo show.
const stack = new DocsSiteStack(app, 'StaticSiteDomainInteg');
const site = stack.site;

const integ = new IntegTest(app, 'StaticSiteDomain', {
  testCases: [stack],
  // No update workflow: see integ.static-site-spa.ts.
  stackUpdateWorkflow: false,
});

// The approval gets its own stage between the build and the deploy.
integ.assertions.awsApiCall('CodePipeline', 'getPipeline', { name: site.pipeline.pipelineName })
  .expect(ExpectedResult.objectLike({
    pipeline: { stages: [{ name: 'Source' }, { name: 'Build' }, { name: 'Approve' }, { name: 'Deploy' }] },
  }));

// CloudFront answers for both names (the function redirects the second one to the first).
integ.assertions.awsApiCall('CloudFront', 'getDistribution', { Id: site.distribution.distributionId })
  .expect(ExpectedResult.objectLike({
    Distribution: { DistributionConfig: { Aliases: { Quantity: 2, Items: ['www.example.com', 'example.com'] } } },
  }));

app.synth();
