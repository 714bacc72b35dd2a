/**
 * The library's public API as its jsii assembly (`.jsii`, written by `npx projen compile`) states
 * it: each construct's props struct, every property with its type and whether it is optional, the
 * enums, and the abstract classes whose static factories stand for alternatives (`PipelineSource`).
 * The fuzz derives what it generates from this, so a new prop is fuzzed without restating it.
 *
 * @see https://aws.github.io/jsii/specification/2-type-system/
 */
import * as fs from 'fs';
import * as path from 'path';

/** A type reference of the assembly. */
export type TypeRef =
  | { readonly primitive: 'string' | 'number' | 'boolean' | 'any' | 'json' | 'date' }
  | { readonly collection: { readonly kind: 'array' | 'map'; readonly elementtype: TypeRef } }
  | { readonly fqn: string }
  | { readonly union: { readonly types: TypeRef[] } };

/** A property of a struct or a parameter of a factory. */
export interface Member {
  readonly name: string;
  /**
   * What the fuzz's hints call it: the declaring interface and the property ('BuildOptions.timeout'),
   * or the class, factory and parameter ('DeploymentTarget.ec2Tags.tags').
   */
  readonly key: string;
  readonly type: TypeRef;
  readonly optional: boolean;
}

/** A static method of an abstract class that returns an instance of it (`PipelineSource.codeCommit(options)`). */
export interface Factory {
  readonly name: string;
  readonly parameters: Member[];
}

/** The props a construct's constructor takes, and the struct they are. */
export interface ConstructProps {
  readonly construct: string;
  readonly props: string;
}

/** What a type of this assembly is to the fuzz. */
export type TypeKind = 'struct' | 'enum' | 'factories' | 'other';

/** The parts of a jsii assembly file the fuzz reads. */
export interface AssemblyJson {
  readonly name: string;
  readonly types: Record<string, JsiiType>;
}

export interface JsiiProperty { readonly name: string; readonly type: TypeRef; readonly optional?: boolean }
export interface JsiiMethod {
  readonly name: string;
  readonly static?: boolean;
  readonly parameters?: JsiiProperty[];
  readonly returns?: { readonly type: TypeRef };
}
export interface JsiiType {
  readonly kind: 'class' | 'interface' | 'enum';
  readonly name: string;
  readonly datatype?: boolean;
  readonly abstract?: boolean;
  readonly base?: string;
  readonly interfaces?: string[];
  readonly properties?: JsiiProperty[];
  readonly methods?: JsiiMethod[];
  readonly members?: Array<{ readonly name: string }>;
  readonly initializer?: { readonly parameters?: JsiiProperty[] };
}

/** The assembly `npx projen compile` wrote at the package root. */
export function readAssembly(): AssemblyJson {
  const file = path.join(__dirname, '..', '..', '.jsii');
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: run 'npx projen compile' first (the fuzz derives the props it generates from the jsii assembly)`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** What the fuzz reads from an assembly. */
export class Assembly {
  private readonly name: string;
  private readonly types: Record<string, JsiiType>;

  constructor(assembly: AssemblyJson) {
    this.name = assembly.name;
    this.types = assembly.types;
  }

  /** Every construct of the package (a class extending Construct) and its props struct. */
  public constructs(): ConstructProps[] {
    return Object.entries(this.types)
      .filter(([, t]) => t.kind === 'class' && t.base === 'constructs.Construct')
      .flatMap(([, t]) => {
        const props = t.initializer?.parameters?.[2]?.type;
        return props && 'fqn' in props ? [{ construct: t.name, props: props.fqn }] : [];
      });
  }

  /** The simple name of a type of this assembly ('BuildOptions'). */
  public nameOf(fqn: string): string {
    return this.type(fqn).name;
  }

  /** What a type is: a struct, an enum, an abstract class of factories, or anything else (another library's type). */
  public kindOf(fqn: string): TypeKind {
    const t = this.isLocal(fqn) ? this.types[fqn] : undefined;
    if (t?.kind === 'interface' && t.datatype) return 'struct';
    if (t?.kind === 'enum') return 'enum';
    if (t?.kind === 'class' && this.factories(fqn).length > 0) return 'factories';
    return 'other';
  }

  /** The properties of a struct, inherited ones first, each with the interface that declares it. */
  public members(fqn: string): Member[] {
    const t = this.type(fqn);
    const inherited = (t.interfaces ?? []).flatMap((parent) => this.members(parent));
    const own = (t.properties ?? []).map((p) => ({ name: p.name, key: `${t.name}.${p.name}`, type: p.type, optional: p.optional === true }));
    const names = new Set(own.map((m) => m.name));
    return [...inherited.filter((m) => !names.has(m.name)), ...own];
  }

  /** The interfaces a struct extends, itself first, then its parents. */
  public lineage(fqn: string): string[] {
    const t = this.type(fqn);
    return [t.name, ...(t.interfaces ?? []).flatMap((parent) => this.lineage(parent))];
  }

  /** The member names of an enum. */
  public enumMembers(fqn: string): string[] {
    return (this.type(fqn).members ?? []).map((m) => m.name);
  }

  /** The static factories of a class (static methods returning the class). */
  public factories(fqn: string): Factory[] {
    const t = this.type(fqn);
    return (t.methods ?? [])
      .filter((m) => m.static && m.returns && 'fqn' in m.returns.type && m.returns.type.fqn === fqn)
      .map((m) => ({
        name: m.name,
        parameters: (m.parameters ?? []).map((p) => ({ name: p.name, key: `${t.name}.${m.name}.${p.name}`, type: p.type, optional: p.optional === true })),
      }));
  }

  private isLocal(fqn: string): boolean {
    return fqn.startsWith(`${this.name}.`) && fqn in this.types;
  }

  private type(fqn: string): JsiiType {
    const t = this.types[fqn];
    if (!t) {
      throw new Error(`the assembly has no type ${fqn}`);
    }
    return t;
  }
}
