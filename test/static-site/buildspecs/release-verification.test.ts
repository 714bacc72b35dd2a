import { spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { GoLiveOptions, releaseGoLiveCommands } from '../../../src/static-site/buildspecs/release-buildspecs';
import { FAKE_CLOCK, FAKE_SITE, fakeAwsEnvironment, fakeAwsTestDirs, REQUIRE_FAKE_AWS, SITE_BUILD_FIXTURE } from '../../fake-aws';

// The go-live step of verified releases, run as the pipeline runs it (the buildspec's commands,
// the fake `aws` of test/fixtures), against a local HTTP server standing in for the distribution:
// it serves the store's `live` release, or the preview a valid `x-preview-token` names, from the
// fake bucket, with S3's ETags, as the routing function and CloudFront do.

const FIXTURE = SITE_BUILD_FIXTURE;
const BUCKET = FAKE_SITE.bucket;
const KVS_ARN = FAKE_SITE.kvsArn;
const DISTRIBUTION_ID = 'E2QWRUHEXAMPLE';
const GO_LIVE: GoLiveOptions = {
  sourceDirectory: '.',
  releasesToKeep: 10,
  notFoundPage: '404.html',
  rules: { redirects: false, headers: false, securityHeaders: {}, pageCacheControl: 'no-cache', contentTypes: {} },
};
const OLD = '20250101T000001Z-aaaaaaaaaaaa-bbbbbbbb';
const NEW = '20260601T120000Z-3f9a1c2b7d4e-8c1f2a3b';
/** The settings the construct writes, with a short wait for the store and a one-second bake. */
const SETTINGS = {
  paths: ['/about'],
  singlePageApp: false,
  propagationSeconds: 1,
  bakeSeconds: 1,
  maxErrorRatePercent: 5,
  breachMinutes: 1,
  minRequests: 10,
};

interface StoredObject { size: number; body: string; modified?: string }
interface MetricPoint { minutesAfterStart: number; errorRate: number; requests: number }
interface State {
  bucket: string;
  objects: Record<string, StoredObject>;
  kvs: { arn: string; etag: string; keys: Record<string, string> };
  metrics?: Record<string, MetricPoint[]>;
}
interface Run { readonly status: number | null; readonly stdout: string; readonly stderr: string }
interface Served { release: string; path: string; token: boolean }

/** How the stand-in distribution answers: as CloudFront with the routing function, or broken in one way. */
type Behaviour = (release: string, uri: string, token: boolean) => { status: number; release?: string } | undefined;

// Each go-live step waits a second for the store and bakes a second.
jest.setTimeout(30000);

const { tempDir } = fakeAwsTestDirs('release-verification');

const md5 = (body: string) => crypto.createHash('md5').update(body).digest('hex');
const files = (dir: string, rel = ''): string[] => fs.readdirSync(path.join(dir, rel), { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? files(dir, `${rel}${e.name}/`) : [`${rel}${e.name}`]));

/** A bucket with a live release OLD and an uploaded release NEW (the fixture build, plus `extra`), and a store naming OLD live. */
class World {
  public readonly statePath: string;
  public readonly logPath: string;
  public readonly build: string;
  public readonly served: Served[] = [];

  constructor(extra: Record<string, string> = {}) {
    const dir = tempDir('world');
    this.statePath = path.join(dir, 'state.json');
    this.logPath = path.join(dir, 'aws.log');
    fs.writeFileSync(this.logPath, '');
    this.build = tempDir('site');
    fs.cpSync(FIXTURE, this.build, { recursive: true });
    for (const [file, body] of Object.entries(extra)) {
      fs.mkdirSync(path.dirname(path.join(this.build, file)), { recursive: true });
      fs.writeFileSync(path.join(this.build, file), body);
    }
    const objects: Record<string, StoredObject> = {};
    const seed = (id: string, release: Record<string, string>) => {
      for (const [file, body] of Object.entries(release)) objects[`releases/${id}/${file}`] = { size: Buffer.byteLength(body), body };
      const marker = JSON.stringify({ id, files: Object.keys(release).filter((f) => !f.endsWith('.html')) });
      objects[`releases/${id}.json`] = { size: marker.length, body: marker };
    };
    seed(OLD, { 'index.html': '<p>old</p>', 'about/index.html': '<p>old about</p>', '404.html': 'old missing' });
    for (const file of files(this.build)) {
      const body = fs.readFileSync(path.join(this.build, file), 'utf8');
      objects[`releases/${NEW}/${file}`] = { size: Buffer.byteLength(body), body, modified: new Date().toISOString() };
    }
    this.save({ bucket: BUCKET, objects, kvs: { arn: KVS_ARN, etag: 'ETAG1', keys: { live: OLD } } });
  }

  public get state(): State {
    return JSON.parse(fs.readFileSync(this.statePath, 'utf8'));
  }

  public save(state: State): void {
    fs.writeFileSync(this.statePath, JSON.stringify(state));
  }

  public setMetrics(points: MetricPoint[]): void {
    this.save({ ...this.state, metrics: { [DISTRIBUTION_ID]: points } });
  }

  /** The aws calls made so far, one argv each. */
  public get calls(): string[][] {
    return fs.readFileSync(this.logPath, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  }

  /**
   * The release a request is served from, as the routing function picks it: the preview a valid,
   * unexpired token names, else live.
   */
  public releaseFor(token: string | undefined): string {
    const keys = this.state.kvs.keys;
    const record = token && /^[0-9a-f]{32}$/.test(token) ? keys[`token:${token}`] : undefined;
    const [expires, name] = (record ?? '').split(' ');
    const preview = record && Number(expires) > Date.now() / 1000 ? keys[`preview:${name}`] : undefined;
    return preview ?? keys.live;
  }

  /** Starts the stand-in distribution, runs the go-live step against it (with `env` besides its own), and stops it. */
  public async goLive(behaviour: Behaviour = () => undefined, settings: object | null = SETTINGS, env: Record<string, string> = {}): Promise<Run> {
    const server = http.createServer((request, response) => {
      const token = request.headers['x-preview-token'] as string | undefined;
      const uri = new URL(request.url!, 'http://localhost').pathname;
      let release = this.releaseFor(token);
      const override = behaviour(release, uri, !!token);
      if (override && override.status !== 200) {
        response.writeHead(override.status, { 'content-type': 'text/plain' }).end('error');
        return;
      }
      release = override?.release ?? release;
      this.served.push({ release, path: uri, token: !!token });
      const page = uri.endsWith('/') || !uri.slice(uri.lastIndexOf('/') + 1).includes('.');
      const key = `releases/${release}/${page ? `${uri.replace(/\/$/, '')}/index.html`.slice(1) : uri.slice(1)}`;
      const object = this.state.objects[key];
      if (!object) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      response.writeHead(200, {
        'content-type': key.endsWith('.html') ? 'text/html; charset=utf-8' : 'application/octet-stream',
        'etag': `"${md5(object.body)}"`,
      }).end(object.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      return await this.run(releaseGoLiveCommands(GO_LIVE), {
        DISTRIBUTION_DOMAIN: origin,
        DISTRIBUTION_ID,
        ...(settings ? { VERIFY_RELEASE: JSON.stringify(settings) } : {}),
        ...env,
      });
    } finally {
      server.close();
    }
  }

  /** Runs commands like a CodeBuild phase, without blocking the stand-in distribution of this process. */
  private run(commands: string[], env: Record<string, string>): Promise<Run> {
    return new Promise((resolve) => {
      const child = spawn('bash', ['-e', '-c', [REQUIRE_FAKE_AWS, ...commands].join('\n')], {
        cwd: this.build,
        env: {
          ...fakeAwsEnvironment(this.statePath, this.logPath, tempDir('tmp')),
          KVS_ARN,
          RELEASE_ID: NEW,
          ...env,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => { stdout += chunk; });
      child.stderr.on('data', (chunk) => { stderr += chunk; });
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  }
}

const isPutLive = (args: string[]) => args[1] === 'put-key' && args.includes('live');
const verifyRecordKeys = (args: string[], kind: 'puts' | 'deletes'): string[] => {
  const i = args.indexOf(`--${kind}`);
  return i === -1 ? [] : JSON.parse(args[i + 1]).map((item: { Key: string }) => item.Key);
};

describe('a verified release that is served as uploaded', () => {
  const world = new World();
  world.setMetrics([{ minutesAfterStart: 0, errorRate: 0, requests: 500 }]);
  let run: Run;
  beforeAll(async () => {
    run = await world.goLive();
  });

  test('goes live and stays live', () => {
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(world.state.kvs.keys.live).toBe(NEW);
  });

  test('before the switch, fetches the root, the configured paths and the scripts and style sheets they reference, with a preview token', () => {
    const before = world.served.filter((s) => s.token);
    expect([...new Set(before.map((s) => s.path))].sort()).toEqual(['/', '/about', '/assets/index-3f9a1c2b.js', '/assets/index-8d2e4f10.css']);
    expect(before.every((s) => s.release === NEW)).toBe(true);
    expect(run.stdout).toContain(`Checked preview go-live.check (release ${NEW}) through http://127.0.0.1:`);
  });

  test('names the release preview `go-live.check` with a 32-hex-digit token that expires, then deletes both records, before switching', () => {
    const calls = world.calls;
    const puts = calls.findIndex((args) => verifyRecordKeys(args, 'puts').includes('preview:go-live.check'));
    const deletes = calls.findIndex((args) => verifyRecordKeys(args, 'deletes').includes('preview:go-live.check'));
    const putKeys = verifyRecordKeys(calls[puts], 'puts');
    expect(putKeys).toEqual(['preview:go-live.check', expect.stringMatching(/^token:[0-9a-f]{32}$/)]);
    const values = JSON.parse(calls[puts][calls[puts].indexOf('--puts') + 1]).map((item: { Value: string }) => item.Value);
    expect(values[0]).toBe(NEW);
    expect(values[1]).toMatch(/^\d{10} go-live\.check$/);
    expect(Number(values[1].split(' ')[0]) - Date.now() / 1000).toBeGreaterThan(800);
    expect(verifyRecordKeys(calls[deletes], 'deletes')).toEqual(putKeys);
    expect(puts).toBeLessThan(deletes);
    expect(deletes).toBeLessThan(calls.findIndex(isPutLive));
    expect(Object.keys(world.state.kvs.keys)).toEqual(['live']);
  });

  test('after the switch, fetches the same pages and files as a visitor (no token) and gets the new release', () => {
    const after = world.served.filter((s) => !s.token);
    expect([...new Set(after.map((s) => s.path))].sort()).toEqual(['/', '/about', '/assets/index-3f9a1c2b.js', '/assets/index-8d2e4f10.css']);
    expect(after.every((s) => s.release === NEW)).toBe(true);
  });

  test('reads the 5xx error rate and requests of the distribution from CloudWatch in us-east-1 during the bake time', () => {
    const reads = world.calls.filter((args) => args[0] === 'cloudwatch');
    expect(reads.length).toBeGreaterThanOrEqual(1);
    expect(reads[0]).toEqual(expect.arrayContaining(['get-metric-data', '--region', 'us-east-1']));
    const queries = JSON.parse(reads[0][reads[0].indexOf('--metric-data-queries') + 1]);
    expect(queries.map((q: any) => [q.MetricStat.Metric.MetricName, q.MetricStat.Stat, q.MetricStat.Period])).toEqual([
      ['5xxErrorRate', 'Average', 60], ['Requests', 'Sum', 60],
    ]);
    expect(queries[0].MetricStat.Metric.Dimensions).toEqual([{ Name: 'DistributionId', Value: DISTRIBUTION_ID }, { Name: 'Region', Value: 'Global' }]);
    expect(run.stdout).toContain('Bake time over: the 5xx error rate stayed within 5%.');
  });
});

describe('a release that fails its check before the switch changes nothing for visitors', () => {
  test.each<[string, Behaviour, Record<string, string>, string]>([
    ['the distribution ignores the token (serves the live release)', (_release, _uri, token) => (token ? { status: 200, release: OLD } : undefined), {},
      'GET /: answered 200 with ETag "%OLD_INDEX%", expected 200 with the ETag of s3://my-site-bucket/releases/%NEW%/index.html ("%NEW_INDEX%"): another release answered'],
    ['a script answers 503', (_r, uri) => (uri.endsWith('.js') ? { status: 503 } : undefined), {},
      'GET /assets/index-3f9a1c2b.js: answered 503, expected 200 with the ETag of s3://my-site-bucket/releases/%NEW%/assets/index-3f9a1c2b.js'],
    ['the root page references a file the release does not have', () => undefined,
      { 'index.html': '<html><img src="/img/missing.png" srcset="/img/missing.png 1x, /img/missing@2x.png 2x"><img src="https://cdn.example.com/x.png"></html>' },
      'GET /img/missing.png: s3://my-site-bucket/releases/%NEW%/img/missing.png is not in the release'],
  ])('%s', async (_name, behaviour, extra, message) => {
    const world = new World(extra);
    const run = await world.goLive(behaviour);
    const objects = world.state.objects;
    const expected = message.replace(/%NEW%/g, NEW)
      .replace('%OLD_INDEX%', md5(objects[`releases/${OLD}/index.html`].body))
      .replace('%NEW_INDEX%', md5(objects[`releases/${NEW}/index.html`].body));

    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('Deploy failed: http://127.0.0.1:');
    expect(run.stderr).toContain(`does not serve preview go-live.check (release ${NEW}) as uploaded`);
    expect(run.stderr).toContain(expected);
    expect(run.stderr).toContain('The live release was not changed.');
    expect(world.state.kvs.keys).toEqual({ live: OLD });
    expect(world.calls.some(isPutLive)).toBe(false);
    // Never complete, so never made live by a rollback, and pruned as an unfinished upload.
    expect(world.state.objects[`releases/${NEW}.json`]).toBeUndefined();
  });

  test('never fetches files of other hosts, data URLs, or srcsets it cannot read', async () => {
    const world = new World({
      'index.html': '<html><!-- <script src="/commented.js"></script> --><script src="https://cdn.example.com/lib.js"></script>'
        + '<img src="data:image/png;base64,AAAA"><img srcset="/assets/logo-ab12cd34.svg 1x, /a,b.svg 2x, what is this">'
        + '<img src=/assets/logo-ab12cd34.svg?v=1&amp;w=2></html>',
    });
    const run = await world.goLive();
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect([...new Set(world.served.map((s) => s.path))].sort()).toEqual(['/', '/about', '/assets/index-3f9a1c2b.js', '/assets/index-8d2e4f10.css', '/assets/logo-ab12cd34.svg']);
  });
});

describe('a release that fails after the switch is rolled back', () => {
  test('when visitors do not get it (the live check), with the path and what was expected', async () => {
    const world = new World();
    // Previews work, but visitors keep getting the old release.
    const run = await world.goLive((_release, _uri, token) => (token ? undefined : { status: 200, release: OLD }));

    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`does not serve the live release ${NEW} as uploaded`);
    expect(run.stderr).toContain(`GET /about: answered 200 with ETag "${md5('<p>old about</p>')}", expected 200 with the ETag of s3://my-site-bucket/releases/${NEW}/about/index.html`);
    expect(run.stderr).toContain(`Rolled back: release ${OLD} is live again; ${NEW} stays in the bucket until pruned.`);
    expect(world.state.kvs.keys.live).toBe(OLD);
    expect(world.state.objects['404.html'].body).toBe('old missing');
    expect(world.calls.filter(isPutLive).map((args) => args[args.indexOf('--value') + 1])).toEqual([NEW, OLD]);
  });

  test('when the 5xx error rate breaches during the bake time', async () => {
    const world = new World();
    world.setMetrics([{ minutesAfterStart: 0, errorRate: 42.5, requests: 200 }]);
    const run = await world.goLive();

    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(new RegExp(`CloudFront's 5xxErrorRate of distribution ${DISTRIBUTION_ID} was above 5% for 1 consecutive minute\\(s\\) after the switch: 42\\.5% of 200 requests at \\S+Z\\.`));
    expect(run.stderr).toContain(`Rolled back: release ${OLD} is live again`);
    expect(world.state.kvs.keys.live).toBe(OLD);
  });

  test('but not for a rate above the maximum in a minute with fewer requests than minRequests', async () => {
    const world = new World();
    world.setMetrics([{ minutesAfterStart: 0, errorRate: 100, requests: 9 }]);
    const run = await world.goLive();
    expect([run.status, world.state.kvs.keys.live]).toEqual([0, NEW]);
  });

  test('nor for fewer consecutive minutes above the maximum than breachMinutes', async () => {
    const world = new World();
    world.setMetrics([{ minutesAfterStart: 0, errorRate: 100, requests: 500 }]);
    const run = await world.goLive(undefined, { ...SETTINGS, breachMinutes: 2 });
    expect([run.status, world.state.kvs.keys.live]).toEqual([0, NEW]);
  });

  test('and with no release live before, the release stays live and the step fails', async () => {
    const world = new World();
    world.save({ ...world.state, kvs: { ...world.state.kvs, keys: {} } });
    world.setMetrics([{ minutesAfterStart: 0, errorRate: 50, requests: 200 }]);
    const run = await world.goLive();

    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`No release was live before ${NEW}, so it stays live.`);
    expect(world.state.kvs.keys.live).toBe(NEW);
  });
});

describe('the time CodeBuild gives the go-live step (a clock where time passes at once)', () => {
  /** The program's clock skips each sleep, and the build started `elapsedSeconds` before it, on Lambda compute's 15 minutes. */
  const clock = (elapsedSeconds: number) => ({ NODE_OPTIONS: `--require ${FAKE_CLOCK}`, CODEBUILD_START_TIME: String(Date.now() - elapsedSeconds * 1000) });
  const WHEN = 'CodeBuild stops this step at (\\S+Z), 15 minutes after the build started at \\S+Z';

  test('ends the bake early when time runs short, saying what was watched and what was not, and the release stays live', async () => {
    const world = new World();
    world.setMetrics([{ minutesAfterStart: 0, errorRate: 0, requests: 500 }]);

    // 5 minutes left: the bake of 5 minutes must end 60 s before the step stops (a switch back and a metrics read).
    const run = await world.goLive(undefined, { ...SETTINGS, bakeSeconds: 300 }, clock(600));

    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(world.state.kvs.keys.live).toBe(NEW);
    const cut = new RegExp('Bake time cut short: the 5xx error rate was watched from the switch at (\\S+Z) to (\\S+Z) and stayed within 5%; '
      + `the (\\d+) s to (\\S+Z) were not watched, because ${WHEN} and a switch back must stay possible until then\\. The release stays live\\.`).exec(run.stdout);
    expect(cut).not.toBeNull();
    const [, switched, watchedTo, notWatched, plannedEnd, stopsAt] = cut!;
    expect(Date.parse(stopsAt) - Date.parse(watchedTo)).toBeGreaterThanOrEqual(60000);
    expect(Number(notWatched)).toBeGreaterThanOrEqual(60);
    expect(Date.parse(plannedEnd) - Date.parse(switched)).toBeGreaterThanOrEqual(300000);
    expect(run.stdout).not.toContain('Bake time over');
    expect(world.calls.filter((args) => args[0] === 'cloudwatch').length).toBeGreaterThanOrEqual(3);
  });

  test('never switches when the checks after the switch and a switch back would not fit: the step fails, live untouched', async () => {
    const world = new World();

    const run = await world.goLive(undefined, SETTINGS, clock(14 * 60));

    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(new RegExp(`^Deploy failed: too little time is left to go live: \\d+ s left: ${WHEN}, and the check before the switch, `
      + 'the switch and what follows it need \\d+ s\\. The live release was not changed; run the stage again\\.'));
    expect(world.state.kvs.keys).toEqual({ live: OLD });
    expect(world.served).toEqual([]);
    expect(world.calls.filter((args) => args[0] === 'cloudfront-keyvaluestore' && !['describe-key-value-store', 'get-key'].includes(args[1]))).toEqual([]);
  });
});

describe('without VERIFY_RELEASE', () => {
  test('the go-live step makes no request and reads no metric (verification turned off)', async () => {
    const world = new World();
    const run = await world.goLive(undefined, null);
    expect([run.status, world.state.kvs.keys.live]).toEqual([0, NEW]);
    expect(world.served).toEqual([]);
    expect(world.calls.filter((args) => args[0] === 'cloudwatch' || verifyRecordKeys(args, 'puts').length)).toEqual([]);
  });
});
