import { DeployEnvironment, NamedResource, namingOf, resourceAttribute } from './resource-attributes';

/** A synthesized CloudFormation template, as far as this proof reads it. */
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { Type: string; Default?: unknown }>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
}

/** One resource of a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
}

/** An intrinsic function or reference the resolver has no concrete value for. */
export class UnresolvableError extends Error {}

/** Marks a value that `Ref: AWS::NoValue` removed from its array or object. */
const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Turns the values of a synthesized template concrete, as CloudFormation would once deployed in
 * `env`: pseudo parameters, `Ref` and `Fn::GetAtt` (real ARN and id formats per resource type,
 * physical names derived from logical ids unless the template names the resource), `Fn::Join`,
 * `Fn::Select`, `Fn::Split`, `Fn::Sub`, `Fn::FindInMap` and `Fn::GetAZs`. Anything else throws an
 * `UnresolvableError` naming it.
 */
export class TemplateResolver {
  private readonly names = new Map<string, string>();
  private readonly naming = new Set<string>();

  constructor(public readonly template: CfnTemplate, public readonly env: DeployEnvironment) {}

  /** Returns `value` with every intrinsic replaced by its concrete value. */
  public resolve(value: unknown): unknown {
    const resolved = this.resolveValue(value);
    if (resolved === NO_VALUE) {
      throw new UnresolvableError('Ref AWS::NoValue where a value is required');
    }
    return resolved;
  }

  /** Returns `value` resolved, which must be a string. */
  public resolveString(value: unknown): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string') {
      throw new UnresolvableError(`expected a string, got ${JSON.stringify(resolved)} from ${JSON.stringify(value)}`);
    }
    return resolved;
  }

  /** The resource type of a logical id, or undefined when the template has no such resource. */
  public typeOf(logicalId: string): string | undefined {
    return this.template.Resources[logicalId]?.Type;
  }

  /** The physical name of a resource: its name property when the template sets it, else one derived from its logical id. */
  public physicalName(logicalId: string): string {
    const known = this.names.get(logicalId);
    if (known !== undefined) {
      return known;
    }
    if (this.naming.has(logicalId)) {
      throw new UnresolvableError(`the name of ${logicalId} refers to itself`);
    }
    const resource = this.resource(logicalId);
    const { nameProperty, defaultName } = namingOf(resource.Type);
    const given = nameProperty ? resource.Properties?.[nameProperty] : undefined;
    this.naming.add(logicalId);
    try {
      const name = given === undefined ? defaultName(logicalId) : this.resolveString(given);
      this.names.set(logicalId, name);
      return name;
    } finally {
      this.naming.delete(logicalId);
    }
  }

  private resolveValue(value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map((v) => this.resolveValue(v)).filter((v) => v !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    const entries = Object.entries(value);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
      return this.intrinsic(entries[0][0], entries[0][1]);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const resolved = this.resolveValue(v);
      if (resolved !== NO_VALUE) {
        out[k] = resolved;
      }
    }
    return out;
  }

  private intrinsic(name: string, arg: any): unknown {
    switch (name) {
      case 'Ref': return this.ref(arg);
      case 'Fn::GetAtt': return this.getAtt(arg);
      case 'Fn::Join': return this.join(arg);
      case 'Fn::Select': return this.select(arg);
      case 'Fn::Split': return this.resolveString(arg[1]).split(this.resolveString(arg[0]));
      case 'Fn::Sub': return this.sub(arg);
      case 'Fn::FindInMap': return this.findInMap(arg);
      case 'Fn::GetAZs': return ['a', 'b', 'c'].map((zone) => `${this.env.region}${zone}`);
      default: throw new UnresolvableError(`${name} is not supported: ${JSON.stringify(arg)}`);
    }
  }

  private ref(target: string): unknown {
    const pseudo = this.pseudoParameter(target);
    if (pseudo !== undefined) {
      return pseudo;
    }
    const parameter = this.template.Parameters?.[target];
    if (parameter) {
      // An SSM-typed parameter's default is the parameter's path, not its value.
      if (parameter.Default === undefined || parameter.Type.startsWith('AWS::SSM::Parameter::Value')) {
        throw new UnresolvableError(`Ref ${target}: a ${parameter.Type} parameter has no value at synth time`);
      }
      return parameter.Default;
    }
    return this.attribute(target);
  }

  private getAtt(arg: string | [string, string]): unknown {
    const [logicalId, attribute] = typeof arg === 'string' ? splitOnce(arg, '.') : arg;
    return this.attribute(logicalId, this.resolveString(attribute));
  }

  private attribute(logicalId: string, attribute?: string): unknown {
    const resource = this.resource(logicalId);
    const named: NamedResource = {
      logicalId,
      name: this.physicalName(logicalId),
      path: this.resolveString(resource.Properties?.Path ?? '/'),
      env: this.env,
      property: (name) => this.resolve(resource.Properties?.[name]),
    };
    try {
      return resourceAttribute(resource.Type, named, attribute);
    } catch (e) {
      throw new UnresolvableError(`${attribute ? `Fn::GetAtt ${logicalId}.${attribute}` : `Ref ${logicalId}`}: ${(e as Error).message}`);
    }
  }

  private pseudoParameter(name: string): unknown {
    const { account, region, partition, stackName } = this.env;
    const values: Record<string, unknown> = {
      'AWS::AccountId': account,
      'AWS::Region': region,
      'AWS::Partition': partition,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stackName,
      'AWS::StackId': `arn:${partition}:cloudformation:${region}:${account}:stack/${stackName}/00000000-0000-0000-0000-000000000000`,
      'AWS::NotificationARNs': [],
      'AWS::NoValue': NO_VALUE,
    };
    return values[name];
  }

  private join([delimiter, parts]: [string, unknown]): string {
    const list = this.resolve(parts);
    if (!Array.isArray(list) || list.some((p) => typeof p !== 'string' && typeof p !== 'number')) {
      throw new UnresolvableError(`Fn::Join of something other than a list of strings: ${JSON.stringify(list)}`);
    }
    return list.join(delimiter);
  }

  private select([index, list]: [unknown, unknown]): unknown {
    const i = Number(this.resolve(index));
    const items = this.resolve(list);
    if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) {
      throw new UnresolvableError(`Fn::Select ${JSON.stringify(index)} of ${JSON.stringify(items)}`);
    }
    return items[i];
  }

  private sub(arg: string | [string, Record<string, unknown>]): string {
    const [text, variables] = typeof arg === 'string' ? [arg, {}] : arg;
    return text.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
      if (name.startsWith('!')) {
        return `\${${name.slice(1)}}`;
      }
      if (name in variables) {
        return this.resolveString(variables[name]);
      }
      return this.resolveString(name.includes('.') ? { 'Fn::GetAtt': splitOnce(name, '.') } : { Ref: name });
    });
  }

  private findInMap([map, top, second]: [unknown, unknown, unknown]): unknown {
    const value = this.template.Mappings?.[this.resolveString(map)]?.[this.resolveString(top)]?.[this.resolveString(second)];
    if (value === undefined) {
      throw new UnresolvableError(`Fn::FindInMap ${JSON.stringify([map, top, second])} has no entry`);
    }
    return value;
  }

  private resource(logicalId: string): CfnResource {
    const resource = this.template.Resources[logicalId];
    if (!resource) {
      throw new UnresolvableError(`${logicalId} is neither a resource, a parameter nor a pseudo parameter of the template`);
    }
    return resource;
  }
}

/** Splits `text` at the first `separator`: 'Bucket.Arn' → ['Bucket', 'Arn']. */
function splitOnce(text: string, separator: string): [string, string] {
  const i = text.indexOf(separator);
  return [text.slice(0, i), text.slice(i + 1)];
}
