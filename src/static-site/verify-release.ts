import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { RELEASE_ENV } from './release-contract';
import { suppressNagFindings } from '../compliance/nag';
import { DeployStepCompute, LAMBDA_COMPUTE_MINUTES } from '../deploy-compute';
import { validationError } from '../validation';

/**
 * How the go-live step of atomic releases checks a release through the distribution before and
 * after it goes live, and how long it then watches CloudFront's 5xx error rate (the bake time).
 *
 * Before `live` switches, the release is served as a preview to the step alone (a preview record
 * and a token in the site's KeyValueStore, deleted afterwards) and fetched through the real
 * distribution: the root page, `paths`, and the scripts, style sheets and images those pages
 * reference on the same host. Each response must be a 200 carrying the S3 ETag of the file the
 * release holds. Any failure stops the release: visitors keep the live one. After the switch the
 * same requests run as a visitor's; a failure, or a 5xx rate above `maxErrorRatePercent` during
 * `bakeTime`, switches back to the release that was live and fails the pipeline execution.
 */
export interface VerifyReleaseOptions {
  /**
   * Check each release before and after it goes live. With `false`, the other settings are still
   * checked (they apply once it is turned back on), with a warning that they are not used.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Pages fetched besides the root page (`/`), as paths of the site (e.g. `/about`, `/docs/`). Each
   * must be served with status 200 (not a redirect); the scripts, style sheets and images of each
   * page are fetched too. At most 20 paths.
   *
   * @default - the root page only
   */
  readonly paths?: string[];

  /**
   * How long after the switch CloudFront's 5xx error rate of the distribution is watched. Zero
   * skips the bake. At most 10 minutes on Lambda compute (a step there stops after 15 minutes),
   * 15 on EC2 compute. When the step's time runs short (a long carry-over of a large site), the
   * go-live step ends the bake early and logs which minutes were not watched.
   *
   * @default Duration.minutes(5)
   * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html
   */
  readonly bakeTime?: Duration;

  /**
   * The 5xx error rate (percent of requests, CloudFront's `5xxErrorRate`) above which two
   * consecutive minutes of the bake time, each with at least 10 requests, roll the release back.
   *
   * @default 5
   * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html
   */
  readonly maxErrorRatePercent?: number;
}

/** What the release program reads from $VERIFY_RELEASE (VerifySettings in runtime/release.js). */
export interface VerifySettings {
  readonly paths: string[];
  readonly singlePageApp: boolean;
  readonly propagationSeconds: number;
  readonly bakeSeconds: number;
  readonly maxErrorRatePercent: number;
  readonly breachMinutes: number;
  readonly minRequests: number;
}

/**
 * How long a response may still come from another release after a store change: KeyValueStore
 * changes reach the edge locations within seconds, a minute is generous.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/kvs-with-functions.html
 */
const PROPAGATION_SECONDS = 60;
/** Consecutive minutes above the rate that roll back, as an alarm's "2 out of 2 datapoints". */
const BREACH_MINUTES = 2;
/** Requests a minute needs for its rate to count: one failed request of three is no outage. */
const MIN_REQUESTS = 10;
const MAX_PATHS = 20;
const MAX_PATH_LENGTH = 200;
/**
 * What the go-live step needs besides the bake time, in minutes: the checks before and after the
 * switch (a minute each at most, with the store's propagation), the upload check, carry-over and
 * pruning.
 */
export const GO_LIVE_MINUTES_BESIDES_BAKE = 5;

/**
 * The settings of the release program for `options` (undefined when verification is off), after
 * checking them: the bake time must leave the go-live step time to finish within its compute's limit.
 * The settings are checked when verification is off too (they take effect once it is turned back
 * on), and a warning says they are not used meanwhile.
 */
export function verifySettings(scope: Construct, options: VerifyReleaseOptions | undefined, compute: DeployStepCompute,
  singlePageApp: boolean): VerifySettings | undefined {
  const paths = options?.paths ?? [];
  validatePaths(scope, paths);
  const bakeTime = options?.bakeTime ?? Duration.minutes(5);
  validateBakeTime(scope, bakeTime, compute);
  const maxErrorRatePercent = options?.maxErrorRatePercent ?? 5;
  if (!Token.isUnresolved(maxErrorRatePercent) && !(maxErrorRatePercent > 0 && maxErrorRatePercent <= 100)) {
    throw validationError(scope, `verifyRelease.maxErrorRatePercent must be above 0 and at most 100, got '${maxErrorRatePercent}'; e.g. 5`);
  }
  if (options?.enabled === false) {
    warnUnusedSettings(scope, options);
    return undefined;
  }
  return {
    paths,
    singlePageApp,
    propagationSeconds: PROPAGATION_SECONDS,
    bakeSeconds: bakeTime.toSeconds({ integral: false }),
    maxErrorRatePercent,
    breachMinutes: BREACH_MINUTES,
    minRequests: MIN_REQUESTS,
  };
}

/** Warns of the settings given with `enabled: false`: no release is checked until verification is turned back on. */
function warnUnusedSettings(scope: Construct, options: VerifyReleaseOptions): void {
  const given = (['paths', 'bakeTime', 'maxErrorRatePercent'] as const).filter((name) => options[name] !== undefined);
  if (given.length) {
    Annotations.of(scope).addWarningV2('cdk-deploy-pipelines:verifyReleaseOff',
      `${given.map((name) => `verifyRelease.${name}`).join(', ')} ${given.length > 1 ? 'are' : 'is'} not used: verifyRelease.enabled is false, `
      + 'so no release is checked before or after it goes live; remove enabled to check releases, or remove the settings');
  }
}

/** Paths of the site: literals starting with `/`, without spaces, query or fragment; a bounded list. */
function validatePaths(scope: Construct, paths: string[]): void {
  if (paths.length > MAX_PATHS) {
    throw validationError(scope, `verifyRelease.paths must list at most ${MAX_PATHS} paths, got '${paths.length}'; check a few pages, their scripts, style sheets and images are checked with them`);
  }
  for (const p of paths) {
    if (Token.isUnresolved(p)) {
      throw validationError(scope, `verifyRelease.paths must be literals, got '${p}'; the go-live step reads them at deploy time from its environment, e.g. '/about'`);
    }
    if (!/^\/[^\s?#]*$/.test(p) || p.length > MAX_PATH_LENGTH) {
      throw validationError(scope, `verifyRelease.paths must be paths of the site starting with '/', without spaces, query or fragment, at most ${MAX_PATH_LENGTH} characters, got '${p}'; e.g. '/about'`);
    }
  }
}

/** The bake time plus the rest of the go-live step must fit in the step's time limit. */
function validateBakeTime(scope: Construct, bakeTime: Duration, compute: DeployStepCompute): void {
  if (bakeTime.isUnresolved()) {
    throw validationError(scope, `verifyRelease.bakeTime must be a literal duration, got '${bakeTime}'; its limit depends on the deploy compute, checked at synth time, e.g. Duration.minutes(5)`);
  }
  const onLambda = compute.timeout === undefined;
  const limit = onLambda ? LAMBDA_COMPUTE_MINUTES : compute.timeout!.toMinutes();
  const max = limit - GO_LIVE_MINUTES_BESIDES_BAKE;
  const minutes = bakeTime.toSeconds({ integral: false }) / 60;
  if (minutes > max) {
    const where = onLambda ? `on Lambda compute (CodeBuild stops a step there after ${LAMBDA_COMPUTE_MINUTES} minutes`
      : `on EC2 compute (the deploy steps time out after ${limit} minutes`;
    const fix = onLambda ? `shorten it, or set deployCompute: DeployCompute.EC2 (bakeTime up to ${20 - GO_LIVE_MINUTES_BESIDES_BAKE} minutes)` : 'shorten it';
    throw validationError(scope, `verifyRelease.bakeTime must be at most ${max} minutes ${where}, and the go-live step needs up to ${GO_LIVE_MINUTES_BESIDES_BAKE} more), got '${bakeTime.toHumanString()}'; ${fix}`);
  }
}

/** The go-live project's environment variables of verified releases. */
export function verifyEnvironment(settings: VerifySettings, distribution: cloudfront.IDistribution): Record<string, string> {
  return {
    [RELEASE_ENV.distributionDomain]: distribution.distributionDomainName,
    [RELEASE_ENV.distributionId]: distribution.distributionId,
    // A token (maxErrorRatePercent from a parameter) becomes its value in the JSON at deploy time.
    [RELEASE_ENV.verifyRelease]: Stack.of(distribution).toJsonString(settings),
  };
}

/**
 * Lets the go-live project read CloudFront's metrics for the bake time. GetMetricData takes no
 * resource (CloudWatch has no resource-level permissions for reading metrics), hence `*`; it
 * reads metrics only. The metrics are read in us-east-1, where CloudFront publishes them, with
 * `--region`; IAM is global, so the grant holds there whatever the stack's region.
 *
 * No CloudWatch alarm resource is made: CloudFront's metrics exist only in us-east-1, and an alarm
 * must live in its metric's region, so a stack elsewhere would need a second stack or a custom
 * resource. The go-live step reading the metric itself works the same in every region, stops the
 * release within the step that made it, and adds no resource; an alarm for people
 * (`distribution.metric5xxErrorRate()`) belongs in a us-east-1 stack.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 */
export function grantBakeMetrics(project: codebuild.IProject): void {
  project.addToRolePolicy(new iam.PolicyStatement({
    actions: ['cloudwatch:GetMetricData'],
    resources: ['*'],
  }));
  suppressNagFindings(project.role!.node.findChild('DefaultPolicy'), [{
    id: 'AwsSolutions-IAM5',
    reason: 'cloudwatch:GetMetricData has no resource-level permissions; the go-live step reads CloudFront\'s 5xx error rate of the distribution during the bake time.',
    appliesTo: ['Resource::*'],
  }]);
}
