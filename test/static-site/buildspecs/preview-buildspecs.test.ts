import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  previewNameFromBranch,
  previewNameFromNumber,
  previewProgramEnvironment,
  previewPublishCommands,
  previewRemoveCommands,
  previewUploadCommands,
} from '../../../src/static-site/buildspecs/preview-buildspecs';
import { RELEASE_REVALIDATED_CACHE_CONTROL } from '../../../src/static-site/buildspecs/release-buildspecs';
import { DEFAULT_UPLOAD, FAKE_SITE, fakeAwsEnvironment, fakeAwsTestDirs, IMMUTABLE_CACHE_CONTROL, SITE_BUILD_FIXTURE } from '../../fake-aws';

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

  public releaseIds(): string[] {
    return [...new Set(Object.keys(this.state.objects).map((k) => k.split('/')[1]))].sort();
  }

  /** Runs commands like a CodeBuild phase: one shell, stopping at the first failure. */
  public run(commands: string[], cwd: string, env: Record<string, string | undefined> = {}): Run {
    const result = spawnSync('bash', ['-e', '-c', commands.join('\n')], {
      cwd,
      encoding: 'utf8',
      env: {
        ...fakeAwsEnvironment(this.statePath, this.logPath, tempDir('tmp')),
        KVS_ARN,
        COMMIT_ID: COMMIT,
        ...ENV,
        ...env,
      },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
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
}

/** Tokens in the store: token -> [expiry, name]. */
function tokens(keys: Record<string, string>): Map<string, [number, string]> {
  return new Map(Object.entries(keys).filter(([k]) => k.startsWith('token:'))
    .map(([k, v]) => [k.slice('token:'.length), [Number(v.split(' ')[0]), v.split(' ')[1]]]));
}

describe('preview names', () => {
  test.each([
    ['feature/New-Header', 'feature-new-header'],
    ['--Fix__typo--', 'fix-typo'],
    ['a'.repeat(60), 'a'.repeat(40)],
    // The go-live check's preview has a dot, which no branch's preview name keeps.
    ['go-live.check', 'go-live-check'],
  ])('the branch %s names the preview %s', (branch, name) => {
    const result = spawnSync('bash', ['-e', '-c', [...previewNameFromBranch('B'), 'echo "$PREVIEW_NAME"'].join('\n')], {
      encoding: 'utf8', env: { ...process.env, B: branch },
    });
    expect(result.stdout.trim()).toBe(name);
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
