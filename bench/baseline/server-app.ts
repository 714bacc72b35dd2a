import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * The job of examples/server-app.ts `ServerAppStack`, written with aws-cdk-lib's L2 constructs the
 * way a competent CDK user writes it without this library: a new CodeCommit repository, a pipeline
 * with its defaults, a CodeBuild build, and a CodeDeploy deployment group (agent installed by
 * aws-cdk-lib, rollback on failure) on an Auto Scaling group of two t3.micro Amazon Linux 2023
 * instances behind an Application Load Balancer.
 *
 * The VPC is the example's own code, copied as is: it is what the user writes on both sides, so the
 * comparison is about what replaces the library.
 */
export class BaselineServerAppStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      restrictDefaultSecurityGroup: false,
      flowLogs: {
        All: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(this, 'FlowLogs', {
            retention: logs.RetentionDays.ONE_MONTH,
          })),
        },
      },
    });

    const fleet = new autoscaling.AutoScalingGroup(this, 'Fleet', {
      vpc,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      minCapacity: 2,
      maxCapacity: 4,
    });
    // The revision's hooks run `npm ci` and `node` on the instance.
    fleet.addUserData('dnf install -y nodejs npm');

    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', { vpc, internetFacing: true });
    const targetGroup = loadBalancer.addListener('Http', { port: 80 }).addTargets('App', {
      port: 8080,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [fleet],
      healthCheck: { path: '/health' },
    });

    const deploymentGroup = new codedeploy.ServerDeploymentGroup(this, 'DeploymentGroup', {
      autoScalingGroups: [fleet],
      installAgent: true,
      loadBalancers: [codedeploy.LoadBalancer.application(targetGroup)],
      autoRollback: { failedDeployment: true },
    });

    const repository = new codecommit.Repository(this, 'Repository', { repositoryName: 'example-server-app' });
    const buildProject = new codebuild.PipelineProject(this, 'Build', {
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          install: { 'runtime-versions': { nodejs: '20' } },
          build: { commands: ['npm ci', 'npm test', 'npm run build'] },
        },
        artifacts: { 'base-directory': 'dist', 'files': ['**/*'] },
      }),
    });

    const sourceOutput = new codepipeline.Artifact('Source');
    const buildOutput = new codepipeline.Artifact('Build');
    const pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      stages: [
        {
          stageName: 'Source',
          actions: [new actions.CodeCommitSourceAction({ actionName: 'Source', repository, branch: 'main', output: sourceOutput })],
        },
        {
          stageName: 'Build',
          actions: [new actions.CodeBuildAction({ actionName: 'Build', project: buildProject, input: sourceOutput, outputs: [buildOutput] })],
        },
        {
          stageName: 'Deploy',
          actions: [new actions.CodeDeployServerDeployAction({ actionName: 'Deploy', input: buildOutput, deploymentGroup })],
        },
      ],
    });

    new CfnOutput(this, 'Url', { value: `http://${loadBalancer.loadBalancerDnsName}` });
    new CfnOutput(this, 'CloneUrlHttp', { value: repository.repositoryCloneUrlHttp });
    new CfnOutput(this, 'PipelineName', { value: pipeline.pipelineName });
  }
}
