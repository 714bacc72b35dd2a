/**
 * A construct's props as the fuzz generates them: the structure derived from the jsii assembly
 * (structs, optional props, enums, lists, factories), and at each leaf the hand-written hint that
 * says which values are valid and which hostile. What the assembly cannot say is in the hints:
 * values and their ranges, how another library's object is made, and rules across props.
 */
import { Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { Sample, Severity, ValueArbitraries } from './arbitraries';
import { Assembly, TypeRef } from './assembly';
import type { StackSpec } from './case';

/** What a hint's `build` gets besides the generated value. */
export interface BuildContext {
  readonly stack: Stack;
  readonly spec: StackSpec;
  /** The prop's path as messages name it ('environments[1].target'); unique in a case, so it names construct ids. */
  readonly path: string;
  /** A construct id for something the prop's value needs, unique in the case. */
  readonly id: string;
  /** Something a case makes once and shares (a VPC, the first Auto Scaling group), made by `make` on first use. */
  shared<T>(name: string, make: () => T): T;
}

/** The values of a prop (or of every prop of a type another library defines) and how a value is built. */
export interface ValueHint<S = any> {
  /** Valid and hostile values; a function when their validity depends on the stack (a certificate's region). */
  readonly values: ValueArbitraries<S> | ((stack: StackSpec) => ValueArbitraries<S>);
  /**
   * Makes the prop's value from a generated one. Without it, strings and numbers (also in lists and
   * maps) become literals or tokens (tokens.ts) and anything else is passed as it is.
   */
  readonly build?: (value: S, at: BuildContext) => unknown;
  /** The values include `undefined` (the prop left out), valid or hostile: the fuzz adds no absence of its own. */
  readonly coversAbsence?: boolean;
}

/** Bounds and hostile values of a list whose elements are derived (`environments`). */
export interface ListHint {
  readonly minLength: number;
  readonly maxLength: number;
  /** A prop of each element no two elements share ('name'): generated lists never repeat it. */
  readonly distinct?: string;
  /** Hostile lists besides those with a hostile element (none, a shared target...). */
  readonly hostile?: fc.Arbitrary<Sample<unknown[]>>;
}

/** A struct's value as a rule sees it: each given prop's generated value. */
export type StructValue = Readonly<Record<string, unknown>>;

/** Props of a struct of which a valid value gives exactly one (`required`) or at most one. */
export interface OneOf {
  readonly kind: 'oneOf';
  /** The interface declaring the props; the rule holds in every struct extending it. */
  readonly struct: string;
  readonly members: string[];
  readonly required: boolean;
  /** The props a rejection names, relative to the struct: '' for the struct itself, '.target'. */
  readonly names: string[];
}

/** A rule across the props of a struct that no single prop's values can state. */
export interface Constraint {
  readonly kind: 'constraint';
  readonly struct: string;
  /** What is wrong when it is broken ('releasesToKeep with IN_PLACE'). */
  readonly label: string;
  readonly severity: Severity;
  /** Where a rejection names the problem (relative to the struct, '.releasesToKeep'), or none while the rule holds. */
  broken(value: StructValue, stack: StackSpec): string[];
  /**
   * A value that keeps the rule, made by removing props or setting one to a constant (never by
   * editing inside a prop, whose hostile parts would be lost); `hostile(prop)` says which props
   * carry a hostile value that should stay.
   */
  keep(value: StructValue, hostile: (prop: string) => boolean): StructValue;
  /** A value that breaks the rule, made from a valid one in the same way; absent when no case breaks it on purpose. */
  break?(value: StructValue): StructValue;
}

export type Rule = OneOf | Constraint;

/** Everything the assembly cannot say, for all constructs. */
export interface Hints {
  /** Leaf values, by member key ('BuildOptions.timeout', 'DeploymentTarget.ec2Tags.tags') or by type ('aws-cdk-lib.aws_sns.ITopic'). */
  readonly values: Record<string, ValueHint>;
  /** Lists of derived elements, by member key. */
  readonly lists: Record<string, ListHint>;
  readonly rules: Rule[];
}

/** A prop of a struct, or a parameter of a factory. */
export interface Field {
  readonly name: string;
  readonly key: string;
  readonly optional: boolean;
  readonly schema: Schema;
}

/** What the fuzz generates for a type. */
export type Schema =
  | { readonly kind: 'hinted'; readonly key: string; readonly type: TypeRef; readonly hint: ValueHint }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'enum'; readonly name: string; readonly members: string[] }
  | { readonly kind: 'struct'; readonly name: string; readonly fields: Field[]; readonly rules: Rule[] }
  | { readonly kind: 'list'; readonly element: Schema; readonly hint: ListHint }
  | { readonly kind: 'factories'; readonly name: string; readonly factories: Array<{ readonly name: string; readonly parameters: Field[] }> };

/** Lists of derived elements without a hint: one or two elements, none of them hostile as a list. */
const DEFAULT_LIST: ListHint = { minLength: 1, maxLength: 2 };

/** The schemas of every construct of the assembly, or the props the hints do not cover (and hints nothing uses). */
export function deriveSchemas(assembly: Assembly, hints: Hints): Array<{ construct: string; schema: Schema }> {
  const used = new Set<string>();
  const missing: string[] = [];
  const schemas = assembly.constructs().map(({ construct, props }) => ({
    construct,
    schema: new Deriver(assembly, hints, used, missing).struct(props),
  }));
  const unused = [...Object.keys(hints.values), ...Object.keys(hints.lists), ...hints.rules.map((r) => r.struct)].filter((key) => !used.has(key));
  if (missing.length || unused.length) {
    throw new Error([
      ...[...new Set(missing)].map((m) => `the fuzz has no values for ${m}: add a hint to verify/fuzz/hints/ (which values are valid, which hostile)`),
      ...[...new Set(unused)].map((key) => `the fuzz has a hint for ${key}, which no prop of the assembly is: remove or rename it`),
    ].join('\n'));
  }
  return schemas;
}

/** Walks the assembly from a props struct, taking each leaf's hint and noting the hints used and missing. */
class Deriver {
  /** The structs and classes being derived: one that contains itself needs a hint to end it. */
  private readonly within = new Set<string>();

  constructor(private readonly assembly: Assembly, private readonly hints: Hints,
    private readonly used: Set<string>, private readonly missing: string[]) {}

  public struct(fqn: string): Schema {
    const lineage = this.assembly.lineage(fqn);
    const rules = this.hints.rules.filter((r) => lineage.includes(r.struct));
    rules.forEach((r) => this.used.add(r.struct));
    const fields = this.assembly.members(fqn).map((m) => ({ name: m.name, key: m.key, optional: m.optional, schema: this.member(m.key, m.type) }));
    return { kind: 'struct', name: this.assembly.nameOf(fqn), fields, rules };
  }

  /** A member's schema: its hint if it has one, else derived from its type. */
  private member(key: string, type: TypeRef): Schema {
    const hint = this.hints.values[key];
    if (hint) {
      this.used.add(key);
      return { kind: 'hinted', key, type, hint };
    }
    return this.derived(key, type);
  }

  private derived(key: string, type: TypeRef): Schema {
    if ('primitive' in type && type.primitive === 'boolean') {
      return { kind: 'boolean' };
    }
    if ('collection' in type && type.collection.kind === 'array' && this.isDerivable(type.collection.elementtype)) {
      const hint = this.hints.lists[key] ?? DEFAULT_LIST;
      this.used.add(key);
      return { kind: 'list', element: this.derived(`${key}[]`, type.collection.elementtype), hint };
    }
    if ('fqn' in type && !this.within.has(type.fqn)) {
      switch (this.assembly.kindOf(type.fqn)) {
        case 'struct': return this.inside(type.fqn, () => this.struct(type.fqn));
        case 'enum': return { kind: 'enum', name: this.assembly.nameOf(type.fqn), members: this.assembly.enumMembers(type.fqn) };
        case 'factories': return this.inside(type.fqn, () => this.factories(type.fqn));
        default: {
          const byType = this.hints.values[type.fqn];
          if (byType) {
            this.used.add(type.fqn);
            return { kind: 'hinted', key, type, hint: byType };
          }
        }
      }
    }
    this.missing.push(`${key} (${describe(type)})`);
    return { kind: 'boolean' };
  }

  private factories(fqn: string): Schema {
    return {
      kind: 'factories',
      name: this.assembly.nameOf(fqn),
      factories: this.assembly.factories(fqn).map((f) => ({
        name: f.name,
        parameters: f.parameters.map((p) => ({ name: p.name, key: p.key, optional: p.optional, schema: this.member(p.key, p.type) })),
      })),
    };
  }

  private inside(fqn: string, derive: () => Schema): Schema {
    this.within.add(fqn);
    try {
      return derive();
    } finally {
      this.within.delete(fqn);
    }
  }

  /** Whether elements of this type need no hint: structs, enums, factories and booleans. */
  private isDerivable(type: TypeRef): boolean {
    return ('primitive' in type && type.primitive === 'boolean') || ('fqn' in type && this.assembly.kindOf(type.fqn) !== 'other');
  }
}

/** A type reference as TypeScript would write it. */
function describe(type: TypeRef): string {
  if ('primitive' in type) return type.primitive;
  if ('fqn' in type) return type.fqn;
  if ('union' in type) return type.union.types.map(describe).join(' | ');
  return type.collection.kind === 'array' ? `${describe(type.collection.elementtype)}[]` : `Record<string, ${describe(type.collection.elementtype)}>`;
}
