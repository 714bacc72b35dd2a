import { Token } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { Construct } from 'constructs';
import { validateIntegerRange, validationError } from '../validation';

/**
 * How many instances must stay healthy (serving the old or the new release) while a deployment
 * runs. CodeDeploy takes the other instances out of service in batches, and fails (then rolls
 * back) the deployment when fewer than this many instances are healthy.
 *
 * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/instances-health.html#minimum-healthy-hosts
 */
export class MinimumHealthyHosts {
  /**
   * At least `count` instances stay healthy; CodeDeploy deploys to the others at once.
   *
   * @param count a whole number, 0 or more, smaller than the number of instances
   */
  public static count(count: number): MinimumHealthyHosts {
    return new MinimumHealthyHosts('count', count);
  }

  /**
   * At least `percentage` percent of the instances (rounded up) stay healthy.
   *
   * @param percentage a whole number from 0 to 99
   */
  public static percentage(percentage: number): MinimumHealthyHosts {
    return new MinimumHealthyHosts('percentage', percentage);
  }

  /** 'count' or 'percentage'. */
  public readonly kind: string;

  /** The number of instances, or the percentage of the fleet. */
  public readonly value: number;

  private constructor(kind: string, value: number) {
    this.kind = kind;
    this.value = value;
  }

  /**
   * Checks the value.
   *
   * @param scope the pipeline construct; a bad value is reported against it
   * @param prop the prop the minimum was given in, for the error message
   * @internal
   */
  public _validate(scope: Construct, prop: string): void {
    if (this.kind === 'percentage') {
      validateIntegerRange(scope, `${prop}.percentage`, this.value, 0, 99);
    } else if (!Token.isUnresolved(this.value) && (!Number.isInteger(this.value) || this.value < 0)) {
      throw validationError(scope,
        `${prop}.count must be a whole number 0 or more, got '${this.value}'; it is the number of instances kept serving during a deployment`);
    }
  }

  /**
   * Creates the deployment configuration this minimum stands for (its value checked by `_validate`).
   *
   * @internal
   */
  public _bind(scope: Construct, id: string): codedeploy.IServerDeploymentConfig {
    return new codedeploy.ServerDeploymentConfig(scope, id, {
      minimumHealthyHosts: this.kind === 'percentage'
        ? codedeploy.MinimumHealthyHosts.percentage(this.value)
        : codedeploy.MinimumHealthyHosts.count(this.value),
    });
  }
}
