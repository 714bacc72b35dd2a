import { App, CfnResource, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DeploymentTarget, PipelineSource, ReleaseStrategy, ServerAppPipeline } from 'cdk-deploy-pipelines';

/**
 * The README's server example: the Node.js app of `examples/server-app` in a new CodeCommit
 * repository, deployed to a fleet created for it (two instances behind a load balancer) in a new VPC.
 */
export class ServerAppStack extends Stack {
  public readonly app: ServerAppPipeline;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.app = exampleServerApp(this);
  }
}

/**
 * The same app released blue/green: a second fleet of the same shape gets each release, is checked
 * through the load balancer (its health check and `/`), then takes 10% of the traffic for 5 minutes
 * and all of it for 5 more, rolled back within seconds when its 5xx share passes 1% or a host turns
 * unhealthy. The previous fleet keeps running for an hour, so a rollback only moves traffic back.
 */
export class BlueGreenServerAppStack extends Stack {
  public readonly app: ServerAppPipeline;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.app = exampleServerApp(this, ReleaseStrategy.blueGreen({
      paths: ['/'],
      trafficPercentages: [10, 100],
      bakeTime: Duration.minutes(5),
      rollbackWindow: Duration.hours(1),
    }));
  }
}

/**
 * The example app's pipeline in `stack`: the Node.js app of `examples/server-app` in a new CodeCommit
 * repository, released (in place unless `releaseStrategy` says otherwise) to a fleet created for it
 * behind a load balancer, in a new VPC whose flow logs go to the pipeline's access log bucket.
 */
function exampleServerApp(stack: Stack, releaseStrategy?: ReleaseStrategy): ServerAppPipeline {
  const vpc = exampleVpc(stack);
  const app = new ServerAppPipeline(stack, 'Api', {
    source: PipelineSource.codeCommit({ repositoryName: 'example-server-app' }),
    // `npm run build` writes the CodeDeploy revision (appspec.yml, server, hook scripts) to dist/.
    buildOptions: { commands: ['npm ci', 'npm test', 'npm run build'], outputDirectory: 'dist' },
    target: DeploymentTarget.managedFleet({
      vpc,
      // The revision's hooks run `npm ci` and `node` on the instance.
      setupCommands: ['dnf install -y nodejs npm'],
      loadBalancer: { port: 8080, healthCheckPath: '/health' },
      releaseStrategy,
    }),
  });
  // Flow logs go to the pipeline's access log bucket: no log group or delivery role to manage.
  vpc.addFlowLog('FlowLogs', { destination: ec2.FlowLogDestination.toS3(app.accessLogsBucket, 'vpc-flow-logs/') });
  return app;
}

/** The example VPC: two zones, one NAT gateway, the load balancer and the NAT gateway in the public subnets. */
function exampleVpc(stack: Stack): ec2.Vpc {
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 1,
    // Closing the default security group takes a Lambda-backed custom resource; nothing uses it here.
    restrictDefaultSecurityGroup: false,
    // The public subnets hold the load balancer and the NAT gateway, which get their own addresses.
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    ],
  });
  // The suppression cdk-nag's NagSuppressions.addResourceSuppressions writes, as metadata: the
  // example needs nothing but aws-cdk-lib.
  const reason = 'Public subnets route to the internet gateway: they hold the internet-facing load balancer and the NAT gateway of the private subnets.';
  for (const subnet of vpc.publicSubnets) {
    (subnet.node.findChild('DefaultRoute') as CfnResource).addMetadata('cdk_nag', {
      rules_to_suppress: ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => ({ id: `${pack}-VPCNoUnrestrictedRouteToIGW`, reason })),
    });
  }
  // The cfn-lint suppression src/compliance/template-checks.ts writes: aws-cdk-lib's Vpc names the
  // zones of its subnets, those of the stack's environment (cdk.context.json) or dummies without one.
  for (const subnet of [...vpc.publicSubnets, ...vpc.privateSubnets]) {
    (subnet.node.defaultChild as CfnResource).addMetadata('cfn-lint', {
      config: { ignore_checks: ['W3010'] },
      reasons: { W3010: 'aws-cdk-lib\'s Vpc places each subnet in a zone it names at synthesis, from the account\'s zones in cdk.context.json.' },
    });
  }
  return vpc;
}

/**
 * The same app released through two environments of existing, tagged EC2 instances: Staging,
 * then Production after a manual approval, half of the Production instances at a time, rolled
 * back when the team's error alarm goes off.
 */
export class StagedServerAppStack extends Stack {
  public readonly app: ServerAppPipeline;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // The role of the tagged instances: they read the release bundles from the artifact bucket.
    const instanceRole = iam.Role.fromRoleArn(this, 'InstanceRole', `arn:aws:iam::${this.account}:role/example-server-app-instances`);
    const errorAlarm = cloudwatch.Alarm.fromAlarmArn(this, 'ErrorAlarm',
      `arn:aws:cloudwatch:${this.region}:${this.account}:alarm:example-server-app-errors`);

    this.app = new ServerAppPipeline(this, 'Api', {
      source: PipelineSource.connection({
        connectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        owner: 'acme',
        repository: 'example-server-app',
      }),
      buildOptions: { commands: ['npm ci', 'npm test', 'npm run build'], outputDirectory: 'dist' },
      environments: [
        {
          name: 'Staging',
          target: DeploymentTarget.ec2Tags({ app: ['example-server-app'], stage: ['staging'] }),
        },
        {
          name: 'Production',
          target: DeploymentTarget.ec2Tags({ app: ['example-server-app'], stage: ['production'] }),
          approval: { emails: ['release-managers@example.com'] },
          deploymentConfig: codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME,
          alarms: [errorAlarm],
        },
      ],
      instanceRoles: [instanceRole],
      notifications: { emails: ['team@example.com'] },
    });
  }
}

/** The example stacks, in the environment the demo synthesizes them for. */
export function addServerAppExamples(app: App): Stack[] {
  const env = { account: '123456789012', region: 'eu-west-1' };
  return [
    new ServerAppStack(app, 'ServerAppExample', { env }),
    new BlueGreenServerAppStack(app, 'BlueGreenServerAppExample', { env }),
    new StagedServerAppStack(app, 'StagedServerAppExample', { env }),
  ];
}
