/**
 * Generates props from a schema: each optional prop given in one case out of three, each leaf from
 * its hint, one factory of each alternative, lists of distinct elements, and the rules across props
 * kept (or, on purpose, broken). Every generated value carries its hostile parts, at the paths
 * error messages name them, found on the value as it is finally passed.
 */
import * as fc from 'fast-check';
import { Sample, ValueArbitraries } from './arbitraries';
import type { Mode, StackSpec } from './case';
import { Constraint, Field, ListHint, OneOf, Rule, Schema, StructValue } from './schema';

/** A hostile part of a value: where (relative to the value: '', '.port', '[1].name'), what is wrong, and whether AWS would refuse it. */
export interface HostilePart {
  readonly path: string;
  readonly label: string;
  readonly invalid: boolean;
}

/** A generated value and its hostile parts. */
export interface Node {
  readonly value: unknown;
  readonly parts: HostilePart[];
}

/** One step towards what a 'single' case makes hostile. */
export type Step =
  | { readonly field: string }
  | { readonly factory: string }
  | { readonly element: true }
  | { readonly hostileList: true }
  | { readonly rule: Rule; readonly broken: 'both' | 'neither' | 'constraint' };

/** What a 'single' case makes hostile, a prop's value or a rule: the steps from the props to it. */
export type Target = Step[];

/** How values are generated: the mode, and the stack (some values are valid in some regions only). */
export interface Generation {
  readonly mode: Mode;
  readonly stack: StackSpec;
}

/** Every prop with hostile values and every rule a case can break on purpose, each a target of 'single' cases. */
export function targetsOf(schema: Schema): Target[] {
  const within = (step: Step, inner: Target[]) => inner.map((t) => [step, ...t]);
  switch (schema.kind) {
    case 'hinted':
      return typeof schema.hint.values === 'function' || schema.hint.values.hostile ? [[]] : [];
    case 'struct':
      return [
        ...schema.rules.flatMap((rule) => ruleBreaks(rule).map((broken): Target => [{ rule, broken }])),
        ...schema.fields.flatMap((f) => within({ field: f.name }, targetsOf(f.schema))),
      ];
    case 'list':
      return [...schema.hint.hostile ? [[{ hostileList: true } as Step]] : [], ...within({ element: true }, targetsOf(schema.element))];
    case 'factories':
      return schema.factories.flatMap((f) => f.parameters.flatMap((p) =>
        within({ factory: f.name }, within({ field: p.name }, targetsOf(p.schema)))));
    default:
      return [];
  }
}

/** The values of a schema: in 'single' cases valid but for the target `steps` lead to. */
export function arbitraryOf(schema: Schema, g: Generation, steps?: Step[]): fc.Arbitrary<Node> {
  switch (schema.kind) {
    case 'hinted': return hintedArbitrary(schema.hint.values, g, steps);
    case 'boolean': return fc.boolean().map((value) => ({ value, parts: [] }));
    case 'enum': return fc.constantFrom(...schema.members).map((value) => ({ value, parts: [] }));
    case 'struct': return structArbitrary(schema.fields, schema.rules, g, steps);
    case 'list': return listArbitrary(schema.element, schema.hint, g, steps);
    case 'factories': return factoriesArbitrary(schema, g, steps);
  }
}

/** A leaf: valid values, hostile ones for the target, and in mixed cases one hostile value in five. */
function hintedArbitrary(values: ValueArbitraries<unknown> | ((stack: StackSpec) => ValueArbitraries<unknown>), g: Generation,
  steps?: Step[]): fc.Arbitrary<Node> {
  const { valid, hostile } = typeof values === 'function' ? values(g.stack) : values;
  const samples = steps && hostile ? hostile
    : g.mode === 'mixed' && hostile ? fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: hostile, weight: 1 })
      : valid;
  return samples.map(nodeOf);
}

/** A struct: its fields (those of a one-of rule chosen together), then its rules kept or broken, then its hostile parts. */
function structArbitrary(fields: Field[], rules: Rule[], g: Generation, steps?: Step[]): fc.Arbitrary<Node> {
  const [step, ...rest] = steps ?? [];
  const targetField = step && 'field' in step ? step.field : undefined;
  const targetRule = step && 'rule' in step ? step : undefined;
  const oneOfs = rules.filter((r): r is OneOf => r.kind === 'oneOf');
  const constraints = rules.filter((r): r is Constraint => r.kind === 'constraint');
  const chosenTogether = new Set(oneOfs.flatMap((r) => r.members));
  const fieldOf = (name: string) => fields.find((f) => f.name === name)!;
  const fieldArbitrary = (f: Field, required: boolean) => {
    const value = arbitraryOf(f.schema, g, f.name === targetField ? rest : undefined);
    const coversAbsence = f.schema.kind === 'hinted' && f.schema.hint.coversAbsence;
    return required || !f.optional || f.name === targetField || coversAbsence ? value : sometimes(value);
  };
  const free = fc.record(Object.fromEntries(fields.filter((f) => !chosenTogether.has(f.name)).map((f) => [f.name, fieldArbitrary(f, false)])));
  const chosen = oneOfs.map((rule) => {
    const alternatives = oneOfAlternatives(rule, g, targetRule?.rule === rule ? targetRule.broken : undefined,
      rule.members.includes(targetField ?? '') ? targetField : undefined);
    return fc.oneof(...alternatives.map(({ members, weight }) => ({
      weight,
      arbitrary: fc.record(Object.fromEntries(members.map((m) => [m, fieldArbitrary(fieldOf(m), true)]))),
    })));
  });
  // In mixed cases one rule in five is broken on purpose (if it can be); in single cases only the target.
  const decisions = constraints.map((rule) => (targetRule?.rule === rule ? fc.constant(true)
    : g.mode === 'mixed' && rule.break ? fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 })
      : fc.constant(false)));
  return fc.tuple(free, fc.tuple(...chosen), fc.tuple(...decisions)).map(([freeNodes, chosenNodes, breaks]) => {
    let nodes = present({ ...freeNodes, ...Object.assign({}, ...chosenNodes) });
    constraints.forEach((rule, i) => {
      if (!breaks[i]) nodes = reconcile(nodes, rule.keep(valuesOf(nodes), (name) => (nodes[name]?.parts.length ?? 0) > 0));
    });
    constraints.forEach((rule, i) => {
      if (breaks[i] && rule.break) nodes = reconcile(nodes, rule.break(valuesOf(nodes)));
    });
    const value = valuesOf(nodes);
    return {
      value,
      parts: [
        ...Object.entries(nodes).flatMap(([name, node]) => prefixed(node.parts, `.${name}`)),
        ...rules.flatMap((rule) => ruleParts(rule, value, g.stack)),
      ],
    };
  });
}

/** The members given together by the alternatives of a one-of rule, valid ones four times as often as the broken ones. */
function oneOfAlternatives(rule: OneOf, g: Generation, broken?: 'both' | 'neither' | 'constraint', member?: string): Array<{ members: string[]; weight: number }> {
  if (member) return [{ members: [member], weight: 1 }];
  const validOnes = [...rule.members.map((m) => [m]), ...rule.required ? [] : [[]]].map((members) => ({ members, weight: 4 }));
  const brokenOnes = ruleBreaks(rule).filter((b) => !broken || b === broken)
    .map((b) => ({ members: b === 'both' ? rule.members : [], weight: 1 }));
  if (broken) return brokenOnes;
  return g.mode === 'mixed' ? [...validOnes, ...brokenOnes] : validOnes;
}

/**
 * A list of elements that differ in the hint's distinct prop (a repeat is one of the hint's hostile
 * lists); in 'single' cases one hostile element, or one of the hint's hostile lists.
 */
function listArbitrary(element: Schema, hint: ListHint, g: Generation, steps?: Step[]): fc.Arbitrary<Node> {
  const [step, ...rest] = steps ?? [];
  if (step && 'hostileList' in step) {
    return hint.hostile!.map(nodeOf);
  }
  const key = (node: Node) => JSON.stringify(hint.distinct ? (node.value as StructValue)[hint.distinct] : node.value);
  const elements = (constraints: { minLength: number; maxLength: number }) =>
    fc.uniqueArray(arbitraryOf(element, g), { ...constraints, selector: key });
  let lists: fc.Arbitrary<Node[]>;
  if (step && 'element' in step) {
    // The hostile element among valid ones, none of which shares its distinct prop.
    lists = fc.tuple(elements({ minLength: 0, maxLength: hint.maxLength - 1 }), arbitraryOf(element, g, rest), fc.nat())
      .map(([others, target, at]) => {
        const kept = others.filter((o) => key(o) !== key(target));
        return [...kept.slice(0, at % (kept.length + 1)), target, ...kept.slice(at % (kept.length + 1))];
      });
  } else {
    lists = elements(hint);
  }
  const list = lists.map((nodes): Node => ({
    value: nodes.map((n) => n.value),
    parts: nodes.flatMap((n, i) => prefixed(n.parts, `[${i}]`)),
  }));
  return g.mode === 'mixed' && hint.hostile && !step
    ? fc.oneof({ arbitrary: list, weight: 4 }, { arbitrary: hint.hostile.map(nodeOf), weight: 1 })
    : list;
}

/**
 * One of the factories of an abstract class, as `{ factory: parameter }` (or a list of parameters).
 * The props of a struct parameter are named after the prop itself ('target.minCapacity'); any
 * other parameter is named as the prop ('target').
 */
function factoriesArbitrary(schema: Extract<Schema, { kind: 'factories' }>, g: Generation, steps?: Step[]): fc.Arbitrary<Node> {
  const [step, ...rest] = steps ?? [];
  const [field, ...inner] = rest;
  const chosen = step && 'factory' in step ? schema.factories.filter((f) => f.name === step.factory) : schema.factories;
  return fc.oneof(...chosen.map((factory) => {
    const parameters = factory.parameters.map((p) => {
      const value = arbitraryOf(p.schema, g, field && 'field' in field && field.field === p.name ? inner : undefined);
      return p.optional ? sometimes(value) : value;
    });
    return fc.tuple(...parameters).map((nodes): Node => ({
      value: { [factory.name]: nodes.length === 1 ? nodes[0]?.value : nodes.map((n) => n?.value) },
      parts: nodes.flatMap((n, i) => (n === undefined ? [] : factory.parameters[i].schema.kind === 'struct' ? n.parts : prefixed(n.parts, '', true))),
    }));
  }));
}

/** The ways a rule can be broken on purpose. */
function ruleBreaks(rule: Rule): Array<'both' | 'neither' | 'constraint'> {
  if (rule.kind === 'oneOf') return rule.required ? ['both', 'neither'] : ['both'];
  return rule.break ? ['constraint'] : [];
}

function ruleLabel(rule: Rule, broken: 'both' | 'neither' | 'constraint'): string {
  if (rule.kind === 'constraint') return rule.label;
  return broken === 'both' ? `both ${rule.members.join(' and ')}` : `neither ${rule.members.join(' nor ')}`;
}

/** The hostile parts a struct's value has by breaking a rule. */
function ruleParts(rule: Rule, value: StructValue, stack: StackSpec): HostilePart[] {
  if (rule.kind === 'constraint') {
    return rule.broken(value, stack).map((path) => ({ path, label: rule.label, invalid: rule.severity === 'invalid' }));
  }
  const given = rule.members.filter((m) => value[m] !== undefined).length;
  const broken = given > 1 ? 'both' : given === 0 && rule.required ? 'neither' : undefined;
  return broken ? rule.names.map((path) => ({ path, label: ruleLabel(rule, broken), invalid: true })) : [];
}

/** Rebuilds the nodes of a struct after a rule changed its value: unchanged props keep their parts, new values have none. */
function reconcile(nodes: Record<string, Node>, value: StructValue): Record<string, Node> {
  const unchanged = (name: string, v: unknown) => name in nodes && Object.is(nodes[name].value, v);
  return present(Object.fromEntries(Object.entries(value).map(([name, v]) => [name, unchanged(name, v) ? nodes[name] : { value: v, parts: [] }])));
}

function valuesOf(nodes: Record<string, Node>): StructValue {
  return Object.fromEntries(Object.entries(nodes).map(([name, node]) => [name, node.value]));
}

/** The given props: those with a value, and those left out on purpose (a hostile absence). */
function present(nodes: Record<string, Node | undefined>): Record<string, Node> {
  const given = (node: Node | undefined): node is Node => node !== undefined && (node.value !== undefined || node.parts.length > 0);
  return Object.fromEntries(Object.entries(nodes).filter((e): e is [string, Node] => given(e[1])));
}

function prefixed(parts: HostilePart[], prefix: string, collapse = false): HostilePart[] {
  return parts.map((p) => ({ ...p, path: collapse ? prefix : `${prefix}${p.path}` }));
}

/** A hint's sample as a node: its hostile label at each of its paths. */
function nodeOf(s: Sample<unknown>): Node {
  return {
    value: s.value,
    parts: s.hostile === undefined ? [] : (s.at ?? ['']).map((path) => ({ path, label: s.hostile!, invalid: s.invalid === true })),
  };
}

/**
 * An optional prop: given in one case out of three, so cases stay small (each prop given costs
 * synthesis time, and a shrinking step to take it out again).
 */
function sometimes(value: fc.Arbitrary<Node>): fc.Arbitrary<Node | undefined> {
  return fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: value, weight: 1 });
}
