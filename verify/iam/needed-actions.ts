import { ExpectedCall } from './expectations';
import { expandAction } from './known-actions';
import { RoleJob, RoleKind } from './role-jobs';

/** Reading pipeline artifacts (S3 objects encrypted with the artifact key). */
const ARTIFACT_READ = [
  's3:GetObject', 's3:GetObjectVersion', 's3:GetBucketLocation', 's3:GetBucketVersioning', 's3:GetBucketAcl', 's3:ListBucket',
  'kms:Decrypt', 'kms:DescribeKey',
];
/** Writing pipeline artifacts. */
const ARTIFACT_WRITE = ['s3:PutObject', 's3:AbortMultipartUpload', 's3:PutObjectAcl', 's3:PutObjectVersionAcl', 'kms:Encrypt', 'kms:GenerateDataKey'];
/** CodeBuild writing build logs. */
const BUILD_LOGS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];
/** CodeBuild test reports, and build environment variables from Parameter Store and Secrets Manager. */
const BUILD_EXTRAS = [
  'codebuild:CreateReportGroup', 'codebuild:CreateReport', 'codebuild:UpdateReport', 'codebuild:BatchPutTestCases', 'codebuild:BatchPutCodeCoverages',
  'ssm:GetParameters', 'secretsmanager:GetSecretValue',
];

/** Listing, reading, copying and deleting releases in the site bucket, and switching the live release. */
const SITE_RELEASES = [
  's3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload',
  'cloudfront-keyvaluestore:DescribeKeyValueStore', 'cloudfront-keyvaluestore:GetKey', 'cloudfront-keyvaluestore:PutKey',
];

/** Reading the listener's rules and the fleets' target health, creating the live rule and changing it. */
const FLEET_TRAFFIC = [
  'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetHealth', 'elasticloadbalancing:CreateRule', 'elasticloadbalancing:ModifyRule',
];
/** Reading and setting the fleets' sizes, and their scheduled scale-in. */
const FLEET_SIZES = [
  'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeScheduledActions', 'autoscaling:UpdateAutoScalingGroup',
  'autoscaling:PutScheduledUpdateGroupAction', 'autoscaling:DeleteScheduledAction',
];
/** Reading what each fleet holds: its deployment group's last deployment and that revision. */
const FLEET_REVISIONS = ['codedeploy:GetDeploymentGroup', 'codedeploy:GetDeployment', 'codedeploy:GetApplicationRevision'];

/**
 * The actions each kind of role may be granted at all: every action its service calls at run
 * time (see expectations.ts for the AWS pages). Anything else a role's policies allow is more
 * than its job.
 */
const NEEDED_ACTIONS: Record<RoleKind, string[]> = {
  'pipeline': [...ARTIFACT_READ, ...ARTIFACT_WRITE, 'sts:AssumeRole'],
  'codecommit-source': [
    ...ARTIFACT_READ, ...ARTIFACT_WRITE,
    'codecommit:GetBranch', 'codecommit:GetCommit', 'codecommit:GetRepository',
    'codecommit:UploadArchive', 'codecommit:GetUploadArchiveStatus', 'codecommit:CancelUploadArchive',
  ],
  'connection-source': [...ARTIFACT_READ, ...ARTIFACT_WRITE, 'codeconnections:UseConnection', 'codestar-connections:UseConnection'],
  'codebuild-action': [
    'codebuild:StartBuild', 'codebuild:BatchGetBuilds', 'codebuild:StopBuild',
    'codebuild:StartBuildBatch', 'codebuild:BatchGetBuildBatches', 'codebuild:StopBuildBatch',
  ],
  'codedeploy-action': [
    ...ARTIFACT_READ,
    'codedeploy:CreateDeployment', 'codedeploy:GetDeployment', 'codedeploy:GetDeploymentConfig',
    'codedeploy:GetApplication', 'codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision',
  ],
  // Publishing to an encrypted topic: SNS asks KMS for a data key as the publisher.
  'approval-action': ['sns:Publish', 'kms:Decrypt', 'kms:GenerateDataKey'],
  'build-project': [...BUILD_LOGS, ...ARTIFACT_READ, ...ARTIFACT_WRITE, ...BUILD_EXTRAS],
  // Reads the build artifact, writes no artifact: publishing goes to the site bucket, S3-encrypted.
  'site-deploy-project': [
    ...BUILD_LOGS, ...ARTIFACT_READ,
    's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 'cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation',
  ],
  'release-upload-project': [...BUILD_LOGS, ...ARTIFACT_READ, 's3:PutObject', 's3:AbortMultipartUpload'],
  // UpdateKeys writes redirects and the records of the check before the switch, ListKeys finds the
  // redirects of pruned releases; GetMetricData reads CloudFront's 5xx rate during the bake time.
  'go-live-project': [
    ...BUILD_LOGS, ...ARTIFACT_READ, ...SITE_RELEASES,
    'cloudfront-keyvaluestore:ListKeys', 'cloudfront-keyvaluestore:UpdateKeys', 'cloudwatch:GetMetricData',
  ],
  // Started by hand, it reads no pipeline artifact.
  'rollback-project': [...BUILD_LOGS, ...SITE_RELEASES],
  // Reads the live key and the live release's marker, and compares two commits (CodeCommit's GetDifferences).
  'changes-check-project': [...BUILD_LOGS, ...ARTIFACT_READ, 'cloudfront-keyvaluestore:GetKey', 'codecommit:GetDifferences'],
  // Builds the pull request's head from CodeCommit (no pipeline: its cache is in the previews'
  // artifact bucket), uploads a preview release and starts the publish project.
  'preview-build-project': [
    ...BUILD_LOGS, ...ARTIFACT_READ, ...ARTIFACT_WRITE, ...BUILD_EXTRAS,
    'codecommit:GitPull', 'codebuild:StartBuild',
  ],
  // Tells a pull request's execution from the others (what started it), in a connection's preview pipelines.
  'preview-identify-project': [...BUILD_LOGS, ...ARTIFACT_READ, 'codepipeline:GetPipelineExecution'],
  'preview-upload-project': [...BUILD_LOGS, ...ARTIFACT_READ, 's3:PutObject', 's3:AbortMultipartUpload'],
  // Lists, writes and deletes preview releases; writes the preview and token keys; comments on CodeCommit pull requests.
  'preview-project': [
    ...BUILD_LOGS, ...ARTIFACT_READ, 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload',
    'cloudfront-keyvaluestore:DescribeKeyValueStore', 'cloudfront-keyvaluestore:ListKeys', 'cloudfront-keyvaluestore:UpdateKeys',
    'codecommit:PostCommentForPullRequest',
  ],
  // Blue/green releases: the listener's rules (the live one, the check one), the fleets' sizes and
  // scale-in, CodeDeploy on the idle fleet, and the new fleet's metrics and alarms during a bake.
  'fleet-release-project': [
    ...BUILD_LOGS, ...ARTIFACT_READ, ...FLEET_TRAFFIC, 'elasticloadbalancing:DeleteRule', ...FLEET_SIZES, ...FLEET_REVISIONS,
    'codedeploy:CreateDeployment', 'codedeploy:GetDeploymentConfig', 'codedeploy:RegisterApplicationRevision', 'codedeploy:StopDeployment',
    'cloudwatch:GetMetricData', 'cloudwatch:DescribeAlarms',
  ],
  // Started by hand, it reads no pipeline artifact and deploys nothing: it moves traffic and sizes fleets.
  'fleet-rollback-project': [...BUILD_LOGS, ...FLEET_TRAFFIC, ...FLEET_SIZES, ...FLEET_REVISIONS],
  'events': ['codepipeline:StartPipelineExecution'],
  'events-build': ['codebuild:StartBuild'],
  // AWSCodeDeployRole's in-place actions, and the three a group with a launch template needs.
  'codedeploy-service': [
    'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'tag:GetResources',
    'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeLifecycleHooks', 'autoscaling:CompleteLifecycleAction',
    'autoscaling:DeleteLifecycleHook', 'autoscaling:PutLifecycleHook', 'autoscaling:RecordLifecycleActionHeartbeat',
    'autoscaling:SuspendProcesses', 'autoscaling:ResumeProcesses',
    'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth',
    'elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets',
    'elasticloadbalancing:DescribeInstanceHealth', 'elasticloadbalancing:RegisterInstancesWithLoadBalancer',
    'elasticloadbalancing:DeregisterInstancesFromLoadBalancer',
    'cloudwatch:DescribeAlarms', 'sns:Publish', 'ec2:RunInstances', 'ec2:CreateTags', 'iam:PassRole',
  ],
  'flow-logs': ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams'],
  // Revision and agent downloads; the agent's own calls when it signs them with the instance role.
  'instance': [
    's3:GetObject', 's3:GetObjectVersion', 's3:ListBucket', 's3:GetBucketLocation', 's3:GetBucketVersioning',
    'kms:Decrypt', 'kms:DescribeKey',
    'codedeploy-commands-secure:GetDeploymentSpecification', 'codedeploy-commands-secure:PollHostCommand',
    'codedeploy-commands-secure:PutHostCommandAcknowledgement', 'codedeploy-commands-secure:PutHostCommandComplete',
    // The Systems Manager agent (Session Manager, State Manager): AWS's AmazonSSMManagedInstanceCore.
    'ssm:DescribeAssociation', 'ssm:GetDeployablePatchSnapshotForInstance', 'ssm:GetDocument', 'ssm:DescribeDocument',
    'ssm:GetManifest', 'ssm:GetParameter', 'ssm:GetParameters', 'ssm:ListAssociations', 'ssm:ListInstanceAssociations',
    'ssm:PutInventory', 'ssm:PutComplianceItems', 'ssm:PutConfigurePackageResult', 'ssm:UpdateAssociationStatus',
    'ssm:UpdateInstanceAssociationStatus', 'ssm:UpdateInstanceInformation',
    'ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', 'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel',
    'ec2messages:AcknowledgeMessage', 'ec2messages:DeleteMessage', 'ec2messages:FailMessage', 'ec2messages:GetEndpoint',
    'ec2messages:GetMessages', 'ec2messages:SendReply',
  ],
};

/** The actions a kind of role may be granted at all. */
export function neededActions(kind: RoleKind): string[] {
  return NEEDED_ACTIONS[kind];
}

/** CodeBuild fetches the input artifact itself, before the commands run. */
const ARTIFACT_FETCH = 'CodeBuild downloads the input artifact before the commands run; the runs start from the build on disk';
const ARTIFACT_FETCH_ONLY = Object.fromEntries(['s3:GetObjectVersion', 's3:GetBucketLocation', 's3:GetBucketVersioning', 's3:GetBucketAcl']
  .map((action) => [action, ARTIFACT_FETCH]));
const ABORT = 'only when a multipart upload or copy fails part way: the CLI aborts it (no run here fails in the middle of one)';

/**
 * S3, KeyValueStore and CloudWatch actions a release project's kind needs that the release proof's runs
 * (verify/proofs/10-release-on-s3.ts) do not make, and why. Every other such action must be made by
 * a run of that kind, and none listed here may be.
 */
export const NOT_MADE_BY_RELEASE_RUNS: Partial<Record<RoleKind, Record<string, string>>> = {
  'release-upload-project': {
    ...ARTIFACT_FETCH_ONLY,
    's3:GetObject': ARTIFACT_FETCH,
    's3:ListBucket': ARTIFACT_FETCH,
    's3:AbortMultipartUpload': ABORT,
  },
  'go-live-project': {
    ...ARTIFACT_FETCH_ONLY,
    's3:AbortMultipartUpload': ABORT,
    'cloudfront-keyvaluestore:ListKeys': 'only with redirects: true (the example has none; test/static-site/buildspecs/release-buildspecs.test.ts covers it)',
  },
  'rollback-project': {
    's3:DeleteObject': 'only when the release switched to has no not-found page: the root one is removed',
    's3:AbortMultipartUpload': ABORT,
  },
};

/**
 * One call per action an `Allow` statement of the role's policies grants (wildcards expanded)
 * that its kind never needs, on the statement's first resource, expected denied: each is allowed,
 * so each fails and quotes the statement that grants it.
 */
export async function unneededGrants(job: RoleJob): Promise<ExpectedCall[]> {
  const needed = new Set(NEEDED_ACTIONS[job.kind].map((a) => a.toLowerCase()));
  const calls = new Map<string, ExpectedCall>();
  for (const policy of job.role.policies) {
    for (const statement of policy.document.Statement) {
      if (statement.Effect !== 'Allow' || statement.Action === undefined) {
        continue;
      }
      const resources = statement.Resource === undefined ? ['*'] : [statement.Resource].flat().map(String);
      for (const pattern of [statement.Action].flat().map(String)) {
        // `Action: *` is caught by the calls every role must be denied (expectations.ts).
        for (const action of pattern === '*' ? [] : await expandAction(pattern)) {
          if (!needed.has(action.toLowerCase()) && !calls.has(action)) {
            calls.set(action, { action, resource: resources[0], expect: 'denied' });
          }
        }
      }
    }
  }
  return [...calls.values()];
}
