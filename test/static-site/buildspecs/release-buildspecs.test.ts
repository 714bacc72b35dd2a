import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  GoLiveOptions,
  RELEASE_REVALIDATED_CACHE_CONTROL,
  releaseGoLiveBuildSpecObject,
  releaseGoLiveCommands,
  releaseUploadBuildSpecObject,
  releaseUploadCommands,
  rollbackBuildSpecObject,
  rollbackCommands,
  RulesSettings,
} from '../../../src/static-site/buildspecs/release-buildspecs';
import { CODEBUILD_INLINE_BUILDSPEC_MAX_CHARS } from '../../../src/validation';
import { DEFAULT_UPLOAD, FAKE_SITE, fakeAwsEnvironment, fakeAwsTestDirs, IMMUTABLE_CACHE_CONTROL, REQUIRE_FAKE_AWS, SITE_BUILD_FIXTURE } from '../../fake-aws';
import { asLambdaCompute, lambdaComputeDir, makeLambdaComputeWritable, makeReadOnly, NO_HOME } from '../../lambda-compute';

const FIXTURE = SITE_BUILD_FIXTURE;
const BUCKET = FAKE_SITE.bucket;
const KVS_ARN = FAKE_SITE.kvsArn;
const COMMIT = FAKE_SITE.commit;
const EXECUTION = '8c1f2a3b-4d5e-6f70-8192-a3b4c5d6e7f8';
const IMMUTABLE = IMMUTABLE_CACHE_CONTROL;
const UPLOAD = DEFAULT_UPLOAD;
const NO_RULES: RulesSettings = {
  redirects: false, headers: false, securityHeaders: {}, pageCacheControl: RELEASE_REVALIDATED_CACHE_CONTROL, contentTypes: { svg: 'image/svg+xml' },
};
const GO_LIVE: GoLiveOptions = { sourceDirectory: '.', releasesToKeep: 10, notFoundPage: '404.html', rules: NO_RULES };
/** Go-live options with `_redirects` loaded. */
const REDIRECTS_ON = { rules: { ...NO_RULES, redirects: true } };
const FIXTURE_FILES = [
  '404.html', 'about/index.html', 'app.wasm', 'assets/index-3f9a1c2b.js', 'assets/index-8d2e4f10.css',
  'assets/logo-ab12cd34.svg', 'favicon.ico', 'index.html', 'manifest.webmanifest', 'module.mjs', 'robots.txt', 'sw.js',
];
/** Ids of releases made before the test, oldest first. */
const OLD = (n: number) => `20250101T0000${String(n).padStart(2, '0')}Z-aaaaaaaaaaaa-bbbbbbbb`;
const RELEASE_ID = /^\d{8}T\d{6}Z-3f9a1c2b7d4e-8c1f2a3b$/;

interface StoredObject { size: number; body: string; cacheControl?: string; contentType?: string; modified?: string }
interface State {
  bucket: string;
  objects: Record<string, StoredObject>;
  kvs: { arn: string; etag: string; keys: Record<string, string> };
}

const { tempDir, removeAfterTests } = fakeAwsTestDirs('release-commands');

/** A new directory under /tmp as Lambda compute would see it, removed after the tests. */
function lambdaDir(label: string, writable: boolean): string {
  return removeAfterTests(lambdaComputeDir(label, writable));
}

/** A bucket and KeyValueStore, as the fake `aws` keeps them, with a log of the calls made. */
class World {
  public readonly statePath: string;
  public readonly logPath: string;

  /** @param onLambdaCompute run the commands as Lambda compute would: not as root, writing under TMPDIR only */
  constructor(private readonly onLambdaCompute = false) {
    const awsDir = (label: string) => onLambdaCompute ? lambdaDir(label, true) : tempDir(label);
    this.statePath = path.join(awsDir('state'), 'state.json');
    this.logPath = path.join(awsDir('log'), 'aws.log');
    this.save({ bucket: BUCKET, objects: {}, kvs: { arn: KVS_ARN, etag: 'ETAG1', keys: {} } });
    fs.writeFileSync(this.logPath, '');
  }

  public get state(): State {
    return JSON.parse(fs.readFileSync(this.statePath, 'utf8'));
  }

  public save(state: State): void {
    fs.writeFileSync(this.statePath, JSON.stringify(state));
  }

  /** A complete release made before the test: its files and its marker. */
  public seedRelease(id: string, files: Record<string, string>, options: { marker?: boolean } = {}): void {
    const state = this.state;
    for (const [file, body] of Object.entries(files)) {
      state.objects[`releases/${id}/${file}`] = { size: body.length, body, cacheControl: IMMUTABLE };
    }
    if (options.marker ?? true) {
      const marker = JSON.stringify({ id, files: Object.keys(files).filter((f) => !f.endsWith('.html')) });
      state.objects[`releases/${id}.json`] = { size: marker.length, body: marker };
    }
    this.save(state);
  }

  public setKeys(keys: Record<string, string>): void {
    const state = this.state;
    state.kvs.keys = { ...state.kvs.keys, ...keys };
    this.save(state);
  }

  public get live(): string | undefined {
    return this.state.kvs.keys.live;
  }

  /** Release ids with files in the bucket, and those with a marker. */
  public releases(): { uploaded: string[]; marked: string[] } {
    const keys = Object.keys(this.state.objects);
    const uploaded = new Set(keys.filter((k) => /^releases\/[^/]+\//.test(k)).map((k) => k.split('/')[1]));
    const marked = keys.filter((k) => /^releases\/[^/]+\.json$/.test(k)).map((k) => k.slice('releases/'.length, -'.json'.length));
    return { uploaded: [...uploaded].sort(), marked: marked.sort() };
  }

  /** Files of one release, relative to it. */
  public filesOf(id: string): string[] {
    const prefix = `releases/${id}/`;
    return Object.keys(this.state.objects).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).sort();
  }

  /** The aws calls made so far, one argv each. */
  public get calls(): string[][] {
    return fs.readFileSync(this.logPath, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  }

  /** Runs commands like a CodeBuild phase: one shell, stopping at the first failure. */
  public run(commands: string[], cwd: string, env: Record<string, string | undefined> = {}): Run {
    if (this.onLambdaCompute) {
      [this.statePath, this.logPath].forEach((file) => makeLambdaComputeWritable(file));
    }
    const guarded = [REQUIRE_FAKE_AWS, ...commands];
    const [command, ...args] = this.onLambdaCompute ? asLambdaCompute(guarded) : ['bash', '-e', '-c', guarded.join('\n')];
    const result = spawnSync(command, args, {
      cwd,
      encoding: 'utf8',
      env: {
        // The release program unpacks into the temp directory: one of this test's, removed after it.
        ...fakeAwsEnvironment(this.statePath, this.logPath, this.onLambdaCompute ? lambdaDir('tmp', true) : tempDir('tmp')),
        ...(this.onLambdaCompute ? { HOME: NO_HOME } : {}),
        FAKE_AWS_SKIP_FILE: undefined,
        COMMIT_ID: COMMIT,
        EXECUTION_ID: EXECUTION,
        CODEBUILD_BUILD_ID: 'SiteRollback:0a1b2c3d',
        ...env,
      },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /**
   * A deploy as the pipeline runs it: the upload action, then (when it succeeded) the go-live
   * action with the RELEASE_ID the upload exported.
   */
  public deploy(build: string, options: Partial<GoLiveOptions> = {}, env: Record<string, string | undefined> = {}): Deploy {
    const upload = this.run(releaseUploadCommands(UPLOAD), build, env);
    const releaseId = /Uploading release (\S+)/.exec(upload.stdout)?.[1];
    if (upload.status !== 0 || !releaseId) {
      return { upload, releaseId };
    }
    const goLive = this.run(releaseGoLiveCommands({ ...GO_LIVE, ...options }), build, { ...env, RELEASE_ID: releaseId });
    return { upload, goLive, releaseId };
  }

  /**
   * The go-live action alone, after an upload of `site` simulated by writing its files (all but
   * `skip`) under `releases/<id>/`: most tests are about what happens after the upload.
   */
  public goLive(build: string, options: Partial<GoLiveOptions> = {}, env: Record<string, string | undefined> = {}, skip?: string): Deploy {
    const releaseId = '20260601T120000Z-3f9a1c2b7d4e-8c1f2a3b';
    const state = this.state;
    for (const file of listFiles(build).filter((f) => f !== skip)) {
      const body = fs.readFileSync(path.join(build, file), 'utf8');
      state.objects[`releases/${releaseId}/${file}`] = {
        size: Buffer.byteLength(body), body, cacheControl: RELEASE_REVALIDATED_CACHE_CONTROL, modified: new Date().toISOString(),
      };
    }
    this.save(state);
    const goLive = this.run(releaseGoLiveCommands({ ...GO_LIVE, ...options }), build, { ...env, RELEASE_ID: releaseId });
    return { upload: { status: 0, stdout: '', stderr: '' }, goLive, releaseId };
  }

  public rollback(release?: string, env: Record<string, string | undefined> = {}): Run {
    const cwd = this.onLambdaCompute ? lambdaDir('rollback', false) : tempDir('rollback');
    return this.run(rollbackCommands('404.html'), cwd, { RELEASE: release, ...env });
  }
}

interface Run { readonly status: number | null; readonly stdout: string; readonly stderr: string }

/** The store's value of a key, parsed. */
const json = (world: World, key: string) => JSON.parse(world.state.kvs.keys[key]);
/** The prefix `~<tag>` of the records a release's table of `kind` shares, from its index. */
const sharedTag = (world: World, release: string, kind = '*') => `~${json(world, release + kind).t}`;
interface Deploy { readonly upload: Run; readonly goLive?: Run; readonly releaseId?: string }

/** Files under `dir`, relative, sorted. */
function listFiles(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((entry) => {
      const file = rel ? `${rel}/${entry.name}` : entry.name;
      return entry.isDirectory() ? listFiles(dir, file) : [file];
    }).sort();
}

/** A build artifact: the fixture site plus extra files. */
function site(extraFiles: Record<string, string> = {}): string {
  const dir = tempDir('site');
  fs.cpSync(FIXTURE, dir, { recursive: true });
  for (const [file, body] of Object.entries(extraFiles)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), body);
  }
  return dir;
}

const callIndex = (calls: string[][], match: (args: string[]) => boolean): number => calls.findIndex(match);
const isPutLive = (args: string[]) => args[1] === 'put-key' && args.includes('live');
/** An S3 to S3 copy of files of a release: `cp --recursive` or `sync`. */
const isCarryOver = (args: string[]) => args[0] === 's3' && ['cp', 'sync'].includes(args[1]) && args.slice(2, 4).every((a) => a.startsWith('s3://releases') || a.startsWith(`s3://${BUCKET}/releases/`))
  && (args[1] === 'sync' || args.includes('--recursive'));
/** The patterns of an aws s3 call's `--include`/`--exclude` options, in order. */
const filtersOf = (args: string[]) => args.flatMap((a, i) => (a === '--include' || a === '--exclude' ? [`${a} ${args[i + 1]}`] : []));
/** `count` hashed chunks of a release, `assets/chunk<n>-<release tag>.js`. */
const chunks = (count: number, tag: string) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`assets/chunk${i}-${tag}.js`, `chunk ${i} of ${tag}`]));
/** Files of the fixture build as the upload stored them, to seed an old release that shares them. */
const fixtureFiles = (...files: string[]) => Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(FIXTURE, f), 'utf8')]));

describe('a deploy: the upload, then the go-live step', () => {
  // One real deploy (every upload command against the fake aws), over a previous live release.
  const world = new World();
  world.seedRelease(OLD(1), { 'index.html': 'old' });
  world.setKeys({ live: OLD(1) });
  const deploy = world.deploy(site());
  const releaseId = deploy.releaseId!;
  const calls = world.calls;

  test('names the release after the UTC time, the commit and the execution, and uploads every file under releases/<id>/', () => {
    expect([deploy.upload.status, deploy.goLive?.status]).toEqual([0, 0]);
    expect(releaseId).toMatch(RELEASE_ID);
    expect(world.filesOf(releaseId)).toEqual(FIXTURE_FILES);
  });

  test('writes nothing outside the new release but its marker and the not-found page, and leaves the old release as it was', () => {
    const keys = Object.keys(world.state.objects).filter((k) => !k.startsWith(`releases/${releaseId}/`));
    expect(keys.sort()).toEqual(['404.html', `releases/${OLD(1)}.json`, `releases/${OLD(1)}/index.html`, `releases/${releaseId}.json`]);
    expect(world.state.objects[`releases/${OLD(1)}/index.html`].body).toBe('old');
  });

  test('gives HTML the browser-revalidated, CloudFront-cached Cache-Control and hashed assets the immutable one', () => {
    const objects = world.state.objects;
    expect(objects[`releases/${releaseId}/index.html`].cacheControl).toBe('public, max-age=0, must-revalidate, s-maxage=31536000');
    expect(objects[`releases/${releaseId}/assets/index-3f9a1c2b.js`].cacheControl).toBe(IMMUTABLE);
  });

  test('switches live to the new release only after every upload, once, with the ETag of the store', () => {
    expect(world.live).toBe(releaseId);
    const lastUpload = calls.map((args) => args[1] === 'cp' && args[2] === '.').lastIndexOf(true);
    const putLive = callIndex(calls, isPutLive);
    expect(lastUpload).toBeGreaterThan(10);
    expect(putLive).toBeGreaterThan(lastUpload);
    expect(calls[putLive]).toEqual(expect.arrayContaining(['--if-match', 'ETAG1', '--value', releaseId]));
    expect(calls.filter(isPutLive)).toHaveLength(1);
  });

  test('marks the release complete with the list of its own non-HTML files and its commit before the switch', () => {
    const marker = JSON.parse(world.state.objects[`releases/${releaseId}.json`].body);
    expect(marker).toEqual({ id: releaseId, files: FIXTURE_FILES.filter((f) => !f.endsWith('.html')), commit: COMMIT });
    expect(callIndex(calls, (args) => args.join(' ').includes(`releases/${releaseId}.json`))).toBeLessThan(callIndex(calls, isPutLive));
  });

  test('makes no CloudFront invalidation', () => {
    expect(calls.filter((args) => args[0] === 'cloudfront')).toEqual([]);
  });
});

describe('the upload step', () => {
  test('does not let the go-live step run when an upload fails', () => {
    const world = new World();
    world.seedRelease(OLD(1), { 'index.html': 'old' });
    world.setKeys({ live: OLD(1) });

    const { upload, goLive } = world.deploy(site(), {}, { FAKE_AWS_FAIL_ON: '--include *.html' });

    expect(upload.status).not.toBe(0);
    expect(upload.stderr).toContain('fake aws: simulated failure');
    expect(goLive).toBeUndefined();
    expect(world.live).toBe(OLD(1));
    expect(world.calls.filter((args) => args[0] === 'cloudfront-keyvaluestore')).toEqual([]);
  });

  test('fails before any aws call when the commit id is missing', () => {
    const world = new World();

    const result = world.run(releaseUploadCommands(UPLOAD), site(), { COMMIT_ID: '' });

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Deploy failed: environment variable COMMIT_ID is not set.');
    expect(world.calls).toEqual([]);
  });
});

describe('the go-live step', () => {
  test('does not switch when a file is quietly missing from the upload, and says which', () => {
    const world = new World();
    world.seedRelease(OLD(1), { 'index.html': 'old' });
    world.setKeys({ live: OLD(1) });

    const { goLive, releaseId } = world.goLive(site(), {}, {}, 'about/index.html');

    expect(goLive?.status).not.toBe(0);
    expect(goLive?.stderr).toContain(`Deploy failed: 1 of 12 files are missing or incomplete in s3://${BUCKET}/releases/${releaseId}/: about/index.html. The live release was not changed.`);
    expect(world.live).toBe(OLD(1));
    expect(world.releases().marked).toEqual([OLD(1)]);
  });

  test('fails without switching when the store refuses the put-key (its ETag changed since it was read)', () => {
    const world = new World();
    world.setKeys({ live: OLD(1) });
    world.seedRelease(OLD(1), { 'index.html': 'old' });

    const { goLive } = world.goLive(site(), {}, { FAKE_AWS_FAIL_ON: 'put-key' });

    expect(goLive?.status).not.toBe(0);
    expect(goLive?.stderr).toContain('Deploy failed: aws cloudfront-keyvaluestore put-key failed');
    expect(world.live).toBe(OLD(1));
  });

  test('copies the live release\'s not-found page to the bucket root, revalidated, after the switch', () => {
    const world = new World();

    world.goLive(site({ '404.html': 'not found, new release' }));

    const page = world.state.objects['404.html'];
    expect([page.body, page.cacheControl]).toEqual(['not found, new release', 'no-cache']);
    const calls = world.calls;
    expect(callIndex(calls, (args) => args[3] === `s3://${BUCKET}/404.html`)).toBeGreaterThan(callIndex(calls, isPutLive));
  });

  test('removes the root not-found page when the live release has none', () => {
    const world = new World();
    const state = world.state;
    state.objects['404.html'] = { size: 3, body: 'old' };
    world.save(state);
    const build = site();
    fs.rmSync(path.join(build, '404.html'));

    world.goLive(build);

    expect(world.state.objects['404.html']).toBeUndefined();
  });
});

describe('keeping releases', () => {
  test('keeps the newest releasesToKeep releases and deletes older ones with their markers', () => {
    const world = new World();
    for (let n = 1; n <= 11; n++) world.seedRelease(OLD(n), { 'index.html': `release ${n}` });
    world.setKeys({ live: OLD(11) });

    const { releaseId } = world.goLive(site(), { releasesToKeep: 10 });

    const expected = [...[3, 4, 5, 6, 7, 8, 9, 10, 11].map(OLD), releaseId!];
    expect(world.releases()).toEqual({ uploaded: expected, marked: expected });
  });

  test('with releasesToKeep 2 keeps the new release and the one that was live before it', () => {
    const world = new World();
    for (let n = 1; n <= 3; n++) world.seedRelease(OLD(n), { 'index.html': `release ${n}` });
    world.setKeys({ live: OLD(3) });

    const { releaseId } = world.goLive(site(), { releasesToKeep: 2 });

    expect(world.releases().marked).toEqual([OLD(3), releaseId]);
  });

  test('deletes unfinished uploads, which never went live', () => {
    const world = new World();
    world.seedRelease(OLD(1), { 'index.html': 'complete' });
    world.seedRelease(OLD(2), { 'index.html': 'partial' }, { marker: false });
    world.setKeys({ live: OLD(1) });

    const { releaseId } = world.goLive(site());

    expect(world.releases().uploaded).toEqual([OLD(1), releaseId]);
  });

  test('never touches objects under releases/ that are not releases', () => {
    const world = new World();
    const state = world.state;
    state.objects['releases/notes/readme.txt'] = { size: 2, body: 'hi' };
    world.save(state);

    world.goLive(site(), { releasesToKeep: 2 });

    expect(world.state.objects['releases/notes/readme.txt']).toBeDefined();
  });

  test('never deletes preview releases, which the preview program owns', () => {
    const world = new World();
    for (let n = 1; n <= 3; n++) world.seedRelease(OLD(n), { 'index.html': `release ${n}` });
    // A preview named with no dash has the shape of a pipeline release but for the p before its commit.
    const preview = '20200101T000000Z-p0123456789ab-main';
    world.seedRelease(preview, { 'index.html': 'preview' }, { marker: false });
    world.setKeys({ live: OLD(3) });

    const { releaseId } = world.goLive(site(), { releasesToKeep: 2 });

    expect(world.releases().uploaded).toEqual([preview, OLD(3), releaseId]);
  });
});

describe('carrying over files for open tabs', () => {
  test('copies the non-HTML files of recent releases that the new build no longer has, with their headers', () => {
    const world = new World();
    world.seedRelease(OLD(1), { 'index.html': 'one', 'assets/chunk-11111111.js': 'chunk one' });
    world.seedRelease(OLD(2), { 'index.html': 'two', 'assets/chunk-22222222.js': 'chunk two', 'assets/index-3f9a1c2b.js': 'same name' });
    world.setKeys({ live: OLD(2) });

    const { releaseId } = world.goLive(site());

    const objects = world.state.objects;
    // A copy is a new object: S3 gives it the time of the copy.
    expect(objects[`releases/${releaseId}/assets/chunk-22222222.js`]).toEqual({ ...objects[`releases/${OLD(2)}/assets/chunk-22222222.js`], modified: expect.any(String) });
    expect(objects[`releases/${releaseId}/assets/chunk-11111111.js`].body).toBe('chunk one');
    expect(objects[`releases/${releaseId}/assets/index-3f9a1c2b.js`].body).not.toBe('same name');
  });

  test('copies with --copy-props metadata-directive: headers kept, no tagging calls the role is not granted (multipart copies)', () => {
    const world = new World();
    world.seedRelease(OLD(1), { 'index.html': 'one', 'assets/chunk-11111111.js': 'chunk one' });
    world.setKeys({ live: OLD(1) });

    world.goLive(site());

    const copies = world.calls.filter(isCarryOver);
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      expect(copy[copy.indexOf('--copy-props') + 1]).toBe('metadata-directive');
    }
  });

  test('does not carry over pages, or files of releases beyond releasesToKeep', () => {
    const world = new World();
    world.seedRelease(OLD(1), { 'old-page.html': 'gone', 'assets/chunk-11111111.js': 'too old' });
    world.seedRelease(OLD(2), { 'index.html': 'two', 'assets/chunk-22222222.js': 'chunk two' });
    world.setKeys({ live: OLD(2) });

    const { releaseId } = world.goLive(site(), { releasesToKeep: 2 });

    expect(world.filesOf(releaseId!)).toEqual([...FIXTURE_FILES, 'assets/chunk-22222222.js'].sort());
  });

  test('lists each kept release once and copies from it with one command, however many files it carries', () => {
    const world = new World();
    world.seedRelease(OLD(1), chunks(250, 'a1a1a1a1'));
    world.seedRelease(OLD(2), chunks(250, 'b2b2b2b2'));
    world.setKeys({ live: OLD(2) });

    const { releaseId } = world.goLive(site());

    const copiesFrom = (id: string) => world.calls.filter((args) => isCarryOver(args) && args[2].endsWith(`/${id}/`));
    const listings = (id: string) => world.calls.filter((args) => args[1] === 'list-objects-v2' && args.includes(`releases/${id}/`));
    for (const id of [OLD(1), OLD(2)]) {
      expect(copiesFrom(id)).toHaveLength(1);
      expect(listings(id)).toHaveLength(1);
    }
    expect(world.filesOf(releaseId!)).toEqual([...FIXTURE_FILES, ...Object.keys(chunks(250, 'a1a1a1a1')), ...Object.keys(chunks(250, 'b2b2b2b2'))].sort());
  });

  test('copies with sync when the new build shares most of the old release: its filters name pages and no shared file', () => {
    const world = new World();
    const shared = fixtureFiles('assets/index-3f9a1c2b.js', 'assets/index-8d2e4f10.css', 'assets/logo-ab12cd34.svg', 'robots.txt', 'sw.js', 'module.mjs');
    world.seedRelease(OLD(1), { ...shared, ...chunks(20, 'a1a1a1a1'), 'index.html': 'old page' });
    world.setKeys({ live: OLD(1) });

    const { releaseId } = world.goLive(site());

    const copies = world.calls.filter(isCarryOver);
    expect(copies.map((args) => args[1])).toEqual(['sync']);
    expect(filtersOf(copies[0])).toEqual(['--exclude *.html', '--exclude *.htm']);
    expect(world.filesOf(releaseId!)).toEqual([...FIXTURE_FILES, ...Object.keys(chunks(20, 'a1a1a1a1'))].sort());
    expect(world.state.objects[`releases/${releaseId}/index.html`].body).not.toBe('old page');
  });

  test('never lets sync overwrite a file of the new build with an old one of another size, or copy one of a release beyond releasesToKeep', () => {
    const world = new World();
    const shared = fixtureFiles('assets/index-3f9a1c2b.js', 'assets/index-8d2e4f10.css', 'assets/logo-ab12cd34.svg', 'sw.js', 'module.mjs');
    world.seedRelease(OLD(1), { 'assets/gone-0f0f0f0f.js': 'made by release 1' });
    world.seedRelease(OLD(2), { ...shared, ...chunks(20, 'b2b2b2b2'), 'robots.txt': 'an older, longer robots.txt' });
    // Release 2 holds a copy of release 1's file, which its marker does not list.
    world.save({ ...world.state, objects: { ...world.state.objects, [`releases/${OLD(2)}/assets/gone-0f0f0f0f.js`]: world.state.objects[`releases/${OLD(1)}/assets/gone-0f0f0f0f.js`] } });
    world.setKeys({ live: OLD(2) });
    const robots = fs.readFileSync(path.join(FIXTURE, 'robots.txt'), 'utf8');

    const { releaseId } = world.goLive(site(), { releasesToKeep: 2 });

    const copies = world.calls.filter(isCarryOver);
    expect(copies.map((args) => args[1])).toEqual(['sync']);
    expect(filtersOf(copies[0]).sort()).toEqual(['--exclude *.htm', '--exclude *.html', '--exclude assets/gone-0f0f0f0f.js', '--exclude robots.txt']);
    expect(world.state.objects[`releases/${releaseId}/robots.txt`].body).toBe(robots);
    expect(world.filesOf(releaseId!)).toEqual([...FIXTURE_FILES, ...Object.keys(chunks(20, 'b2b2b2b2'))].sort());
  });

  test('takes a file a newer kept release holds as a copy from there, and copies nothing twice', () => {
    const world = new World();
    world.seedRelease(OLD(1), { 'assets/kept-0f0f0f0f.js': 'made by release 1' });
    world.seedRelease(OLD(2), chunks(30, 'b2b2b2b2'));
    world.save({ ...world.state, objects: { ...world.state.objects, [`releases/${OLD(2)}/assets/kept-0f0f0f0f.js`]: world.state.objects[`releases/${OLD(1)}/assets/kept-0f0f0f0f.js`] } });
    world.setKeys({ live: OLD(2) });

    const { goLive, releaseId } = world.goLive(site(), { releasesToKeep: 3 });

    expect(world.state.objects[`releases/${releaseId}/assets/kept-0f0f0f0f.js`].body).toBe('made by release 1');
    expect(world.calls.filter((args) => isCarryOver(args) && args[2].endsWith(`/${OLD(1)}/`))).toEqual([]);
    expect(goLive?.stdout).toContain(`Carried over 31 file(s) of release ${OLD(2)}`);
  });

  test('lists only the release\'s own files in its marker, so carried files age out', () => {
    const world = new World();
    world.seedRelease(OLD(1), { 'assets/chunk-11111111.js': 'chunk one' });

    const { releaseId } = world.goLive(site());

    expect(JSON.parse(world.state.objects[`releases/${releaseId}.json`].body).files).not.toContain('assets/chunk-11111111.js');
  });
});

describe('redirects', () => {
  const REDIRECTS = [
    '# moved pages',
    '',
    '/old-page   /new-page',
    '/blog/      /news/      302',
    '/docs       https://docs.example.com/start?from=site   308!',
    '/old-page   /ignored    301',
    '/news/*     /blog/:splat',
    '/about      /somewhere-else',
  ].join('\n');

  test('loads exact rules into records of their path and patterns into a table per first segment, shared under a tag the release\'s index names', () => {
    const world = new World();

    const { goLive, releaseId } = world.goLive(site({ _redirects: REDIRECTS }), REDIRECTS_ON);

    expect(goLive?.status).toBe(0);
    const tag = sharedTag(world, releaseId!);
    expect(tag).toMatch(/^~[A-Za-z0-9_-]{8}$/);
    expect(Object.keys(world.state.kvs.keys).sort()).toEqual([`${releaseId}*`, `${tag}*news`, `${tag}/blog`, `${tag}/docs`, `${tag}/old-page`, 'live'].sort());
    // One plain rule as "<line> <status> <to>"; else JSON: [file answers it, ...rules].
    expect(world.state.kvs.keys[`${tag}/old-page`]).toBe('3 301 /new-page');
    expect(world.state.kvs.keys[`${tag}/blog`]).toBe('4 302 /news/');
    expect(json(world, `${tag}/docs`)).toEqual([0, [5, 0, 308, 'https://docs.example.com/start?from=site', 1]]);
    expect(json(world, `${releaseId}*`)).toEqual({ t: tag.slice(1), e: ['old-page', 'blog', 'docs'], c: ['news'], x: 0, w: [] });
    expect(json(world, `${tag}*news`)).toEqual({ r: [[7, '/news/*', 301, '/blog/:splat']] });
    expect(goLive?.stdout).toContain('_redirects line 6 "/old-page   /ignored    301": never applies: line 3 answers /old-page first');
    // about/index.html answers /about: a rule without ! never hides it, as on Netlify.
    expect(goLive?.stdout).toContain('_redirects line 8 "/about      /somewhere-else": never applies: about/index.html answers /about (shadowing; add ! to force the rule)');
  });

  test('a release with the rules of the one before writes its index only: the records are shared', () => {
    const world = new World();
    world.seedRelease(OLD(1), { 'index.html': 'old' });
    world.goLive(site({ _redirects: REDIRECTS }), REDIRECTS_ON);
    const before = world.state.kvs.keys;
    const release = '20260601T120000Z-3f9a1c2b7d4e-8c1f2a3b';
    world.setKeys({ [`${OLD(1)}*`]: before[`${release}*`] });
    const keys = Object.fromEntries(Object.entries(world.state.kvs.keys).filter(([k]) => !k.startsWith(release)));
    world.save({ ...world.state, kvs: { ...world.state.kvs, keys } });
    fs.writeFileSync(world.logPath, '');

    world.goLive(site({ _redirects: REDIRECTS }), REDIRECTS_ON);

    const written = world.calls.filter((args) => args[1] === 'update-keys').flatMap((args) => JSON.parse(args[args.indexOf('--puts') + 1]).map((p: { Key: string }) => p.Key));
    expect(written).toEqual([`${release}*`]);
  });

  test('writes the rules before the switch, with the ETag of the store, and the switch with the ETag they returned', () => {
    const world = new World();

    world.goLive(site({ _redirects: REDIRECTS }), REDIRECTS_ON);

    const calls = world.calls;
    const update = callIndex(calls, (args) => args[1] === 'update-keys');
    expect(update).toBeLessThan(callIndex(calls, isPutLive));
    expect(calls[update]).toEqual(expect.arrayContaining(['--if-match', 'ETAG1']));
    expect(calls.find(isPutLive)).toEqual(expect.arrayContaining(['--if-match', 'ETAG2']));
  });

  test('fails before changing anything on lines the edge would answer otherwise than Netlify, naming each with its line', () => {
    const world = new World();
    world.seedRelease(OLD(1), { 'index.html': 'old' });
    world.setKeys({ live: OLD(1) });
    const redirects = [
      '/ok /fine',
      '/api/* https://api.example.com/:splat 200',
      '/admin/* /admin/:splat 200! Role=admin',
      'relative /x',
      '/a/*/b /c',
      '/teapot /x 418',
      '/gone /missing.html 410',
    ].join('\n');

    const { goLive } = world.goLive(site({ _redirects: redirects }), REDIRECTS_ON);

    expect(goLive?.status).not.toBe(0);
    expect(goLive?.stderr).toBe([
      'Deploy failed: 6 unsupported line(s) in _redirects:',
      '_redirects line 2 "/api/* https://api.example.com/:splat 200": proxying to another origin (a 200 to a URL) is not supported: '
        + 'CloudFront serves this site from its bucket only; redirect instead (301 or 302), or serve that path from its own CloudFront behavior',
      '_redirects line 3 "/admin/* /admin/:splat 200! Role=admin": Role conditions need Netlify Identity, which this site does not have; remove the rule or serve the section elsewhere',
      '_redirects line 4 "relative /x": the source must be a path starting with / (or a URL with a host), got "relative"',
      '_redirects line 5 "/a/*/b /c": a splat (*) must be the whole last segment of the source (e.g. /news/*)',
      '_redirects line 6 "/teapot /x 418": status 418 is not supported; use 200, 301, 302, 303, 307, 308, 404, 410',
      '_redirects line 7 "/gone /missing.html 410": the 410 page /missing.html is not a file of the build',
      'The live release was not changed.',
      '',
    ].join('\n'));
    expect(world.live).toBe(OLD(1));
    expect(world.state.kvs.etag).toBe('ETAG1');
  });

  test('a 404 or 410 rule\'s page is copied under .status/<status>/ with its status as metadata, before the switch', () => {
    const world = new World();

    const { goLive, releaseId } = world.goLive(site({ _redirects: '/shop/* /404.html 404\n/old /about 410' }), REDIRECTS_ON);

    expect(goLive?.status).toBe(0);
    const objects = world.state.objects as Record<string, StoredObject & { metadata?: Record<string, string> }>;
    expect(objects[`releases/${releaseId}/.status/404/404.html`]).toMatchObject({ body: fs.readFileSync(path.join(FIXTURE, '404.html'), 'utf8'), metadata: { status: '404' } });
    expect(objects[`releases/${releaseId}/.status/410/about/index.html`]).toMatchObject({ metadata: { status: '410' }, cacheControl: RELEASE_REVALIDATED_CACHE_CONTROL });
    expect(world.state.kvs.keys[`${sharedTag(world, releaseId!)}/old`]).toBe('2 410 /about/index.html');
    const calls = world.calls;
    expect(callIndex(calls, (args) => args.join(' ').includes('.status/404/404.html'))).toBeLessThan(callIndex(calls, isPutLive));
  });

  test('marks the paths a file answers that a rule without ! could hide, in the records the routing function reads', () => {
    const world = new World();

    const { releaseId } = world.goLive(site({ _redirects: '/* /index.html 200' }), REDIRECTS_ON);

    const tag = sharedTag(world, releaseId!);
    expect(json(world, `${tag}/about`)).toEqual([1]);
    expect(json(world, `${tag}/sw.js`)).toEqual([1]);
    expect(json(world, `${releaseId}*`)).toEqual({
      t: tag.slice(1),
      e: ['404.html', 'about', 'app.wasm', 'assets', 'favicon.ico', '', 'manifest.webmanifest', 'module.mjs', 'robots.txt', 'sw.js'],
      c: 0,
      x: 0,
      w: [[1, '/*', 200, '/index.html']],
    });
  });

  test('rules that do not fit in the store fail before the switch, naming the bytes, and leave live as it was', () => {
    const world = new World();
    world.seedRelease(OLD(1), { 'index.html': 'old' });
    // A store all but full: 5 MB less 1,000 bytes.
    world.setKeys({ live: OLD(1), filler: 'x'.repeat(5 * 1024 * 1024 - 1000 - 'filler'.length - 'live'.length - OLD(1).length) });
    const redirects = Array.from({ length: 40 }, (_, i) => `/old/page-${i} /new/page-${i}`).join('\n');

    const { goLive } = world.goLive(site({ _redirects: redirects }), REDIRECTS_ON);

    expect(goLive?.status).not.toBe(0);
    expect(goLive?.stderr).toMatch(/^Deploy failed: the rules of _redirects and _headers \(41 keys, \d+ bytes\) do not fit in the KeyValueStore \(5241880 of 5242880 bytes used\); remove rules or keep fewer releases \(releasesToKeep\) or previews. The live release was not changed.\n$/);
    expect(world.live).toBe(OLD(1));
    expect(world.calls.filter((args) => args[1] === 'update-keys' || isPutLive(args))).toEqual([]);
  });

  test('without _redirects, writes an empty table: the routing function reads one key to know there is no rule', () => {
    const world = new World();

    const { releaseId } = world.goLive(site(), REDIRECTS_ON);

    expect(world.state.kvs.keys).toEqual({ live: releaseId, [`${releaseId}*`]: expect.any(String) });
    expect(json(world, `${releaseId}*`)).toEqual({ t: expect.any(String), e: 0, c: 0, x: 0, w: [] });
  });

  test('deletes the rule keys of pruned releases, old records included, and the shared records no index names any more', () => {
    const world = new World();
    for (let n = 1; n <= 2; n++) world.seedRelease(OLD(n), { 'index.html': `release ${n}` });
    world.setKeys({
      'live': OLD(2),
      [`${OLD(1)}/a`]: '301 /b',
      [`${OLD(1)}*`]: '{"t":"AAAAAAAA"}',
      [`${OLD(1)}#`]: '{"t":"BBBBBBBB"}',
      '~AAAAAAAA/a': '[0]',
      '~AAAAAAAA*docs 1': '{}',
      '~BBBBBBBB#x': '{}',
      [`${OLD(2)}/c`]: '301 /d',
      [`${OLD(2)}*`]: '{"t":"CCCCCCCC"}',
      '~CCCCCCCC/c': '[0]',
    });

    const { releaseId } = world.goLive(site({ _redirects: '/e /f' }), { ...REDIRECTS_ON, releasesToKeep: 2 });

    const tag = sharedTag(world, releaseId!);
    expect(Object.keys(world.state.kvs.keys).sort()).toEqual([`${OLD(2)}/c`, `${OLD(2)}*`, '~CCCCCCCC/c', `${releaseId}*`, `${tag}/e`, 'live'].sort());
  });

  test('keeps the preview and token keys when it deletes rule keys', () => {
    const world = new World();
    world.seedRelease(OLD(1), { 'index.html': 'release 1' });
    const previewKeys = { 'preview:feature-x': '20200101T000000Z-p0123456789ab-feature-x', 'token:0123456789abcdef0123456789abcdef': '4102444800 feature-x' };
    world.setKeys({ live: OLD(1), [`${OLD(1)}/a`]: '301 /b', ...previewKeys });

    const { releaseId } = world.goLive(site(), { ...REDIRECTS_ON, releasesToKeep: 1 });

    expect(world.state.kvs.keys).toEqual({ live: releaseId, [`${OLD(1)}/a`]: '301 /b', [`${releaseId}*`]: expect.any(String), ...previewKeys });
  });

  test('without redirects, _redirects is uploaded as a file but never read into the store', () => {
    const world = new World();

    const { releaseId } = world.goLive(site({ _redirects: '/a/* /b 200' }));

    expect(world.state.kvs.keys).toEqual({ live: releaseId });
    expect(world.calls.filter((args) => ['update-keys', 'list-keys'].includes(args[1]))).toEqual([]);
  });
});

describe('_headers', () => {
  const HEADERS_ON = { rules: { ...NO_RULES, headers: true, securityHeaders: { 'x-frame-options': 'DENY' } } };
  const HEADERS = [
    '/*',
    '  X-Frame-Options: DENY',
    '  Permissions-Policy: camera=()',
    '/assets/*',
    '  Cache-Control: public, max-age=604800',
    '  Access-Control-Allow-Origin: *',
  ].join('\n');

  test('loads the blocks into the table "<release id>#" and uploads the files a Cache-Control names again with it, before the switch', () => {
    const world = new World();

    const { goLive, releaseId } = world.goLive(site({ _headers: HEADERS }), HEADERS_ON);

    expect(goLive?.status).toBe(0);
    const index = JSON.parse(world.state.kvs.keys[`${releaseId}#`]);
    expect(index).toEqual({ t: expect.any(String), c: ['assets'], x: 0, w: [[1, '/*', [['permissions-policy', 'camera=()']]]] });
    expect(JSON.parse(world.state.kvs.keys[`~${index.t}#assets`])).toEqual({
      r: [[4, '/assets/*', [['cache-control', 'public, max-age=604800'], ['access-control-allow-origin', '*']]]],
    });
    const objects = world.state.objects as Record<string, StoredObject & { metadata?: Record<string, string> }>;
    expect(objects[`releases/${releaseId}/assets/logo-ab12cd34.svg`]).toMatchObject({
      cacheControl: 'public, max-age=604800', contentType: 'image/svg+xml', metadata: { headers: releaseId },
    });
    expect(objects[`releases/${releaseId}/index.html`].cacheControl).toBe(RELEASE_REVALIDATED_CACHE_CONTROL);
    const calls = world.calls;
    expect(callIndex(calls, (args) => args.includes('public, max-age=604800'))).toBeLessThan(callIndex(calls, isPutLive));
    expect(goLive?.stderr).toContain('_headers line 2 "X-Frame-Options: DENY": the security headers policy already sends it');
  });

  test('fails before changing anything on headers CloudFront Functions may not set or that contradict the security headers, naming each line', () => {
    const world = new World();
    world.seedRelease(OLD(1), { 'index.html': 'old' });
    world.setKeys({ live: OLD(1) });
    // Header lines need no indent (line 6 is a header of /*), as on Netlify.
    const headers = ['/*', '  X-Frame-Options: SAMEORIGIN', '  Transfer-Encoding: chunked', '  Basic-Auth: me:secret', 'X-Unindented: yes', '/a b', '  Bad Name: x'].join('\n');

    const { goLive } = world.goLive(site({ _headers: `X-Early: 1\n${headers}` }), HEADERS_ON);

    expect(goLive?.status).not.toBe(0);
    expect(goLive?.stderr.split('\n').filter((l) => l.startsWith('_headers line')).map((l) => l.split('"')[0])).toEqual([
      '_headers line 1 ', '_headers line 3 ', '_headers line 4 ', '_headers line 5 ', '_headers line 7 ', '_headers line 8 ',
    ]);
    expect(goLive?.stderr).toContain('_headers line 3 "X-Frame-Options: SAMEORIGIN": the security headers policy of the site sends x-frame-options: DENY, which a path may not change');
    expect(goLive?.stderr).toContain('_headers line 4 "Transfer-Encoding: chunked": CloudFront Functions may not set transfer-encoding');
    expect(world.live).toBe(OLD(1));
    expect(world.state.kvs.etag).toBe('ETAG1');
  });
});

describe('rollback', () => {
  function releasedWorld(): World {
    const world = new World();
    for (let n = 1; n <= 3; n++) world.seedRelease(OLD(n), { 'index.html': `release ${n}`, '404.html': `missing ${n}` });
    world.setKeys({ live: OLD(3) });
    return world;
  }

  test('without RELEASE switches to the newest release older than the live one and says so', () => {
    const world = releasedWorld();

    const result = world.rollback();

    expect(result.status).toBe(0);
    expect(world.live).toBe(OLD(2));
    expect(result.stdout).toContain(`The live release was ${OLD(3)}; it is now ${OLD(2)}.`);
    expect(result.stdout).toContain(`To undo: aws codebuild start-build --project-name SiteRollback --environment-variables-override name=RELEASE,value=${OLD(3)},type=PLAINTEXT`);
  });

  test('run twice, goes back one release each time', () => {
    const world = releasedWorld();

    world.rollback();
    world.rollback();

    expect(world.live).toBe(OLD(1));
  });

  test('with RELEASE switches to that release, with the ETag of the store', () => {
    const world = releasedWorld();

    world.rollback(OLD(1));

    expect(world.live).toBe(OLD(1));
    expect(world.calls.find(isPutLive)).toEqual(['cloudfront-keyvaluestore', 'put-key', '--kvs-arn', KVS_ARN, '--key', 'live', '--value', OLD(1), '--if-match', 'ETAG1', '--output', 'json']);
  });

  test('publishes the not-found page of the release it switches to', () => {
    const world = releasedWorld();

    world.rollback(OLD(1));

    expect(world.state.objects['404.html']).toEqual(expect.objectContaining({ body: 'missing 1', cacheControl: 'no-cache' }));
  });

  test('to a release that does not exist fails with the list of releases and changes nothing', () => {
    const world = releasedWorld();

    const result = world.rollback('20990101T000000Z-x-y');

    expect(result.status).not.toBe(0);
    expect(result.stderr).toBe(`Rollback failed: release 20990101T000000Z-x-y does not exist; releases (oldest first): ${OLD(1)}, ${OLD(2)}, ${OLD(3)} (live)\n`);
    expect(world.live).toBe(OLD(3));
  });

  test('never goes to an unfinished upload', () => {
    const world = releasedWorld();
    world.seedRelease(OLD(0), { 'index.html': 'partial' }, { marker: false });
    world.setKeys({ live: OLD(1) });

    const result = world.rollback();

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`Rollback failed: no release is older than the live release ${OLD(1)}`);
    expect(world.live).toBe(OLD(1));
  });

  test('when nothing was ever released fails and says so', () => {
    const world = new World();

    const result = world.rollback();

    expect(result.stderr).toBe('Rollback failed: no release is live; releases (oldest first): none\n');
  });

  test('to the live release changes nothing', () => {
    const world = releasedWorld();

    const result = world.rollback(OLD(3));

    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`Release ${OLD(3)} is already live; nothing changed.`);
    expect(world.calls.filter(isPutLive)).toEqual([]);
  });
});

/** A build start that leaves `seconds` of a 15-minute step, for $CODEBUILD_START_TIME. */
const startedLeaving = (seconds: number) => String(Date.now() - (15 * 60 - seconds) * 1000);
/** Another program's write to the store, just before the first call of the step that contains `call`. */
const storeChangeBefore = (call: string, keys: Record<string, string | null>) => ({ FAKE_AWS_STORE_CHANGE_BEFORE: JSON.stringify({ call, keys }) });
/** The line Deploy failed and Rollback failed print for credentials the KeyValueStore API refuses. */
const REFUSED_CREDENTIALS = /^(Deploy|Rollback) failed: the CloudFront KeyValueStore API refused the step's credentials \(AccessDeniedException: Authentication failed\)\. It signs requests with SigV4A, which accepts only version 2 STS session tokens; .* Check that the credentials come from a Regional STS endpoint \(AWS_STS_REGIONAL_ENDPOINTS=regional\), or make the global endpoint issue version 2 tokens: aws iam set-security-token-service-preferences --global-endpoint-token-version v2Token\. See https:\/\/docs\.aws\.amazon\.com\/AmazonCloudFront\/latest\/DeveloperGuide\/cloudfront-function-restrictions\.html\n$/;

describe('the time CodeBuild gives the step', () => {
  test('the go-live step never switches with too little time left for what follows the switch, and says when the step stops', () => {
    const world = new World();
    world.seedRelease(OLD(1), { 'index.html': 'old' });
    world.setKeys({ live: OLD(1) });

    const { goLive, releaseId } = world.goLive(site(), {}, { CODEBUILD_START_TIME: startedLeaving(30) });

    expect(goLive?.status).not.toBe(0);
    expect(goLive?.stderr).toMatch(/^Deploy failed: too little time is left to go live: \d+ s left: CodeBuild stops this step at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, 15 minutes after the build started at \S+Z, and the switch and the not-found page need 60 s\. The live release was not changed; run the stage again\./);
    expect(world.live).toBe(OLD(1));
    expect(world.calls.filter(isPutLive)).toEqual([]);
    expect(world.releases().marked).toEqual([OLD(1)]);
    expect(world.filesOf(releaseId!)).toEqual(FIXTURE_FILES);
  });

  test('the go-live step counts from the build\'s start and the limit the construct sets (20 minutes on EC2 compute)', () => {
    const world = new World();
    world.seedRelease(OLD(1), { 'index.html': 'old' });
    world.setKeys({ live: OLD(1) });

    const { goLive, releaseId } = world.goLive(site(), {}, { CODEBUILD_START_TIME: startedLeaving(30), STEP_TIME_LIMIT_MINUTES: '20' });

    expect([goLive?.status, world.live]).toEqual([0, releaseId]);
  });

  test('the rollback never switches with too little time left for the switch and the not-found page', () => {
    const world = new World();
    for (let n = 1; n <= 2; n++) world.seedRelease(OLD(n), { 'index.html': `release ${n}`, '404.html': `missing ${n}` });
    world.setKeys({ live: OLD(2) });

    const result = world.rollback(undefined, { CODEBUILD_START_TIME: startedLeaving(20) });

    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/^Rollback failed: too little time is left to switch: \d+ s left: CodeBuild stops this step at \S+Z, 15 minutes after the build started at \S+Z, and the switch and the not-found page need 40 s\. The live release was not changed; start the rollback again\.\n$/);
    expect(world.live).toBe(OLD(2));
  });

  test('pruning deletes a release\'s marker before its files: a step stopped halfway leaves an unfinished upload, never a complete release with files missing', () => {
    const world = new World();
    for (let n = 1; n <= 3; n++) world.seedRelease(OLD(n), { 'index.html': `release ${n}` });
    world.setKeys({ live: OLD(3) });

    world.goLive(site(), { releasesToKeep: 2 });

    const deletes = world.calls.filter((args) => args[1] === 'rm' && args[2].includes(OLD(1))).map((args) => args[2]);
    expect(deletes).toEqual([`s3://${BUCKET}/releases/${OLD(1)}.json`, `s3://${BUCKET}/releases/${OLD(1)}/`]);
  });
});

describe('writing to the store beside other programs', () => {
  test('when another program writes to the store between the step\'s read and its switch, reads again and switches, keeping that write', () => {
    const world = new World();
    world.seedRelease(OLD(1), { 'index.html': 'old' });
    world.setKeys({ live: OLD(1) });
    const preview = { 'preview:pr-7': '20260601T115900Z-p0123456789ab-pr7' };

    const { goLive, releaseId } = world.goLive(site(), {}, storeChangeBefore('put-key', preview));

    expect(goLive?.status).toBe(0);
    expect(goLive?.stderr).toBe('The KeyValueStore changed since it was read (another program wrote to it); reading it again (try 2 of 5).\n');
    expect(world.state.kvs.keys).toEqual({ live: releaseId, ...preview });
    expect(world.calls.filter(isPutLive).map((args) => args[args.indexOf('--if-match') + 1])).toEqual(['ETAG1', 'ETAG2']);
  });

  test('when the live release changed since the step read it (a rollback by hand), leaves it and fails, saying so', () => {
    const world = new World();
    for (let n = 1; n <= 2; n++) world.seedRelease(OLD(n), { 'index.html': `release ${n}` });
    world.setKeys({ live: OLD(2) });

    const { goLive, releaseId } = world.goLive(site(), {}, storeChangeBefore('put-key', { live: OLD(1) }));

    expect(goLive?.status).not.toBe(0);
    expect(goLive?.stderr).toContain(`Deploy failed: the live release changed from ${OLD(2)} to ${OLD(1)} while this step ran (a rollback or another deploy switched it); it is left as it is, and ${releaseId} was not made live.`);
    expect(world.live).toBe(OLD(1));
  });

  test('the rollback switches only from the release it read as live', () => {
    const world = new World();
    for (let n = 1; n <= 3; n++) world.seedRelease(OLD(n), { 'index.html': `release ${n}`, '404.html': `missing ${n}` });
    world.setKeys({ live: OLD(3) });

    const result = world.rollback(OLD(1), storeChangeBefore('put-key', { live: OLD(2) }));

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`Rollback failed: the live release changed from ${OLD(3)} to ${OLD(2)} while this step ran`);
    expect(world.live).toBe(OLD(2));
  });

  test('rule records written while another program writes are all written, with the other program\'s keys', () => {
    const world = new World();
    const token = { 'token:0123456789abcdef0123456789abcdef': '4102444800 pr-7' };

    const { goLive, releaseId } = world.goLive(site({ _redirects: '/a /b\n/c /d' }), REDIRECTS_ON, storeChangeBefore('update-keys', token));

    expect(goLive?.status).toBe(0);
    const tag = sharedTag(world, releaseId!);
    expect(world.state.kvs.keys).toEqual({
      live: releaseId, [`${releaseId}*`]: expect.any(String), [`${tag}/a`]: '1 301 /b', [`${tag}/c`]: '2 301 /d', ...token,
    });
  });
});

describe('credentials the KeyValueStore API refuses (a version 1 STS session token)', () => {
  test('the go-live step fails with one line naming the cause and what to check, and changes nothing', () => {
    const world = new World();
    world.seedRelease(OLD(1), { 'index.html': 'old' });
    world.setKeys({ live: OLD(1) });

    const { goLive } = world.goLive(site(), {}, { FAKE_AWS_KVS_V1_SESSION_TOKEN: '1' });

    expect(goLive?.status).not.toBe(0);
    expect(goLive?.stderr).toMatch(REFUSED_CREDENTIALS);
    expect(world.live).toBe(OLD(1));
    expect(world.releases().marked).toEqual([OLD(1)]);
  });

  test('so does the rollback', () => {
    const world = new World();
    for (let n = 1; n <= 2; n++) world.seedRelease(OLD(n), { 'index.html': `release ${n}` });
    world.setKeys({ live: OLD(2) });

    const result = world.rollback(undefined, { FAKE_AWS_KVS_V1_SESSION_TOKEN: '1' });

    expect(result.stderr).toMatch(REFUSED_CREDENTIALS);
    expect(world.live).toBe(OLD(2));
  });
});

describe('the fake aws', () => {
  test('the commands stop, loudly, when `aws` on PATH is not the fake: no test reaches a real AWS CLI', () => {
    const world = new World();

    const result = world.run(['aws s3 ls'], tempDir('no-fake'), { PATH: '/usr/bin:/bin' });

    expect(result.status).toBe(97);
    expect(result.stderr).toMatch(/^not the fake aws: PATH finds \S+ for \w+, expected \/tmp\/fake-aws-\w+\/aws\n$/);
    expect(world.calls).toEqual([]);
  });
});

describe('as Lambda compute runs the steps: not as root, with a read-only build directory and no home', () => {
  const world = new World(true);
  world.seedRelease(OLD(1), { 'index.html': 'old', '404.html': 'missing 1' });
  world.setKeys({ live: OLD(1) });
  const build = lambdaDir('site', true);
  fs.cpSync(FIXTURE, build, { recursive: true });
  makeReadOnly(build);
  const upload = world.run(releaseUploadCommands(UPLOAD), build);
  const releaseId = /Uploading release (\S+)/.exec(upload.stdout)?.[1];
  const goLive = world.run(releaseGoLiveCommands(GO_LIVE), build, { RELEASE_ID: releaseId });
  const liveAfterDeploy = world.live;
  const rollback = world.rollback();

  test('the upload and the go-live step release the build', () => {
    expect([upload.status, upload.stderr]).toEqual([0, '']);
    expect([goLive.status, goLive.stderr]).toEqual([0, '']);
    expect(liveAfterDeploy).toBe(releaseId);
    expect(world.filesOf(releaseId!)).toEqual(FIXTURE_FILES);
  });

  test('the rollback switches back to the release before', () => {
    expect([rollback.status, rollback.stderr]).toEqual([0, '']);
    expect(world.live).toBe(OLD(1));
  });

  test('the build directory is left as it was', () => {
    expect(listFiles(build)).toEqual(FIXTURE_FILES);
  });
});

describe('buildspecs', () => {
  const size = (spec: object) => JSON.stringify(spec, undefined, 2).length;

  test.each([
    ['upload', releaseUploadBuildSpecObject(UPLOAD)],
    ['go-live', releaseGoLiveBuildSpecObject({ ...GO_LIVE, ...REDIRECTS_ON, notFoundPage: 'errors/not-found/index.html' })],
    ['rollback', rollbackBuildSpecObject('errors/not-found/index.html')],
  ])('the %s buildspec fits in CodeBuild\'s inline buildspec limit', (_name, spec) => {
    expect(size(spec)).toBeLessThan(CODEBUILD_INLINE_BUILDSPEC_MAX_CHARS);
  });

  test('the upload buildspec exports RELEASE_ID for the go-live action', () => {
    expect(releaseUploadBuildSpecObject(UPLOAD)).toEqual({
      version: '0.2',
      env: { 'exported-variables': ['RELEASE_ID'] },
      phases: { build: { commands: releaseUploadCommands(UPLOAD) } },
    });
  });
});
