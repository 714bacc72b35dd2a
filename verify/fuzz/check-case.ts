/**
 * Runs one fuzz case and judges it: the construct either synthesizes a clean template (within AWS's limits) or rejects
 * the input with its own validation error naming a hostile prop. Anything else is a failure, and so is a template
 * synthesized from a certainly invalid value (deploying it would fail).
 */
import { App, AppProps, Aspects, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { ACCOUNT } from './arbitraries';
import { library, PropsBuilder } from './build';
import { FuzzCase } from './case';
import { Schema } from './schema';
import { checkLimits } from '../limits/aws-limits';

/** A construct under fuzzing: its class name, which starts each of its validation errors, and its props. */
export interface FuzzTarget {
  readonly construct: string;
  readonly schema: Schema;
}

/** Warnings the constructs give on purpose, by acknowledgement id. */
const INTENDED_WARNINGS = ['dnsRecordsAreYours', 'deployStepsOnEc2', 'previewsWithoutSecrets', 'verifyReleaseOff', 'deploymentOptionsUnused']
  .map((id) => `cdk-deploy-pipelines:${id}`);

/**
 * An app that synthesizes without what no case reads and each case would pay for: stack traces of
 * each resource and annotation (source-mapped under ts-node) and the construct tree file.
 */
const FAST_SYNTHESIS: AppProps = {
  treeMetadata: false,
  context: { [cxapi.DISABLE_METADATA_STACK_TRACE]: true, [cxapi.DISABLE_CREATION_STACK_TRACES]: true },
};

/** What happened to one case. */
export type Outcome =
  | { readonly kind: 'synthesized' }
  | { readonly kind: 'rejected'; readonly prop: string }
  | {
    readonly kind: 'failed';
    /** Groups failures of one cause: the kind of failure, error class and message shape, or rule ids. */
    readonly signature: string;
    /** What went wrong: error class, message and first stack frame, or the findings. */
    readonly description: string;
  };

/** Runs case `c` of `target`: a new app and stack, the construct, synthesis and the checks. */
export function checkCase(target: FuzzTarget, c: FuzzCase): Outcome {
  const stack = caseStack(new App(FAST_SYNTHESIS), c);
  Aspects.of(stack).add(new AwsSolutionsChecks({ reports: false }));

  let create: () => void;
  try {
    create = prepare(target, stack, c);
  } catch (e) {
    // The case could not even be set up: a bug of the hints, not of the construct.
    return failed(`fixture: ${errorShape(e)}`, `the hints built an impossible case: ${describeError(e)}`);
  }
  let template: Template;
  try {
    create();
    template = Template.fromStack(stack);
  } catch (e) {
    return judgeError(target, c, e);
  }
  const outcome = judgeTemplate(stack, template);
  const invalid = c.hostile.filter((h) => h.invalid);
  if (outcome.kind === 'synthesized' && invalid.length) {
    return failed(`accepted invalid ${invalid[0].path} (${invalid[0].label})`,
      `synthesized with certainly invalid values, which deploying would fail on: ${invalid.map((h) => `${h.path} (${h.label})`).join(', ')}`);
  }
  return outcome;
}

/** The stack of case `c` in `app`. */
export function caseStack(app: App, c: FuzzCase): Stack {
  return new Stack(app, 'Fuzz', {
    env: c.stack.region === 'agnostic' ? undefined : { account: ACCOUNT, region: c.stack.region },
    crossRegionReferences: c.stack.crossRegionReferences,
  });
}

/**
 * Builds what the props of `c` refer to in `stack` (certificates, zones, topics...) and returns
 * the function that creates the construct, so that errors of the hints are told apart.
 */
export function prepare(target: FuzzTarget, stack: Stack, c: FuzzCase): () => void {
  const props = new PropsBuilder(stack, c.stack).build(target.schema, c.props, '');
  const construct: new (scope: Construct, id: string, props: unknown) => Construct = library(target.construct);
  return () => new construct(stack, c.id, props);
}

/** A validation error of ours is a rejection (if it names a hostile prop); any other error is a failure. */
function judgeError(target: FuzzTarget, c: FuzzCase, e: unknown): Outcome {
  const prefix = `${target.construct} '${c.id}': `;
  const ours = e instanceof Error && Object.getPrototypeOf(e) === Error.prototype && e.message.startsWith(prefix);
  if (!ours) {
    return failed(`error: ${errorShape(e)}${cycleThrough(e, c.id)}`,
      `threw an error that is not ${target.construct}'s validation error: ${describeError(e)}`);
  }
  const message = (e as Error).message.slice(prefix.length);
  const named = namedProp(message);
  const hostile = c.hostile.map((h) => h.path);
  if (hostile.some((path) => mentions(message, path))) {
    return { kind: 'rejected', prop: named };
  }
  return failed(`rejected valid ${named}`,
    `rejected a valid value of ${named} (hostile props: ${hostile.join(', ') || 'none'}): ${describeError(e)}`);
}

/** A synthesized template must pass cdk-nag, carry no warning but cdk-nag's, and hold no Lambda function. */
function judgeTemplate(stack: Stack, template: Template): Outcome {
  // The assembly Template.fromStack just synthesized (Annotations.fromStack would synthesize again).
  const messages = (stack.node.root as App).synth().getStackArtifact(stack.artifactId).messages;
  const ofLevel = (level: string) => messages.filter((m) => m.level === level);
  const errors = ofLevel('error').map((m) => `${m.id}: ${firstLine(m.entry.data)}`);
  if (errors.length) {
    // Grouped by one finding, so that a case with two known findings is not a third cause.
    const rules = [...new Set(errors.map(findingId))].sort();
    return failed(`finding: ${rules[0]}`, `synthesized with ${errors.length} error(s): ${errors.slice(0, 3).join('; ')}`);
  }
  // cdk-nag reports its WARN-level rules as warnings starting with the rule id; those are allowed,
  // as are the constructs' own warnings of what is left to the user.
  const warnings = ofLevel('warning')
    .filter((m) => !firstLine(m.entry.data).startsWith('AwsSolutions-'))
    .filter((m) => !INTENDED_WARNINGS.some((id) => String(m.entry.data).endsWith(`[ack: ${id}]`)));
  if (warnings.length) {
    return failed(`warning: ${normalize(firstLine(warnings[0].entry.data))}`,
      `synthesized with CDK warning(s) other than cdk-nag's: ${warnings.slice(0, 3).map((m) => `${m.id}: ${firstLine(m.entry.data)}`).join('; ')}`);
  }
  const violations = checkLimits(template.toJSON());
  if (violations.length) {
    return failed(`limit: ${violations[0].limit}`, `synthesized a template AWS would reject: ${violations.slice(0, 3).map((v) => `${v.limit} at ${v.where}: ${v.detail}`).join('; ')}`);
  }
  const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
  if (functions.length) {
    return failed('lambda', `synthesized with AWS::Lambda::Function ${functions.join(', ')}`);
  }
  return { kind: 'synthesized' };
}

function failed(signature: string, description: string): Outcome {
  return { kind: 'failed', signature, description };
}

/** Whether `message` names the prop at `path`, or a part of it (`target` is named by `target.minCapacity`). */
function mentions(message: string, path: string): boolean {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w.\\]])${escaped}(?!\\w)`).test(message);
}

/** The prop a validation message starts with (`source.branch must...` → `source.branch`). */
function namedProp(message: string): string {
  return /^[\w.]+/.exec(message)?.[0] ?? message.slice(0, 30);
}

/**
 * The rule of a finding and, for a finding about a resource, that resource's service
 * ('AwsSolutions-IAM5[secretsmanager]'), or the message shape of another error annotation.
 */
function findingId(finding: string): string {
  const match = /(AwsSolutions-\w+)(\[([^\]]*)\])?/.exec(finding);
  if (!match) {
    return normalize(finding.replace(/^[^:]*: /, ''));
  }
  const about = /^Resource::arn:[^:]+(?:::[^:]+)?:([\w-]+):/.exec(match[3] ?? '')?.[1] ?? match[3];
  return about ? `${match[1]}[${normalize(about)}]` : match[1];
}

/** Error class, message and first stack frame (and the construct path of an aws-cdk-lib error). */
function describeError(e: unknown): string {
  if (!(e instanceof Error)) {
    return `non-Error thrown: ${String(e)}`;
  }
  const path = (e as { constructPath?: string }).constructPath;
  return `${errorClass(e)}: ${firstLine(e.message)}${path ? ` [construct ${path}]` : ''} at ${firstFrame(e)}`;
}

/**
 * What groups errors of one cause: the class, the error code of an aws-cdk-lib error or else the
 * message shape (quoted values and numbers blanked), and the function of the first stack frame.
 */
function errorShape(e: unknown): string {
  if (!(e instanceof Error)) {
    return `non-Error ${typeof e}`;
  }
  const code = e.name !== e.constructor.name ? '' : `: ${normalize(firstLine(e.message))}`;
  return `${errorClass(e)}${code} in ${firstFrame(e).replace(/ \(.*\)$|:\d+:\d+$/, '')}`;
}

/** `TypeError`, `Error`, or an aws-cdk-lib error's class and code (`ValidationError(InvalidArn)`). */
function errorClass(e: Error): string {
  const ctor = e.constructor.name;
  return e.name && e.name !== ctor ? `${ctor}(${e.name})` : ctor;
}

/**
 * The first `at ...` line of the stack, with paths relative to the working directory; for our
 * validation errors, the line that called the validation (the one that says which check it was).
 */
function firstFrame(e: Error): string {
  const frame = (e.stack ?? '').split('\n').find((line) => /^\s+at /.test(line) && !/[\\/]validation\.[jt]s:/.test(line));
  return frame ? frame.trim().replace(/^at /, '').split(`${process.cwd()}/`).join('') : 'no stack';
}

function firstLine(data: unknown): string {
  return String(data).split('\n')[0];
}

/**
 * For a dependency cycle, the resource that closes it, without the construct id and hash of its
 * logical id (`SiteTopicsKeyFBACD02D` → ' through TopicsKey'), so that two cycles are two causes.
 */
function cycleThrough(e: unknown, id: string): string {
  const cycle = e instanceof Error ? /dependency cycle: (.*?):?$/m.exec(e.message)?.[1] : undefined;
  const last = cycle?.split(' -> ').pop();
  return last ? ` through ${last.replace(/[0-9A-F]{8}$/, '').replace(id.replace(/[^A-Za-z0-9]/g, ''), '')}` : '';
}

/** A message with quoted values, tokens and numbers blanked, so that failures of one cause group together. */
function normalize(message: string): string {
  // A cycle's message lists logical ids, which differ with every case's props (see cycleThrough).
  if (/dependency cycle/.test(message)) {
    return 'Template is undeployable: dependency cycle';
  }
  return message
    .replace(/\$\{Token\[[^\]]*\]\}/g, '<token>')
    .replace(/<[\w.:]+>/g, '<ref>')
    .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, '<v>')
    .replace(/\d+/g, 'N')
    .slice(0, 100);
}
