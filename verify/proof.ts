/** What one proof found: how many cases it tried, and what failed. */
export interface ProofResult {
  /** Short name shown in the table, e.g. 'IAM: roles do their job and nothing else'. */
  readonly proof: string;
  /** Cases tried (calls simulated, generated inputs, pages opened...). */
  readonly tried: number;
  /** Cases that behaved as required. */
  readonly passed: number;
  /** One line per failed case, saying what was expected and what happened. */
  readonly failures: string[];
  /** Extra figures printed under the table, e.g. per-pack finding counts. */
  readonly details?: string[];
}

/** A proof: a module in verify/proofs/ whose default export is one of these. */
export interface Proof {
  /** Runs the proof; never throws for a failed case (it is reported in `failures`). */
  run(): Promise<ProofResult>;
}
