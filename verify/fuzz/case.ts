/**
 * A fuzz case (the stack, the construct id and every prop by its path) and how cases are generated
 * from a construct's table of props: a mix of valid and hostile values, or exactly one hostile.
 */
import * as fc from 'fast-check';
import { Sample, ValueArbitraries } from './arbitraries';

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
  /** Props by path (`source.branch`, `domain.certificate`), each with what is hostile about it. */
  readonly props: Readonly<Record<string, Sample<unknown>>>;
}

/**
 * How cases mix valid and hostile values: each prop independently valid or hostile, or one prop
 * hostile and every other valid (which pins a rejection to that prop).
 */
export type Mode = 'mixed' | 'single';

/** One prop of a construct. */
export interface PropField {
  /** Its path in the props, as error messages name it, e.g. 'buildOptions.outputDirectory'. */
  readonly path: string;
  /** Its values; a function when their validity depends on the stack (a certificate's region). */
  readonly values: ValueArbitraries<unknown> | ((stack: StackSpec) => ValueArbitraries<unknown>);
  /** Given whenever its group is. */
  readonly required?: boolean;
}

/** Props given together or not at all (`domain`, `approval`, one kind of source). */
export interface PropGroup {
  /** The prop error messages name when the group's shape is wrong, e.g. 'source'. */
  readonly name: string;
  readonly fields: PropField[];
  /** The group may be left out. */
  readonly optional?: boolean;
  /** The group's shape itself is wrong (e.g. both `repositoryName` and `repository`): only in hostile cases. */
  readonly hostileShape?: string;
}

/** A construct's props as groups: one group of each choice (the kind of source...), and each of `groups`. */
export interface PropsShape {
  readonly choices: PropGroup[][];
  readonly groups: PropGroup[];
}

/** Construct ids cases use: messages must name the right one. */
const IDS = ['Site', 'Www', 'site-2', 'Sité'];

/** Cases of a construct's props in one mode. */
export function caseArbitrary(shape: PropsShape, mode: Mode): fc.Arbitrary<FuzzCase> {
  if (mode !== 'single') {
    return fc.tuple(stackArbitrary, fc.constantFrom(...IDS)).chain(([stack, id]) => propsArbitrary(shape, mode, stack)
      .map((props) => ({ stack, id, props })));
  }
  return fc.constantFrom(...hostileTargets(shape)).chain((target) => fc.tuple(stackArbitrary, fc.constantFrom(...IDS))
    .chain(([stack, id]) => propsArbitrary(shape, mode, stack, target).map((props) => ({ stack, id, props }))));
}

/** A hostile part of a case: its path ('environments[1].name'), what is wrong, and whether it is certainly invalid. */
export interface HostilePart {
  readonly path: string;
  readonly label: string;
  readonly invalid: boolean;
}

/** The hostile parts of a case, down to the hostile part of a nested value. */
export function hostileProps(c: FuzzCase): HostilePart[] {
  return Object.entries(c.props).flatMap(([key, s]) => {
    if (s.hostile === undefined) {
      return [];
    }
    const path = key.replace(SHAPE_PREFIX, '');
    return (s.at ?? ['']).map((at) => ({ path: `${path}${at}`, label: s.hostile!, invalid: s.invalid === true }));
  });
}

/** Reads a case's prop values by path; undefined for a prop the case leaves out. */
export function propReader(c: FuzzCase): <T>(path: string) => T | undefined {
  return <T>(path: string) => c.props[path]?.value as T | undefined;
}

/** Whether a case gives any prop of a group (`domain`: any `domain.*` prop). */
export function hasGroup(c: FuzzCase, group: string): boolean {
  return Object.keys(c.props).some((key) => key.startsWith(`${group}.`));
}

/** A case as one line of JSON: stack, id, each prop's value, then the hostile props and why. */
export function describeCase(c: FuzzCase): string {
  const props = Object.fromEntries(Object.entries(c.props).filter(([key]) => !SHAPE_PREFIX.test(key)).map(([path, s]) => [path, s.value]));
  const hostile = hostileProps(c).map((h) => `${h.path} (${h.label})`);
  return `${JSON.stringify({ stack: c.stack, id: c.id, props }, abbreviate)}; hostile: ${hostile.join(', ') || 'none'}`;
}

/** Starts the key of the marker a group with a hostile shape adds to the props ('shape:source'). */
const SHAPE_PREFIX = /^shape:/;

const stackArbitrary: fc.Arbitrary<StackSpec> = fc.record({
  region: fc.constantFrom('eu-west-1', 'us-east-1', 'eu-west-2', 'agnostic'),
  crossRegionReferences: fc.boolean(),
});

/** Which prop (group and path) a 'single' case makes hostile. */
interface Target {
  readonly group: PropGroup;
  readonly field?: PropField;
}

/** Every prop with hostile values, and every group whose shape can be wrong. */
function hostileTargets(shape: PropsShape): Target[] {
  return [...shape.choices.flat(), ...shape.groups].flatMap((group) => (group.hostileShape
    ? [{ group }]
    : group.fields.filter((field) => typeof field.values === 'function' || field.values.hostile).map((field) => ({ group, field }))));
}

/** The props of one case, by path. */
function propsArbitrary(shape: PropsShape, mode: Mode, stack: StackSpec, target?: Target): fc.Arbitrary<Record<string, Sample<unknown>>> {
  const choices = shape.choices.map((alternatives) => {
    const allowed = target && alternatives.includes(target.group)
      ? [target.group]
      : alternatives.filter((g) => !g.hostileShape || mode === 'mixed');
    return fc.oneof(...allowed.map((g) => ({ arbitrary: groupArbitrary(g, mode, stack, target), weight: g.hostileShape ? 1 : 4 })));
  });
  const groups = shape.groups.map((g) => (g.optional && g !== target?.group
    ? fc.option(groupArbitrary(g, mode, stack, target), { nil: {}, freq: 2 })
    : groupArbitrary(g, mode, stack, target)));
  return fc.tuple(...choices, ...groups).map((parts) => Object.assign({}, ...parts));
}

/** The props of one group. */
function groupArbitrary(group: PropGroup, mode: Mode, stack: StackSpec, target?: Target): fc.Arbitrary<Record<string, Sample<unknown>>> {
  const fields = Object.fromEntries(group.fields.map((field) => {
    const values = typeof field.values === 'function' ? field.values(stack) : field.values;
    const isTarget = target?.field === field;
    const value = isTarget ? values.hostile! : fieldValue(values, mode);
    return [field.path, field.required || isTarget ? value : sometimes(value)];
  }));
  const shapeMarker = group.hostileShape
    ? { [`shape:${group.name}`]: fc.constant<Sample<unknown>>({ value: group.hostileShape, hostile: group.hostileShape, invalid: true }) }
    : {};
  return fc.record({ ...fields, ...shapeMarker }).map((props) => Object.fromEntries(
    Object.entries(props).filter(([, v]) => v !== undefined),
  ) as Record<string, Sample<unknown>>);
}

/**
 * An optional prop: given in one case out of three, so cases stay small (each prop given costs
 * synthesis time, and a shrinking step to take it out again).
 */
function sometimes(value: fc.Arbitrary<Sample<unknown>>): fc.Arbitrary<Sample<unknown> | undefined> {
  return fc.oneof({ withCrossShrink: true }, { arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: value, weight: 1 });
}

/** A prop's value in a mode: in mixed cases one value in five is hostile. */
function fieldValue(values: ValueArbitraries<unknown>, mode: Mode): fc.Arbitrary<Sample<unknown>> {
  return mode === 'mixed' && values.hostile
    ? fc.oneof({ arbitrary: values.valid, weight: 4 }, { arbitrary: values.hostile, weight: 1 })
    : values.valid;
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
