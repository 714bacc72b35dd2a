/**
 * cfn-lint, AWS's CloudFormation linter, on every example template and a sample of fuzz templates:
 * no error and no warning, or the rule suppressed on its resource with a reason listed in
 * docs/template-checks.md. A flawed template shows that cfn-lint reports what it should here.
 */
import * as path from 'path';
import { Proof, ProofResult } from '../proof';
import { CheckCase, resultOf, summarize } from '../template-checks/check-cases';
import { CheckedTemplate, withCheckedTemplates } from '../template-checks/checked-templates';
import { FLAWED_TEMPLATE_FINDINGS, UNREASONED_RESOURCE } from '../template-checks/flawed-template';
import { runTool, toolVersion } from '../template-checks/run-tool';
import { suppressionProblem, suppressionsIn } from '../template-checks/template-suppressions';

const NAME = 'cfn-lint: templates without errors or warnings';
/** cfn-lint's exit status is a bit mask of the levels it found: 2 error, 4 warning, 8 informational. */
const FINDING_STATUSES = Array.from({ length: 8 }, (_, i) => i * 2);
/** The regions the examples and fuzz cases deploy to; cfn-lint checks resource support per region. */
const REGIONS = ['eu-west-1', 'us-east-1'];

interface LintFinding {
  readonly rule: string;
  readonly level: 'Error' | 'Warning' | 'Informational';
  readonly file: string;
  readonly where: string;
  readonly message: string;
}

const proof: Proof = {
  async run(): Promise<ProofResult> {
    return withCheckedTemplates((_dir, templates, flawedFile) => {

      const findings = lint([...templates.map((t) => t.file), flawedFile]);
      const cases = [
        ...templates.map((t) => templateCase(t, findings.filter((f) => f.file === t.file))),
        ...templates.flatMap((t) => suppressionsIn(t.file, 'cfn-lint').map((s) => ({
          name: `${t.name}: ${s.resource} suppresses ${s.rule} with a listed reason`,
          problem: suppressionProblem(s),
        }))),
        ...negativeControls(flawedFile, findings.filter((f) => f.file === flawedFile)),
      ];
      const informational = findings.filter((f) => f.level === 'Informational' && f.file !== flawedFile);
      return resultOf(NAME, cases, [
        `${toolVersion('cfn-lint')} on ${templates.length} templates (${templates.filter((t) => t.name.startsWith('fuzz')).length} from fuzz cases), regions ${REGIONS.join(', ')}`,
        `suppressed on resources: ${summarize(templates.flatMap((t) => suppressionsIn(t.file, 'cfn-lint').map((s) => s.rule)))}`,
        `informational (not failures): ${summarize(informational.map((f) => f.rule))}`,
      ]);
    });
  },
};
export default proof;

/** Runs cfn-lint once on every file and returns its findings. */
function lint(files: string[]): LintFinding[] {
  const out = runTool('cfn-lint', ['--format', 'json', '--regions', ...REGIONS, '--', ...files], FINDING_STATUSES);
  return (JSON.parse(out || '[]') as any[]).map((f) => ({
    rule: f.Rule.Id,
    level: f.Level,
    file: path.resolve(f.Filename),
    where: (f.Location?.Path ?? []).slice(0, 2).join('/'),
    message: f.Message,
  }));
}

function templateCase(t: CheckedTemplate, findings: LintFinding[]): CheckCase {
  const reported = findings.filter((f) => f.level !== 'Informational' && !t.fixtures.has(f.where.split('/')[1]));
  return {
    name: `${t.name}: no cfn-lint error or warning`,
    problem: reported.length
      ? reported.map((f) => `${f.level} ${f.rule} at ${f.where}: ${f.message}`).join('; ')
      : undefined,
  };
}

/** cfn-lint reports the flawed template's mistakes, and the unreasoned suppression is refused. */
function negativeControls(flawedFile: string, findings: LintFinding[]): CheckCase[] {
  const reported = FLAWED_TEMPLATE_FINDINGS['cfn-lint'].map((rule) => ({
    name: `negative control: cfn-lint reports ${rule} on the flawed template`,
    problem: findings.some((f) => f.rule === rule && f.where === 'Resources/Bucket')
      ? undefined
      : `not reported on Resources/Bucket (found: ${findings.map((f) => `${f.rule} at ${f.where}`).join(', ') || 'nothing'})`,
  }));
  const unreasoned = suppressionsIn(flawedFile, 'cfn-lint').filter((s) => s.resource === UNREASONED_RESOURCE);
  return [
    ...reported,
    {
      name: 'negative control: a suppression without reason or docs entry is refused',
      problem: unreasoned.length > 0 && unreasoned.every((s) => suppressionProblem(s)) ? undefined : 'accepted',
    },
    {
      name: 'negative control: the suppressed rule is not reported on its resource',
      problem: findings.some((f) => f.where === `Resources/${UNREASONED_RESOURCE}`) ? 'cfn-lint ignored the resource\'s metadata' : undefined,
    },
  ];
}

