import { IConstruct } from 'constructs';
import { cfnResourceOf } from './nag';

/** A finding of cfn-lint or checkov this library accepts on one resource, and why. */
export interface TemplateCheckSuppression {
  /** Rule id, e.g. 'W3005' (cfn-lint) or 'CKV_AWS_18' (checkov). */
  readonly id: string;
  /** Why the resource cannot comply. */
  readonly reason: string;
}

/**
 * Records cfn-lint suppressions in the `cfn-lint` metadata of the resource behind `construct`:
 * `config.ignore_checks`, the key cfn-lint reads, and `reasons` by rule id, which cfn-lint ignores
 * and the cfn-lint proof (verify/proofs/08-cfn-lint.ts) requires.
 *
 * @see https://github.com/aws-cloudformation/cfn-lint#metadata
 */
export function suppressCfnLintFindings(construct: IConstruct, suppressions: TemplateCheckSuppression[]): void {
  const resource = cfnResourceOf(construct);
  const current = resource.getMetadata('cfn-lint') ?? {};
  const ignored: string[] = [...current.config?.ignore_checks ?? []];
  const reasons: Record<string, string> = { ...current.reasons };
  for (const s of suppressions) {
    if (!ignored.includes(s.id)) ignored.push(s.id);
    reasons[s.id] = s.reason;
  }
  resource.addMetadata('cfn-lint', { ...current, config: { ...current.config, ignore_checks: ignored }, reasons });
}

/**
 * Records checkov suppressions in the `checkov.skip` metadata of the resource behind `construct`,
 * each with its reason as checkov's `comment`.
 *
 * @see https://www.checkov.io/2.Basics/Suppressing%20and%20Skipping%20Policies.html
 */
export function suppressCheckovFindings(construct: IConstruct, suppressions: TemplateCheckSuppression[]): void {
  const resource = cfnResourceOf(construct);
  const skip: Array<{ id: string; comment: string }> = [...resource.getMetadata('checkov')?.skip ?? []];
  for (const s of suppressions) {
    if (!skip.some((k) => k.id === s.id)) skip.push({ id: s.id, comment: s.reason });
  }
  resource.addMetadata('checkov', { skip });
}
