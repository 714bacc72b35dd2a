/**
 * The README's server example: a Node.js app in a new CodeCommit repository, deployed by CodeDeploy
 * to a fleet created for it (two instances behind an Application Load Balancer) in a new VPC.
 *
 * The stack needs a region (the load balancer's access logs are written by the region's Elastic Load
 * Balancing account, so the construct refuses an env-agnostic stack). It takes the one integ-runner
 * sets: the fixed `test-region` when it synthesizes the snapshot, the region it deploys to otherwise.
 *
 * The example's load balancer keeps its default deletion protection: after a real run, turn it off
 * (or delete the load balancer) before integ-runner destroys the stack.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { ServerAppStack } from '../examples/server-app';

const env = { region: process.env.CDK_INTEG_REGION ?? process.env.CDK_DEFAULT_REGION };
// Creation stacks record absolute paths of the machine that synthesizes: keep them out of the snapshot.
const app = new App({ context: { [cxapi.DISABLE_CREATION_STACK_TRACES]: true } });
// The example stack of examples/server-app.ts, so the snapshot is of exactly what the README and demo show.
const stack = new ServerAppStack(app, 'ServerAppFleetInteg', { env });
const server = stack.app;

const integ = new IntegTest(app, 'ServerAppFleet', {
  testCases: [stack],
  // The assertions read the pipeline's name from this stack, so they must be in its environment.
  assertionStack: new Stack(app, 'ServerAppFleetAssertions', { env }),
  // No update workflow: see integ.static-site-spa.ts.
  stackUpdateWorkflow: false,
});

// One environment: its stage is Deploy<name>, with the default name Production.
integ.assertions.awsApiCall('CodePipeline', 'getPipeline', { name: server.pipeline.pipelineName })
  .expect(ExpectedResult.objectLike({
    pipeline: { stages: [{ name: 'Source' }, { name: 'Build' }, { name: 'DeployProduction' }] },
  }));

// CodeDeploy deploys through the load balancer (instances leave it while they update) and rolls back
// a failed or stopped deployment.
integ.assertions.awsApiCall('CodeDeploy', 'getDeploymentGroup', {
  applicationName: server.application.applicationName,
  deploymentGroupName: server.deploymentGroup.deploymentGroupName,
}).expect(ExpectedResult.objectLike({
  deploymentGroupInfo: {
    deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    autoRollbackConfiguration: { enabled: true },
  },
}));

app.synth();
