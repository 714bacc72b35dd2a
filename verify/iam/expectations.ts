import { FleetReleaseModel, RoleJob, RoleKind } from './role-jobs';
import { StackScope } from './stack-scope';

/** What a simulated call must come to. */
export type Expectation = 'allowed' | 'denied' | 'explicitly denied';

/** A call a role (or another principal) makes at run time, and what IAM must answer. */
export interface ExpectedCall {
  readonly action: string;
  readonly resource: string;
  readonly expect: Expectation;
  /** Request context keys besides `aws:SecureTransport` (true unless given here). */
  readonly context?: Record<string, string>;
  /**
   * A context key the simulator cannot evaluate, renamed (in the request and in the resource
   * policy) to one of the same type it can: iam-simulate only reads the variable part of a key
   * after a `/` (`aws:RequestTag/<tag>`), so `kms:EncryptionContext:<key>` never matches.
   */
  readonly renameContextKey?: { readonly from: string; readonly to: string };
}

/**
 * The calls a role must be allowed to make to do its job, and calls it must be denied, from what
 * each AWS service calls at run time:
 * - pipeline role: https://docs.aws.amazon.com/codepipeline/latest/userguide/security-iam.html#how-to-custom-role
 * - source actions: https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodeCommit.html,
 *   https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodestarConnectionSource.html
 *   (the action's prefix must match the connection ARN's: https://docs.aws.amazon.com/dtconsole/latest/userguide/rename.html)
 * - CodeBuild projects: https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html
 *   (a preview pipeline's first step: GetPipelineExecution on the pipeline,
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodepipeline.html)
 * - approval action on an encrypted topic: https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#sns-what-permissions-for-sse
 * - CodeDeploy service role (in-place, launch templates): https://docs.aws.amazon.com/codedeploy/latest/userguide/getting-started-create-service-role.html
 * - instance role: https://docs.aws.amazon.com/codedeploy/latest/userguide/getting-started-create-iam-instance-profile.html
 * - VPC flow logs role: https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
 * - blue/green release and rollback projects: the calls of the fleet release program (src/server-app/runtime/fleet-*.js), whose
 *   actions and resources are https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html,
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html and
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscodedeploy.html
 */
export function expectedCalls(job: RoleJob, scope: StackScope): ExpectedCall[] {
  const calls = [...CALLS[job.kind](job, scope), ...untouchables(job, scope)];
  return [...new Map(calls.map((c) => [JSON.stringify(c), c])).values()];
}

const allow = (action: string, resource: string, context?: Record<string, string>): ExpectedCall =>
  ({ action, resource, expect: 'allowed', context });
const deny = (action: string, resource: string, context?: Record<string, string>): ExpectedCall =>
  ({ action, resource, expect: 'denied', context });
const allowAll = (actions: string[], resource: string) => actions.map((a) => allow(a, resource));
const denyAll = (actions: string[], resource: string) => actions.map((a) => deny(a, resource));

/** The ARN of an object of an artifact of the job's pipeline, where CodePipeline puts it. */
function artifactObject(job: RoleJob, scope: StackScope, artifact: string, file = 'abc.zip'): string {
  return `arn:${scope.partition}:s3:::${job.pipeline!.artifactBucket}/${job.pipeline!.name}/${artifact}/${file}`;
}

/** `actions` on the artifact key, when the artifacts are encrypted with one. */
function onArtifactKey(job: RoleJob, actions: string[], expectation: (a: string, r: string) => ExpectedCall): ExpectedCall[] {
  const key = job.pipeline!.artifactKeyArn;
  return key ? actions.map((a) => expectation(a, key)) : [];
}

/** A CloudWatch Logs stream of the group a project logs to. */
function logStream(job: RoleJob, scope: StackScope): string {
  return `arn:${scope.partition}:logs:${scope.region}:${scope.account}:log-group:${job.project!.logGroup}:log-stream:x`;
}

/** The other buckets of the stack: neither the job's artifact bucket nor `except`. */
function otherBuckets(job: RoleJob, scope: StackScope, except?: string): string[] {
  return scope.buckets.filter((b) => b !== job.pipeline?.artifactBucket && b !== except);
}

/** The site bucket of a release project, a release in it, an older one, and the site's not-found page. */
function releaseObjects(job: RoleJob, scope: StackScope) {
  const site = `arn:${scope.partition}:s3:::${job.siteBucket}`;
  return {
    site,
    release: `${site}/releases/20250102T030405Z-0123456789ab-0a1b2c3d`,
    older: `${site}/releases/20250101T030405Z-ba9876543210-d3c2b1a0`,
    notFoundPage: `${site}/${job.notFoundPage}`,
  };
}

/** A preview release's key prefix: its id starts `<time>-p`. */
const PREVIEW_RELEASE = 'releases/20250103T030405Z-p0123456789ab-pr42';

/** KeyValueStore calls switching the live release. */
const SWITCH_LIVE = ['cloudfront-keyvaluestore:DescribeKeyValueStore', 'cloudfront-keyvaluestore:GetKey', 'cloudfront-keyvaluestore:PutKey'];

const CALLS: Record<RoleKind, (job: RoleJob, scope: StackScope) => ExpectedCall[]> = {
  'pipeline': (job, scope) => [
    ...job.pipeline!.artifacts.flatMap((a) => allowAll(['s3:GetObject', 's3:PutObject'], artifactObject(job, scope, a))),
    ...onArtifactKey(job, ['kms:Decrypt', 'kms:GenerateDataKey'], allow),
    ...job.pipeline!.actionRoleArns.map((arn) => allow('sts:AssumeRole', arn)),
    deny('s3:GetObject', scope.unrelated.object),
    deny('s3:DeleteObject', artifactObject(job, scope, job.pipeline!.artifacts[0])),
    deny('iam:PassRole', '*'),
    // The action roles start builds and deployments; the pipeline role only assumes them.
    ...scope.projectArns.map((arn) => deny('codebuild:StartBuild', arn)),
  ],

  'codecommit-source': (job, scope) => [
    ...allowAll(['codecommit:GetBranch', 'codecommit:GetCommit', 'codecommit:UploadArchive', 'codecommit:GetUploadArchiveStatus'], job.repositoryArn!),
    ...job.outputArtifacts!.map((a) => allow('s3:PutObject', artifactObject(job, scope, a))),
    ...onArtifactKey(job, ['kms:GenerateDataKey'], allow),
    ...denyAll(['codecommit:GitPush', 'codecommit:DeleteRepository'], job.repositoryArn!),
    deny('codecommit:GetBranch', scope.unrelated.repository),
    deny('s3:PutObject', scope.unrelated.object),
    deny('iam:PassRole', '*'),
  ],

  'connection-source': (job, scope) => {
    const [, , service, region, account] = job.connectionArn!.split(':');
    const another = `arn:${scope.partition}:${service}:${region}:${account}:connection/00000000-0000-0000-0000-000000000000`;
    return [
      allow(`${service}:UseConnection`, job.connectionArn!),
      ...job.outputArtifacts!.map((a) => allow('s3:PutObject', artifactObject(job, scope, a))),
      ...onArtifactKey(job, ['kms:GenerateDataKey'], allow),
      deny(`${service}:UseConnection`, another),
      deny('s3:PutObject', scope.unrelated.object),
      deny('iam:PassRole', '*'),
    ];
  },

  'codebuild-action': (job, scope) => [
    ...allowAll(['codebuild:StartBuild', 'codebuild:BatchGetBuilds'], job.project!.arn),
    deny('codebuild:StartBuild', scope.unrelated.project),
    ...scope.projectArns.filter((arn) => arn !== job.project!.arn).map((arn) => deny('codebuild:StartBuild', arn)),
    deny('codebuild:DeleteProject', job.project!.arn),
    // The project's own role reads and writes the artifacts; the action role only starts the build.
    deny('s3:GetObject', artifactObject(job, scope, job.pipeline!.artifacts[0])),
    deny('iam:PassRole', '*'),
  ],

  'codedeploy-action': (job, scope) => {
    const group = job.deploymentGroup!;
    return [
      ...allowAll(['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'], group.arn),
      allow('codedeploy:GetDeploymentConfig', group.configArn),
      ...allowAll(['codedeploy:RegisterApplicationRevision', 'codedeploy:GetApplicationRevision'], group.applicationArn),
      deny('codedeploy:CreateDeployment', scope.unrelated.deploymentGroup),
      deny('codedeploy:UpdateDeploymentGroup', group.arn),
      deny('codedeploy:DeleteApplication', group.applicationArn),
      deny('iam:PassRole', '*'),
    ];
  },

  'approval-action': (job, scope) => [
    ...(job.topicArn ? [allow('sns:Publish', job.topicArn), deny('sns:Subscribe', job.topicArn)] : []),
    // SNS encrypts the request with the topic's key, as the publisher; no other key is the role's.
    ...(job.topicKeyArn ? allowAll(['kms:GenerateDataKey', 'kms:Decrypt'], job.topicKeyArn) : []),
    ...scope.keyArns.filter((arn) => arn !== job.topicKeyArn).flatMap((arn) => denyAll(['kms:Decrypt', 'kms:GenerateDataKey'], arn)),
    deny('sns:Publish', scope.unrelated.topic),
    ...scope.topicArns.filter((arn) => arn !== job.topicArn).map((arn) => deny('sns:Publish', arn)),
    deny('iam:PassRole', '*'),
  ],

  'build-project': (job, scope) => [
    ...job.inputArtifacts!.map((a) => allow('s3:GetObject', artifactObject(job, scope, a))),
    ...job.outputArtifacts!.map((a) => allow('s3:PutObject', artifactObject(job, scope, a, 'xyz.zip'))),
    ...(job.cachePrefix ? allowAll(['s3:GetObject', 's3:PutObject'], `arn:${scope.partition}:s3:::${job.pipeline!.artifactBucket}/${job.cachePrefix}/cache.zip`) : []),
    ...onArtifactKey(job, ['kms:Decrypt', 'kms:GenerateDataKey'], allow),
    ...allowAll(['logs:CreateLogStream', 'logs:PutLogEvents'], logStream(job, scope)),
    ...job.reportGroupArns!.flatMap((arn) => allowAll(['codebuild:CreateReport', 'codebuild:UpdateReport', 'codebuild:BatchPutTestCases'], arn)),
    // The build must not publish: only the deploy step writes where users see it.
    ...otherBuckets(job, scope).map((b) => deny('s3:PutObject', `arn:${scope.partition}:s3:::${b}/index.html`)),
    ...scope.distributionArns.map((arn) => deny('cloudfront:CreateInvalidation', arn)),
    deny('s3:DeleteObject', artifactObject(job, scope, job.inputArtifacts![0])),
    deny('logs:PutLogEvents', scope.unrelated.logStream),
    ...scope.projectArns.map((arn) => deny('codebuild:StartBuild', arn)),
    deny('iam:PassRole', '*'),
  ],

  'site-deploy-project': (job, scope) => {
    const site = `arn:${scope.partition}:s3:::${job.siteBucket}`;
    const files = [`${site}/index.html`, `${site}/assets/app-1234abcd.js`];
    const distribution = `arn:${scope.partition}:cloudfront::${scope.account}:distribution/${job.distributionId}`;
    const build = artifactObject(job, scope, job.inputArtifacts![0], 'xyz.zip');
    return [
      allow('s3:ListBucket', site),
      ...files.flatMap((f) => allowAll(['s3:PutObject', 's3:DeleteObject'], f)),
      allow('cloudfront:CreateInvalidation', distribution),
      allow('s3:GetObject', build),
      ...onArtifactKey(job, ['kms:Decrypt'], allow),
      ...allowAll(['logs:CreateLogStream', 'logs:PutLogEvents'], logStream(job, scope)),
      // Old versions are how a bad release is rolled back; `sync --delete` never needs to purge them.
      deny('s3:DeleteObjectVersion', files[0]),
      deny('s3:PutObject', scope.unrelated.object),
      ...otherBuckets(job, scope, job.siteBucket).map((b) => deny('s3:PutObject', `arn:${scope.partition}:s3:::${b}/index.html`)),
      deny('s3:PutObject', build),
      deny('s3:DeleteObject', build),
      deny('cloudfront:CreateInvalidation', scope.unrelated.distribution),
      deny('cloudfront:UpdateDistribution', distribution),
      deny('iam:PassRole', '*'),
    ];
  },

  // Uploads a release under releases/ (aws s3 cp, no listing) and makes nothing live.
  'release-upload-project': (job, scope) => {
    const { site, release, notFoundPage } = releaseObjects(job, scope);
    const build = artifactObject(job, scope, job.inputArtifacts![0], 'xyz.zip');
    return [
      ...[`${release}/index.html`, `${release}/assets/app-1234abcd.js`].map((f) => allow('s3:PutObject', f)),
      allow('s3:GetObject', build),
      ...onArtifactKey(job, ['kms:Decrypt'], allow),
      ...allowAll(['logs:CreateLogStream', 'logs:PutLogEvents'], logStream(job, scope)),
      ...[`${site}/index.html`, notFoundPage, build, scope.unrelated.object].map((r) => deny('s3:PutObject', r)),
      deny('s3:DeleteObject', `${release}/index.html`),
      deny('s3:ListBucket', site, { 's3:prefix': 'releases/' }),
      ...otherBuckets(job, scope, job.siteBucket).map((b) => deny('s3:PutObject', `arn:${scope.partition}:s3:::${b}/index.html`)),
      ...scope.keyValueStoreArns.map((arn) => deny('cloudfront-keyvaluestore:PutKey', arn)),
      deny('iam:PassRole', '*'),
    ];
  },

  // Verifies the upload (list), carries files over from recent releases (list, get, copy), writes
  // the marker, switches the live key, publishes the not-found page and prunes old releases.
  'go-live-project': (job, scope) => {
    const { site, release, older, notFoundPage } = releaseObjects(job, scope);
    const build = artifactObject(job, scope, job.inputArtifacts![0], 'xyz.zip');
    return [
      ...['releases/', 'releases/20250102T030405Z-0123456789ab-0a1b2c3d/'].map((prefix) => allow('s3:ListBucket', site, { 's3:prefix': prefix })),
      ...[`${older}.json`, `${older}/assets/old-chunk-1234abcd.js`].map((r) => allow('s3:GetObject', r)),
      ...[`${release}/assets/old-chunk-1234abcd.js`, `${release}.json`].map((r) => allow('s3:PutObject', r)),
      ...[`${older}/index.html`, `${older}.json`].map((r) => allow('s3:DeleteObject', r)),
      ...allowAll(['s3:PutObject', 's3:DeleteObject'], notFoundPage),
      ...SWITCH_LIVE.map((a) => allow(a, job.keyValueStoreArn!)),
      allow('s3:GetObject', build),
      ...onArtifactKey(job, ['kms:Decrypt'], allow),
      ...allowAll(['logs:CreateLogStream', 'logs:PutLogEvents'], logStream(job, scope)),
      deny('s3:ListBucket', site, { 's3:prefix': 'other/' }),
      deny('s3:PutObject', `${site}/index.html`),
      deny('s3:DeleteObjectVersion', `${older}/index.html`),
      deny('cloudfront-keyvaluestore:PutKey', scope.unrelated.keyValueStore),
      deny('cloudfront:UpdateDistribution', scope.unrelated.distribution),
      ...scope.distributionArns.map((arn) => deny('cloudfront:UpdateDistribution', arn)),
      ...[build, scope.unrelated.object].map((r) => deny('s3:PutObject', r)),
      ...otherBuckets(job, scope, job.siteBucket).map((b) => deny('s3:PutObject', `arn:${scope.partition}:s3:::${b}/index.html`)),
      deny('iam:PassRole', '*'),
    ];
  },

  // Started by hand: lists releases, switches the live key back, publishes that release's not-found page.
  'rollback-project': (job, scope) => {
    const { site, release, older, notFoundPage } = releaseObjects(job, scope);
    return [
      ...['releases/', `releases/20250101T030405Z-ba9876543210-d3c2b1a0/${job.notFoundPage}`].map((prefix) => allow('s3:ListBucket', site, { 's3:prefix': prefix })),
      allow('s3:GetObject', `${older}/${job.notFoundPage}`),
      ...allowAll(['s3:PutObject', 's3:DeleteObject'], notFoundPage),
      ...SWITCH_LIVE.map((a) => allow(a, job.keyValueStoreArn!)),
      ...allowAll(['logs:CreateLogStream', 'logs:PutLogEvents'], logStream(job, scope)),
      deny('s3:GetObject', `${older}/index.html`),
      ...allowAll(['s3:PutObject', 's3:DeleteObject'], `${release}/index.html`).map((c) => ({ ...c, expect: 'denied' as const })),
      deny('s3:PutObject', `${site}/index.html`),
      deny('cloudfront-keyvaluestore:PutKey', scope.unrelated.keyValueStore),
      // It touches no pipeline artifact, nor any other bucket.
      ...otherBuckets(job, scope, job.siteBucket).flatMap((b) => denyAll(['s3:GetObject', 's3:PutObject'], `arn:${scope.partition}:s3:::${b}/index.html`)),
      deny('iam:PassRole', '*'),
    ];
  },

  // Compares a push with the live release: reads the live key and the release's marker, and the
  // differences of two commits of its repository; writes nothing.
  'changes-check-project': (job, scope) => {
    const { site, release, older } = releaseObjects(job, scope);
    return [
      allow('codecommit:GetDifferences', job.repositoryArn!),
      allow('cloudfront-keyvaluestore:GetKey', job.keyValueStoreArn!),
      allow('s3:GetObject', `${older}.json`),
      ...allowAll(['logs:CreateLogStream', 'logs:PutLogEvents'], logStream(job, scope)),
      deny('s3:GetObject', `${release}/index.html`),
      deny('s3:PutObject', `${release}.json`),
      deny('s3:ListBucket', site, { 's3:prefix': 'releases/' }),
      ...denyAll(['cloudfront-keyvaluestore:PutKey', 'cloudfront-keyvaluestore:UpdateKeys'], job.keyValueStoreArn!),
      deny('cloudfront-keyvaluestore:GetKey', scope.unrelated.keyValueStore),
      ...denyAll(['codecommit:GitPush', 'codecommit:GetDifferences'], scope.unrelated.repository),
      deny('codecommit:GitPush', job.repositoryArn!),
      deny('iam:PassRole', '*'),
    ];
  },

  // Runs the pull request's code (CodeCommit): may write preview release objects, nothing that is served.
  'preview-build-project': (job, scope) => {
    const { site, release, notFoundPage } = releaseObjects(job, scope);
    const preview = `${site}/${PREVIEW_RELEASE}`;
    return [
      ...[`${preview}/index.html`, `${preview}/assets/app-1234abcd.js`].map((f) => allow('s3:PutObject', f)),
      ...allowAll(['logs:CreateLogStream', 'logs:PutLogEvents'], logStream(job, scope)),
      ...[`${release}/index.html`, `${site}/index.html`, notFoundPage, `${site}/releases/20250102T030405Z-0123456789ab-0a1b2c3d.json`]
        .map((r) => deny('s3:PutObject', r)),
      ...denyAll(['s3:DeleteObject', 's3:GetObject'], `${preview}/index.html`),
      deny('s3:ListBucket', site, { 's3:prefix': 'releases/' }),
      ...scope.keyValueStoreArns.flatMap((arn) => denyAll(['cloudfront-keyvaluestore:PutKey', 'cloudfront-keyvaluestore:UpdateKeys'], arn)),
      ...scope.distributionArns.map((arn) => deny('cloudfront:CreateInvalidation', arn)),
      deny('codebuild:StartBuild', scope.unrelated.project),
      // It may start the publish project, but never with the pull request's buildspec, image or other variables.
      ...scope.projectArns.flatMap((arn) => ([
        { 'codebuild:source.buildspec': 'version: 0.2' },
        { 'codebuild:environment.image': 'attacker/image:latest' },
        { 'codebuild:environment.environmentVariables.name': 'NODE_OPTIONS' },
      ] as Array<Record<string, string>>).map((context) => deny('codebuild:StartBuild', arn, context))),
      deny('iam:PassRole', '*'),
    ];
  },

  // Reads what started an execution of its own pipeline (GetPipelineExecution), and nothing else.
  'preview-identify-project': (job, scope) => [
    allow('codepipeline:GetPipelineExecution', job.pipeline!.arn),
    ...job.inputArtifacts!.map((a) => allow('s3:GetObject', artifactObject(job, scope, a))),
    ...onArtifactKey(job, ['kms:Decrypt'], allow),
    ...allowAll(['logs:CreateLogStream', 'logs:PutLogEvents'], logStream(job, scope)),
    ...[...scope.pipelineArns.filter((arn) => arn !== job.pipeline!.arn), scope.unrelated.pipeline].map((arn) => deny('codepipeline:GetPipelineExecution', arn)),
    ...denyAll(['codepipeline:StartPipelineExecution', 'codepipeline:UpdatePipeline', 'codepipeline:ListPipelineExecutions'], job.pipeline!.arn),
    ...scope.projectArns.map((arn) => deny('codebuild:StartBuild', arn)),
    ...otherBuckets(job, scope).map((b) => deny('s3:PutObject', `arn:${scope.partition}:s3:::${b}/index.html`)),
    deny('s3:PutObject', artifactObject(job, scope, job.inputArtifacts![0])),
    ...scope.keyValueStoreArns.map((arn) => deny('cloudfront-keyvaluestore:UpdateKeys', arn)),
    deny('iam:PassRole', '*'),
  ],

  // Uploads a preview release (aws s3 cp) and names nothing.
  'preview-upload-project': (job, scope) => {
    const { site, release, notFoundPage } = releaseObjects(job, scope);
    const preview = `${site}/${PREVIEW_RELEASE}`;
    const build = artifactObject(job, scope, job.inputArtifacts![0], 'xyz.zip');
    return [
      ...[`${preview}/index.html`, `${preview}/assets/app-1234abcd.js`].map((f) => allow('s3:PutObject', f)),
      allow('s3:GetObject', build),
      ...onArtifactKey(job, ['kms:Decrypt'], allow),
      ...allowAll(['logs:CreateLogStream', 'logs:PutLogEvents'], logStream(job, scope)),
      ...[`${release}/index.html`, `${site}/index.html`, notFoundPage, build, scope.unrelated.object].map((r) => deny('s3:PutObject', r)),
      deny('s3:DeleteObject', `${preview}/index.html`),
      deny('s3:ListBucket', site, { 's3:prefix': 'releases/' }),
      ...scope.keyValueStoreArns.map((arn) => deny('cloudfront-keyvaluestore:UpdateKeys', arn)),
      deny('iam:PassRole', '*'),
    ];
  },

  // Checks the upload, writes preview and token keys, deletes replaced and removed preview releases.
  'preview-project': (job, scope) => {
    const { site, release, older, notFoundPage } = releaseObjects(job, scope);
    const preview = `${site}/${PREVIEW_RELEASE}`;
    return [
      allow('s3:ListBucket', site, { 's3:prefix': `${PREVIEW_RELEASE}/` }),
      ...[`${preview}/index.html`, `${preview}/assets/app-1234abcd.js`].flatMap((f) => allowAll(['s3:PutObject', 's3:DeleteObject'], f)),
      ...['DescribeKeyValueStore', 'ListKeys', 'UpdateKeys'].map((a) => allow(`cloudfront-keyvaluestore:${a}`, job.keyValueStoreArn!)),
      ...allowAll(['logs:CreateLogStream', 'logs:PutLogEvents'], logStream(job, scope)),
      // Pipeline releases (the live one, those kept for rollback) are out of its reach.
      ...denyAll(['s3:ListBucket'], site).map((c) => ({ ...c, context: { 's3:prefix': 'releases/' } })),
      ...[`${release}/index.html`, `${older}/index.html`, `${release}.json`, `${site}/index.html`, notFoundPage]
        .flatMap((r) => denyAll(['s3:PutObject', 's3:DeleteObject'], r)),
      deny('s3:GetObject', `${release}/index.html`),
      deny('s3:DeleteObjectVersion', `${preview}/index.html`),
      deny('cloudfront-keyvaluestore:UpdateKeys', scope.unrelated.keyValueStore),
      ...scope.distributionArns.map((arn) => deny('cloudfront:UpdateDistribution', arn)),
      deny('codebuild:StartBuild', scope.unrelated.project),
      deny('iam:PassRole', '*'),
    ];
  },

  // Every step of a blue/green release: the listener's rules, the fleets' sizes, CodeDeploy on the idle fleet, the bake's metrics.
  'fleet-release-project': (job, scope) => {
    const fleet = job.fleet!;
    const build = artifactObject(job, scope, job.inputArtifacts![0], 'xyz.zip');
    return [
      ...fleetTraffic(fleet, scope),
      allow('elasticloadbalancing:DeleteRule', fleet.ruleArn),
      ...fleet.deploymentGroupArns.flatMap((arn) => allowAll(['codedeploy:CreateDeployment', 'codedeploy:GetDeployment', 'codedeploy:GetDeploymentGroup'], arn)),
      ...allowAll(['codedeploy:RegisterApplicationRevision', 'codedeploy:GetApplicationRevision'], fleet.applicationArn),
      ...fleet.configArns.map((arn) => allow('codedeploy:GetDeploymentConfig', arn)),
      allow('codedeploy:StopDeployment', '*'),
      allow('cloudwatch:GetMetricData', '*'),
      ...fleet.alarmArns.map((arn) => allow('cloudwatch:DescribeAlarms', arn)),
      allow('s3:GetObject', build),
      ...onArtifactKey(job, ['kms:Decrypt'], allow),
      ...allowAll(['logs:CreateLogStream', 'logs:PutLogEvents'], logStream(job, scope)),
      deny('codedeploy:CreateDeployment', scope.unrelated.deploymentGroup),
      ...fleet.deploymentGroupArns.map((arn) => deny('codedeploy:UpdateDeploymentGroup', arn)),
      deny('cloudwatch:PutMetricAlarm', fleet.alarmArns[0]),
      deny('cloudwatch:SetAlarmState', fleet.alarmArns[0]),
      ...[build, scope.unrelated.object].map((r) => deny('s3:PutObject', r)),
      deny('iam:PassRole', '*'),
    ];
  },

  // Started by hand: moves traffic and sizes fleets, deploys nothing and reads no artifact.
  'fleet-rollback-project': (job, scope) => {
    const fleet = job.fleet!;
    return [
      ...fleetTraffic(fleet, scope),
      ...fleet.deploymentGroupArns.flatMap((arn) => allowAll(['codedeploy:GetDeployment', 'codedeploy:GetDeploymentGroup'], arn)),
      allow('codedeploy:GetApplicationRevision', fleet.applicationArn),
      ...allowAll(['logs:CreateLogStream', 'logs:PutLogEvents'], logStream(job, scope)),
      ...fleet.deploymentGroupArns.map((arn) => deny('codedeploy:CreateDeployment', arn)),
      deny('codedeploy:StopDeployment', '*'),
      deny('elasticloadbalancing:DeleteRule', fleet.ruleArn),
      ...otherBuckets(job, scope).map((b) => deny('s3:GetObject', `arn:${scope.partition}:s3:::${b}/index.html`)),
      deny('iam:PassRole', '*'),
    ];
  },

  'events-build': (job, scope) => [
    allow('codebuild:StartBuild', job.project!.arn),
    deny('codebuild:StartBuild', scope.unrelated.project),
    ...scope.projectArns.filter((arn) => arn !== job.project!.arn).map((arn) => deny('codebuild:StartBuild', arn)),
    deny('codebuild:DeleteProject', job.project!.arn),
    deny('iam:PassRole', '*'),
  ],

  'events': (job, scope) => [
    allow('codepipeline:StartPipelineExecution', job.pipeline!.arn),
    deny('codepipeline:StartPipelineExecution', scope.unrelated.pipeline),
    deny('codepipeline:UpdatePipeline', job.pipeline!.arn),
    deny('iam:PassRole', '*'),
  ],

  'codedeploy-service': (job, scope) => {
    const group = job.deploymentGroup!;
    const toEc2 = { 'iam:PassedToService': 'ec2.amazonaws.com' };
    const instance = `arn:${scope.partition}:ec2:${scope.region}:${scope.account}:instance/i-0fedcba9876543210`;
    return [
      allow('ec2:DescribeInstances', '*'),
      ...(group.autoScalingGroupArns.length ? [allow('autoscaling:DescribeAutoScalingGroups', '*')] : []),
      ...group.autoScalingGroupArns.flatMap((arn) => allowAll(['autoscaling:CompleteLifecycleAction', 'autoscaling:PutLifecycleHook'], arn)),
      ...group.targetGroupArns.flatMap((arn) => allowAll(['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'], arn)),
      ...group.alarmArns.map((arn) => allow('cloudwatch:DescribeAlarms', arn)),
      // A group with a launch template needs these three from whoever updates it (the note in the AWS guide).
      ...group.launchTemplateArns.flatMap((arn) => [
        allow('ec2:RunInstances', instance, { 'ec2:LaunchTemplate': arn }),
        allow('ec2:CreateTags', instance, { 'ec2:CreateAction': 'RunInstances' }),
      ]),
      ...(group.launchTemplateArns.length ? group.instanceRoleArns.map((arn) => allow('iam:PassRole', arn, toEc2)) : []),
      deny('iam:PassRole', scope.unrelated.role, toEc2),
      ...group.instanceRoleArns.map((arn) => deny('iam:PassRole', arn, { 'iam:PassedToService': 'lambda.amazonaws.com' })),
      deny('ec2:RunInstances', instance, { 'ec2:LaunchTemplate': scope.unrelated.launchTemplate }),
      deny('ec2:TerminateInstances', scope.unrelated.instance),
      deny('autoscaling:CompleteLifecycleAction', scope.unrelated.autoScalingGroup),
      ...group.autoScalingGroupArns.map((arn) => deny('autoscaling:DeleteAutoScalingGroup', arn)),
      deny('elasticloadbalancing:RegisterTargets', scope.unrelated.targetGroup),
      // The agent on the instances downloads revisions; AWSCodeDeployRole itself has no S3 permission.
      deny('s3:GetObject', artifactObject(job, scope, job.pipeline!.artifacts[0])),
    ];
  },

  'flow-logs': (job, scope) => {
    const group = `arn:${scope.partition}:logs:${scope.region}:${scope.account}:log-group:${job.logGroup}`;
    return [
      ...allowAll(['logs:CreateLogStream', 'logs:PutLogEvents'], `${group}:log-stream:eni-0123456789abcdef0-all`),
      deny('logs:PutLogEvents', scope.unrelated.logStream),
      deny('logs:DeleteLogGroup', group),
      deny('iam:PassRole', '*'),
    ];
  },

  'instance': (job, scope) => {
    const revision = artifactObject(job, scope, job.inputArtifacts![0], 'xyz.zip');
    const agentInstaller = `arn:${scope.partition}:s3:::aws-codedeploy-${scope.region}/latest/install`;
    return [
      allow('s3:GetObject', revision),
      // The agent installs and updates itself from this bucket.
      allow('s3:GetObject', agentInstaller),
      ...onArtifactKey(job, ['kms:Decrypt'], allow),
      ...[revision, agentInstaller, scope.unrelated.object].map((r) => deny('s3:PutObject', r)),
      deny('s3:DeleteObject', revision),
      ...otherBuckets(job, scope).map((b) => deny('s3:GetObject', `arn:${scope.partition}:s3:::${b}/index.html`)),
      ...onArtifactKey(job, ['kms:GenerateDataKey'], deny),
      deny('iam:PassRole', '*'),
    ];
  },
};

/**
 * What both blue/green projects do to traffic and fleets: read the listener's rules, create and
 * change the live rule on its listener alone, and size and schedule the two fleets alone. Neither
 * changes the listener itself (its default action is the template's) nor deletes a fleet.
 */
function fleetTraffic(fleet: FleetReleaseModel, scope: StackScope): ExpectedCall[] {
  const unrelatedListener = `arn:${scope.partition}:elasticloadbalancing:${scope.region}:${scope.account}:listener/app/unrelated/0123456789abcdef/0123456789abcdef`;
  return [
    ...allowAll(['elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetHealth'], '*'),
    allow('elasticloadbalancing:CreateRule', fleet.listenerArn),
    allow('elasticloadbalancing:ModifyRule', fleet.ruleArn),
    ...allowAll(['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeScheduledActions'], '*'),
    ...fleet.autoScalingGroupArns.flatMap((arn) => allowAll(
      ['autoscaling:UpdateAutoScalingGroup', 'autoscaling:PutScheduledUpdateGroupAction', 'autoscaling:DeleteScheduledAction'], arn)),
    deny('elasticloadbalancing:CreateRule', unrelatedListener),
    deny('elasticloadbalancing:ModifyRule', `${unrelatedListener.replace(':listener/', ':listener-rule/')}/0123456789abcdef`),
    ...['elasticloadbalancing:ModifyListener', 'elasticloadbalancing:DeleteListener'].map((a) => deny(a, fleet.listenerArn)),
    deny('autoscaling:UpdateAutoScalingGroup', scope.unrelated.autoScalingGroup),
    ...fleet.autoScalingGroupArns.map((arn) => deny('autoscaling:DeleteAutoScalingGroup', arn)),
    deny('ec2:TerminateInstances', scope.unrelated.instance),
  ];
}

/**
 * Calls no role of the stack may make, whatever its job: changing IAM (its own role included),
 * passing unrelated roles, deleting or re-policing the stack's buckets and keys, reading a bucket
 * it has nothing to do with.
 */
function untouchables(job: RoleJob, scope: StackScope): ExpectedCall[] {
  const { partition, account } = scope;
  return [
    deny('iam:CreateRole', `arn:${partition}:iam::${account}:role/new-role`),
    ...denyAll(['iam:PutRolePolicy', 'iam:AttachRolePolicy'], job.role.arn),
    deny('iam:PassRole', scope.unrelated.role),
    deny('s3:GetObject', scope.unrelated.object),
    ...scope.buckets.flatMap((b) => denyAll(['s3:DeleteBucket', 's3:PutBucketPolicy'], `arn:${partition}:s3:::${b}`)),
    ...scope.keyArns.flatMap((arn) => denyAll(['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy'], arn)),
  ];
}
