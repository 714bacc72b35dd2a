/**
 * Compliance packs: every example stack passes cdk-nag's AwsSolutions, NIST 800-53 rev 5, HIPAA
 * Security and PCI DSS 3.2.1 packs and the Control Tower proactive controls (cfn-guard), each
 * finding either fixed or suppressed on its resource with a specific reason.
 */
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NagPackProps, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { ControlTowerRun, ControlViolation, runControlTowerControls } from '../compliance/control-tower-run';
import { NagFinding, runNagPack } from '../compliance/nag-pack-run';
import { exampleStacks } from '../example-stacks';
import { Proof, ProofResult } from '../proof';

const NAME = 'Compliance: cdk-nag packs and Control Tower controls';

/** The cdk-nag packs, by the name the details show. Every unsuppressed error of any pack fails. */
const NAG_PACKS: ReadonlyArray<readonly [string, (props: NagPackProps) => NagPack]> = [
  ['AwsSolutions', (props) => new AwsSolutionsChecks(props)],
  ['NIST80053R5', (props) => new NIST80053R5Checks(props)],
  ['HIPAASecurity', (props) => new HIPAASecurityChecks(props)],
  ['PCIDSS321', (props) => new PCIDSS321Checks(props)],
];

const INSTALL_GUARD = 'cfn-guard comes bundled (Linux and macOS, x64 and arm64) with the dev dependency ' +
  '@cdklabs/cdk-validator-cfnguard: run `npm ci`, on one of those platforms';

const proof: Proof = {
  async run(): Promise<ProofResult> {
    const stackNames = exampleStacks().map((s) => s.stackName);
    if (stackNames.length === 0) {
      return { proof: NAME, tried: 0, passed: 0, failures: ['exampleStacks() returned no stacks'] };
    }
    let tried = 0;
    const failures: string[] = [];
    const details: string[] = [];

    for (const [pack, createPack] of NAG_PACKS) {
      // Aspects only run on a stack not yet synthesized: fresh example stacks for every pack.
      const run = runNagPack(createPack, exampleStacks());
      tried += run.checks;
      failures.push(...run.findings.flatMap((f) => nagFailure(pack, f)));
      details.push(`${pack}: ${stackNames.map((stack) => nagCounts(stack, run.findings)).join('; ')}`);
    }

    let guard: ControlTowerRun | undefined;
    try {
      guard = runControlTowerControls(exampleStacks());
    } catch (e) {
      tried++;
      failures.push(`ControlTower: cfn-guard could not run (${(e as Error).message.trim()}); ${INSTALL_GUARD}`);
    }
    if (guard) {
      tried += guard.checks;
      failures.push(...guard.violations.flatMap(controlFailure));
      details.push(`ControlTower (cfn-guard ${guard.guardVersion}): ${stackNames.map((stack) => controlCounts(stack, guard!.violations)).join('; ')}`);
      details.push(`ControlTower per control: ${perControl(guard.violations) || 'no violations'}`);
    }

    return { proof: NAME, tried, passed: tried - failures.length, failures, details };
  },
};

export default proof;

/** The failure line of a cdk-nag finding, or none when it is a warning or suppressed on its resource. */
function nagFailure(pack: string, f: NagFinding): string[] {
  const rule = `${f.path} ${f.ruleId}${f.findingId ? `[${f.findingId}]` : ''}`;
  switch (f.outcome) {
    case 'error':
      return [`${pack}: ${rule}: ${f.info}`];
    case 'suppressed-elsewhere':
      return [`${pack}: ${rule} is suppressed outside its resource (a stack-wide suppression?); suppress it on the resource, with its reason`];
    case 'rule-error':
      return [`${pack}: ${rule} could not be checked: ${f.detail}`];
    default:
      return [];
  }
}

/** `<stack> N errors, N suppressed, N warnings` for one pack. */
function nagCounts(stack: string, findings: NagFinding[]): string {
  const of = (...outcomes: Array<NagFinding['outcome']>) => findings.filter((f) => f.stack === stack && outcomes.includes(f.outcome)).length;
  return `${stack} ${of('error', 'suppressed-elsewhere', 'rule-error')} errors, ${of('suppressed')} suppressed, ${of('warning')} warnings`;
}

/** The failure line of a control violation, or none when it is suppressed with a reason. */
function controlFailure(v: ControlViolation): string[] {
  switch (v.outcome) {
    case 'violation':
      return [`ControlTower: ${v.path} ${v.ruleId} ${v.title}: ${v.fix}`];
    case 'unreasoned':
      return [`ControlTower: ${v.path} ${v.ruleId} is suppressed without a reason; write { id: '${v.ruleId}', reason: '...' } in its guard.SuppressedRules metadata`];
    default:
      return [];
  }
}

/** `<stack> N violations, N suppressed`. */
function controlCounts(stack: string, violations: ControlViolation[]): string {
  const ofStack = violations.filter((v) => v.stack === stack);
  const suppressed = ofStack.filter((v) => v.outcome === 'suppressed').length;
  return `${stack} ${ofStack.length - suppressed} violations, ${suppressed} suppressed`;
}

/** `CT.S3.PR.4 6 (2 suppressed), ...`: resources violating each control, most first. */
function perControl(violations: ControlViolation[]): string {
  const counts = new Map<string, { all: number; suppressed: number }>();
  for (const v of violations) {
    const count = counts.get(v.ruleId) ?? { all: 0, suppressed: 0 };
    count.all++;
    if (v.outcome === 'suppressed') count.suppressed++;
    counts.set(v.ruleId, count);
  }
  return [...counts]
    .sort(([a, x], [b, y]) => y.all - x.all || a.localeCompare(b))
    .map(([id, c]) => `${id} ${c.all}${c.suppressed ? ` (${c.suppressed} suppressed)` : ''}`)
    .join(', ');
}
