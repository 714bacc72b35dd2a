import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { CfnResource, PolicyViolationBeta1, Stack } from 'aws-cdk-lib';
import { synthesize } from './synth';

/**
 * The metadata key that suppresses a Control Tower control on one resource:
 * `Metadata: { guard: { SuppressedRules: [{ id: 'CT.S3.PR.2', reason: '...' }] } }`.
 *
 * `guard.SuppressedRules` is the AWS Guard Rules Registry's convention; the bundled Control Tower
 * rules and `CfnGuardValidator` honour no suppression at all (cdklabs/cdk-validator-cfnguard#350),
 * so this proof applies it, and asks for a reason as cdk-nag does.
 */
export const GUARD_METADATA_KEY = 'guard';

/** Reasons shorter than this say nothing (cdk-nag's own minimum). */
const MIN_REASON_LENGTH = 10;

/** One resource violating one control. */
export interface ControlViolation {
  readonly stack: string;
  /** Construct path of the resource, or its logical id when no construct has it. */
  readonly path: string;
  /** Control id, e.g. `CT.S3.PR.2`. */
  readonly ruleId: string;
  /** What the control requires. */
  readonly title: string;
  /** How to comply, as the control states it. */
  readonly fix: string;
  /** `violation`: unsuppressed; `suppressed`: suppressed with a reason; `unreasoned`: suppressed without one. */
  readonly outcome: 'violation' | 'suppressed' | 'unreasoned';
  readonly reason?: string;
}

/** The result of checking a set of stacks against the bundled Control Tower proactive controls. */
export interface ControlTowerRun {
  /** cfn-guard version bundled with the validator. */
  readonly guardVersion: string;
  /** Control × resource pairs checked (each control against each resource of a type it evaluates). */
  readonly checks: number;
  readonly violations: ControlViolation[];
}

/**
 * Synthesizes the stacks and runs `CfnGuardValidator` (the CDK policy validation plugin for the
 * Control Tower proactive controls) over their templates. The plugin is called directly with the
 * synthesized templates rather than registered on the apps: the apps already exist, and the
 * registered route prints the report and sets `process.exitCode` on violations.
 *
 * Throws when cfn-guard cannot run here.
 */
export function runControlTowerControls(stacks: Stack[]): ControlTowerRun {
  const artifacts = synthesize(stacks);
  const stackByTemplate = new Map([...artifacts].map(([stack, artifact]) => [path.resolve(artifact.templateFullPath), stack]));
  const validator = new CfnGuardValidator({ maxBuffer: 256 * 1024 * 1024 });
  const report = validator.validate({ templatePaths: [...stackByTemplate.keys()] });

  // One key per stack, control and resource: a control reports a resource once, however many of its checks fail.
  const key = (stack: Stack, logicalId: string, ruleId: string) => `${stacks.indexOf(stack)}/${logicalId}/${ruleId}`;
  const checked = new Set<string>();
  const controls = bundledControls();
  for (const [stack, artifact] of artifacts) {
    for (const [logicalId, resource] of Object.entries<any>(artifact.template.Resources ?? {})) {
      controls.filter((c) => c.resourceTypes.includes(resource.Type)).forEach((c) => checked.add(key(stack, logicalId, c.id)));
    }
  }

  const pathsByStack = new Map(stacks.map((stack) => [stack, constructPaths(stack)]));
  const violations = new Map<string, ControlViolation>();
  for (const violation of report.violations) {
    const ruleId = controlId(violation);
    for (const { templatePath, resourceLogicalId } of violation.violatingResources) {
      const stack = stackByTemplate.get(path.resolve(templatePath));
      if (!stack) {
        throw new Error(`cfn-guard reported a template that was not given to it: ${templatePath}`);
      }
      checked.add(key(stack, resourceLogicalId, ruleId));
      violations.set(key(stack, resourceLogicalId, ruleId), {
        stack: stack.stackName,
        path: pathsByStack.get(stack)!.get(resourceLogicalId) ?? resourceLogicalId,
        ruleId,
        title: violation.description.replace(/^\[[^\]]+\]:\s*/, ''),
        fix: violation.fix ?? '',
        ...suppressionOf(artifacts.get(stack)!.template.Resources?.[resourceLogicalId], ruleId),
      });
    }
  }
  return { guardVersion: bundledGuardVersion(), checks: checked.size, violations: [...violations.values()] };
}

/** A bundled control: its id and the resource types it evaluates. */
interface Control {
  readonly id: string;
  readonly resourceTypes: string[];
}

/** The root of the installed validator package. */
function validatorPackageDir(): string {
  return path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
}

/** Every Control Tower control the validator bundles, from the metadata file next to each rule. */
function bundledControls(): Control[] {
  const dir = path.join(validatorPackageDir(), 'rules', 'control-tower', 'metadata');
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.metadata.json'))
    .map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf-8')))
    .map((metadata) => ({ id: metadata.Id, resourceTypes: metadata.EvaluatedResourceTypes ?? [] }));
}

/** The cfn-guard version the validator bundles. */
function bundledGuardVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(validatorPackageDir(), 'guard-version.json'), 'utf-8')).version;
}

/** The control id a violation's description starts with (`[CT.S3.PR.2]: ...`), else its guard rule name. */
function controlId(violation: PolicyViolationBeta1): string {
  return /^\[([^\]]+)\]/.exec(violation.description)?.[1] ?? violation.ruleName;
}

/** Logical id to construct path of every CloudFormation resource in `stack`. */
function constructPaths(stack: Stack): Map<string, string> {
  return new Map(stack.node.findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && Stack.of(c) === stack)
    .map((resource) => [stack.resolve(resource.logicalId), resource.node.path]));
}

/** How the resource's `guard` metadata treats `ruleId`: not suppressed, suppressed with a reason, or without. */
function suppressionOf(resource: any, ruleId: string): Pick<ControlViolation, 'outcome' | 'reason'> {
  const entries: unknown[] = resource?.Metadata?.[GUARD_METADATA_KEY]?.SuppressedRules ?? [];
  for (const entry of entries) {
    if (entry === ruleId) {
      return { outcome: 'unreasoned' };
    }
    const { id, reason } = (entry ?? {}) as { id?: unknown; reason?: unknown };
    if (id === ruleId) {
      return typeof reason === 'string' && reason.trim().length >= MIN_REASON_LENGTH
        ? { outcome: 'suppressed', reason }
        : { outcome: 'unreasoned' };
    }
  }
  return { outcome: 'violation' };
}
