import { ProofResult } from '../proof';

/** One case of a template linter's proof: what was required, and what was wrong (none when it held). */
export interface CheckCase {
  readonly name: string;
  readonly problem?: string;
}

/** The proof's result from its cases: each case with a problem is a failure. */
export function resultOf(proof: string, cases: CheckCase[], details: string[]): ProofResult {
  const failures = cases.filter((c) => c.problem).map((c) => `${c.name}: ${c.problem}`);
  return { proof, tried: cases.length, passed: cases.length - failures.length, failures, details };
}

/** `W3005 x3, E3002 x1`: how often each rule occurs. */
export function summarize(rules: string[]): string {
  const counts = new Map<string, number>();
  rules.forEach((r) => counts.set(r, (counts.get(r) ?? 0) + 1));
  return [...counts].map(([r, n]) => `${r} x${n}`).join(', ') || 'none';
}
