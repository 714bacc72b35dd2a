/**
 * The suppressions of cfn-lint and checkov findings written in a template's resource metadata,
 * and whether each is listed, with its reason, in docs/template-checks.md (as the README requires).
 */
import * as fs from 'fs';
import * as path from 'path';

export type TemplateTool = 'cfn-lint' | 'checkov';

/** One rule suppressed on one resource. */
export interface TemplateSuppression {
  readonly tool: TemplateTool;
  readonly rule: string;
  readonly resource: string;
  readonly reason?: string;
}

const DOCS = path.resolve(__dirname, '..', '..', 'docs', 'template-checks.md');

/** Every suppression of `tool` in the template at `file`. */
export function suppressionsIn(file: string, tool: TemplateTool): TemplateSuppression[] {
  const template = JSON.parse(fs.readFileSync(file, 'utf8'));
  return Object.entries<any>(template.Resources ?? {}).flatMap(([resource, r]) => {
    if (tool === 'cfn-lint') {
      const meta = r.Metadata?.['cfn-lint'];
      return (meta?.config?.ignore_checks ?? []).map((rule: string) => ({ tool, rule, resource, reason: meta.reasons?.[rule] }));
    }
    return (r.Metadata?.checkov?.skip ?? []).map((s: any) => ({ tool, rule: s.id, resource, reason: s.comment }));
  });
}

/**
 * Why a suppression is not acceptable, or undefined when it is: it must give a reason, and the
 * docs must list the rule for that tool (a table row `| <tool> | <rule> | ...`).
 */
export function suppressionProblem(s: TemplateSuppression, docs = fs.readFileSync(DOCS, 'utf8')): string | undefined {
  if (!s.reason || s.reason.trim().length < 20) {
    return `${s.tool} ${s.rule} is suppressed on ${s.resource} without a reason; give one where the construct suppresses it`;
  }
  // A row `| <tool> | <rule>[, <rule>...] | ...`.
  const listed = docs.split('\n').some((line) => {
    const cells = line.split('|').map((c) => c.trim());
    return cells[1] === s.tool && cells[2]?.split(/,\s*/).includes(s.rule);
  });
  if (!listed) {
    return `${s.tool} ${s.rule} is suppressed on ${s.resource} but not listed in docs/template-checks.md; add a row "| ${s.tool} | ${s.rule} | <resources> | <reason> |"`;
  }
  return undefined;
}
