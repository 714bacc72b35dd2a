/**
 * A fuzz case (the stack, the construct id, the props as generated, and what is hostile in them)
 * and how cases of a construct are generated from its schema: a mix of valid and hostile values,
 * or exactly one hostile prop or broken rule.
 */
import * as fc from 'fast-check';
import { arbitraryOf, HostilePart, Node, targetsOf } from './generate';
import { Schema } from './schema';

/** The stack a case builds its construct in. */
export interface StackSpec {
  /**
   * The stack's region, or 'agnostic' for an environment-agnostic stack (region is a token);
   * eu-west-2 has no CodeBuild Lambda compute.
   */
  readonly region: 'eu-west-1' | 'us-east-1' | 'eu-west-2' | 'agnostic';
  /** `crossRegionReferences` of the stack and of any stack it takes a value from. */
  readonly crossRegionReferences: boolean;
}

/** One generated case. */
export interface FuzzCase {
  readonly stack: StackSpec;
  /** The construct's id (error messages name it). */
  readonly id: string;
  /** The props as generated (build.ts makes the real ones). */
  readonly props: unknown;
  /** What is hostile in the props, at the paths error messages name ('source.branch', 'environments[1].target'). */
  readonly hostile: HostilePart[];
}

/**
 * How cases mix valid and hostile values: each prop independently valid or hostile, or one prop
 * (or rule across props) hostile and everything else valid, which pins a rejection to it, or
 * every prop valid (the templates the linters check).
 */
export type Mode = 'mixed' | 'single' | 'valid';

/** Construct ids cases use: messages must name the right one. */
const IDS = ['Site', 'Www', 'site-2', 'Sité'];

const stackArbitrary: fc.Arbitrary<StackSpec> = fc.record({
  region: fc.constantFrom('eu-west-1', 'us-east-1', 'eu-west-2', 'agnostic'),
  crossRegionReferences: fc.boolean(),
});

/** Cases of a construct's props in one mode; the arbitraries of each stack and target are made once. */
export function caseArbitrary(schema: Schema, mode: Mode): fc.Arbitrary<FuzzCase> {
  const targets = mode === 'single' ? targetsOf(schema) : [];
  const made = new Map<string, fc.Arbitrary<Node>>();
  const propsOf = (stack: StackSpec, target: number) => {
    const key = `${JSON.stringify(stack)} ${target}`;
    if (!made.has(key)) made.set(key, arbitraryOf(schema, { mode, stack }, targets[target]));
    return made.get(key)!;
  };
  const target = targets.length ? fc.integer({ min: 0, max: targets.length - 1 }) : fc.constant(-1);
  return fc.tuple(target, stackArbitrary, fc.constantFrom(...IDS)).chain(([t, stack, id]) => propsOf(stack, t).map((node) => ({
    stack,
    id,
    props: node.value,
    hostile: node.parts.map((p) => ({ ...p, path: p.path.replace(/^\./, '') })),
  })));
}

/** A case as one line of JSON: stack, id, props, then the hostile props and why. */
export function describeCase(c: FuzzCase): string {
  const hostile = c.hostile.map((h) => `${h.path} (${h.label})`);
  return `${JSON.stringify({ stack: c.stack, id: c.id, props: c.props }, abbreviate)}; hostile: ${hostile.join(', ') || 'none'}`;
}

/** JSON replacer: long strings repeat one character or are cut, so a counterexample stays one readable line. */
function abbreviate(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) {
    return Object.is(value, -0) ? '-0' : String(value);
  }
  if (Array.isArray(value) && value.length > 20) {
    return [...value.slice(0, 3), `... ${value.length} items`];
  }
  if (typeof value !== 'string' || value.length <= 120) {
    return value;
  }
  return new Set(value).size === 1 ? `'${value[0]}' x ${value.length}` : `${value.slice(0, 100)}... (${value.length} chars)`;
}
