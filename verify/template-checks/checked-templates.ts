/**
 * The templates the template linters (cfn-lint, checkov) check: every example stack, and a fixed
 * sample of the fuzz proof's valid cases, each written to a file as CloudFormation gets it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { exampleStacks } from '../example-stacks';
import { flawedTemplate } from './flawed-template';
import { caseArbitrary, FuzzCase } from '../fuzz/case';
import { caseStack, FuzzTarget, prepare } from '../fuzz/check-case';
import { fuzzTargets } from '../fuzz/properties';

/** A template on disk, and what it was synthesized from. */
export interface CheckedTemplate {
  /** e.g. 'StaticSiteExample' or 'fuzz StaticSitePipeline #3 Fuzz'. */
  readonly name: string;
  readonly file: string;
  /**
   * Logical ids of the resources a fuzz case made around the construct (topics, certificates,
   * aws-cdk-lib's cross-region support), which the linters' findings do not concern.
   */
  readonly fixtures: ReadonlySet<string>;
}

/** Fixed, so every run checks the same fuzz templates; FUZZ_TEMPLATES_SEED tries others. */
const SEED = Number(process.env.FUZZ_TEMPLATES_SEED ?? 20251206);
/**
 * Fuzz cases kept per construct: valid props only, since a linter's finding on what an odd value
 * makes (logs kept forever, public subnets) is the user's choice, not the construct's defect.
 */
const PER_CONSTRUCT = 4;
/** Cases drawn per construct to find them (a rule across props may leave a drawn case hostile). */
const DRAWN = 20;

/**
 * Runs `check` on a temporary directory holding the checked templates and the flawed template of
 * the negative controls (`flawed.json`), then removes the directory.
 */
export function withCheckedTemplates<T>(check: (dir: string, templates: CheckedTemplate[], flawedFile: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-templates-'));
  try {
    const templates = writeCheckedTemplates(dir);
    const flawedFile = path.join(dir, 'flawed.json');
    fs.writeFileSync(flawedFile, JSON.stringify(flawedTemplate(), null, 1));
    return check(dir, templates, flawedFile);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the templates to `dir`, one JSON file each, and returns them. */
function writeCheckedTemplates(dir: string): CheckedTemplate[] {
  const written: CheckedTemplate[] = [];
  const write = (name: string, stack: Stack, constructPath?: string) => {
    const file = path.join(dir, `${name.replace(/[^A-Za-z0-9-]+/g, '-')}.json`);
    const template = (stack.node.root as App).synth().getStackArtifact(stack.artifactId).template;
    fs.writeFileSync(file, JSON.stringify(template, null, 1));
    const fixtures = Object.entries<any>(template.Resources ?? {})
      .filter(([, r]) => constructPath !== undefined && !String(r.Metadata?.['aws:cdk:path']).startsWith(`${constructPath}/`))
      .map(([id]) => id);
    if (constructPath !== undefined && constructPath.startsWith(`${stack.node.path}/`) && fixtures.length === Object.keys(template.Resources ?? {}).length) {
      throw new Error(`${name}: no resource has an aws:cdk:path under ${constructPath}; the construct's resources cannot be told from the fixtures`);
    }
    written.push({ name, file, fixtures: new Set(fixtures) });
  };
  for (const stack of exampleStacks()) {
    write(stack.stackName, stack);
  }
  for (const target of fuzzTargets()) {
    let kept = 0;
    for (const c of fc.sample(caseArbitrary(target.schema, 'valid'), { seed: SEED, numRuns: DRAWN })) {
      const stacks = c.hostile.length ? undefined : synthesizedStacks(target, c);
      if (!stacks) continue;
      kept++;
      stacks.forEach((stack) => write(`fuzz ${target.construct} #${kept} ${stack.stackName}`, stack, `${stack.node.path}/${c.id}`));
      if (kept === PER_CONSTRUCT) break;
    }
  }
  return written;
}

/** The stacks of a fuzz case's app, or undefined when the construct rejects the case. */
function synthesizedStacks(target: FuzzTarget, c: FuzzCase): Stack[] | undefined {
  // Path metadata (which the CDK CLI turns on) tells the construct's resources from the fixtures.
  const app = new App({ context: { 'aws:cdk:enable-path-metadata': true } });
  const stack = caseStack(app, c);
  try {
    prepare(target, stack, c)();
    app.synth();
  } catch {
    return undefined;
  }
  return app.node.children.filter((child): child is Stack => child instanceof Stack);
}
