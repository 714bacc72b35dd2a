/**
 * checkov on the templates the cfn-lint proof checks: no failed check, or the check skipped on its
 * resource with a reason listed in docs/template-checks.md. A flawed template shows that checkov
 * reports what it should here.
 */
import * as path from 'path';
import { Proof, ProofResult } from '../proof';
import { resultOf, summarize } from '../template-checks/check-cases';
import { withCheckedTemplates } from '../template-checks/checked-templates';
import { FLAWED_TEMPLATE_FINDINGS, UNREASONED_RESOURCE } from '../template-checks/flawed-template';
import { runTool, toolVersion } from '../template-checks/run-tool';
import { suppressionProblem, suppressionsIn } from '../template-checks/template-suppressions';

const NAME = 'checkov: templates without failed checks';

interface CheckResult {
  readonly check: string;
  readonly name: string;
  readonly file: string;
  readonly resource: string;
}

interface CheckovRun {
  readonly passed: number;
  readonly failed: CheckResult[];
  readonly skipped: CheckResult[];
}

const proof: Proof = {
  async run(): Promise<ProofResult> {
    return withCheckedTemplates((dir, templates, flawedFile) => {

      const run = checkov(dir);
      const ofFile = (results: CheckResult[], file: string) => results.filter((r) => r.file === file);
      const cases = [
        ...templates.map((t) => ({
          name: `${t.name}: no failed checkov check`,
          problem: ofFile(run.failed, t.file).filter((r) => !t.fixtures.has(r.resource.split('.').pop()!)).map((r) => `${r.check} (${r.name}) on ${r.resource}`).join('; ') || undefined,
        })),
        ...templates.flatMap((t) => suppressionsIn(t.file, 'checkov').map((s) => ({
          name: `${t.name}: ${s.resource} skips ${s.rule} with a listed reason`,
          problem: suppressionProblem(s),
        }))),
        ...FLAWED_TEMPLATE_FINDINGS.checkov.map((check) => ({
          name: `negative control: checkov fails ${check} on the flawed template's bucket`,
          problem: ofFile(run.failed, flawedFile).some((r) => r.check === check && r.resource.endsWith('.Bucket'))
            ? undefined
            : `not failed (failed: ${ofFile(run.failed, flawedFile).map((r) => `${r.check} on ${r.resource}`).join(', ') || 'nothing'})`,
        })),
        {
          name: 'negative control: checkov honours a skip on its resource, and the proof refuses it without reason or docs entry',
          problem: !ofFile(run.skipped, flawedFile).some((r) => r.resource.endsWith(`.${UNREASONED_RESOURCE}`))
            ? 'checkov did not skip the check named in the resource\'s metadata'
            : suppressionsIn(flawedFile, 'checkov').every((s) => suppressionProblem(s)) ? undefined : 'accepted',
        },
      ];
      const ours = (results: CheckResult[]) => results.filter((r) => r.file !== flawedFile);
      const onFixtures = (results: CheckResult[]) => results.filter((r) => templates.some((t) => t.file === r.file && t.fixtures.has(r.resource.split('.').pop()!))).length;
      return resultOf(NAME, cases, [
        `${toolVersion('checkov')} on ${templates.length} templates: ${run.passed} checks passed, ${ours(run.failed).length} failed (${onFixtures(run.failed)} of them on fuzz fixtures, not the construct's), ${ours(run.skipped).length} skipped`,
        `skipped on resources: ${summarize(ours(run.skipped).map((r) => r.check))}`,
      ]);
    });
  },
};
export default proof;

/** Runs checkov's CloudFormation checks on every template in `dir`. */
function checkov(dir: string): CheckovRun {
  const out = runTool('checkov', ['--directory', dir, '--framework', 'cloudformation', '--output', 'json', '--soft-fail', '--skip-download'], [0]);
  const reports = [JSON.parse(out)].flat();
  const results = (kind: string): CheckResult[] => reports.flatMap((r) => r.results?.[kind] ?? []).map((c: any) => ({
    check: c.check_id,
    name: c.check_name,
    file: path.join(dir, path.basename(c.file_path)),
    resource: c.resource,
  }));
  return {
    passed: reports.reduce((n, r) => n + (r.summary?.passed ?? 0), 0),
    failed: results('failed_checks'),
    skipped: results('skipped_checks'),
  };
}
