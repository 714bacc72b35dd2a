import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { nagResourceFinding, principalPolicyOf, suppressNagFindings } from '../compliance/nag';
import { ManagedPolicyGrantee } from '../managed-policy-role';

/**
 * When State Manager reinstalls the agent package: weekly, Sunday 02:00 UTC, so instances pick up
 * new agent releases. An association also runs once as soon as it is created and whenever a new
 * instance matches its targets.
 *
 * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/codedeploy-agent-operations-install-ssm.html
 */
const AGENT_UPDATE_SCHEDULE = 'cron(0 2 ? * SUN *)';

/**
 * Returns the user data commands that install the CodeDeploy agent on Amazon Linux 2023 and start
 * it now and on every boot. The installer needs Ruby; AL2023 ships curl but not wget.
 *
 * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/codedeploy-agent-operations-install-linux.html
 */
export function agentUserDataCommands(scope: Construct): string[] {
  const stack = Stack.of(scope);
  const installer = `https://aws-codedeploy-${stack.region}.s3.${stack.region}.${stack.urlSuffix}/latest/install`;
  return [
    // A NAT gateway created with the instance may route a few seconds after boot: retry.
    'for attempt in 1 2 3 4 5; do dnf install -y ruby wget && break; sleep 15; done',
    'cd /tmp',
    `wget --tries=5 --quiet ${installer}`,
    'chmod +x ./install',
    './install auto',
    'systemctl enable --now codedeploy-agent',
  ];
}

/** A set of instances State Manager installs the agent on: tag keys (`tag:<key>`) and their values. */
export interface AgentInstallTarget {
  /** `tag:<key>`, e.g. `tag:app` or `tag:aws:autoscaling:groupName`. */
  readonly key: string;
  /** The values the instance's tag may have. */
  readonly values: string[];
}

/**
 * Creates the State Manager association that installs the CodeDeploy agent (the
 * `AWSCodeDeployAgent` package of `AWS-ConfigureAWSPackage`) on the instances matching all
 * `targets`, at once and then weekly. The instances must be managed by Systems Manager: SSM Agent
 * running (it is on Amazon Linux and Windows AMIs) and the `AmazonSSMManagedInstanceCore`
 * permissions in their role.
 */
export function installAgentWithStateManager(scope: Construct, id: string, targets: AgentInstallTarget[]): ssm.CfnAssociation {
  return new ssm.CfnAssociation(scope, id, {
    name: 'AWS-ConfigureAWSPackage',
    parameters: { action: ['Install'], name: ['AWSCodeDeployAgent'] },
    scheduleExpression: AGENT_UPDATE_SCHEDULE,
    targets: targets.map((t) => ({ key: t.key, values: t.values })),
  });
}

/**
 * Lets `role` read the region's CodeDeploy agent bucket, from which the agent installs and updates
 * itself. Its object names are AWS's, so the grant covers the bucket's objects.
 */
export function grantAgentBucketRead(role: iam.IRole | ManagedPolicyGrantee): void {
  const stack = Stack.of(role instanceof ManagedPolicyGrantee ? role.policyScope : role);
  const objects = `arn:${stack.partition}:s3:::aws-codedeploy-${stack.region}/*`;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects] }));
  const policy = role instanceof ManagedPolicyGrantee ? role.policy : principalPolicyOf(role);
  if (policy) {
    suppressNagFindings(policy, [{
      id: 'AwsSolutions-IAM5',
      reason: 'The CodeDeploy agent installs and updates itself from objects AWS names in its regional bucket; the grant is read-only and limited to that bucket.',
      appliesTo: [nagResourceFinding(policy, objects)],
    }]);
  }
}
