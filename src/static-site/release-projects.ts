import { CfnResource, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ArtifactKey } from '../artifact-store';
import { deployStepProjectDefaults, PipelineStepProject, StandaloneProject } from '../codebuild-project';
import { suppressNagFindings } from '../compliance/nag';
import { DeployStepCompute } from '../deploy-compute';
import { uploadBuildSpecParts, validateInlineBuildSpec } from '../validation';
import {
  releaseGoLiveBuildSpecObject,
  releaseUploadBuildSpecObject,
  rollbackBuildSpecObject,
  RulesSettings,
} from './buildspecs/release-buildspecs';
import { UploadOptions } from './buildspecs/upload-commands';
import { RELEASE_ENV, RELEASES_PREFIX } from './release-contract';
import { grantBakeMetrics, verifyEnvironment, VerifySettings } from './verify-release';
import { ProjectKind } from '../project-kind';

/** What a release project works on. */
export interface ReleaseProjectProps {
  readonly bucket: s3.IBucket;
  readonly keyValueStore: cloudfront.IKeyValueStore;
  readonly upload: UploadOptions;
  readonly releasesToKeep: number;
  readonly notFoundPage: string;
  /** What the go-live step does with `_redirects` and `_headers`. */
  readonly rules: RulesSettings;
  readonly encryptionKey: ArtifactKey;
  readonly logRetention: logs.RetentionDays;
  /** The compute the projects run on. */
  readonly compute: DeployStepCompute;
  /** Verified releases: what the go-live step checks, through which distribution; none when off. */
  readonly verify?: { readonly settings: VerifySettings; readonly distribution: cloudfront.IDistribution };
}

/*
 * The CodeBuild projects of atomic releases: UploadReleaseProject writes a new release and nothing
 * else, GoLiveProject verifies it and switches the live release, RollbackProject switches back on
 * demand. Two deploy projects rather than one: the upload commands and the release script together
 * exceed CodeBuild's inline buildspec limit, and the split keeps the upload role from switching.
 * They live in one file because they share the release store's grants.
 */

/** Uploads the site build as a new release under releases/, without making it live. */
export class UploadReleaseProject extends PipelineStepProject {
  constructor(scope: Construct, id: string, props: ReleaseProjectProps) {
    const uploadSpec = releaseUploadBuildSpecObject(props.upload);
    validateInlineBuildSpec(scope, uploadBuildSpecParts({
      immutablePatterns: props.upload.immutablePatterns,
      immutable: props.upload.immutableCacheControl,
      revalidated: props.upload.defaultCacheControl,
    }), uploadSpec);
    super(scope, id, {
      kind: ProjectKind.RELEASE_UPLOAD,
      description: 'Uploads the site build as a new release, without making it live',
      buildSpec: codebuild.BuildSpec.fromObject(uploadSpec),
      ...deployStepProjectDefaults(props, { [RELEASE_ENV.bucket]: props.bucket.bucketName }),
    });
    props.compute.finish(this);
    grantUpload(this, props.bucket);
  }
}

/** Verifies the uploaded release, makes it the live one, and prunes old releases. */
export class GoLiveProject extends PipelineStepProject {
  constructor(scope: Construct, id: string, props: ReleaseProjectProps) {
    const spec = releaseGoLiveBuildSpecObject({
      sourceDirectory: props.upload.sourceDirectory,
      releasesToKeep: props.releasesToKeep,
      notFoundPage: props.notFoundPage,
      rules: props.rules,
    });
    validateInlineBuildSpec(scope, [
      { prop: 'notFoundPage', value: props.notFoundPage, fix: NOT_FOUND_PAGE_FIX },
      { prop: 'contentSecurityPolicy', value: props.rules.securityHeaders['content-security-policy'], fix: 'give a shorter Content-Security-Policy' },
    ], spec);
    super(scope, id, {
      kind: ProjectKind.GO_LIVE,
      description: 'Verifies the uploaded release and makes it the live one',
      buildSpec: codebuild.BuildSpec.fromObject(spec),
      ...deployStepProjectDefaults(props, {
        ...storeVariables(props),
        ...(props.verify ? verifyEnvironment(props.verify.settings, props.verify.distribution) : {}),
      }),
    });
    props.compute.finish(this);
    grantGoLive(this, props.bucket, props);
  }
}

/** Makes the previous release (or a named one) live again, started by hand. */
export class RollbackProject extends StandaloneProject {
  constructor(scope: Construct, id: string, props: ReleaseProjectProps) {
    const spec = rollbackBuildSpecObject(props.notFoundPage);
    validateInlineBuildSpec(scope, [{ prop: 'notFoundPage', value: props.notFoundPage, fix: NOT_FOUND_PAGE_FIX }], spec);
    super(scope, id, {
      kind: ProjectKind.ROLLBACK,
      description: 'Makes the previous release (or $RELEASE) the live one again: aws codebuild start-build --project-name <this project>',
      buildSpec: codebuild.BuildSpec.fromObject(spec),
      ...deployStepProjectDefaults(props, storeVariables(props)),
    });
    props.compute.finish(this);
    grantRollback(this, props.bucket, props);
  }
}

/** How to shorten a buildspec that names the not-found page. */
const NOT_FOUND_PAGE_FIX = 'the go-live and rollback steps name the page in their buildspecs, so give a shorter path, e.g. \'404.html\'';

/**
 * The bucket and store the go-live and rollback steps switch releases in, and the time CodeBuild
 * gives the step, which the release program must finish in.
 */
function storeVariables(props: ReleaseProjectProps): Record<string, string> {
  return {
    [RELEASE_ENV.bucket]: props.bucket.bucketName,
    [RELEASE_ENV.keyValueStoreArn]: props.keyValueStore.keyValueStoreArn,
    [RELEASE_ENV.timeLimitMinutes]: props.compute.timeLimitMinutes,
  };
}

/** Writes objects of new releases; nothing else (no list, no delete, no store access). */
function grantUpload(project: codebuild.IProject, bucket: s3.IBucket): void {
  project.addToRolePolicy(new iam.PolicyStatement({
    // Files of 8 MB and more go up in parts; a failed part upload is aborted by the CLI.
    actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
    resources: [bucket.arnForObjects(`${RELEASES_PREFIX}*`)],
  }));
  suppressReleaseObjects(project, bucket, '*', 'The upload step writes the files of a new release, named by the build; the grant is limited to releases/ of the site bucket.');
}

/**
 * Lists and reads releases (verification, markers, carry-over), writes markers and carried files,
 * deletes pruned releases, writes the not-found page at the root, and switches the live key.
 */
function grantGoLive(project: codebuild.IProject, bucket: s3.IBucket, props: ReleaseProjectProps): void {
  project.addToRolePolicy(listReleases(bucket));
  project.addToRolePolicy(new iam.PolicyStatement({
    actions: ['s3:GetObject'],
    resources: [bucket.arnForObjects(`${RELEASES_PREFIX}*`)],
  }));
  project.addToRolePolicy(new iam.PolicyStatement({
    actions: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
    resources: [bucket.arnForObjects(`${RELEASES_PREFIX}*`), bucket.arnForObjects(props.notFoundPage)],
  }));
  // ListKeys serves rules only (deleting those of pruned releases); UpdateKeys writes rules, and the
  // preview record and token of the check before the switch.
  const rules = props.rules.redirects || props.rules.headers;
  const updateActions = [...(rules ? ['ListKeys'] : []), ...(rules || props.verify ? ['UpdateKeys'] : [])];
  project.addToRolePolicy(keyValueStoreActions(props.keyValueStore, ['DescribeKeyValueStore', 'GetKey', 'PutKey', ...updateActions]));
  if (props.verify && props.verify.settings.bakeSeconds > 0) {
    grantBakeMetrics(project);
  }
  suppressReleaseObjects(project, bucket, '*', 'The go-live step verifies, completes and prunes releases, whose files are named by the build; the grant is limited to releases/ of the site bucket.');
}

/** Lists releases, reads their not-found pages, writes the root one, and switches the live key. */
function grantRollback(project: codebuild.IProject, bucket: s3.IBucket, props: ReleaseProjectProps): void {
  project.addToRolePolicy(listReleases(bucket));
  project.addToRolePolicy(new iam.PolicyStatement({
    actions: ['s3:GetObject'],
    resources: [bucket.arnForObjects(`${RELEASES_PREFIX}*/${props.notFoundPage}`)],
  }));
  project.addToRolePolicy(new iam.PolicyStatement({
    actions: ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
    resources: [bucket.arnForObjects(props.notFoundPage)],
  }));
  project.addToRolePolicy(keyValueStoreActions(props.keyValueStore, ['DescribeKeyValueStore', 'GetKey', 'PutKey']));
  suppressReleaseObjects(project, bucket, `*/${props.notFoundPage}`, 'The rollback publishes the not-found page of the release it switches to; release ids are made at deploy time.');
}

/**
 * ListObjectsV2 under releases/ only.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/amazon-s3-policy-keys.html#condition-key-bucket-ops-2
 */
function listReleases(bucket: s3.IBucket): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['s3:ListBucket'],
    resources: [bucket.bucketArn],
    conditions: { StringLike: { 's3:prefix': [`${RELEASES_PREFIX}*`] } },
  });
}

/**
 * Actions of the CloudFront KeyValueStore API on this store only.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudfrontkeyvaluestore.html
 */
export function keyValueStoreActions(store: cloudfront.IKeyValueStore, actions: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: actions.map((action) => `cloudfront-keyvaluestore:${action}`),
    resources: [store.keyValueStoreArn],
  });
}

/** Accepts the `<bucket>/releases/<pattern>` object wildcard of the project's role, as cdk-nag reports it. */
export function suppressReleaseObjects(project: codebuild.IProject, bucket: s3.IBucket, pattern: string, reason: string): void {
  const cfnBucket = bucket.node.defaultChild as CfnResource;
  suppressNagFindings(project.role!.node.findChild('DefaultPolicy'), [{
    id: 'AwsSolutions-IAM5',
    reason,
    appliesTo: [`Resource::<${Stack.of(cfnBucket).getLogicalId(cfnBucket)}.Arn>/${RELEASES_PREFIX}${pattern}`],
  }]);
}
