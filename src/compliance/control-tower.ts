import { IConstruct } from 'constructs';
import { cfnResourceOf } from './nag';

/** A Control Tower proactive control this library accepts failing on one resource, and why. */
export interface ControlSuppression {
  /** Control id, e.g. 'CT.S3.PR.2'. */
  readonly id: string;
  /** Why the resource cannot comply. */
  readonly reason: string;
}

/**
 * Records suppressions in the `guard.SuppressedRules` metadata of the resource behind `construct`
 * (the AWS Guard Rules Registry's key), each with its reason. The bundled Control Tower rules do
 * not read it; the compliance proof (verify/proofs/03-compliance.ts) does.
 */
export function suppressControlFindings(construct: IConstruct, suppressions: ControlSuppression[]): void {
  const resource = cfnResourceOf(construct);
  const guard = resource.cfnOptions.metadata?.guard ?? {};
  const rules: ControlSuppression[] = [...guard.SuppressedRules ?? []];
  for (const s of suppressions) {
    if (!rules.some((r) => r.id === s.id)) {
      rules.push({ id: s.id, reason: s.reason });
    }
  }
  resource.addMetadata('guard', { ...guard, SuppressedRules: rules });
}
