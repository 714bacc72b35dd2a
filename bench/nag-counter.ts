import {
  INagLogger,
  NagLoggerComplianceData,
  NagLoggerErrorData,
  NagLoggerNonComplianceData,
  NagLoggerNotApplicableData,
  NagLoggerSuppressedData,
  NagLoggerSuppressedErrorData,
  NagMessageLevel,
} from 'cdk-nag';

/**
 * A cdk-nag logger that counts error-level findings: those left open (what `cdk synth` reports as
 * errors) and those suppressed with a reason, so a clean result can be told from a silenced one.
 * One finding is one rule on one resource (IAM5 reports each offending action or resource apart).
 */
export class NagCounter implements INagLogger {
  /** Error-level findings left open. */
  public errors = 0;
  /** Error-level findings suppressed in the code, with a reason. */
  public suppressedErrors = 0;

  public onNonCompliance(data: NagLoggerNonComplianceData): void {
    if (data.ruleLevel === NagMessageLevel.ERROR) this.errors++;
  }

  public onSuppressed(data: NagLoggerSuppressedData): void {
    if (data.ruleLevel === NagMessageLevel.ERROR) this.suppressedErrors++;
  }

  /** A rule that throws is a warning in cdk-nag (CdkNagValidationFailure), not an error. */
  public onError(_data: NagLoggerErrorData): void {}

  public onSuppressedError(_data: NagLoggerSuppressedErrorData): void {}

  public onCompliance(_data: NagLoggerComplianceData): void {}

  public onNotApplicable(_data: NagLoggerNotApplicableData): void {}
}
