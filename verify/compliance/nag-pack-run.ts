import { Aspects, CfnResource, Stack } from 'aws-cdk-lib';
import {
  INagLogger,
  NagLoggerErrorData,
  NagLoggerNonComplianceData,
  NagLoggerSuppressedData,
  NagLoggerSuppressedErrorData,
  NagMessageLevel,
  NagPack,
  NagPackProps,
} from 'cdk-nag';
import { synthesize } from './synth';

/** What one rule of a pack found on one resource, when it was not simply compliant. */
export interface NagFinding {
  readonly stack: string;
  /** Construct path of the resource, e.g. `StaticSiteExample/Site/Artifacts/Resource`. */
  readonly path: string;
  /** Rule id with the pack prefix, e.g. `NIST.800.53.R5-S3BucketReplicationEnabled`. */
  readonly ruleId: string;
  /** The exact finding of a granular rule (e.g. `Resource::<Bucket.Arn>/*`); empty otherwise. */
  readonly findingId: string;
  /** The rule's one-line text, without the list of control ids. */
  readonly info: string;
  /**
   * `error`/`warning`: unsuppressed, at the rule's level; `suppressed`: suppressed on the resource;
   * `suppressed-elsewhere`: suppressed, but not by the resource's own metadata (a stack-wide
   * suppression); `rule-error`: the rule threw while checking the resource.
   */
  readonly outcome: 'error' | 'warning' | 'suppressed' | 'suppressed-elsewhere' | 'rule-error';
  /** Why the finding is suppressed, or the rule's exception. */
  readonly detail?: string;
}

/** The result of applying one pack to a set of stacks. */
export interface NagPackRun {
  /** Rule checks of resources the rules apply to (compliant or not). */
  readonly checks: number;
  /** Every check that was not compliant. */
  readonly findings: NagFinding[];
}

/**
 * Applies the pack made by `createPack` to each stack, synthesizes them, and returns what every
 * rule found. The pack logs to a collector rather than to annotations only, because annotations
 * do not say which findings were suppressed or why.
 */
export function runNagPack(createPack: (props: NagPackProps) => NagPack, stacks: Stack[]): NagPackRun {
  const collector = new FindingCollector();
  for (const stack of stacks) {
    // No CSV reports: they would be written into each app's output directory for nothing.
    Aspects.of(stack).add(createPack({ reports: false, additionalLoggers: [collector] }));
  }
  synthesize(stacks);
  return { checks: collector.checks, findings: collector.findings };
}

/** An `INagLogger` that keeps every non-compliant, suppressed and failed check in memory. */
class FindingCollector implements INagLogger {
  public checks = 0;
  public readonly findings: NagFinding[] = [];

  public onCompliance(): void {
    this.checks++;
  }

  public onNotApplicable(): void {
    // Not a check: the rule does not concern this kind of resource.
  }

  public onNonCompliance(data: NagLoggerNonComplianceData): void {
    this.add(data, data.findingId, data.ruleLevel === NagMessageLevel.ERROR ? 'error' : 'warning');
  }

  public onSuppressed(data: NagLoggerSuppressedData): void {
    const outcome = suppressedOnResource(data.resource, data.ruleId) ? 'suppressed' : 'suppressed-elsewhere';
    this.add(data, data.findingId, outcome, data.suppressionReason);
  }

  public onError(data: NagLoggerErrorData): void {
    this.add(data, '', 'rule-error', data.errorMessage);
  }

  public onSuppressedError(data: NagLoggerSuppressedErrorData): void {
    this.add(data, '', 'suppressed', data.errorSuppressionReason);
  }

  private add(data: NagLoggerErrorData | NagLoggerNonComplianceData, findingId: string, outcome: NagFinding['outcome'], detail?: string): void {
    this.checks++;
    this.findings.push({
      stack: Stack.of(data.resource).stackName,
      path: data.resource.node.path,
      ruleId: data.ruleId,
      findingId,
      info: data.ruleInfo.replace(/ - \(Control IDs?: .*\)\.?$/, ''),
      outcome,
      detail,
    });
  }
}

/** Whether the resource's own `cdk_nag` metadata suppresses `ruleId` (rather than its stack's). */
function suppressedOnResource(resource: CfnResource, ruleId: string): boolean {
  const rules: Array<{ id?: string }> = resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
  return rules.some((rule) => rule.id === ruleId);
}
