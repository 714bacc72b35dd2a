/**
 * The changes check of a CodeCommit source with `filePaths`, run for real: the commands of the
 * CodeCommit monorepo example's check project (runtime/changes.js, unpacked from its buildspec) in
 * bash, with `aws` the fake of the tests (test/fixtures/fake-aws). moto's CodeCommit has no
 * GetDifferences, so the fake answers it, and every call and answer is checked against botocore's
 * model of CodeCommit (the model the AWS CLI itself is built from): each argument a member of
 * GetDifferencesInput, the required ones present, each answer made of members of
 * GetDifferencesOutput, Difference and BlobMetadata only.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { ProjectKind } from '../../src/project-kind';
import { FAKE_SITE, fakeAwsEnvironment, removeFakeAwsCopy, REQUIRE_FAKE_AWS } from '../../test/fake-aws';
import { onlyProjectOfKind, projectKinds } from '../../test/support/project-kinds';
import { exampleStacks } from '../example-stacks';
import { Proof, ProofResult } from '../proof';
import { pythonTool } from '../python-tools';
import { CheckCase, resultOf } from '../template-checks/check-cases';

const NAME = 'Changes check: a CodeCommit push against the live release, GetDifferences checked against botocore';
const EXAMPLE_STACK = 'CodeCommitMonorepoSiteExample';
const LIVE_COMMIT = 'a'.repeat(40);
const PUSHED_COMMIT = 'b'.repeat(40);

/** What a case's fake answers: the live release (or none), and the files the push changed (before and after paths). */
interface Scenario {
  readonly name: string;
  readonly live?: string;
  readonly liveCommit?: string;
  readonly changed: Array<[string | null, string | null]>;
  readonly expected: 'true' | 'false' | 'fails';
  /** A member of GetDifferencesInput left out of the fake's model, so that it must refuse the argument (negative control). */
  readonly withoutMember?: string;
}

const SCENARIOS: Scenario[] = [
  { name: 'no live release: the push is released', changed: [], expected: 'true' },
  { name: 'a live release whose marker names no commit: released', live: 'r1', changed: [], expected: 'true' },
  { name: 'the live release\'s own commit: nothing changed', live: 'r1', liveCommit: PUSHED_COMMIT, changed: [], expected: 'false' },
  { name: 'a file of the site changed: released', live: 'r1', liveCommit: LIVE_COMMIT, changed: [['apps/site/src/a.ts', 'apps/site/src/a.ts']], expected: 'true' },
  { name: 'a file added to the site: released', live: 'r1', liveCommit: LIVE_COMMIT, changed: [[null, 'apps/site/new.md.ts']], expected: 'true' },
  { name: 'a file moved out of the site: released', live: 'r1', liveCommit: LIVE_COMMIT, changed: [['apps/site/old.ts', 'services/api/old.ts']], expected: 'true' },
  { name: 'only another folder changed: skipped', live: 'r1', liveCommit: LIVE_COMMIT, changed: [['services/api/main.go', 'services/api/main.go']], expected: 'false' },
  { name: 'only a file beside the folder with the same prefix changed: skipped', live: 'r1', liveCommit: LIVE_COMMIT, changed: [['apps/site-old/x', 'apps/site-old/x']], expected: 'false' },
  {
    name: 'negative control: the fake refuses an argument its model of GetDifferences does not have',
    live: 'r1',
    liveCommit: LIVE_COMMIT,
    changed: [['apps/site/a', 'apps/site/a']],
    expected: 'fails',
    withoutMember: 'beforeCommitSpecifier',
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
    try {
      for (const scenario of SCENARIOS) {
        const result = runCheck(commands, scenario, model);
        const ok = scenario.expected === 'fails' ? result.status !== 0 && result.output.includes('not a member of GetDifferencesInput')
          : result.status === 0 && result.changed === scenario.expected;
        cases.push({ name: scenario.name, problem: ok ? undefined : `expected ${scenario.expected}, got exit ${result.status}, CHANGED=${result.changed}: ${result.output.slice(-600)}` });
      }
    } finally {
      removeFakeAwsCopy();
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

/** Runs the check's commands with the fake `aws` holding `scenario`; returns CHANGED. */
function runCheck(commands: string[], scenario: Scenario, model: ReturnType<typeof codeCommitModel>):
{ status: number; changed: string; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-changes-'));
  try {
    const statePath = path.join(dir, 'state.json');
    const marker = { id: scenario.live, files: [], commit: scenario.liveCommit };
    fs.writeFileSync(statePath, JSON.stringify({
      bucket: FAKE_SITE.bucket,
      objects: scenario.live ? { [`releases/${scenario.live}.json`]: { size: 1, body: JSON.stringify(marker) } } : {},
      kvs: { arn: FAKE_SITE.kvsArn, etag: 'ETAG1', keys: scenario.live ? { live: scenario.live } : {} },
      codecommit: {
        beforeCommit: scenario.liveCommit,
        afterCommit: PUSHED_COMMIT,
        changed: scenario.changed,
        model: { ...model, input: model.input.filter((member) => member !== scenario.withoutMember) },
      },
    }));
    const script = [REQUIRE_FAKE_AWS, ...commands, 'echo "CHANGED=$CHANGED"'].join('\n');
    const result = spawnSync('bash', ['-e', '-c', script], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...fakeAwsEnvironment(statePath, path.join(dir, 'calls.log'), dir),
        HOME: dir,
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

export default proof;
