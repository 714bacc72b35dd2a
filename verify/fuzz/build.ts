/**
 * Turns generated values into the props a construct takes, in a case's stack: strings and numbers
 * into literals or tokens, enums and factories into the library's own, another library's objects
 * by their hint. A value `{ sameAs: '<path>' }` is the very object built at that path (one target
 * given to two environments).
 */
import { Stack } from 'aws-cdk-lib';
import { TypeRef } from './assembly';
import type { StackSpec } from './case';
import { BuildContext, Schema } from './schema';
import { listToken, num, text } from './tokens';
import * as lib from 'cdk-deploy-pipelines';

/** The value of the object built at another path. */
interface SameAs {
  readonly sameAs: string;
}

/** Builds the values of one case, remembering what it built at each path. */
export class PropsBuilder {
  private readonly built = new Map<string, unknown>();
  private readonly sharedValues = new Map<string, unknown>();

  constructor(private readonly stack: Stack, private readonly spec: StackSpec) {}

  /** The value of `schema` for the generated `value`, at `path`. */
  public build(schema: Schema, value: unknown, path: string): unknown {
    if (value === undefined) return undefined;
    if (isSameAs(value)) return this.built.get(value.sameAs);
    const result = this.make(schema, value, path);
    this.built.set(path, result);
    return result;
  }

  private make(schema: Schema, value: any, path: string): unknown {
    switch (schema.kind) {
      case 'hinted':
        return schema.hint.build ? schema.hint.build(value, this.context(path)) : this.literalsOrTokens(schema.type, value);
      case 'boolean':
        return value;
      case 'enum':
        return library(schema.name)[value];
      case 'struct':
        return Object.fromEntries(schema.fields.map((f) => [f.name, this.build(f.schema, value[f.name], path ? `${path}.${f.name}` : f.name)]));
      case 'list':
        return (value as unknown[]).map((element, i) => this.build(schema.element, element, `${path}[${i}]`));
      case 'factories': {
        const [name, args] = Object.entries(value)[0];
        const factory = schema.factories.find((f) => f.name === name)!;
        const list = factory.parameters.length === 1 ? [args] : args as unknown[];
        return library(schema.name)[name](...factory.parameters.map((p, i) => this.build(p.schema, list[i], path)));
      }
    }
  }

  /** Strings and numbers, also in lists and maps, as literals or tokens; a list token for a list of strings. */
  private literalsOrTokens(type: TypeRef, value: any): unknown {
    if ('primitive' in type) {
      switch (type.primitive) {
        case 'string': return text(this.stack, value);
        case 'number': return num(this.stack, value);
        default: return value;
      }
    }
    if ('collection' in type) {
      const element = type.collection.elementtype;
      if (type.collection.kind === 'map') {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.literalsOrTokens(element, v)]));
      }
      return Array.isArray(value) ? value.map((v) => this.literalsOrTokens(element, v)) : listToken(this.stack);
    }
    return value;
  }

  private context(path: string): BuildContext {
    return {
      stack: this.stack,
      spec: this.spec,
      path,
      id: path.replace(/[^A-Za-z0-9]+/g, '-'),
      shared: <T>(name: string, make: () => T): T => {
        if (!this.sharedValues.has(name)) this.sharedValues.set(name, make());
        return this.sharedValues.get(name) as T;
      },
    };
  }
}

/** A class or enum of the library by name. */
export function library(name: string): any {
  return (lib as Record<string, any>)[name];
}

function isSameAs(value: unknown): value is SameAs {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 1 && typeof (value as SameAs).sameAs === 'string';
}
