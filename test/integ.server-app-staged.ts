/**
 * A server app released through two environments of existing, tagged EC2 instances: Staging, then
 * Production after a manual approval, half of the Production instances at a time, rolled back when
 * the team's error alarm goes off. Env-agnostic: every ARN it builds uses the stack's own account
 * and region.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { StagedServerAppStack } from '../examples/server-app';

// Creation stacks record absolute paths of the machine that synthesizes: keep them out of the snapshot.
const app = new App({ context: { [cxapi.DISABLE_CREATION_STACK_TRACES]: true } });
// The example stack of examples/server-app.ts, so the snapshot is of exactly what the README and demo show.
const stack = new StagedServerAppStack(app, 'ServerAppStagedInteg');
const server = stack.app;

const integ = new IntegTest(app, 'ServerAppStaged', {
  testCases: [stack],
  // No update workflow: see integ.static-site-spa.ts.
  stackUpdateWorkflow: false,
});

// Staging deploys straight after the build; Production waits for the approval in its own stage.
integ.assertions.awsApiCall('CodePipeline', 'getPipeline', { name: server.pipeline.pipelineName })
  .expect(ExpectedResult.objectLike({
    pipeline: {
      stages: [
        { name: 'Source' },
        { name: 'Build' },
        { name: 'DeployStaging', actions: [{ name: 'Deploy' }] },
        { name: 'DeployProduction', actions: [{ name: 'ApproveProduction' }, { name: 'Deploy' }] },
      ],
    },
  }));

// Production: half the instances at a time, rolled back when the alarm goes off.
const [, production] = server.deploymentGroups;
integ.assertions.awsApiCall('CodeDeploy', 'getDeploymentGroup', {
  applicationName: server.application.applicationName,
  deploymentGroupName: production.deploymentGroupName,
}).expect(ExpectedResult.objectLike({
  deploymentGroupInfo: {
    deploymentConfigName: 'CodeDeployDefault.HalfAtATime',
    alarmConfiguration: { enabled: true, alarms: [{ name: 'example-server-app-errors' }] },
    autoRollbackConfiguration: { enabled: true },
  },
}));

app.synth();
