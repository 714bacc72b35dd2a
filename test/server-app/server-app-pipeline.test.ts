import { App, Aspects, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ServerAppStack, StagedServerAppStack } from '../../examples/server-app';
import { DeploymentTarget } from '../../src/server-app/deployment-target';
import { ManagedFleetOptions } from '../../src/server-app/managed-fleet';
import { MinimumHealthyHosts } from '../../src/server-app/minimum-healthy-hosts';
import { revisionCheckCommands } from '../../src/server-app/revision-check';
import { ServerAppPipeline, ServerAppPipelineProps, ServerEnvironment } from '../../src/server-app/server-app-pipeline';
import { PipelineSource } from '../../src/source';
import { allIamActions, logicalIdOf, nagErrors, roleStatements, TEST_ENV } from '../util';

/** A stack in the test environment, without cdk-nag (the examples are checked with it). */
function testStack(): Stack {
  return new Stack(new App(), 'Test', { env: TEST_ENV });
}

/** Synthesizes a ServerAppPipeline 'Api' with the given props in `stack` and returns the template. */
function synth(props: Partial<ServerAppPipelineProps>, stack: Stack = testStack()): Template {
  new ServerAppPipeline(stack, 'Api', { source: PipelineSource.codeCommit({ repositoryName: 'api' }), ...props });
  return Template.fromStack(stack);
}

/** The message a ServerAppPipeline with these props fails with. */
function errorOf(props: Partial<ServerAppPipelineProps>, stack: Stack = testStack()): string {
  try {
    synth(props, stack);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

/** The stages of the only pipeline of a template. */
function stagesOf(template: Template): any[] {
  const pipelines = Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline'));
  return pipelines[0].Properties.Stages;
}

/** The user data of the only launch template of a template, with tokens rendered as placeholders. */
function userDataOf(template: Template): string {
  const templates = Object.values<any>(template.findResources('AWS::EC2::LaunchTemplate'));
  const parts: unknown[] = templates[0].Properties.LaunchTemplateData.UserData['Fn::Base64']['Fn::Join'][1];
  return parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join('');
}

/** A pipeline deploying to four managed fleets, whose CodeDeploy role needs more than one managed policy. */
function fourFleetEnvironments(stack: Stack = testStack()): Template {
  const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
  return synth({
    environments: ['Dev', 'Test', 'Staging', 'Production'].map((name) => ({
      name,
      target: DeploymentTarget.managedFleet({ vpc, loadBalancer: {} }),
    })),
  }, stack);
}

// The examples, synthesized once with cdk-nag for every test of their wiring.
const exampleApp = new App();
const serverStack = new ServerAppStack(exampleApp, 'ServerAppExample', { env: TEST_ENV });
const stagedStack = new StagedServerAppStack(exampleApp, 'StagedServerAppExample', { env: TEST_ENV });
Aspects.of(serverStack).add(new AwsSolutionsChecks());
Aspects.of(stagedStack).add(new AwsSolutionsChecks());
const server = Template.fromStack(serverStack);
const staged = Template.fromStack(stagedStack);

describe('pipeline wiring', () => {
  test('the stages are Source, Build and DeployProduction, in that order', () => {
    expect(stagesOf(server).map((s) => s.Name)).toEqual(['Source', 'Build', 'DeployProduction']);
  });

  test('the build output is what CodeDeploy deploys', () => {
    const buildOut = new Capture();
    const deployIn = new Capture();
    server.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: [
        Match.anyValue(),
        Match.objectLike({ Name: 'Build', Actions: [Match.objectLike({ OutputArtifacts: [{ Name: buildOut }] })] }),
        Match.objectLike({
          Name: 'DeployProduction',
          Actions: [Match.objectLike({ ActionTypeId: Match.objectLike({ Provider: 'CodeDeploy' }), InputArtifacts: [{ Name: deployIn }] })],
        }),
      ],
    });
    expect(deployIn.asString()).toEqual(buildOut.asString());
  });

  test('the deploy action names the application and the deployment group', () => {
    const application = logicalIdOf(server, 'AWS::CodeDeploy::Application', 'Api');
    const group = logicalIdOf(server, 'AWS::CodeDeploy::DeploymentGroup', 'ApiProduction');
    server.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'DeployProduction',
        Actions: [Match.objectLike({ Configuration: { ApplicationName: { Ref: application }, DeploymentGroupName: { Ref: group } } })],
      })]),
    });
  });

  test('the build checks the CodeDeploy revision in the output directory after building', () => {
    const project = Object.values<any>(server.findResources('AWS::CodeBuild::Project'))[0];
    const buildSpec = JSON.parse(project.Properties.Source.BuildSpec);
    expect(buildSpec.phases.post_build.commands).toEqual(revisionCheckCommands('dist'));
    expect(buildSpec.artifacts['base-directory']).toBe('dist');
  });

  test('the revision in the repository root is checked when no output directory is given', () => {
    const template = synth({ target: DeploymentTarget.ec2Tags({ app: ['api'] }) });
    const project = Object.values<any>(template.findResources('AWS::CodeBuild::Project'))[0];
    expect(JSON.parse(project.Properties.Source.BuildSpec).phases.post_build.commands).toEqual(revisionCheckCommands('.'));
  });

  test('staged environments deploy to Staging, then wait for an approval, then deploy to Production', () => {
    const stages = stagesOf(staged);
    expect(stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'DeployStaging', 'DeployProduction']);
    expect(stages[3].Actions.map((a: any) => [a.Name, a.ActionTypeId.Provider, a.RunOrder])).toEqual([
      ['ApproveProduction', 'Manual', 1],
      ['Deploy', 'CodeDeploy', 2],
    ]);
  });

  test('both environments deploy the same build output', () => {
    const stages = stagesOf(staged);
    expect(stages[2].Actions[0].InputArtifacts).toEqual(stages[1].Actions[0].OutputArtifacts);
    expect(stages[3].Actions[1].InputArtifacts).toEqual(stages[1].Actions[0].OutputArtifacts);
  });
});

describe('deployment group', () => {
  test('failed, stopped and alarmed deployments roll back', () => {
    server.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
    });
  });

  test('instances leave the target group while they are updated', () => {
    const targetGroup = logicalIdOf(server, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'ApiProductionFleet');
    server.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentStyle: { DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
      LoadBalancerInfo: { TargetGroupInfoList: [{ Name: { 'Fn::GetAtt': [targetGroup, 'TargetGroupName'] } }] },
    });
  });

  test('instances launched during a deployment get the new release, and scale-in waits for CodeDeploy', () => {
    server.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      OutdatedInstancesStrategy: 'UPDATE',
      TerminationHookEnabled: true,
    });
  });

  test('one instance at a time is updated by default', () => {
    server.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentConfigName: 'CodeDeployDefault.OneAtATime' });
  });

  test('the deployment configuration of an environment applies to that environment alone', () => {
    const configs = Object.values<any>(staged.findResources('AWS::CodeDeploy::DeploymentGroup'))
      .map((g) => [g.Properties.Ec2TagSet.Ec2TagSetList[1].Ec2TagGroup[0].Value, g.Properties.DeploymentConfigName]);
    expect(configs.sort()).toEqual([['production', 'CodeDeployDefault.HalfAtATime'], ['staging', 'CodeDeployDefault.OneAtATime']]);
  });

  test('each tag key of an ec2Tags target is a tag group, so an instance needs every key', () => {
    staged.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      Ec2TagSet: {
        Ec2TagSetList: [
          { Ec2TagGroup: [{ Key: 'app', Value: 'example-server-app', Type: 'KEY_AND_VALUE' }] },
          { Ec2TagGroup: [{ Key: 'stage', Value: 'staging', Type: 'KEY_AND_VALUE' }] },
        ],
      },
    });
  });

  test('the alarms of an environment stop (and roll back) its deployments only', () => {
    staged.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.HalfAtATime',
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
      AlarmConfiguration: { Alarms: [{ Name: 'example-server-app-errors' }], Enabled: true },
    });
    staged.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.OneAtATime',
      AlarmConfiguration: Match.absent(),
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
    });
  });

  test('on-premises tags select on-premises instances and install no agent', () => {
    const template = synth({ target: DeploymentTarget.onPremisesTags({ site: ['dc1'] }) });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      OnPremisesTagSet: { OnPremisesTagSetList: [{ OnPremisesTagGroup: [{ Key: 'site', Value: 'dc1', Type: 'KEY_AND_VALUE' }] }] },
      Ec2TagSet: Match.absent(),
    });
    template.resourceCountIs('AWS::SSM::Association', 0);
  });

  test.each([
    ['the fleet example', () => server],
    ['the staged example', () => staged],
    ['four fleet environments, whose role overflows into more policies', () => fourFleetEnvironments()],
  ])('every deployment group of %s is created after every policy of its service role', (_name, templateOf) => {
    const template = templateOf();
    const groups = Object.values<any>(template.findResources('AWS::CodeDeploy::DeploymentGroup'));
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      const role = group.Properties.ServiceRoleArn['Fn::GetAtt'][0];
      const policies = Object.entries<any>(template.findResources('AWS::IAM::ManagedPolicy'))
        .filter(([, p]) => (p.Properties.Roles ?? []).some((r: any) => r.Ref === role))
        .map(([id]) => id);
      expect(policies.length).toBeGreaterThan(0);
      expect(group.DependsOn).toEqual(expect.arrayContaining(policies));
    }
  });

  test('minimumHealthyHosts creates a deployment configuration with that minimum', () => {
    const template = synth({ target: DeploymentTarget.ec2Tags({ app: ['api'] }), minimumHealthyHosts: MinimumHealthyHosts.percentage(75) });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', { MinimumHealthyHosts: { Type: 'FLEET_PERCENT', Value: 75 } });
    const config = logicalIdOf(template, 'AWS::CodeDeploy::DeploymentConfig', 'ApiProductionDeploymentConfig');
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentConfigName: { Ref: config } });
  });

  test('rollbackOnAlarm false keeps alarms stopping deployments without rolling them back', () => {
    const stack = testStack();
    const alarm = cloudwatch.Alarm.fromAlarmArn(stack, 'Alarm', 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:errors');
    const template = synth({ target: DeploymentTarget.ec2Tags({ app: ['api'] }), alarms: [alarm], rollbackOnAlarm: false }, stack);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: { Alarms: [{ Name: 'errors' }], Enabled: true },
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
    });
  });
});

describe('managed fleet', () => {
  test('the load balancer alarms on 5xx responses and unhealthy hosts of the fleet target group', () => {
    const targetGroup = logicalIdOf(server, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'ApiProductionFleet');
    for (const [metricName, threshold] of [['HTTPCode_Target_5XX_Count', 5], ['UnHealthyHostCount', 1]] as const) {
      server.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metricName,
        Namespace: 'AWS/ApplicationELB',
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Dimensions: Match.arrayWith([{ Name: 'TargetGroup', Value: { 'Fn::GetAtt': [targetGroup, 'TargetGroupFullName'] } }]),
      });
    }
  });

  test('the deployment group watches the load balancer alarms', () => {
    const alarms = Object.keys(server.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(2);
    server.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: { Enabled: true, Alarms: alarms.map((id) => ({ Name: { Ref: id } })) },
    });
  });

  test('the user data runs the setup commands, then installs and starts the CodeDeploy agent', () => {
    const userData = userDataOf(server);
    const order = ['dnf install -y nodejs npm', 'dnf install -y ruby wget', '/latest/install', './install auto', 'systemctl enable --now codedeploy-agent'];
    const positions = order.map((command) => userData.indexOf(command));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  test('the agent installer comes from the region\'s CodeDeploy bucket', () => {
    expect(userDataOf(server)).toContain('https://aws-codedeploy-eu-west-1.s3.eu-west-1.{"Ref":"AWS::URLSuffix"}/latest/install');
  });

  test('instances require IMDSv2 and have an encrypted root volume', () => {
    server.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: { HttpTokens: 'required' },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: Match.objectLike({ Encrypted: true }) }],
        InstanceType: 't3.micro',
      }),
    });
  });

  test('the group runs 2 to 4 instances in the private subnets and reports scaling events', () => {
    server.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '2',
      MaxSize: '4',
      DesiredCapacity: Match.absent(),
      VPCZoneIdentifier: [{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcPrivateSubnet2') }],
      NotificationConfigurations: [Match.objectLike({ NotificationTypes: Match.arrayWith(['autoscaling:EC2_INSTANCE_LAUNCH_ERROR']) })],
    });
  });

  test('the group is not in the target group: CodeDeploy registers instances once the release is installed', () => {
    server.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { TargetGroupARNs: Match.absent() });
  });

  test('instances take traffic on the application port from the load balancer only', () => {
    const instances = logicalIdOf(server, 'AWS::EC2::SecurityGroup', 'ApiProductionFleetInstanceSecurityGroup');
    const loadBalancer = logicalIdOf(server, 'AWS::EC2::SecurityGroup', 'ApiProductionFleetEndpointSecurityGroup');
    const ingress = Object.values<any>(server.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    expect(ingress).toEqual([expect.objectContaining({
      GroupId: { 'Fn::GetAtt': [instances, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [loadBalancer, 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 8080,
      ToPort: 8080,
    })]);
    expect(server.toJSON().Resources[instances].Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('the target group checks the health path on the application port and drains for 30 seconds', () => {
    server.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 8080,
      HealthCheckPath: '/health',
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
    });
  });

  test('the load balancer is internet-facing and logs to the access-logs bucket', () => {
    const bucket = logicalIdOf(server, 'AWS::S3::Bucket', 'ApiAccessLogs');
    server.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: bucket } },
      ]),
    });
  });

  test('the load balancer URL is an output', () => {
    const loadBalancer = logicalIdOf(server, 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'ApiProductionFleet');
    const outputs = Object.entries<any>(server.findOutputs('*')).filter(([id]) => id.startsWith('ApiProductionUrl'));
    expect(outputs.map(([, output]) => output.Value)).toEqual([
      { 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [loadBalancer, 'DNSName'] }]] },
    ]);
  });

  test('the construct exposes the fleet group and load balancer of the first environment', () => {
    const pipeline = serverStack.app;
    expect(pipeline.autoScalingGroup).toBeInstanceOf(autoscaling.AutoScalingGroup);
    expect(pipeline.loadBalancer?.node.path).toBe('ServerAppExample/Api/ProductionFleet/Endpoint/LoadBalancer');
    expect(pipeline.deploymentGroups).toEqual([pipeline.deploymentGroup]);
  });

  test('a certificate serves HTTPS and redirects HTTP to it', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
    const template = synth({ target: DeploymentTarget.managedFleet({ vpc, loadBalancer: { certificate } }) }, stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443' }) })],
    });
  });
});

/** A fleet in a new VPC of a new test stack, with the given options, synthesized. */
function fleetTemplate(options: Partial<ManagedFleetOptions> = {}, stack: Stack = testStack()): Template {
  const vpc = options.vpc ?? new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
  return synth({ target: DeploymentTarget.managedFleet({ loadBalancer: {}, ...options, vpc }) }, stack);
}

/** The one resource of `type` of a template. */
function onlyResource(template: Template, type: string): any {
  const resources = Object.values<any>(template.findResources(type));
  expect(resources).toHaveLength(1);
  return resources[0];
}

describe('environment-agnostic stack', () => {
  const stack = new Stack(new App(), 'Agnostic');
  const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
  const template = synth({ target: DeploymentTarget.managedFleet({ vpc, loadBalancer: {} }) }, stack);
  const policy = Object.values<any>(template.findResources('AWS::S3::BucketPolicy'))
    .find((p) => JSON.stringify(p).includes('load-balancers/Production'));

  test('a fleet load balancer logs its access without knowing the region at synth time', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.prefix', Value: 'load-balancers/Production' },
      ]),
    });
  });

  test('the log delivery service principal of newer regions may write the load balancer logs', () => {
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
      Action: 's3:PutObject',
    }));
  });

  test('in older regions, the region\'s Elastic Load Balancing account may write them, from a mapping of every such region', () => {
    const legacy = policy.Properties.PolicyDocument.Statement.find((s: any) => s.Effect === 'Allow' && s.Principal.AWS !== undefined);
    const principal = JSON.stringify(legacy.Principal.AWS);
    expect(principal).toContain('"Fn::If":["ElbAccessLogsAccountsInRegion",{"Fn::FindInMap":["ElbAccessLogsAccounts",{"Ref":"AWS::Region"},"account"]},{"Ref":"AWS::AccountId"}]');
    expect(template.toJSON().Mappings.ElbAccessLogsAccounts['us-east-1']).toEqual({ account: '127311923021' });
    expect(template.toJSON().Mappings.ElbAccessLogsAccounts['eu-west-1']).toEqual({ account: '156460612806' });
  });

  test('the region condition names each older region once and no newer one, within Fn::Or\'s 10 operands', () => {
    const condition = JSON.stringify(template.toJSON().Conditions.ElbAccessLogsAccountsInRegion);
    const regions = [...condition.matchAll(/\{"Ref":"AWS::Region"\},"([a-z0-9-]+)"/g)].map((m) => m[1]).sort();
    expect(regions).toEqual(Object.keys(template.toJSON().Mappings.ElbAccessLogsAccounts).sort());
    expect(regions).not.toContain('il-central-1');
    const operandCounts = [...condition.matchAll(/"Fn::Or":\[/g)].length;
    expect(operandCounts).toBeGreaterThan(1);
  });

  test('the load balancer is created after the bucket policy that lets it write', () => {
    const lb = Object.values<any>(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'))[0];
    expect(lb.DependsOn).toEqual(expect.arrayContaining([Object.keys(template.findResources('AWS::S3::BucketPolicy'))
      .find((id) => template.toJSON().Resources[id] === policy)]));
  });
});

describe('managed fleet compliance', () => {
  test('the load balancer is protected from deletion by default', () => {
    server.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }]),
    });
  });

  test('deletionProtection false lets the stack delete the load balancer', () => {
    const template = fleetTemplate({ loadBalancer: { deletionProtection: false } });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'false' }]),
    });
  });

  test('deletionProtection false suppresses the deletion protection findings, naming the prop', () => {
    const loadBalancer = onlyResource(fleetTemplate({ loadBalancer: { deletionProtection: false } }), 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    const reason = 'loadBalancer.deletionProtection is false: the load balancer is deleted with its stack (a test or preview environment).';
    expect(loadBalancer.Metadata.cdk_nag.rules_to_suppress).toEqual(expect.arrayContaining([
      { id: 'NIST.800.53.R5-ELBDeletionProtectionEnabled', reason },
      { id: 'HIPAA.Security-ELBDeletionProtectionEnabled', reason },
    ]));
    expect(loadBalancer.Metadata.guard.SuppressedRules).toEqual([{ id: 'CT.ELASTICLOADBALANCING.PR.5', reason }]);
  });

  test('with deletion protection on, no deletion protection finding is suppressed', () => {
    const loadBalancer = onlyResource(fleetTemplate(), 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(JSON.stringify(loadBalancer.Metadata)).not.toContain('DeletionProtection');
    expect(loadBalancer.Metadata.guard).toBeUndefined();
  });

  test('detailed monitoring is off by default, and its Control Tower control is suppressed with the cost as reason', () => {
    const launchTemplate = onlyResource(server, 'AWS::EC2::LaunchTemplate');
    expect(launchTemplate.Properties.LaunchTemplateData.Monitoring).toBeUndefined();
    expect(launchTemplate.Metadata.guard.SuppressedRules).toEqual([{
      id: 'CT.EC2.PR.10',
      reason: 'Detailed monitoring (one-minute metrics) costs about USD 2 a month per instance and is off by default; the fleet alarms read load balancer metrics, which are per minute anyway. Set detailedMonitoring to turn it on.',
    }]);
  });

  test('detailedMonitoring turns on one-minute instance metrics, and suppresses nothing', () => {
    const launchTemplate = onlyResource(fleetTemplate({ detailedMonitoring: true }), 'AWS::EC2::LaunchTemplate');
    expect(launchTemplate.Properties.LaunchTemplateData.Monitoring).toEqual({ Enabled: true });
    expect(launchTemplate.Metadata?.guard).toBeUndefined();
  });

  test('the alarms publish to the fleet topic when they go off', () => {
    const topic = logicalIdOf(server, 'AWS::SNS::Topic', 'ApiProductionFleetScalingNotifications');
    const alarms = Object.values<any>(server.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.map((a) => a.Properties.AlarmActions)).toEqual([[{ Ref: topic }], [{ Ref: topic }]]);
  });

  test('CloudWatch may publish to the fleet topic for the alarms of this account only', () => {
    const topic = logicalIdOf(server, 'AWS::SNS::Topic', 'ApiProductionFleetScalingNotifications');
    server.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic }],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'sns:Publish',
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Resource: { Ref: topic },
          Condition: {
            StringEquals: { 'aws:SourceAccount': '123456789012' },
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:123456789012:alarm:*']] } },
          },
        })]),
      },
    });
  });

  test('without a load balancer there are no alarms, and CloudWatch may not publish to the fleet topic', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    const template = synth({ target: DeploymentTarget.managedFleet({ vpc }) }, stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(JSON.stringify(onlyResource(template, 'AWS::SNS::TopicPolicy'))).not.toContain('cloudwatch.amazonaws.com');
  });

  test('the alarms publish to a given notification topic, whose policy is left alone', () => {
    const stack = testStack();
    const topic = new sns.Topic(stack, 'Team');
    const template = fleetTemplate({ notificationTopic: topic }, stack);
    const topicId = logicalIdOf(template, 'AWS::SNS::Topic', 'Team');
    const alarms = Object.values<any>(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.map((a) => a.Properties.AlarmActions)).toEqual([[{ Ref: topicId }], [{ Ref: topicId }]]);
    template.resourceCountIs('AWS::SNS::TopicPolicy', 0);
  });

  test('the group states the Availability Zones of its subnets', () => {
    server.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      AvailabilityZones: ['dummy1a', 'dummy1b'],
      VPCZoneIdentifier: [{ Ref: Match.stringLikeRegexp('^VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('^VpcPrivateSubnet2') }],
    });
  });

  test('a zone of two subnets is stated once', () => {
    const stack = testStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'] });
    const subnets = ['subnet-1', 'subnet-2'].map((id) => ec2.Subnet.fromSubnetAttributes(stack, id, { subnetId: id, availabilityZone: 'eu-west-1a' }));
    const template = synth({ target: DeploymentTarget.managedFleet({ vpc, vpcSubnets: { subnets } }) }, stack);
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { AvailabilityZones: ['eu-west-1a'], VPCZoneIdentifier: ['subnet-1', 'subnet-2'] });
  });

  test('subnets imported without their zone leave the zones unstated', () => {
    const stack = testStack();
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Imported', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a', 'eu-west-1b'] });
    const subnets = ['subnet-1', 'subnet-2'].map((id) => ec2.Subnet.fromSubnetId(stack, id, id));
    const template = synth({ target: DeploymentTarget.managedFleet({ vpc, vpcSubnets: { subnets } }) }, stack);
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { AvailabilityZones: Match.absent(), VPCZoneIdentifier: ['subnet-1', 'subnet-2'] });
  });

  test('the CodeDeploy role of four fleet environments spreads its statements over managed policies, without a cdk-nag error', () => {
    const stack = testStack();
    Aspects.of(stack).add(new AwsSolutionsChecks());
    const template = fourFleetEnvironments(stack);
    const role = logicalIdOf(template, 'AWS::IAM::Role', 'ApiDeployRole');
    const policies = Object.keys(template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: role }] } }));
    expect(policies.map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['ApiDeployRoleDefaultPolicy', 'ApiDeployRoleOverflowPolicy1']);
    // The test VPC has no flow log; the pipeline's own resources have no error.
    expect(nagErrors(stack).filter((e) => e.startsWith('/Test/Api/'))).toEqual([]);
  });
});

describe('permissions', () => {
  test('the fleet instance role reads the release bundles and decrypts them', () => {
    const role = logicalIdOf(server, 'AWS::IAM::Role', 'ApiProductionFleetInstanceRole');
    const bucket = logicalIdOf(server, 'AWS::S3::Bucket', 'ApiArtifacts');
    const key = logicalIdOf(server, 'AWS::KMS::Key', 'ApiArtifactsKey');
    const statements = roleStatements(server, role);
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] },
    }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [key, 'Arn'] } }));
  });

  test('the fleet instance role reads the region\'s CodeDeploy agent bucket', () => {
    const role = logicalIdOf(server, 'AWS::IAM::Role', 'ApiProductionFleetInstanceRole');
    expect(roleStatements(server, role)).toContainEqual(expect.objectContaining({
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::aws-codedeploy-eu-west-1/*']] },
    }));
  });

  test('an instance role given in instanceRoles gets the same reads, in a managed policy attached to it', () => {
    staged.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: ['example-server-app-instances'],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'kms:Decrypt' }),
          Match.objectLike({ Action: ['s3:GetObject', 's3:GetObjectVersion'] }),
          Match.objectLike({ Action: 's3:GetObject' }),
        ]),
      },
    });
  });

  test('CodeDeploy may pass only the fleet instance role, and only to EC2', () => {
    const deployRole = logicalIdOf(server, 'AWS::IAM::Role', 'ApiDeployRole');
    const instanceRole = logicalIdOf(server, 'AWS::IAM::Role', 'ApiProductionFleetInstanceRole');
    const passRole = roleStatements(server, deployRole).filter((s) => s.Action === 'iam:PassRole');
    expect(passRole).toEqual([{
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [instanceRole, 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
    }]);
  });

  test('CodeDeploy may launch instances from the fleet launch template only', () => {
    const deployRole = logicalIdOf(server, 'AWS::IAM::Role', 'ApiDeployRole');
    const launchTemplate = logicalIdOf(server, 'AWS::EC2::LaunchTemplate', 'ApiProductionFleet');
    expect(roleStatements(server, deployRole)).toContainEqual(expect.objectContaining({
      Action: 'ec2:RunInstances',
      Condition: {
        ArnLike: {
          'ec2:LaunchTemplate': [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:launch-template/', { Ref: launchTemplate }]] }],
        },
      },
    }));
  });

  test('CodeDeploy may only tag what it launches', () => {
    const deployRole = logicalIdOf(server, 'AWS::IAM::Role', 'ApiDeployRole');
    expect(roleStatements(server, deployRole).filter((s) => s.Action === 'ec2:CreateTags')).toEqual([{
      Action: 'ec2:CreateTags',
      Effect: 'Allow',
      Resource: '*',
      Condition: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
    }]);
  });

  test('CodeDeploy may register and deregister targets of the fleet target group only', () => {
    const deployRole = logicalIdOf(server, 'AWS::IAM::Role', 'ApiDeployRole');
    const targetGroup = logicalIdOf(server, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'ApiProductionFleet');
    expect(roleStatements(server, deployRole)).toContainEqual(expect.objectContaining({
      Action: ['elasticloadbalancing:DeregisterTargets', 'elasticloadbalancing:RegisterTargets'],
      Resource: { Ref: targetGroup },
    }));
  });

  test('the CodeDeploy role has no managed policy', () => {
    server.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'codedeploy.amazonaws.com' } })] }),
      ManagedPolicyArns: Match.absent(),
    });
  });

  test.each([['server', server], ['staged', staged]])('no IAM statement of the %s example has a wildcard action', (_, template) => {
    const actions = allIamActions(template);
    expect(actions.length).toBeGreaterThan(10);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });
});

describe('agent installation', () => {
  test('State Manager installs the agent on the tagged instances at once and weekly', () => {
    staged.hasResourceProperties('AWS::SSM::Association', {
      Name: 'AWS-ConfigureAWSPackage',
      Parameters: { action: ['Install'], name: ['AWSCodeDeployAgent'] },
      ScheduleExpression: 'cron(0 2 ? * SUN *)',
      Targets: [{ Key: 'tag:app', Values: ['example-server-app'] }, { Key: 'tag:stage', Values: ['staging'] }],
    });
  });

  test('the managed fleet installs its agent in user data, not with State Manager', () => {
    server.resourceCountIs('AWS::SSM::Association', 0);
  });

  describe('an Auto Scaling group of the app', () => {
    let template: Template;
    let groupRole: string;
    beforeAll(() => {
      const stack = testStack();
      const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
      const group = new autoscaling.AutoScalingGroup(stack, 'Web', {
        vpc,
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
        machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      });
      template = synth({ target: DeploymentTarget.autoScalingGroups([group]) }, stack);
      groupRole = logicalIdOf(template, 'AWS::IAM::Role', 'WebInstanceRole');
    });

    test('gets the agent from State Manager, by group name', () => {
      const group = logicalIdOf(template, 'AWS::AutoScaling::AutoScalingGroup', 'Web');
      template.hasResourceProperties('AWS::SSM::Association', {
        Targets: [{ Key: 'tag:aws:autoscaling:groupName', Values: [{ Ref: group }] }],
      });
    });

    test('has its instance role granted read on the release bundles', () => {
      const bucket = logicalIdOf(template, 'AWS::S3::Bucket', 'ApiArtifacts');
      expect(roleStatements(template, groupRole)).toContainEqual(expect.objectContaining({
        Action: ['s3:GetObject', 's3:GetObjectVersion'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] },
      }));
    });

    test('has its instance role passable by CodeDeploy', () => {
      const deployRole = logicalIdOf(template, 'AWS::IAM::Role', 'ApiDeployRole');
      expect(roleStatements(template, deployRole)).toContainEqual(expect.objectContaining({
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [groupRole, 'Arn'] },
      }));
    });
  });

  test('installAgent false installs no agent', () => {
    const template = synth({ target: DeploymentTarget.ec2Tags({ app: ['api'] }), installAgent: false });
    template.resourceCountIs('AWS::SSM::Association', 0);
  });
});

describe('secure by default', () => {
  test.each([['server', serverStack], ['staged', stagedStack]])('the %s example has no cdk-nag errors', (_, stack) => {
    expect(nagErrors(stack)).toEqual([]);
  });

  test.each([['server', serverStack], ['staged', stagedStack]])('the %s example synthesizes without CDK warnings', (_, stack) => {
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue())
      .map((m) => String(m.entry.data))
      .filter((text) => !text.startsWith('AwsSolutions-'));
    expect(warnings).toEqual([]);
  });

  test.each([['server', server], ['staged', staged]])('the %s example has no Lambda function', (_, template) => {
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('the fleet instance role spells out the Systems Manager agent actions instead of an AWS managed policy', () => {
    const role = logicalIdOf(server, 'AWS::IAM::Role', 'ApiProductionFleetInstanceRole');
    expect(server.toJSON().Resources[role].Properties.ManagedPolicyArns ?? []).toEqual([]);
    expect(roleStatements(server, role)).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['ssm:UpdateInstanceInformation', 'ssmmessages:OpenDataChannel', 'ec2messages:GetMessages']),
      Resource: '*',
    }));
  });

  test('the fleet instance role reads only AWS public parameters, not every parameter of the account', () => {
    // checkov CKV_AWS_108: AmazonSSMManagedInstanceCore's ssm:GetParameter(s) on * reads other applications' secrets.
    const role = logicalIdOf(server, 'AWS::IAM::Role', 'ApiProductionFleetInstanceRole');
    const statements = roleStatements(server, role);
    const reads = statements.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('ssm:GetParameter')));
    expect(reads).toEqual([expect.objectContaining({
      Action: ['ssm:GetParameter', 'ssm:GetParameters'],
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1::parameter/aws/*']] },
    })]);
  });

  test('the only suppressed findings of the server example are the ones AWS makes unavoidable', () => {
    const suppressed = Object.values<any>(server.toJSON().Resources)
      .flatMap((r) => r.Metadata?.cdk_nag?.rules_to_suppress ?? [])
      .filter((s: any) => s.id.startsWith('AwsSolutions-'))
      .map((s: any) => `${s.id} ${(s.applies_to ?? []).join(' ')}`.replace(/[0-9A-F]{8}([>.])/g, 'X$1'));
    expect(suppressed.sort()).toEqual([
      // The load balancer is internet-facing on its listener port.
      'AwsSolutions-EC23 ',
      // Build, pipeline, source action, deploy action and instance roles read or write artifacts.
      'AwsSolutions-IAM5 Resource::<ApiArtifactsX.Arn>/*',
      'AwsSolutions-IAM5 Resource::<ApiArtifactsX.Arn>/*',
      'AwsSolutions-IAM5 Resource::<ApiArtifactsX.Arn>/*',
      'AwsSolutions-IAM5 Resource::<ApiArtifactsX.Arn>/*',
      'AwsSolutions-IAM5 Resource::<ApiArtifactsX.Arn>/*',
      // Describe actions without resource-level permissions, and conditioned RunInstances/CreateTags.
      'AwsSolutions-IAM5 Resource::*',
      // The Systems Manager agent's calls on the fleet instances, as AmazonSSMManagedInstanceCore grants them.
      'AwsSolutions-IAM5 Resource::*',
      'AwsSolutions-IAM5 Resource::arn:<AWS::Partition>:autoscaling:eu-west-1:123456789012:autoScalingGroup:*:autoScalingGroupName/<ApiProductionFleetGroupASGX>',
      'AwsSolutions-IAM5 Resource::arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:/aws/codebuild/<ApiBuildX>:*',
      'AwsSolutions-IAM5 Resource::arn:<AWS::Partition>:s3:::aws-codedeploy-eu-west-1/*',
      // The Systems Manager agent reads AWS's public parameters only.
      'AwsSolutions-IAM5 Resource::arn:<AWS::Partition>:ssm:eu-west-1::parameter/aws/*',
    ].sort());
  });
});

describe('bad input', () => {
  /** An Auto Scaling group of the app in `stack`. */
  const groupIn = (stack: Stack) => new autoscaling.AutoScalingGroup(stack, 'Web', {
    vpc: new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false }),
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
  });

  test.each<[string, Partial<ServerAppPipelineProps>, string]>([
    ['no target (null from another language)', { target: null as any },
      "target is required, got 'null'; give a DeploymentTarget such as DeploymentTarget.ec2Tags({ app: ['api'] }), or list environments"],
    ['an environment without a target', { environments: [{ name: 'Staging', target: undefined as any }] },
      "environments[0].target is required, got 'undefined'; give a DeploymentTarget such as DeploymentTarget.ec2Tags({ app: ['api'] })"],
    ['both target and environments', {
      target: DeploymentTarget.ec2Tags({ app: ['api'] }),
      environments: [{ name: 'Staging', target: DeploymentTarget.ec2Tags({ app: ['api'] }) }],
    }, 'target and environments are exclusive, got both; move the target into one of the environments'],
    ['an empty list of environments', { environments: [] },
      "environments must list at least one environment, got '[]'; add { name: 'Production', target }"],
    ['a repeated environment name', {
      environments: [
        { name: 'Staging', target: DeploymentTarget.ec2Tags({ stage: ['a'] }) },
        { name: 'Staging', target: DeploymentTarget.ec2Tags({ stage: ['b'] }) },
      ],
    }, "environments[1].name repeats an earlier environment, got 'Staging'; give each environment its own name"],
    ['an environment name with a space', { environments: [{ name: 'Prod env', target: DeploymentTarget.ec2Tags({ app: ['api'] }) }] },
      "environments[0].name must be 1-50 letters, digits, '_' or '-', got 'Prod env'; it names the pipeline stage Deploy<name>"],
    ['an empty tag set', { target: DeploymentTarget.ec2Tags({}) },
      "target has no tags, got '{}'; give at least one tag key and its values, e.g. { app: ['api'] }"],
    ['a tag key without values', { target: DeploymentTarget.ec2Tags({ app: ['api'], stage: [] }) },
      "target tag 'stage' has no values, got '[]'; give the values an instance's tag may have, e.g. { stage: ['api'] }"],
    ['an empty on-premises tag set', { environments: [{ name: 'Lab', target: DeploymentTarget.onPremisesTags({}) }] },
      "environments[0].target has no tags, got '{}'; give at least one tag key and its values, e.g. { app: ['api'] }"],
    ['four tag keys', { target: DeploymentTarget.ec2Tags({ a: ['1'], b: ['1'], c: ['1'], d: ['1'] }) },
      "target has more than 3 tag keys, got 'a, b, c, d'; CodeDeploy matches instances on at most 3 keys"],
    ['an EC2 tag key of 129 characters', { target: DeploymentTarget.ec2Tags({ ['k'.repeat(129)]: ['api'] }) },
      `target has a tag key longer than 128 characters (EC2's limit), got '${'k'.repeat(129)}'; an instance cannot carry it, so no instance would match; `
      + "use the key of the instances' tag"],
    ['an EC2 tag value of 257 characters', { environments: [{ name: 'Production', target: DeploymentTarget.ec2Tags({ app: ['api', 'v'.repeat(257)] }) }] },
      `environments[0].target tag 'app' has a value longer than 256 characters (EC2's limit), got '${'v'.repeat(257)}'; an instance cannot carry it, `
      + "so no instance would match; use a value of the instances' tag"],
    ['an empty list of Auto Scaling groups', { target: DeploymentTarget.autoScalingGroups([]) },
      "target must list at least one Auto Scaling group, got '[]'; pass the groups to DeploymentTarget.autoScalingGroups([...])"],
    ['a percentage of healthy hosts of 100', { target: DeploymentTarget.ec2Tags({ app: ['api'] }), minimumHealthyHosts: MinimumHealthyHosts.percentage(100) },
      'minimumHealthyHosts.percentage must be a whole number from 0 to 99, got 100'],
    ['a negative count of healthy hosts', {
      environments: [{ name: 'Production', target: DeploymentTarget.ec2Tags({ app: ['api'] }), minimumHealthyHosts: MinimumHealthyHosts.count(-1) }],
    }, "environments[0].minimumHealthyHosts.count must be a whole number 0 or more, got '-1'; it is the number of instances kept serving during a deployment"],
    ['a fractional count of healthy hosts', { target: DeploymentTarget.ec2Tags({ app: ['api'] }), minimumHealthyHosts: MinimumHealthyHosts.count(1.5) },
      "minimumHealthyHosts.count must be a whole number 0 or more, got '1.5'; it is the number of instances kept serving during a deployment"],
    ['alarm rollback without alarms', { target: DeploymentTarget.ec2Tags({ app: ['api'] }), rollbackOnAlarm: true },
      "rollbackOnAlarm is true but environment 'Production' has no alarms, got '0 alarms'; add alarms, or deploy to DeploymentTarget.managedFleet with a loadBalancer, whose alarms are created for you"],
    ['alarm rollback of an environment without alarms', {
      environments: [{ name: 'Staging', target: DeploymentTarget.ec2Tags({ app: ['api'] }), rollbackOnAlarm: true }],
    }, "environments[0].rollbackOnAlarm is true but environment 'Staging' has no alarms, got '0 alarms'; add alarms, or deploy to DeploymentTarget.managedFleet with a loadBalancer, whose alarms are created for you"],
    ['an approval email of an environment listed twice', {
      environments: [{ name: 'Production', target: DeploymentTarget.ec2Tags({ app: ['api'] }), approval: { emails: ['lead@example.com', 'LEAD@example.com'] } }],
    }, "environments[0].approval.emails lists an email address twice, got 'LEAD@example.com'; list each address once"],
    ['an empty approval email of an environment', {
      environments: [{ name: 'Production', target: DeploymentTarget.ec2Tags({ app: ['api'] }), approval: { emails: [''] } }],
    }, "environments[0].approval.emails must hold email addresses, got ''; give addresses such as 'team@example.com'"],
    ['a pipeline name of 101 characters', { target: DeploymentTarget.ec2Tags({ app: ['api'] }), pipelineName: 'p'.repeat(101) },
      `pipelineName must be 1-100 letters, digits, '.', '@', '_' or '-' (CodePipeline's rules), got '${'p'.repeat(101)}'; e.g. 'marketing-site'`],
  ])('%s is rejected with a message naming the prop and the fix', (_, props, message) => {
    expect(errorOf(props)).toBe(`ServerAppPipeline 'Api': ${message}`);
  });

  test('EC2 tags of the longest key and value an instance can carry are accepted', () => {
    const template = synth({ target: DeploymentTarget.ec2Tags({ ['k'.repeat(128)]: ['v'.repeat(256)] }) });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      Ec2TagSet: { Ec2TagSetList: [{ Ec2TagGroup: [{ Key: 'k'.repeat(128), Value: 'v'.repeat(256), Type: 'KEY_AND_VALUE' }] }] },
    });
  });

  test('an Auto Scaling group in two environments is rejected', () => {
    const stack = testStack();
    const group = groupIn(stack);
    expect(errorOf({
      environments: [
        { name: 'Staging', target: DeploymentTarget.autoScalingGroups([group]) },
        { name: 'Production', target: DeploymentTarget.autoScalingGroups([group]) },
      ],
    }, stack)).toBe("ServerAppPipeline 'Api': environments[1].target deploys to an Auto Scaling group of environment 'Staging', got 'Test/Web'; "
      + 'give each environment its own group (CodeDeploy cannot run the lifecycle hooks of two deployment groups on one group)');
  });

  test('an imported Auto Scaling group is rejected: nothing can be granted to its instances', () => {
    const stack = testStack();
    const group = autoscaling.AutoScalingGroup.fromAutoScalingGroupName(stack, 'Web', 'web');
    expect(errorOf({ target: DeploymentTarget.autoScalingGroups([group]) }, stack)).toBe(
      "ServerAppPipeline 'Api': target has an Auto Scaling group without a known instance role, got 'Test/Web'; "
      + 'CodePipeline grants the instances read on the release bundles through that role, so pass a group defined in this app, '
      + 'or deploy to its instances with DeploymentTarget.ec2Tags and give their role in instanceRoles');
  });

  test('one target object in two environments is rejected', () => {
    const target = DeploymentTarget.ec2Tags({ app: ['api'] });
    expect(errorOf({ environments: [{ name: 'Staging', target }, { name: 'Production', target }] })).toBe(
      "ServerAppPipeline 'Api': environments[1].target is the target of environment 'Staging' too, got 'DeploymentTarget'; create one target per environment");
  });

  test('both deploymentConfig and minimumHealthyHosts are rejected', () => {
    const stack = testStack();
    expect(errorOf({
      target: DeploymentTarget.ec2Tags({ app: ['api'] }),
      deploymentConfig: codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME,
      minimumHealthyHosts: MinimumHealthyHosts.count(1),
    }, stack)).toBe("ServerAppPipeline 'Api': deploymentConfig and minimumHealthyHosts are exclusive, got both; "
      + 'minimumHealthyHosts creates a deployment configuration, so give one of them');
  });

  describe('top-level deployment options are checked even where every environment gives its own', () => {
    const tagged = (name: string, options: Partial<ServerEnvironment> = {}): ServerEnvironment =>
      ({ name, target: DeploymentTarget.ec2Tags({ app: [name] }), ...options });
    const ownConfig = { deploymentConfig: codedeploy.ServerDeploymentConfig.ALL_AT_ONCE };
    const importedAlarms = (stack: Stack, prefix: string, n: number) => Array.from({ length: n },
      (_, i) => cloudwatch.Alarm.fromAlarmArn(stack, `${prefix}${i}`, `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${prefix}-${i}`));

    test('both deploymentConfig and minimumHealthyHosts are rejected', () => {
      expect(errorOf({
        environments: [tagged('Staging', ownConfig), tagged('Production', ownConfig)],
        deploymentConfig: codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME,
        minimumHealthyHosts: MinimumHealthyHosts.count(1),
      })).toBe("ServerAppPipeline 'Api': deploymentConfig and minimumHealthyHosts are exclusive, got both; "
        + 'minimumHealthyHosts creates a deployment configuration, so give one of them');
    });

    test('a percentage of healthy hosts of 100 is rejected', () => {
      expect(errorOf({ environments: [tagged('Production', ownConfig)], minimumHealthyHosts: MinimumHealthyHosts.percentage(100) })).toBe(
        "ServerAppPipeline 'Api': minimumHealthyHosts.percentage must be a whole number from 0 to 99, got 100");
    });

    test('11 alarms are rejected', () => {
      const stack = testStack();
      expect(errorOf({
        environments: [tagged('Production', { alarms: importedAlarms(stack, 'Own', 1) })],
        alarms: importedAlarms(stack, 'Shared', 11),
      }, stack)).toBe("ServerAppPipeline 'Api': alarms lists 11 alarms, got '11'; CodeDeploy watches at most 10 per environment");
    });

    test('they are not used, with a warning naming each', () => {
      const stack = testStack();
      synth({
        environments: [tagged('Staging', { ...ownConfig, alarms: [], rollbackOnAlarm: false }), tagged('Production', { minimumHealthyHosts: MinimumHealthyHosts.count(1), alarms: [] })],
        deploymentConfig: codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME,
        alarms: importedAlarms(stack, 'Shared', 1),
        rollbackOnAlarm: false,
      }, stack);
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => w.entry.data)).toEqual([
        'deploymentConfig, alarms are not used: every environment gives its own; remove them, or remove them from the environments that should share them '
        + '[ack: cdk-deploy-pipelines:deploymentOptionsUnused]',
      ]);
    });

    test('used by one environment, they give no warning', () => {
      const stack = testStack();
      synth({ environments: [tagged('Staging', ownConfig), tagged('Production')], deploymentConfig: codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME }, stack);
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    });
  });

  test('shared alarms that make more than 10 with a fleet\'s own are rejected, naming the shared alarms', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    const alarms = Array.from({ length: 9 }, (_, i) => cloudwatch.Alarm.fromAlarmArn(stack, `Alarm${i}`, `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a-${i}`));
    expect(errorOf({ environments: [{ name: 'Production', target: DeploymentTarget.managedFleet({ vpc, loadBalancer: {} }) }], alarms }, stack)).toBe(
      "ServerAppPipeline 'Api': alarms makes 11 alarms for environment 'Production', got '11'; CodeDeploy watches at most 10 per environment");
  });

  test('a count of healthy hosts that is a token is left to CloudFormation', () => {
    const stack = testStack();
    const count = Token.asNumber({ Ref: 'HealthyHosts' });
    const template = synth({ target: DeploymentTarget.ec2Tags({ app: ['api'] }), minimumHealthyHosts: MinimumHealthyHosts.count(count) }, stack);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', { MinimumHealthyHosts: { Type: 'HOST_COUNT', Value: { Ref: 'HealthyHosts' } } });
  });

  test('an environment name that is a token is rejected: it names the stage and the resources of the environment', () => {
    const name = Lazy.string({ produce: () => 'Production' });
    expect(errorOf({ environments: [{ name, target: DeploymentTarget.ec2Tags({ app: ['api'] }) }] })).toBe(
      `ServerAppPipeline 'Api': environments[0].name must not be a token, got '${name}'; `
      + "it names the pipeline stage Deploy<name> and the resources of the environment, so pass a literal such as 'Production'");
  });

  test('a fleet of an unknown instance type is rejected', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    expect(errorOf({ target: DeploymentTarget.managedFleet({ vpc, instanceType: new ec2.InstanceType('banana') }) }, stack)).toBe(
      "ServerAppPipeline 'Api': target.instanceType must be an EC2 instance type such as 't3.micro', got 'banana'; see the instance type names of Amazon EC2");
  });

  test('a load balancer certificate imported from a value that is not an ARN is rejected', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'not-an-arn');
    expect(errorOf({ target: DeploymentTarget.managedFleet({ vpc, loadBalancer: { certificate } }) }, stack)).toBe(
      "ServerAppPipeline 'Api': target.loadBalancer.certificate must be an ACM certificate ARN such as 'arn:aws:acm:us-east-1:123456789012:certificate/...', "
      + "got 'not-an-arn'; import the certificate with acm.Certificate.fromCertificateArn(this, 'Cert', '<its ARN>')");
  });

  test('a load balancer certificate of another region is rejected', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:ap-south-1:123456789012:certificate/abc');
    expect(errorOf({ target: DeploymentTarget.managedFleet({ vpc, loadBalancer: { certificate } }) }, stack)).toBe(
      "ServerAppPipeline 'Api': target.loadBalancer.certificate must be in the region of the load balancer, 'eu-west-1', got one in 'ap-south-1'; "
      + "request or import the certificate in 'eu-west-1'");
  });

  test('a health check path longer than 1024 characters is rejected', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    const healthCheckPath = `/${'h'.repeat(1024)}`;
    expect(errorOf({ target: DeploymentTarget.managedFleet({ vpc, loadBalancer: { healthCheckPath } }) }, stack)).toBe(
      "ServerAppPipeline 'Api': target.loadBalancer.healthCheckPath must be at most 1024 characters (Elastic Load Balancing's limit for a health check path), "
      + `got '${healthCheckPath}'; shorten it`);
  });

  test('a fleet with fewer than one instance is rejected', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { restrictDefaultSecurityGroup: false });
    expect(errorOf({ target: DeploymentTarget.managedFleet({ vpc, minCapacity: 0 }) }, stack)).toBe(
      "ServerAppPipeline 'Api': target.minCapacity must be a whole number from 1 to 1000, got 0");
  });
});

describe('keys', () => {
  test('an imported instance role in an environment-agnostic stack is granted without a key depending on itself', () => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    synth({
      target: DeploymentTarget.ec2Tags({ app: ['api'] }),
      instanceRoles: [iam.Role.fromRoleArn(stack, 'AppInstances', 'arn:aws:iam::123456789012:role/app-instances')],
      notifications: { emails: ['team@example.com'] },
      approval: { emails: ['lead@example.com'] },
    }, stack);
    expect(() => app.synth()).not.toThrow();
    const keys = Object.entries<any>(Template.fromStack(stack).findResources('AWS::KMS::Key'));
    expect(keys.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['ApiArtifactsKey', 'ApiTopicsKey']);
    for (const [id, key] of keys) {
      // A key policy names its own key as '*'; its ARN would make the key depend on itself.
      expect(JSON.stringify(key.Properties.KeyPolicy)).not.toContain(`"${id}"`);
    }
  });
});
