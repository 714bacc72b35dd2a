/**
 * Bad input never crashes: fast-check generates props of every construct, derived from
 * the jsii assembly (each prop, its type, whether it is optional) with hand-written hints for the
 * values (valid and hostile: empty, too long, malformed, unicode, tokens, wrong regions...) and the
 * rules across props. Every case must either synthesize a clean template (no cdk-nag error, no CDK
 * warning but cdk-nag's and the constructs' own, no Lambda function) or be rejected by the
 * construct's own validation error naming a prop it got a hostile value for. A TypeError, an
 * aws-cdk-lib error, a rejected valid value, a certainly invalid value accepted, or a hang is a
 * failure, reported with its shrunk counterexample; so is a prop the hints do not cover.
 */
import { checkDerivationControls } from '../fuzz/derivation-controls';
import { PropertyReport } from '../fuzz/fuzz-run';
import { fuzzTargets } from '../fuzz/properties';
import { runWatched } from '../fuzz/watchdog';
import { Proof, ProofResult } from '../proof';

const NAME = 'Fuzz: bad props are rejected, never crash';

/** Fixed, so that every run tries the same cases; FUZZ_SEED explores others. */
const SEED = Number(process.env.FUZZ_SEED ?? 20260501);

/** Multiplies the cases of every property and the time to shrink (FUZZ_SCALE=10 for a long local run). */
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);

const LIMITS = {
  // One case synthesizes in well under a second; a minute means it hangs.
  idleMillis: 60_000,
  totalMillis: 10 * 60_000 * Math.max(1, SCALE),
};

/** Time given to shrinking all failure causes together (more with FUZZ_SCALE, for minimal counterexamples). */
const SHRINK_MILLIS = 20_000 * SCALE;

const proof: Proof = {
  async run(): Promise<ProofResult> {
    const controls = checkDerivationControls();
    const controlsPassed = controls.tried - controls.failures.length;
    const refused = propsWithoutHints();
    if (refused.length) {
      return { proof: NAME, tried: controls.tried + refused.length, passed: controlsPassed, failures: [...controls.failures, ...refused] };
    }
    const run = await runWatched({ seed: SEED, scale: SCALE, shrinkMillis: SHRINK_MILLIS }, LIMITS);
    if ('stopped' in run) {
      const last = run.lastCase ? `; the case running (${run.lastCase.property}): ${run.lastCase.case}` : '';
      // Whether the cases before the last passed is unknown: none is counted as passed.
      const failures = [...controls.failures, `${run.stopped}${last}`];
      return { proof: NAME, tried: controls.tried + Math.max(1, run.casesStarted), passed: controlsPassed, failures, details: [`seed ${SEED}`] };
    }
    const reports = run.reports;
    return {
      proof: NAME,
      tried: controls.tried + sum(reports, (r) => r.cases),
      passed: controlsPassed + sum(reports, (r) => r.cases - r.failedCases),
      failures: [...controls.failures, ...reports.flatMap((r) => r.failures.map((f) =>
        `${f.property}: ${f.description}; counterexample (${f.occurrences} case(s) failed this way, shrunk ${f.shrinks} times` +
        `${f.shrinkInterrupted ? ', shrinking stopped at its time limit' : ''}): ${f.counterexample}`))],
      details: [`derivation: ${controls.tried} negative controls (a prop without values, a hint without a prop, props that need no hint)`, ...details(reports)],
    };
  },
};

export default proof;

/** What the derivation refuses (props without hints, hints without props), one line each; none when it can fuzz every prop. */
function propsWithoutHints(): string[] {
  try {
    fuzzTargets();
  } catch (e) {
    return (e as Error).message.split('\n');
  }
  return [];
}

/** Seed, cases per property, outcomes, and the props rejections name. */
function details(reports: PropertyReport[]): string[] {
  const rejectedBy = merge(reports.map((r) => r.rejectedBy));
  return [
    `seed ${SEED} (FUZZ_SEED=<n> tries other cases, FUZZ_SCALE=<n> multiplies them)`,
    ...reports.map((r) => `${r.name}: ${r.cases} cases, ${r.synthesized} synthesized, ` +
      `${sum(Object.values(r.rejectedBy), (n) => n)} rejected, ${r.failedCases} failed, ${r.casesWithTokens} with tokens ` +
      `(${seconds(r.exploreMillis)} s, shrinking ${seconds(r.shrinkMillis)} s)`),
    `rejections by prop: ${top(rejectedBy, 10)}`,
  ];
}

function seconds(millis: number): string {
  return (millis / 1000).toFixed(1);
}

function sum<T>(items: T[], value: (item: T) => number): number {
  return items.reduce((n, item) => n + value(item), 0);
}

function merge(counts: Array<Record<string, number>>): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const [key, n] of counts.flatMap((c) => Object.entries(c))) {
    merged[key] = (merged[key] ?? 0) + n;
  }
  return merged;
}

/** The `n` largest counts, largest first, as 'key ×count'. */
function top(counts: Record<string, number>, n: number): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return entries.slice(0, n).map(([key, count]) => `${key} x${count}`).join(', ') || 'none';
}
