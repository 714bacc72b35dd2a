/**
 * The README's server example released blue/green: two fleets behind one Application Load Balancer,
 * each with its own target group and CodeDeploy deployment group, released by CodeBuild steps that
 * move the listener's weights (examples/server-app.ts, BlueGreenServerAppStack).
 *
 * Region, creation stack traces and the load balancer's deletion protection: as in
 * integ.server-app-fleet.ts.
 *
 * What only a deployment shows, and these assertions check after one: the deployment groups that
 * CodeDeploy really created for the two fleets (each with its own Auto Scaling group, updating
 * instances Auto Scaling adds during a deployment) and the listener's live rule, which the first
 * release creates (so it is absent after the stack alone is deployed).
 */
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { BlueGreenServerAppStack } from '../examples/server-app';

const env = { region: process.env.CDK_INTEG_REGION ?? process.env.CDK_DEFAULT_REGION };
// The snapshot's fixed `test-region` has no CodeBuild Lambda compute, so its release steps run on
// EC2 compute, with a warning that says so; keep the warning's stack trace (absolute paths) out of it.
// Deployed to a region with Lambda compute, the steps run on Lambda compute.
const app = new App({ context: { [cxapi.DISABLE_CREATION_STACK_TRACES]: true, [cxapi.DISABLE_METADATA_STACK_TRACE]: true } });
const stack = new BlueGreenServerAppStack(app, 'ServerAppBlueGreenInteg', { env });
const server = stack.app;

const integ = new IntegTest(app, 'ServerAppBlueGreen', {
  testCases: [stack],
  assertionStack: new Stack(app, 'ServerAppBlueGreenAssertions', { env }),
  // No update workflow: see integ.static-site-spa.ts.
  stackUpdateWorkflow: false,
});

// The environment's stage holds the release's steps, not a CodeDeploy action.
integ.assertions.awsApiCall('CodePipeline', 'getPipeline', { name: server.pipeline.pipelineName })
  .expect(ExpectedResult.objectLike({
    pipeline: {
      stages: [
        { name: 'Source' },
        { name: 'Build' },
        {
          name: 'DeployProduction',
          actions: [{ name: 'PrepareFleet' }, { name: 'DeployAndCheck' }, { name: 'Shift10Percent' }, { name: 'Shift100Percent' }],
        },
      ],
    },
  }));

// Each fleet's deployment group: its own Auto Scaling group, in place through its own target group,
// and an instance Auto Scaling adds during a deployment gets the fleet's revision too. The fleets'
// groups are found by their place in the example's construct tree: blue, then green.
const fleet = server.node.findChild('ProductionFleet');
const groups = ['Group', 'GreenGroup'].map((id) => fleet.node.findChild(id) as autoscaling.IAutoScalingGroup);
server.deploymentGroups.forEach((deploymentGroup, i) => {
  integ.assertions.awsApiCall('CodeDeploy', 'getDeploymentGroup', {
    applicationName: server.application.applicationName,
    deploymentGroupName: deploymentGroup.deploymentGroupName,
  }).expect(ExpectedResult.objectLike({
    deploymentGroupInfo: {
      deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      autoScalingGroups: [Match.objectLike({ name: groups[i].autoScalingGroupName })],
      outdatedInstancesStrategy: 'UPDATE',
      autoRollbackConfiguration: { enabled: true },
    },
  }));
});

app.synth();
