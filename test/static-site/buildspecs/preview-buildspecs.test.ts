import { spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  previewNameFromNumber,
  previewProgramEnvironment,
  previewPublishCommands,
  previewRemoveCommands,
  previewUploadCommands,
  pullRequestStepCommands,
} from '../../../src/static-site/buildspecs/preview-buildspecs';
import { RELEASE_REVALIDATED_CACHE_CONTROL } from '../../../src/static-site/buildspecs/release-buildspecs';
import { PREVIEW_CONTRACT } from '../../../src/static-site/release-contract';
import { DEFAULT_UPLOAD, FAKE_SITE, fakeAwsEnvironment, fakeAwsTestDirs, IMMUTABLE_CACHE_CONTROL, REQUIRE_FAKE_AWS, SITE_BUILD_FIXTURE } from '../../fake-aws';

const FIXTURE = SITE_BUILD_FIXTURE;
const BUCKET = FAKE_SITE.bucket;
const KVS_ARN = FAKE_SITE.kvsArn;
const COMMIT = FAKE_SITE.commit;
const IMMUTABLE = IMMUTABLE_CACHE_CONTROL;
const UPLOAD = DEFAULT_UPLOAD;
const LIVE_ID = '20250101T000000Z-aaaaaaaaaaaa-bbbbbbbb';
const DAY = 24 * 3600;
const NOW = () => Math.floor(Date.now() / 1000);
const ENV = previewProgramEnvironment({ url: 'https://www.example.com/', maxPreviews: 3, linkSeconds: 7 * DAY });

interface State {
  bucket: string;
  objects: Record<string, { size: number; body: string; cacheControl?: string }>;
  kvs: { arn: string; etag: string; keys: Record<string, string> };
  pipelineExecutions?: Record<string, { pipelineName: string; triggerType: string }>;
}
interface Run { readonly status: number | null; readonly stdout: string; readonly stderr: string }

const { tempDir } = fakeAwsTestDirs('preview-commands');

/** A bucket with a live release and a KeyValueStore, as the fake `aws` keeps them. */
class World {
  public readonly statePath = path.join(tempDir('state'), 'state.json');
  public readonly logPath = path.join(tempDir('log'), 'aws.log');

  constructor() {
    this.save({
      bucket: BUCKET,
      objects: { [`releases/${LIVE_ID}/index.html`]: { size: 4, body: 'live' } },
      kvs: { arn: KVS_ARN, etag: 'ETAG1', keys: { live: LIVE_ID } },
    });
    fs.writeFileSync(this.logPath, '');
  }

  public get state(): State {
    return JSON.parse(fs.readFileSync(this.statePath, 'utf8'));
  }

  public save(state: State): void {
    fs.writeFileSync(this.statePath, JSON.stringify(state));
  }

  public get keys(): Record<string, string> {
    return this.state.kvs.keys;
  }

  public setKeys(keys: Record<string, string>): void {
    const state = this.state;
    state.kvs.keys = { ...state.kvs.keys, ...keys };
    this.save(state);
  }

  public seedRelease(id: string): void {
    const state = this.state;
    state.objects[`releases/${id}/index.html`] = { size: 3, body: 'old' };
    this.save(state);
  }

  /** The aws calls made so far, one argv each. */
  public get calls(): string[][] {
    return fs.readFileSync(this.logPath, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  }

  public releaseIds(): string[] {
    return [...new Set(Object.keys(this.state.objects).map((k) => k.split('/')[1]))].sort();
  }

  /** Runs commands like a CodeBuild phase: one shell, stopping at the first failure. */
  public run(commands: string[], cwd: string, env: Record<string, string | undefined> = {}): Run {
    const result = spawnSync('bash', ['-e', '-c', [REQUIRE_FAKE_AWS, ...commands].join('\n')], { cwd, encoding: 'utf8', env: this.environment(env) });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** `run`, without waiting: for commands of programs that run at once. */
  public start(commands: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn('bash', ['-e', '-c', [REQUIRE_FAKE_AWS, ...commands].join('\n')], { cwd, env: this.environment(env) });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => { stdout += chunk; });
      child.stderr.on('data', (chunk) => { stderr += chunk; });
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  }

  /** The uploaded release of preview `name` (the upload step alone); its id. */
  public upload(name: string): string {
    const upload = this.run([`export PREVIEW_NAME=${name}`, ...previewUploadCommands(UPLOAD)], FIXTURE);
    return /as release (\S+)/.exec(upload.stdout)![1];
  }

  /** Upload then publish, as the connection pipeline's Preview stage runs them; returns the link. */
  public publish(name: string, env: Record<string, string | undefined> = {}): { upload: Run; publish?: Run; releaseId?: string; link?: string } {
    const upload = this.run([`export PREVIEW_NAME=${name}`, ...previewUploadCommands(UPLOAD)], FIXTURE, env);
    const releaseId = /as release (\S+)/.exec(upload.stdout)?.[1];
    if (upload.status !== 0 || !releaseId) {
      return { upload };
    }
    const publish = this.run([...previewPublishCommands('.'), 'echo "LINK=$PREVIEW_LINK"'], FIXTURE, { ...env, PREVIEW_NAME: name, RELEASE_ID: releaseId });
    return { upload, publish, releaseId, link: /LINK=(\S+)/.exec(publish.stdout)?.[1] };
  }

  public remove(name: string): Run {
    return this.run(previewRemoveCommands(), tempDir('remove'), { PREVIEW_NAME: name });
  }

  private environment(env: Record<string, string | undefined>): Record<string, string | undefined> {
    return { ...fakeAwsEnvironment(this.statePath, this.logPath, tempDir('tmp')), KVS_ARN, COMMIT_ID: COMMIT, ...ENV, ...env };
  }
}

/** Tokens in the store: token -> [expiry, name]. */
function tokens(keys: Record<string, string>): Map<string, [number, string]> {
  return new Map(Object.entries(keys).filter(([k]) => k.startsWith('token:'))
    .map(([k, v]) => [k.slice('token:'.length), [Number(v.split(' ')[0]), v.split(' ')[1]]]));
}

/** The first step of a connection's preview pipelines, as the pipeline runs it: what it exported, or how it failed. */
function firstStep(branch: string, triggerType = 'WebhookV2', pipeline = 'site-previews'): { status: number | null; trigger?: string; name?: string; stderr: string } {
  const world = new World();
  world.save({ ...world.state, pipelineExecutions: { 'e1a2b3c4-0000-4000-8000-000000000001': { pipelineName: 'site-previews', triggerType } } } as State);
  const commands = pullRequestStepCommands({ pipeline: 'PIPELINE_NAME', execution: 'EXECUTION_ID', branch: 'PULL_REQUEST_BRANCH' });
  const run = world.run([...commands, 'echo "TRIGGER=$EXECUTION_TRIGGER"', 'echo "NAME=$PREVIEW_NAME"'], tempDir('first-step'), {
    PIPELINE_NAME: pipeline, EXECUTION_ID: 'e1a2b3c4-0000-4000-8000-000000000001', PULL_REQUEST_BRANCH: branch,
  });
  return { status: run.status, trigger: /^TRIGGER=(.*)$/m.exec(run.stdout)?.[1], name: /^NAME=(.*)$/m.exec(run.stdout)?.[1], stderr: run.stderr };
}

/** The first 8 hex characters of the SHA-256 of a branch's exact name. */
const hashOf = (branch: string) => crypto.createHash('sha256').update(branch, 'utf8').digest('hex').slice(0, 8);

describe('preview names of a connection\'s pull requests', () => {
  test.each([
    ['feature/New-Header', `feature-new-header-${hashOf('feature/New-Header')}`],
    ['--Fix__typo--', `fix-typo-${hashOf('--Fix__typo--')}`],
    ['a'.repeat(60), `${'a'.repeat(31)}-${hashOf('a'.repeat(60))}`],
    // The go-live check's preview has a dot, which no branch's preview name keeps.
    ['go-live.check', `go-live-check-${hashOf('go-live.check')}`],
    // A branch of no letter or digit (as the name pattern reads them) is named by its hash alone.
    ['日本語', hashOf('日本語')],
  ])('the branch %s names the preview %s: its readable part, then 8 hex of the SHA-256 of its exact name', (branch, name) => {
    expect(firstStep(branch).name).toBe(name);
  });

  test('branches that differ in case or punctuation alone get previews of their own: Feature/X and feature-x', () => {
    const [upper, lower] = [firstStep('Feature/X').name, firstStep('feature-x').name];
    expect(upper).toMatch(/^feature-x-[0-9a-f]{8}$/);
    expect(lower).toMatch(/^feature-x-[0-9a-f]{8}$/);
    expect(upper).not.toBe(lower);
  });

  test('two Dependabot branches that agree on their first 40 characters get previews of their own', () => {
    const branches = ['dependabot/npm_and_yarn/packages/web/eslint-plugin-react-hooks-5.1.0', 'dependabot/npm_and_yarn/packages/web/eslint-plugin-react-hooks-5.2.0'];
    expect(branches[0].slice(0, 40)).toBe(branches[1].slice(0, 40));
    const names = branches.map((branch) => firstStep(branch).name);
    expect(names[0]).not.toBe(names[1]);
    for (const name of names) expect(name).toMatch(/^dependabot-npm-and-yarn-package-[0-9a-f]{8}$/);
  });

  test('pull requests from two forks\' branches of the same name (patch-1) share a preview: CodePipeline tells them apart by nothing', () => {
    // The README says so: a pull request's execution knows its source branch, not its repository or number.
    expect(firstStep('patch-1').name).toBe(firstStep('patch-1').name);
    expect(firstStep('patch-1').name).toBe(`patch-1-${hashOf('patch-1')}`);
  });

  test('a fork\'s pull request from its own main is named like any other branch\'s', () => {
    const run = firstStep('main');
    expect(run).toMatchObject({ status: 0, trigger: 'WebhookV2', name: `main-${hashOf('main')}` });
  });

  test('every name is one the store and host names take, at most 40 characters', () => {
    const pattern = new RegExp(PREVIEW_CONTRACT.namePattern);
    for (const branch of ['Feature/X', 'x'.repeat(300), '-', 'release/2024.06', 'ÄÖÜ-äöü', 'UPPER_case.MIXED/123']) {
      expect(firstStep(branch).name).toMatch(pattern);
    }
  });

  test.each(['WebhookV2', 'CreatePipeline', 'StartPipelineExecution'])('the first step exports what started the execution: %s', (triggerType) => {
    expect(firstStep('feature/x', triggerType)).toMatchObject({ status: 0, trigger: triggerType });
  });

  test('the first step fails when CodePipeline knows no such execution of the pipeline', () => {
    const run = firstStep('feature/x', 'WebhookV2', 'another-pipeline');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('Preview failed: aws codepipeline get-pipeline-execution failed: An error occurred (PipelineExecutionNotFoundException)');
  });
});

describe('preview names of CodeCommit pull requests', () => {
  const nameOf = (id: string) => spawnSync('bash', ['-c', [...previewNameFromNumber('N'), 'echo "$PREVIEW_NAME"'].join('\n')], {
    encoding: 'utf8', env: { ...process.env, N: id },
  });

  test('a pull request number names the preview pr-<n>', () => {
    expect(nameOf('42').stdout.trim()).toBe('pr-42');
  });

  test('anything but a number stops the step', () => {
    const run = nameOf('42; rm -rf /');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('Deploy failed: N must be a pull request number.');
  });
});

describe('publishing a preview', () => {
  test('uploads a preview release with the cache headers of releases, names it and adds a token', () => {
    const world = new World();
    const { upload, publish, releaseId, link } = world.publish('pr-42');
    expect(upload.status).toBe(0);
    expect(publish?.status).toBe(0);
    expect(releaseId).toMatch(/^\d{8}T\d{6}Z-p3f9a1c2b7d4e-pr42$/);
    const keys = world.keys;
    expect(keys['preview:pr-42']).toBe(releaseId);
    expect(keys.live).toBe(LIVE_ID);
    const [[token, [expires, name]]] = [...tokens(keys)];
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(name).toBe('pr-42');
    expect(Math.abs(expires - (NOW() + 7 * DAY))).toBeLessThan(60);
    expect(link).toBe(`https://www.example.com/?preview-token=${token}`);
    const objects = world.state.objects;
    expect(objects[`releases/${releaseId}/assets/index-3f9a1c2b.js`].cacheControl).toBe(IMMUTABLE);
    expect(objects[`releases/${releaseId}/index.html`].cacheControl).toBe(RELEASE_REVALIDATED_CACHE_CONTROL);
  });

  test('the link goes to the preview host when the URL names it', () => {
    const world = new World();
    const { link } = world.publish('pr-7', { PREVIEW_URL: 'https://{name}.preview.example.com/' });
    expect(link).toMatch(/^https:\/\/pr-7\.preview\.example\.com\/\?preview-token=[0-9a-f]{32}$/);
  });

  test('a newer push replaces the release, keeps the valid token and deletes the old files', () => {
    const world = new World();
    const first = world.publish('pr-42');
    const second = world.publish('pr-42');
    expect(second.releaseId).not.toBe(first.releaseId);
    expect(second.link).toBe(first.link);
    expect(tokens(world.keys).size).toBe(1);
    expect(world.keys['preview:pr-42']).toBe(second.releaseId);
    expect(world.releaseIds()).toEqual([LIVE_ID, second.releaseId].sort());
  });

  test('an expired token is replaced by a new one and deleted', () => {
    const world = new World();
    world.setKeys({ ['token:' + 'a'.repeat(32)]: `${NOW() - 10} pr-42` });
    const { link } = world.publish('pr-42');
    const found = tokens(world.keys);
    expect(found.has('a'.repeat(32))).toBe(false);
    expect(found.size).toBe(1);
    expect(link).toContain([...found.keys()][0]);
  });

  test('the oldest preview makes room beyond maxPreviews (3); the go-live check and live are never touched', () => {
    const world = new World();
    const old = (n: number) => `2024010${n}T000000Z-paaaaaaaaaaaa-pr${n}`;
    for (const n of [1, 2, 3]) {
      world.seedRelease(old(n));
      world.setKeys({ [`preview:pr-${n}`]: old(n), [`token:${String(n).repeat(32)}`]: `${NOW() + DAY} pr-${n}` });
    }
    world.setKeys({ 'preview:go-live.check': old(1).replace('pr1', 'verify') });
    const { publish, releaseId } = world.publish('pr-9');
    expect(publish?.status).toBe(0);
    const keys = world.keys;
    expect(Object.keys(keys).filter((k) => k.startsWith('preview:')).sort()).toEqual(['preview:go-live.check', 'preview:pr-2', 'preview:pr-3', 'preview:pr-9']);
    expect([...tokens(keys).values()].map(([, name]) => name).sort()).toEqual(['pr-2', 'pr-3', 'pr-9']);
    expect(world.releaseIds()).toEqual([LIVE_ID, old(2), old(3), releaseId].sort());
    expect(keys.live).toBe(LIVE_ID);
    expect(publish?.stderr).toContain('Removed preview pr-1');
  });

  test('a file missing from the upload stops the publish before the store changes', () => {
    const world = new World();
    const upload = world.run(['export PREVIEW_NAME=pr-1', ...previewUploadCommands(UPLOAD)], FIXTURE);
    const releaseId = /as release (\S+)/.exec(upload.stdout)![1];
    const state = world.state;
    delete state.objects[`releases/${releaseId}/index.html`];
    world.save(state);
    const publish = world.run(previewPublishCommands('.'), FIXTURE, { PREVIEW_NAME: 'pr-1', RELEASE_ID: releaseId });
    expect(publish.status).not.toBe(0);
    expect(publish.stderr).toContain('Preview failed: 1 of 12 files are missing or incomplete');
    expect(world.keys).toEqual({ live: LIVE_ID });
  });

  test('refuses a release id that is not a preview release', () => {
    const world = new World();
    const publish = world.run(previewPublishCommands(), FIXTURE, { PREVIEW_NAME: 'pr-1', RELEASE_ID: LIVE_ID });
    expect(publish.status).not.toBe(0);
    expect(publish.stderr).toContain(`Preview failed: release id ${LIVE_ID} is not a preview release id`);
    expect(world.keys).toEqual({ live: LIVE_ID });
  });

  test('refuses a name the store and host names cannot take', () => {
    const world = new World();
    const publish = world.run(previewPublishCommands(), FIXTURE, { PREVIEW_NAME: 'PR_1', RELEASE_ID: '20260101T000000Z-pabc-pr1' });
    expect(publish.stderr).toContain("Preview failed: the preview name must match ^[a-z0-9][a-z0-9-]{0,39}$, got 'PR_1'.");
  });

  test('fails with a clear message when the records do not fit in the store', () => {
    const world = new World();
    world.setKeys({ big: 'x'.repeat(5242880) });
    const { publish } = world.publish('pr-1');
    expect(publish?.status).not.toBe(0);
    expect(publish?.stderr).toContain('do not fit in the KeyValueStore');
  });
});

describe('publishing beside other programs', () => {
  const RETRY = 'The KeyValueStore changed since it was read (another program wrote to it); reading it again (try 2 of 5).';

  test('when another program writes to the store between the read and the write, reads again and keeps that program\'s records', () => {
    const world = new World();
    const other = { 'preview:pr-8': '20260601T115900Z-p0123456789ab-pr8', ['token:' + '8'.repeat(32)]: `${NOW() + DAY} pr-8` };

    const { publish, releaseId } = world.publish('pr-9', { FAKE_AWS_STORE_CHANGE_BEFORE: JSON.stringify({ call: 'update-keys', keys: other }) });

    expect(publish?.status).toBe(0);
    expect(publish?.stderr).toContain(RETRY);
    const keys = world.keys;
    expect(keys).toEqual(expect.objectContaining({ ...other, 'preview:pr-9': releaseId, 'live': LIVE_ID }));
    expect([...tokens(keys).values()].map(([, name]) => name).sort()).toEqual(['pr-8', 'pr-9']);
  });

  test('two previews published at once are both named, each with its token, one after reading the store again', async () => {
    const world = new World();
    const ids = ['pr-1', 'pr-2'].map((name) => world.upload(name));
    // Both reach their write having read the same store.
    const atOnce = { FAKE_AWS_BARRIER: JSON.stringify({ call: 'update-keys', calls: 2 }) };

    const runs = await Promise.all(['pr-1', 'pr-2'].map((name, i) => world.start(previewPublishCommands('.'), FIXTURE, { ...atOnce, PREVIEW_NAME: name, RELEASE_ID: ids[i] })));

    expect(runs.map((r) => r.status)).toEqual([0, 0]);
    expect(runs.filter((r) => r.stderr.includes(RETRY))).toHaveLength(1);
    const keys = world.keys;
    expect([keys['preview:pr-1'], keys['preview:pr-2']]).toEqual(ids);
    expect([...tokens(keys).values()].map(([, name]) => name).sort()).toEqual(['pr-1', 'pr-2']);
  }, 60000);

  test('writes the store with UpdateKeys alone, the one write its roles are granted, even a write of one key', () => {
    const world = new World();
    world.publish('pr-1');
    world.publish('pr-1');
    world.remove('pr-1');

    const operations = new Set(world.calls.filter((args) => args[0] === 'cloudfront-keyvaluestore').map((args) => args[1]));
    expect([...operations].sort()).toEqual(['describe-key-value-store', 'list-keys', 'update-keys']);
  });

  test('never starts a write the step has no time left to finish: fails, the store unchanged', () => {
    const world = new World();
    const started = String(Date.now() - (15 * 60 - 10) * 1000);

    const { publish } = world.publish('pr-1', { CODEBUILD_START_TIME: started });

    expect(publish?.status).not.toBe(0);
    expect(publish?.stderr).toMatch(/^Preview failed: too little time is left to change the store: \d+ s left: CodeBuild stops this step at \S+Z, 15 minutes after the build started at \S+Z, and naming the preview need 20 s\. The preview was not changed; run the step again\.\n$/m);
    expect(world.keys).toEqual({ live: LIVE_ID });
  });
});

describe('removing a preview', () => {
  test('deletes its record, its tokens and its files, and nothing else', () => {
    const world = new World();
    const { releaseId } = world.publish('pr-42');
    world.publish('pr-43');
    const run = world.remove('pr-42');
    expect(run.status).toBe(0);
    const keys = world.keys;
    expect(keys['preview:pr-42']).toBeUndefined();
    expect([...tokens(keys).values()].map(([, name]) => name)).toEqual(['pr-43']);
    expect(world.releaseIds()).not.toContain(releaseId);
    expect(world.releaseIds()).toContain(LIVE_ID);
    expect(keys.live).toBe(LIVE_ID);
  });

  test('removing a preview that does not exist succeeds and changes nothing', () => {
    const world = new World();
    const run = world.remove('pr-5');
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('There is no preview pr-5; nothing changed.');
    expect(world.keys).toEqual({ live: LIVE_ID });
  });

  test('never deletes the files of a release that is not a preview release', () => {
    const world = new World();
    world.setKeys({ 'preview:pr-1': LIVE_ID });
    const run = world.remove('pr-1');
    expect(run.status).toBe(0);
    expect(world.releaseIds()).toEqual([LIVE_ID]);
    expect(run.stderr).toContain('is not a preview release; its files are kept');
  });
});
