import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { validationError } from '../validation';

/** The traffic steps of a blue/green release when none are given: a tenth, then all of it. */
const DEFAULT_TRAFFIC_PERCENTAGES = [10, 100];
/** Each step is a pipeline action; a few steps are a canary, dozens would be a slow rollout. */
const MAX_TRAFFIC_STEPS = 10;
const MAX_PATHS = 20;
const MAX_PATH_LENGTH = 200;
/** Group stickiness of a forward action: 1 second to 7 days. */
const MAX_STICKINESS_SECONDS = 604800;
/** Beyond a week the previous fleet is a second production fleet, not a rollback target. */
const MAX_ROLLBACK_WINDOW = Duration.days(7);

/**
 * How a blue/green release of a managed fleet checks and shifts traffic.
 *
 * The pipeline keeps two fleets of the same shape behind the load balancer. A release deploys to
 * the fleet that serves nobody (scaled out to the live fleet's size first), checks it through the
 * load balancer with a secret header only the release knows, then shifts traffic to it in steps,
 * each watched for a bake time on the new fleet's own metrics and the alarms. A breach sends all
 * traffic back to the previous fleet at once and fails the execution. The previous fleet keeps
 * running for the rollback window, so a rollback is one load balancer change.
 */
export interface BlueGreenReleaseOptions {
  /**
   * The share of traffic (percent) the new fleet gets at each step, in order; each step is held
   * for `bakeTime`. Whole numbers, increasing, the last one 100, at most 10 steps.
   *
   * @default [10, 100]
   */
  readonly trafficPercentages?: number[];

  /**
   * How long each traffic step is watched before the next one. Zero judges each step once. At
   * most 12 minutes on Lambda compute (a step there stops after 15 minutes), 17 on EC2 compute.
   *
   * @default Duration.minutes(5)
   */
  readonly bakeTime?: Duration;

  /**
   * The share of the new fleet's requests (percent) answered with 5xx by the application in one
   * minute, among at least 10 requests, that rolls the release back. The new fleet's unhealthy
   * hosts and the environment's `alarms` roll it back too.
   *
   * @default 1
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
   */
  readonly maxErrorRatePercent?: number;

  /**
   * Paths requested through the load balancer, besides the health check path, before any user
   * reaches the new fleet; each must answer 200. At most 20, each starting with `/`.
   *
   * @default - the health check path only
   */
  readonly paths?: string[];

  /**
   * How long the previous fleet keeps running after a release went live, so that a rollback only
   * moves traffic back (seconds). Afterwards it is scaled in to no instances, and a rollback first
   * scales it out again (minutes). At most 7 days; zero scales it in at once.
   *
   * @default Duration.hours(1) - about 2 US cents a release for two t3.micro instances
   */
  readonly rollbackWindow?: Duration;

  /**
   * Keep each user on the fleet they first reached, for this long, while traffic is split
   * (load balancer group stickiness, a cookie). Stickiness outranks the weights until it expires,
   * so a rollback turns it off in the same call that moves the traffic. 1 second to 7 days.
   *
   * @default - no stickiness: each request goes by the weights
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#forward-actions
   */
  readonly stickiness?: Duration;
}

/** Blue/green options after checking, as the pipeline uses them. */
export interface BlueGreenSettings {
  readonly trafficPercentages: number[];
  readonly bakeTime: Duration;
  readonly maxErrorRatePercent: number;
  readonly paths: string[];
  readonly rollbackWindow: Duration;
  readonly stickiness?: Duration;
  /** The prop the options were given in, for later errors (e.g. 'target.releaseStrategy'). */
  readonly prop: string;
}

/**
 * How a managed fleet gets a new release: in place on the instances that serve users (CodeDeploy's
 * in-place deployment, the default), or blue/green on a second fleet that users reach only once it
 * passed its checks.
 *
 * @example
 * ReleaseStrategy.blueGreen({ trafficPercentages: [10, 50, 100], bakeTime: Duration.minutes(3) });
 */
export abstract class ReleaseStrategy {
  /**
   * CodeDeploy updates the fleet's instances in place, a few at a time, taking each out of the load
   * balancer while it is updated; a rollback is a new deployment of the previous revision.
   */
  public static inPlace(): ReleaseStrategy {
    return new InPlaceStrategy();
  }

  /**
   * Two fleets of the same shape behind the load balancer: each release goes to the fleet that
   * serves nobody, is checked through the load balancer, then gets the traffic in steps, with an
   * automatic rollback in seconds. Needs the fleet's `loadBalancer`.
   */
  public static blueGreen(options: BlueGreenReleaseOptions = {}): ReleaseStrategy {
    return new BlueGreenStrategy(options);
  }

  /**
   * The checked blue/green settings, or undefined for an in-place release.
   *
   * @param scope the pipeline construct; bad options are reported against it
   * @param prop the prop the strategy was given in, e.g. 'target.releaseStrategy'
   * @internal
   */
  public abstract _blueGreen(scope: Construct, prop: string): BlueGreenSettings | undefined;
}

class InPlaceStrategy extends ReleaseStrategy {
  /** @internal */
  public _blueGreen(): BlueGreenSettings | undefined {
    return undefined;
  }
}

class BlueGreenStrategy extends ReleaseStrategy {
  constructor(private readonly options: BlueGreenReleaseOptions) {
    super();
  }

  /** @internal */
  public _blueGreen(scope: Construct, prop: string): BlueGreenSettings {
    const options = this.options ?? {};
    const trafficPercentages = options.trafficPercentages ?? DEFAULT_TRAFFIC_PERCENTAGES;
    validateTrafficPercentages(scope, `${prop}.trafficPercentages`, trafficPercentages);
    const bakeTime = options.bakeTime ?? Duration.minutes(5);
    validateLiteralDuration(scope, `${prop}.bakeTime`, bakeTime, 'Duration.minutes(5)');
    const maxErrorRatePercent = options.maxErrorRatePercent ?? 1;
    if (!Token.isUnresolved(maxErrorRatePercent) && !(maxErrorRatePercent > 0 && maxErrorRatePercent <= 100)) {
      throw validationError(scope, `${prop}.maxErrorRatePercent must be above 0 and at most 100, got '${maxErrorRatePercent}'; e.g. 1`);
    }
    const paths = options.paths ?? [];
    validatePaths(scope, `${prop}.paths`, paths);
    const rollbackWindow = options.rollbackWindow ?? Duration.hours(1);
    validateLiteralDuration(scope, `${prop}.rollbackWindow`, rollbackWindow, 'Duration.hours(1)');
    if (rollbackWindow.toSeconds({ integral: false }) > MAX_ROLLBACK_WINDOW.toSeconds()) {
      throw validationError(scope, `${prop}.rollbackWindow must be at most 7 days, got '${rollbackWindow.toHumanString()}'; `
        + 'a fleet kept longer costs as much as a second production fleet, e.g. Duration.hours(1)');
    }
    if (options.stickiness !== undefined) {
      validateStickiness(scope, `${prop}.stickiness`, options.stickiness);
    }
    return { trafficPercentages, bakeTime, maxErrorRatePercent, paths, rollbackWindow, stickiness: options.stickiness, prop };
  }
}

/** Traffic steps: 1 to 10 whole percentages, increasing, literal (each is a pipeline action), ending at 100. */
function validateTrafficPercentages(scope: Construct, prop: string, steps: number[]): void {
  const shown = `[${steps.join(', ')}]`;
  if (steps.length === 0 || steps.length > MAX_TRAFFIC_STEPS) {
    throw validationError(scope, `${prop} must list 1 to ${MAX_TRAFFIC_STEPS} steps, got '${shown}'; e.g. [10, 100]`);
  }
  if (steps.some((p) => Token.isUnresolved(p))) {
    throw validationError(scope, `${prop} must be literals, got '${shown}'; each step is a pipeline action made at synth time, e.g. [10, 100]`);
  }
  if (steps.some((p) => !Number.isInteger(p) || p < 1 || p > 100) || steps.some((p, i) => i > 0 && p <= steps[i - 1])) {
    throw validationError(scope, `${prop} must be increasing whole percentages from 1 to 100, got '${shown}'; e.g. [10, 50, 100]`);
  }
  if (steps[steps.length - 1] !== 100) {
    throw validationError(scope, `${prop} must end with 100 (the new fleet takes all traffic), got '${shown}'; e.g. [${[...steps, 100].join(', ')}]`);
  }
}

/** A duration known at synth time: its limits (some depending on the compute) are checked here. Duration itself refuses negative amounts. */
function validateLiteralDuration(scope: Construct, prop: string, duration: Duration, example: string): void {
  if (duration.isUnresolved()) {
    throw validationError(scope, `${prop} must be a literal duration, got '${duration}'; its limits are checked at synth time, e.g. ${example}`);
  }
}

/** Paths requested through the load balancer: literals starting with `/`, no spaces or fragment, a bounded list. */
function validatePaths(scope: Construct, prop: string, paths: string[]): void {
  if (paths.length > MAX_PATHS) {
    throw validationError(scope, `${prop} must list at most ${MAX_PATHS} paths, got '${paths.length}'; check the pages that matter most, e.g. ['/api/status']`);
  }
  for (const p of paths) {
    if (Token.isUnresolved(p)) {
      throw validationError(scope, `${prop} must be literals, got '${p}'; the release step reads them from its environment at run time, e.g. '/api/status'`);
    }
    if (!/^\/[^\s#]*$/.test(p) || p.length > MAX_PATH_LENGTH) {
      throw validationError(scope, `${prop} must be paths starting with '/', without spaces or fragment, at most ${MAX_PATH_LENGTH} characters, got '${p}'; e.g. '/api/status'`);
    }
  }
}

/**
 * Group stickiness of a forward action: whole seconds from 1 to 604,800 (7 days).
 *
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupStickinessConfig.html
 */
function validateStickiness(scope: Construct, prop: string, stickiness: Duration): void {
  validateLiteralDuration(scope, prop, stickiness, 'Duration.minutes(30)');
  const seconds = stickiness.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_STICKINESS_SECONDS) {
    throw validationError(scope, `${prop} must be whole seconds from 1 second to 7 days (the load balancer's limits), got '${stickiness.toHumanString()}'; e.g. Duration.minutes(30)`);
  }
}
