/**
 * The changes check of a CodeCommit source with `filePaths`, run for real: the commands of the
 * CodeCommit monorepo example's check project (runtime/changes.js, unpacked from its buildspec) in
 * bash, with `aws` a stand-in. moto's CodeCommit has no GetDifferences, so the stand-in answers it,
 * and every call and answer is checked against botocore's model of CodeCommit (the model the AWS CLI
 * itself is built from): each argument a member of GetDifferencesInput, the required ones present,
 * each answer made of members of GetDifferencesOutput, Difference and BlobMetadata only.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { ProjectKind } from '../../src/project-kind';
import { onlyProjectOfKind, projectKinds } from '../../test/support/project-kinds';
import { exampleStacks } from '../example-stacks';
import { Proof, ProofResult } from '../proof';
import { pythonTool } from '../python-tools';
import { CheckCase, resultOf } from '../template-checks/check-cases';

const NAME = 'Changes check: a CodeCommit push against the live release, GetDifferences checked against botocore';
const EXAMPLE_STACK = 'CodeCommitMonorepoSiteExample';
const LIVE_COMMIT = 'a'.repeat(40);
const PUSHED_COMMIT = 'b'.repeat(40);

/** What a case's stand-in answers: the live release (or none), and the files the push changed (before and after paths). */
interface Scenario {
  readonly name: string;
  readonly live?: string;
  readonly liveCommit?: string;
  readonly changed: Array<[string | undefined, string | undefined]>;
  readonly expected: 'true' | 'false' | 'fails';
  /** An argument the program would not send: the stand-in must refuse it (negative control). */
  readonly extraArgument?: string;
}

const SCENARIOS: Scenario[] = [
  { name: 'no live release: the push is released', changed: [], expected: 'true' },
  { name: 'a live release whose marker names no commit: released', live: 'r1', changed: [], expected: 'true' },
  { name: 'the live release\'s own commit: nothing changed', live: 'r1', liveCommit: PUSHED_COMMIT, changed: [], expected: 'false' },
  { name: 'a file of the site changed: released', live: 'r1', liveCommit: LIVE_COMMIT, changed: [['apps/site/src/a.ts', 'apps/site/src/a.ts']], expected: 'true' },
  { name: 'a file added to the site: released', live: 'r1', liveCommit: LIVE_COMMIT, changed: [[undefined, 'apps/site/new.md.ts']], expected: 'true' },
  { name: 'a file moved out of the site: released', live: 'r1', liveCommit: LIVE_COMMIT, changed: [['apps/site/old.ts', 'services/api/old.ts']], expected: 'true' },
  { name: 'only another folder changed: skipped', live: 'r1', liveCommit: LIVE_COMMIT, changed: [['services/api/main.go', 'services/api/main.go']], expected: 'false' },
  { name: 'only a file beside the folder with the same prefix changed: skipped', live: 'r1', liveCommit: LIVE_COMMIT, changed: [['apps/site-old/x', 'apps/site-old/x']], expected: 'false' },
  {
    name: 'negative control: the stand-in refuses an argument GetDifferences does not have',
    live: 'r1',
    liveCommit: LIVE_COMMIT,
    changed: [['apps/site/a', 'apps/site/a']],
    expected: 'fails',
    extraArgument: '--before-commit',
  },
];

const proof: Proof = {
  async run(): Promise<ProofResult> {
    const model = codeCommitModel();
    const stack = exampleStacks().find((s) => s.stackName === EXAMPLE_STACK)!;
    const projects = Template.fromStack(stack).findResources('AWS::CodeBuild::Project');
    const check = projects[onlyProjectOfKind(projectKinds(stack), ProjectKind.CHANGES_CHECK)];
    const commands: string[] = JSON.parse(check.Properties.Source.BuildSpec).phases.build.commands;
    const cases: CheckCase[] = [];
    const details: string[] = [`botocore GetDifferences input members: ${model.input.join(', ')}`];
    for (const scenario of SCENARIOS) {
      const result = runCheck(commands, scenario, model);
      const ok = scenario.expected === 'fails' ? result.status !== 0 && result.output.includes('not a member of GetDifferencesInput')
        : result.status === 0 && result.changed === scenario.expected;
      cases.push({ name: scenario.name, problem: ok ? undefined : `expected ${scenario.expected}, got exit ${result.status}, CHANGED=${result.changed}: ${result.output.slice(-600)}` });
    }
    return resultOf(NAME, cases, details);
  },
};

/** The members botocore's model gives GetDifferences' input (required ones too), output, Difference and BlobMetadata. */
function codeCommitModel(): { input: string[]; required: string[]; output: string[]; difference: string[]; blob: string[] } {
  const script = [
    'import json, botocore.session',
    "m = botocore.session.get_session().get_service_model('codecommit')",
    "op = m.operation_model('GetDifferences')",
    "diff = op.output_shape.members['differences'].member",
    'print(json.dumps({"input": list(op.input_shape.members), "required": list(op.input_shape.required_members),',
    '  "output": list(op.output_shape.members), "difference": list(diff.members), "blob": list(diff.members["beforeBlob"].members)}))',
  ].join('\n');
  const result = spawnSync(pythonTool('python'), ['-c', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`botocore's model of CodeCommit could not be read: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** Runs the check's commands with the stand-in `aws` of `scenario`; returns CHANGED. */
function runCheck(commands: string[], scenario: Scenario, model: ReturnType<typeof codeCommitModel>):
{ status: number; changed: string; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-changes-'));
  try {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(dir, 'scenario.json'), JSON.stringify({ ...scenario, model, pushed: PUSHED_COMMIT }));
    fs.writeFileSync(path.join(bin, 'aws'), `#!/usr/bin/env node\n${STAND_IN}`, { mode: 0o755 });
    const script = [...commands, 'echo "CHANGED=$CHANGED"'].join('\n');
    const result = spawnSync('bash', ['-e', '-c', script], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        TMPDIR: dir,
        HOME: dir,
        SCENARIO: path.join(dir, 'scenario.json'),
        SITE_BUCKET: 'site-bucket',
        KVS_ARN: 'arn:aws:cloudfront::123456789012:key-value-store/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
        REPOSITORY_NAME: 'monorepo',
        COMMIT_ID: PUSHED_COMMIT,
      },
    });
    const changed = /^CHANGED=(.*)$/m.exec(result.stdout)?.[1] ?? '';
    return { status: result.status ?? 1, changed, output: `${result.stdout}\n${result.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The stand-in `aws`: the live key, the live release's marker, and GetDifferences checked against
 * botocore's model (kebab-case options of the CLI as the model's members).
 */
const STAND_IN = `
const fs = require('fs');
const s = JSON.parse(fs.readFileSync(process.env.SCENARIO, 'utf8'));
const argv = process.argv.slice(2);
const die = (message) => { process.stderr.write(message + '\\n'); process.exit(254); };
const out = (value) => process.stdout.write(JSON.stringify(value));
const [service, operation] = argv;
if (service === 'cloudfront-keyvaluestore' && operation === 'get-key') {
  if (!s.live) die('An error occurred (ResourceNotFoundException) when calling the GetKey operation: Key not found');
  out({ Key: 'live', Value: s.live });
} else if (service === 's3' && operation === 'cp') {
  process.stdout.write(JSON.stringify({ id: s.live, files: [], commit: s.liveCommit }));
} else if (service === 'codecommit' && operation === 'get-differences') {
  const args = argv.slice(2).concat(s.extraArgument ? [s.extraArgument, 'x'] : []);
  const given = {};
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '--output') continue;
    const member = args[i].replace(/^--/, '').replace(/-([a-z])/g, (m, c) => c.toUpperCase());
    if (!s.model.input.includes(member)) die('fake aws: ' + args[i] + ' is not a member of GetDifferencesInput');
    given[member] = args[i + 1];
  }
  for (const member of s.model.required) if (!(member in given)) die('fake aws: GetDifferences needs ' + member);
  if (given.afterCommitSpecifier !== s.pushed || given.beforeCommitSpecifier !== s.liveCommit) die('fake aws: unexpected commits ' + JSON.stringify(given));
  const blob = (p) => p === undefined ? undefined : { blobId: 'f'.repeat(40), path: p, mode: '100644' };
  const differences = s.changed.map(([before, after]) => Object.fromEntries(Object.entries({
    beforeBlob: blob(before), afterBlob: blob(after), changeType: before === undefined ? 'A' : after === undefined ? 'D' : 'M',
  }).filter(([, v]) => v !== undefined)));
  for (const d of differences) {
    for (const k of Object.keys(d)) if (!s.model.difference.includes(k)) die('fake aws: Difference has no member ' + k);
    for (const b of [d.beforeBlob, d.afterBlob].filter(Boolean)) for (const k of Object.keys(b)) if (!s.model.blob.includes(k)) die('fake aws: BlobMetadata has no member ' + k);
  }
  const answer = { differences };
  for (const k of Object.keys(answer)) if (!s.model.output.includes(k)) die('fake aws: GetDifferencesOutput has no member ' + k);
  out(answer);
} else {
  die('fake aws: unexpected call ' + argv.join(' '));
}
`;

export default proof;
