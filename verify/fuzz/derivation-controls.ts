/**
 * The negative controls of the derivation: the fuzz must refuse a prop it has no values for and a
 * hint no prop uses, and must fuzz a prop whose values the assembly says (a boolean) without a
 * hint. Each control changes a copy of the real assembly or hints; a control that passes is a
 * derivation that cannot fail.
 */
import { Assembly, AssemblyJson, readAssembly, TypeRef } from './assembly';
import { HINTS } from './hints';
import { deriveSchemas, Hints } from './schema';

/** The struct the controls add a prop to (every construct's build options). */
const STRUCT = 'BuildOptions';
const PROP = 'fuzzControl';

/** Runs the controls: how many, and the failures. */
export function checkDerivationControls(): { tried: number; failures: string[] } {
  const key = `${STRUCT}.${PROP}`;
  const results = [
    expectRefused(withProp({ primitive: 'string' }), HINTS, key, 'a string prop without a hint'),
    expectRefused(new Assembly(readAssembly()), { ...HINTS, values: { ...HINTS.values, 'Gone.prop': HINTS.values['BuildOptions.commands'] } },
      'Gone.prop', 'a hint for a prop the assembly does not have'),
    expectDerived(withProp({ primitive: 'boolean' }), key, 'a boolean prop without a hint'),
    expectDerived(withProp({ collection: { kind: 'array', elementtype: { fqn: fqnOf('ApprovalOptions') } } }), key, 'a list of structs without a hint'),
  ];
  return { tried: results.length, failures: results.filter((f): f is string => f !== undefined) };
}

/** The real assembly with one more optional prop of `type` in `STRUCT`. */
function withProp(type: TypeRef): Assembly {
  const json = readAssembly();
  const struct = json.types[fqnOf(STRUCT, json)];
  const properties = [...struct.properties ?? [], { name: PROP, type, optional: true }];
  return new Assembly({ ...json, types: { ...json.types, [fqnOf(STRUCT, json)]: { ...struct, properties } } });
}

function fqnOf(name: string, json: AssemblyJson = readAssembly()): string {
  return `${json.name}.${name}`;
}

function expectRefused(assembly: Assembly, hints: Hints, key: string, what: string): string | undefined {
  try {
    deriveSchemas(assembly, hints);
  } catch (e) {
    return (e as Error).message.includes(key) ? undefined : `${what}: the derivation failed without naming ${key}: ${(e as Error).message}`;
  }
  return `${what} (${key}) was accepted: the fuzz would not say that it cannot fuzz a prop`;
}

/** The derivation must not ask for a hint for `key` (other props it refuses are the real assembly's failures). */
function expectDerived(assembly: Assembly, key: string, what: string): string | undefined {
  try {
    deriveSchemas(assembly, HINTS);
  } catch (e) {
    const refusal = (e as Error).message.split('\n').find((line) => line.includes(key));
    return refusal && `${what} needs no hint, but the derivation refused it: ${refusal}`;
  }
  return undefined;
}
