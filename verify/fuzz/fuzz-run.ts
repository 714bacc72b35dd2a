/**
 * The fast-check driver. Each property first runs all its cases without stopping at a failure, so
 * that every distinct cause is found; then each cause's first case is replayed (same seed, its
 * path) and shrunk to a minimal counterexample, failing only on that same cause.
 */
import * as fc from 'fast-check';
import { caseArbitrary, describeCase, FuzzCase, Mode } from './case';
import { checkCase, FuzzTarget } from './check-case';

/** One property: cases of a target's props in one mode. */
export interface FuzzProperty {
  readonly name: string;
  readonly target: FuzzTarget;
  readonly mode: Mode;
  readonly numRuns: number;
}

/** How to run the properties. */
export interface FuzzOptions {
  readonly seed: number;
  /** Time all shrinking together may take; each cause gets an equal share of what is left. */
  readonly shrinkMillis: number;
  /** Called before each case runs (the watchdog's heartbeat). */
  readonly onCase: (property: string, c: FuzzCase) => void;
}

/** A failure cause, with its shrunk counterexample. */
export interface FailureReport {
  readonly property: string;
  readonly signature: string;
  /** Error class, message and first frame (or findings) of the counterexample. */
  readonly description: string;
  readonly counterexample: string;
  readonly shrinks: number;
  /** Shrinking stopped at its time limit: the counterexample may not be minimal. */
  readonly shrinkInterrupted: boolean;
  /** Cases (of every property) that failed this way. */
  readonly occurrences: number;
}

/** What one property found. */
export interface PropertyReport {
  readonly name: string;
  readonly cases: number;
  readonly synthesized: number;
  /** Rejections by the prop the error message names first. */
  readonly rejectedBy: Record<string, number>;
  readonly failedCases: number;
  readonly casesWithTokens: number;
  /** Failure causes this property found first, each with its shrunk counterexample. */
  readonly failures: FailureReport[];
  readonly exploreMillis: number;
  readonly shrinkMillis: number;
}

/**
 * Runs every property; never throws for a failing case. A cause found by several properties is
 * shrunk once, in the first property that found it.
 */
export function runFuzz(properties: FuzzProperty[], options: FuzzOptions): PropertyReport[] {
  const explored = properties.map((p) => explore(p, options));
  const owners = new Map<string, Explored>();
  for (const e of explored) {
    for (const [signature, first] of e.causes) {
      const owner = owners.get(signature);
      if (owner) {
        owner.causes.get(signature)!.occurrences += first.occurrences;
        e.causes.delete(signature);
      } else {
        owners.set(signature, e);
      }
    }
  }
  const deadline = Date.now() + options.shrinkMillis;
  let left = owners.size;
  return explored.map((e) => {
    const started = Date.now();
    const failures = [...e.causes.entries()].map(([signature, first]) => {
      const budget = Math.max(0, (deadline - Date.now()) / left--);
      return shrink(e.property, signature, first, budget, options);
    });
    return { ...e.report, failures, shrinkMillis: Date.now() - started };
  });
}

/** The first failing case of a cause: its fast-check path (to replay it) and what happened. */
interface FirstFailure {
  readonly path: string;
  readonly case: FuzzCase;
  readonly description: string;
  occurrences: number;
}

/** A property's cases run: the counts, and the first case of each failure cause. */
interface Explored {
  readonly property: FuzzProperty;
  readonly causes: Map<string, FirstFailure>;
  readonly report: Omit<PropertyReport, 'failures' | 'shrinkMillis'>;
}

/** Runs all cases of a property, counting outcomes and keeping the first case of each failure cause. */
function explore(property: FuzzProperty, options: FuzzOptions): Explored {
  const started = Date.now();
  const causes = new Map<string, FirstFailure>();
  const rejectedBy: Record<string, number> = {};
  let cases = 0;
  let synthesized = 0;
  let failedCases = 0;
  let casesWithTokens = 0;
  const details = fc.check(fc.property(caseArbitrary(property.target.schema, property.mode), (c) => {
    const index = cases++;
    options.onCase(property.name, c);
    if (JSON.stringify(c.props).includes('"token"')) casesWithTokens++;
    const outcome = checkCase(property.target, c);
    switch (outcome.kind) {
      case 'synthesized':
        synthesized++;
        break;
      case 'rejected':
        count(rejectedBy, outcome.prop);
        break;
      case 'failed':
        failedCases++;
        if (causes.has(outcome.signature)) {
          causes.get(outcome.signature)!.occurrences++;
        } else {
          causes.set(outcome.signature, { path: String(index), case: c, description: outcome.description, occurrences: 1 });
        }
    }
    return true;
  }), { seed: options.seed, numRuns: property.numRuns });
  if (details.failed) {
    // The predicate itself threw: a bug of the fuzzer, reported rather than hidden as fewer cases.
    cases = details.numRuns;
    failedCases++;
    const description = `the fuzzer crashed: ${details.errorInstance}`;
    causes.set('fuzzer crashed', { path: details.counterexamplePath!, case: details.counterexample![0], description, occurrences: 1 });
  }
  const report = { name: property.name, cases, synthesized, rejectedBy, failedCases, casesWithTokens };
  return { property, causes, report: { ...report, exploreMillis: Date.now() - started } };
}

/** Replays the first case of a cause and shrinks it while it fails the same way. */
function shrink(property: FuzzProperty, signature: string, first: FirstFailure, millis: number, options: FuzzOptions): FailureReport {
  let last = { case: first.case, description: first.description };
  const details = fc.check(fc.property(caseArbitrary(property.target.schema, property.mode), (c) => {
    options.onCase(property.name, c);
    const outcome = checkCase(property.target, c);
    if (outcome.kind === 'failed' && outcome.signature === signature) {
      last = { case: c, description: outcome.description };
      return false;
    }
    return true;
  }), { seed: options.seed, path: first.path, interruptAfterTimeLimit: Math.max(1, millis) });
  return {
    property: property.name,
    signature,
    description: last.description,
    counterexample: describeCase(last.case),
    shrinks: details.numShrinks,
    shrinkInterrupted: details.interrupted,
    occurrences: first.occurrences,
  };
}

function count(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
