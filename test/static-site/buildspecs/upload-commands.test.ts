import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  DEFAULT_IMMUTABLE_PATTERNS,
  DEPLOY_ENV,
  DeployCommandsOptions,
  deployBuildSpecObject,
  deployCommands,
  siteDirectoryChecks,
} from '../../../src/static-site/buildspecs/upload-commands';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'site-build');
const BUCKET = 'my-site-bucket';
const DISTRIBUTION = 'E123ABC';
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

const DEFAULTS: DeployCommandsOptions = {
  sourceDirectory: '.',
  prefix: '',
  immutablePatterns: DEFAULT_IMMUTABLE_PATTERNS,
  immutableCacheControl: IMMUTABLE,
  defaultCacheControl: REVALIDATE,
  invalidation: 'all',
};

const FIXTURE_FILES = [
  '404.html',
  'about/index.html',
  'app.wasm',
  'assets/index-3f9a1c2b.js',
  'assets/index-8d2e4f10.css',
  'assets/logo-ab12cd34.svg',
  'favicon.ico',
  'index.html',
  'manifest.webmanifest',
  'module.mjs',
  'robots.txt',
  'sw.js',
];
const HTML_FILES = ['404.html', 'about/index.html', 'index.html'];

// ---------------------------------------------------------------------------------------------
// A model of aws-cli's --exclude/--include filters (awscli/customizations/s3/filters.py): each
// pattern is joined to the source root (and, for deletions, to the destination root), matched
// with Python's fnmatch against the full path, the last matching filter decides and a file no
// filter matches is included.
// ---------------------------------------------------------------------------------------------

/** Python's fnmatch.translate: `*` and `?` match any character including `/`, `[!x]` negates, an unclosed `[` is literal. */
function fnmatchRegExp(pattern: string): RegExp {
  let re = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i++];
    if (c === '*') {
      re += '.*';
    } else if (c === '?') {
      re += '.';
    } else if (c === '[') {
      let j = i;
      if (pattern[j] === '!') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j++;
      if (j >= pattern.length) {
        re += '\\[';
      } else {
        let set = pattern.slice(i, j);
        i = j + 1;
        const negate = set.startsWith('!');
        if (negate) set = set.slice(1);
        re += `[${negate ? '^' : ''}${set.replace(/[\\\][^]/g, '\\$&')}]`;
      }
    } else {
      re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`, 's');
}

/** Python's os.path.join for two POSIX parts. */
function pyJoin(root: string, pattern: string): string {
  if (pattern.startsWith('/')) return pattern;
  return root.endsWith('/') ? root + pattern : `${root}/${pattern}`;
}

type Filter = [action: 'include' | 'exclude', pattern: string];

function passesFilters(filters: Filter[], filePath: string, roots: string[]): boolean {
  let included = true;
  for (const [action, pattern] of filters) {
    for (const root of roots) {
      if (fnmatchRegExp(pyJoin(root, pattern)).test(filePath)) {
        included = action === 'include';
      }
    }
  }
  return included;
}

/** Files under `dir`, relative, `/`-separated, sorted. */
function listFiles(dir: string): string[] {
  const walk = (rel: string): string[] => fs.readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((entry) => {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      return entry.isDirectory() ? walk(child) : [child];
    });
  return walk('').sort();
}

/** One logged `aws s3 cp|sync` invocation. */
interface S3Call {
  readonly command: string;
  readonly source: string;
  readonly destination: string;
  readonly filters: Filter[];
  readonly options: Map<string, string | true>;
}

function parseS3Call(args: string[]): S3Call {
  const [service, command, source, destination, ...rest] = args;
  if (service !== 's3') throw new Error(`not an s3 call: ${JSON.stringify(args)}`);
  const filters: Filter[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i++) {
    const name = rest[i];
    const value = rest[i + 1];
    if (name === '--exclude' || name === '--include') {
      filters.push([name.slice(2) as 'include' | 'exclude', value]);
      i++;
    } else if (name === '--cache-control' || name === '--content-type') {
      options.set(name, value);
      i++;
    } else if (name.startsWith('--')) {
      options.set(name, true);
    } else {
      throw new Error(`unexpected argument ${name} in ${JSON.stringify(args)}`);
    }
  }
  return { command, source, destination, filters, options };
}

/** Files (relative to the source directory) that `aws s3 cp --recursive` with these filters uploads. */
function uploadedFiles(call: S3Call, cwd: string): string[] {
  const localRoot = path.resolve(cwd, call.source);
  // The CLI evaluates each pattern against the destination root too (bucket/key).
  const destinationRoot = call.destination.replace(/^s3:\/\//, '');
  return listFiles(localRoot).filter((rel) => passesFilters(call.filters, `${localRoot}/${rel}`, [localRoot, destinationRoot]));
}

// ---------------------------------------------------------------------------------------------
// Running the commands against a fake `aws`.
// ---------------------------------------------------------------------------------------------

// Logs its argv as one JSON array per line and otherwise does nothing, so `s3 sync --delete`
// deletes nothing. FAKE_AWS_FAIL_ON=<substring> makes calls whose joined args contain it fail.
const FAKE_AWS = `#!/usr/bin/env bash
json='['
sep=''
for arg in "$@"; do
  arg=\${arg//\\\\/\\\\\\\\}
  arg=\${arg//\\"/\\\\\\"}
  arg=\${arg//$'\\n'/\\\\n}
  arg=\${arg//$'\\t'/\\\\t}
  json+="$sep\\"$arg\\""
  sep=','
done
printf '%s]\\n' "$json" >> "$FAKE_AWS_LOG"
if [ -n "\${FAKE_AWS_FAIL_ON:-}" ] && [[ "$*" == *"$FAKE_AWS_FAIL_ON"* ]]; then
  echo "fake aws: simulated failure of: $*" >&2
  exit 1
fi
`;

const tempDirs: string[] = [];
function tempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `deploy-commands-${label}-`));
  tempDirs.push(dir);
  return dir;
}

let fakeBin: string;
beforeAll(() => {
  fakeBin = tempDir('bin');
  fs.writeFileSync(path.join(fakeBin, 'aws'), FAKE_AWS, { mode: 0o755 });
});
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

interface Artifact {
  /** Build artifact root: the working directory of the commands. */
  readonly cwd: string;
  /** Absolute path of the site directory inside it. */
  readonly site: string;
}

/** A build artifact holding the fixture (or nothing) under `siteDirectory`, plus extra files. */
function artifact(siteDirectory = '.', options: { fixture?: boolean; extraFiles?: string[] } = {}): Artifact {
  const cwd = tempDir('artifact');
  const site = path.resolve(cwd, siteDirectory);
  if (options.fixture ?? true) {
    fs.cpSync(FIXTURE, site, { recursive: true });
  }
  for (const file of options.extraFiles ?? []) {
    fs.mkdirSync(path.dirname(path.join(site, file)), { recursive: true });
    fs.writeFileSync(path.join(site, file), `${file}\n`);
  }
  return { cwd, site };
}

interface Run {
  readonly status: number | null;
  readonly stderr: string;
  readonly calls: string[][];
  readonly cwd: string;
}

interface RunOptions {
  readonly artifact?: Artifact;
  readonly env?: Record<string, string | undefined>;
  readonly shell?: 'bash' | 'sh';
}

/** Runs the commands like a CodeBuild phase: one per line, stopping at the first failure. */
function run(options: Partial<DeployCommandsOptions> = {}, runOptions: RunOptions = {}): Run {
  const deploy = { ...DEFAULTS, ...options };
  const { cwd } = runOptions.artifact ?? artifact(deploy.sourceDirectory);
  const log = path.join(tempDir('log'), 'aws.log');
  fs.writeFileSync(log, '');
  const env: Record<string, string | undefined> = {
    ...process.env,
    PATH: `${fakeBin}${path.delimiter}${process.env.PATH}`,
    FAKE_AWS_LOG: log,
    FAKE_AWS_FAIL_ON: undefined,
    [DEPLOY_ENV.bucket]: BUCKET,
    [DEPLOY_ENV.distributionId]: DISTRIBUTION,
    ...runOptions.env,
  };
  const script = deployCommands(deploy).join('\n');
  const shellArgs = runOptions.shell === 'sh' ? ['-e', '-c', script] : ['-e', '-o', 'pipefail', '-c', script];
  const result = spawnSync(runOptions.shell ?? 'bash', shellArgs, { cwd, env, encoding: 'utf8' });
  const calls = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as string[]);
  return { status: result.status, stderr: result.stderr, calls, cwd };
}

const isCp = (args: string[]): boolean => args[0] === 's3' && args[1] === 'cp';
const isSync = (args: string[]): boolean => args[0] === 's3' && args[1] === 'sync';
const isInvalidation = (args: string[]): boolean => args[0] === 'cloudfront';

function uploads(result: Run): S3Call[] {
  return result.calls.filter(isCp).map(parseS3Call);
}

/** For each uploaded file, the uploads that include it. */
function uploadsByFile(result: Run): Map<string, S3Call[]> {
  const byFile = new Map<string, S3Call[]>();
  for (const call of uploads(result)) {
    for (const file of uploadedFiles(call, result.cwd)) {
      byFile.set(file, [...(byFile.get(file) ?? []), call]);
    }
  }
  return byFile;
}

/** file → value of one option of the (single) upload that includes it. */
function optionByFile(result: Run, option: string): Record<string, string | true | undefined> {
  return Object.fromEntries([...uploadsByFile(result)].map(([file, calls]) => [file, calls[0].options.get(option)]));
}

type Kind = 'immutable' | 'other' | 'html' | 'delete' | 'invalidation' | 'unknown';

function kind(args: string[], cwd: string): Kind {
  if (isInvalidation(args)) return 'invalidation';
  if (isSync(args)) return parseS3Call(args).options.has('--delete') ? 'delete' : 'unknown';
  if (!isCp(args)) return 'unknown';
  const call = parseS3Call(args);
  if (call.options.get('--cache-control') === IMMUTABLE) return 'immutable';
  return uploadedFiles(call, cwd).some((file) => file.endsWith('.html')) ? 'html' : 'other';
}

/** Kinds of the calls in order, consecutive repeats collapsed. */
function kindSequence(result: Run): Kind[] {
  return result.calls.map((args) => kind(args, result.cwd)).filter((k, i, all) => i === 0 || all[i - 1] !== k);
}

// ---------------------------------------------------------------------------------------------

describe('aws-cli filter model used by these tests', () => {
  test('the last matching filter decides and unmatched files are included', () => {
    const filters: Filter[] = [['exclude', '*'], ['include', '*.html'], ['exclude', 'about/*']];
    expect(passesFilters(filters, '/r/index.html', ['/r'])).toBe(true);
    expect(passesFilters(filters, '/r/about/index.html', ['/r'])).toBe(false);
    expect(passesFilters(filters, '/r/sw.js', ['/r'])).toBe(false);
    expect(passesFilters([['exclude', '*.css']], '/r/sw.js', ['/r'])).toBe(true);
  });

  test('wildcards cross directory boundaries and classes follow fnmatch', () => {
    expect(fnmatchRegExp('/r/*.html').test('/r/about/index.html')).toBe(true);
    expect(fnmatchRegExp('/r/*-????????.*').test('/r/hero-img/logo.svg')).toBe(true);
    expect(fnmatchRegExp('/r/*-[!./][!./][!./][!./][!./][!./][!./][!./].*').test('/r/hero-img/logo.svg')).toBe(false);
    expect(fnmatchRegExp('/r/*[!.]wasm').test('/r/app.wasm')).toBe(false);
    expect(fnmatchRegExp('/r/[a-z-]').test('/r/-')).toBe(true);
  });
});

describe('deployCommands', () => {
  test('uploads immutable files, then other files, then HTML, then deletes stale files, then invalidates', () => {
    const result = run();

    expect(result.status).toBe(0);
    expect(kindSequence(result)).toEqual(['immutable', 'other', 'html', 'delete', 'invalidation']);
  });

  test('uploads every file of the build exactly once', () => {
    const result = run();

    const counts = Object.fromEntries([...uploadsByFile(result)].map(([file, calls]) => [file, calls.length]));
    expect(counts).toEqual(Object.fromEntries(FIXTURE_FILES.map((file) => [file, 1])));
  });

  test('uploads the HTML files in the last upload and nothing else with them', () => {
    const result = run();

    const all = uploads(result);
    expect(uploadedFiles(all[all.length - 1], result.cwd)).toEqual(HTML_FILES);
    for (const call of all.slice(0, -1)) {
      expect(uploadedFiles(call, result.cwd).filter((file) => file.endsWith('.html'))).toEqual([]);
    }
  });

  test('gives fingerprinted files the immutable Cache-Control and every other file the default', () => {
    const result = run();

    expect(optionByFile(result, '--cache-control')).toEqual({
      '404.html': REVALIDATE,
      'about/index.html': REVALIDATE,
      'app.wasm': REVALIDATE,
      'assets/index-3f9a1c2b.js': IMMUTABLE,
      'assets/index-8d2e4f10.css': IMMUTABLE,
      'assets/logo-ab12cd34.svg': IMMUTABLE,
      'favicon.ico': REVALIDATE,
      'index.html': REVALIDATE,
      'manifest.webmanifest': REVALIDATE,
      'module.mjs': REVALIDATE,
      'robots.txt': REVALIDATE,
      'sw.js': REVALIDATE,
    });
  });

  test('uses the configured Cache-Control values', () => {
    const result = run({ immutableCacheControl: 'public, max-age=600', defaultCacheControl: 'public, max-age=0, must-revalidate' });

    const cacheControl = optionByFile(result, '--cache-control');
    expect(cacheControl['assets/index-3f9a1c2b.js']).toBe('public, max-age=600');
    expect(cacheControl['index.html']).toBe('public, max-age=0, must-revalidate');
    expect(cacheControl['sw.js']).toBe('public, max-age=0, must-revalidate');
  });

  test('sets an explicit Content-Type on the kinds the CLI guesses wrong and lets it guess the rest', () => {
    const result = run();

    expect(optionByFile(result, '--content-type')).toEqual({
      '404.html': undefined,
      'about/index.html': undefined,
      'app.wasm': 'application/wasm',
      'assets/index-3f9a1c2b.js': undefined,
      'assets/index-8d2e4f10.css': undefined,
      'assets/logo-ab12cd34.svg': 'image/svg+xml',
      'favicon.ico': undefined,
      'index.html': undefined,
      'manifest.webmanifest': 'application/manifest+json',
      'module.mjs': 'text/javascript',
      'robots.txt': undefined,
      'sw.js': undefined,
    });
  });

  test('keeps a hashed special-type file immutable and an unhashed one revalidated', () => {
    const site = artifact('.', { extraFiles: ['assets/app-5e6f7a8b.wasm', 'assets/chunk-9a8b7c6d.js.map', 'data.json'] });
    const result = run({}, { artifact: site });

    const cacheControl = optionByFile(result, '--cache-control');
    const contentType = optionByFile(result, '--content-type');
    expect([cacheControl['assets/app-5e6f7a8b.wasm'], contentType['assets/app-5e6f7a8b.wasm']]).toEqual([IMMUTABLE, 'application/wasm']);
    expect([cacheControl['app.wasm'], contentType['app.wasm']]).toEqual([REVALIDATE, 'application/wasm']);
    expect([cacheControl['assets/chunk-9a8b7c6d.js.map'], contentType['assets/chunk-9a8b7c6d.js.map']]).toEqual([IMMUTABLE, 'application/json']);
    expect([cacheControl['data.json'], contentType['data.json']]).toEqual([REVALIDATE, 'application/json']);
  });

  test('never makes HTML or well-known entry files immutable, even when a pattern matches them', () => {
    const result = run({ immutablePatterns: ['*'] });

    expect(optionByFile(result, '--cache-control')).toEqual({
      '404.html': REVALIDATE,
      'about/index.html': REVALIDATE,
      'app.wasm': IMMUTABLE,
      'assets/index-3f9a1c2b.js': IMMUTABLE,
      'assets/index-8d2e4f10.css': IMMUTABLE,
      'assets/logo-ab12cd34.svg': IMMUTABLE,
      'favicon.ico': REVALIDATE,
      'index.html': REVALIDATE,
      'manifest.webmanifest': REVALIDATE,
      'module.mjs': IMMUTABLE,
      'robots.txt': REVALIDATE,
      'sw.js': REVALIDATE,
    });
  });

  test.each([
    ['', `s3://${BUCKET}/`],
    ['site/v1', `s3://${BUCKET}/site/v1/`],
    ['/site/v1/', `s3://${BUCKET}/site/v1/`],
  ])('targets only the prefix %j of the bucket, without a leading or double slash', (prefix, expected) => {
    const result = run({ prefix });

    const destinations = result.calls.filter((args) => args[0] === 's3').map((args) => parseS3Call(args).destination);
    expect(destinations.length).toBeGreaterThan(2);
    expect(new Set(destinations)).toEqual(new Set([expected]));
  });

  test('passes a prefix containing shell metacharacters to the CLI literally', () => {
    const prefix = 'it\'s $HOME/`x`/"q"\\';
    const result = run({ prefix });

    const destinations = result.calls.filter((args) => args[0] === 's3').map((args) => parseS3Call(args).destination);
    expect(new Set(destinations)).toEqual(new Set([`s3://${BUCKET}/${prefix}/`]));
  });

  test('passes a source directory with spaces and quotes as one argument', () => {
    const sourceDirectory = 'my site\'s "build"';
    const result = run({ sourceDirectory });

    expect(result.status).toBe(0);
    expect(new Set(result.calls.filter((args) => args[0] === 's3').map((args) => args[2]))).toEqual(new Set([sourceDirectory]));
    expect([...uploadsByFile(result).keys()].sort()).toEqual(FIXTURE_FILES);
  });

  test('passes filter patterns and header values to the CLI unexpanded', () => {
    // The working directory holds *.html files, so an unquoted pattern would be expanded.
    const result = run();

    const html = uploads(result).pop()!;
    expect(html.filters).toEqual([['exclude', '*'], ['include', '*.html'], ['include', '*.htm']]);
    expect(uploads(result)[0].options.get('--cache-control')).toBe(IMMUTABLE);
  });

  test('deletes stale files with a filterless size-only sync of the same directory and prefix', () => {
    const result = run({ sourceDirectory: 'dist', prefix: 'site/v1' });

    const syncs = result.calls.filter(isSync).map(parseS3Call);
    expect(syncs).toHaveLength(1);
    expect(syncs[0]).toEqual({
      command: 'sync',
      source: 'dist',
      destination: `s3://${BUCKET}/site/v1/`,
      filters: [],
      options: new Map([['--delete', true], ['--size-only', true], ['--no-progress', true]]),
    });
  });

  test('invalidates every path of the distribution named by the environment, without waiting', () => {
    const result = run();

    expect(result.calls.filter(isInvalidation)).toEqual([
      ['cloudfront', 'create-invalidation', '--distribution-id', DISTRIBUTION, '--paths', '/*'],
    ]);
  });

  test('makes no CloudFront call when invalidation is none', () => {
    const result = run({ invalidation: 'none' });

    expect(result.status).toBe(0);
    expect(result.calls.filter(isInvalidation)).toEqual([]);
    expect(kindSequence(result)).toEqual(['immutable', 'other', 'html', 'delete']);
  });

  test('does not require DISTRIBUTION_ID when invalidation is none', () => {
    const result = run({ invalidation: 'none' }, { env: { [DEPLOY_ENV.distributionId]: undefined } });

    expect(result.status).toBe(0);
    expect(result.calls.filter(isSync)).toHaveLength(1);
  });

  test.each([
    ['the first immutable upload', IMMUTABLE, ['immutable']],
    ['the HTML upload', '--include *.html', ['immutable', 'other', 'html']],
  ])('stops before the delete and the invalidation when %s fails', (_name, failOn, kinds) => {
    const result = run({}, { env: { FAKE_AWS_FAIL_ON: failOn } });

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('fake aws: simulated failure');
    // The failing call is the last one made.
    expect(result.calls[result.calls.length - 1].join(' ')).toContain(failOn);
    expect(kindSequence(result)).toEqual(kinds);
  });

  test('fails with a clear message before any aws call when the source directory is missing', () => {
    const result = run({ sourceDirectory: 'dist' }, { artifact: artifact('.', { fixture: true }) });

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('site directory "dist" does not exist');
    expect(result.calls).toEqual([]);
  });

  test('fails with a clear message before any aws call when the source directory is empty', () => {
    const empty = artifact('dist', { fixture: false });
    fs.mkdirSync(path.join(empty.site, 'assets'), { recursive: true });
    const result = run({ sourceDirectory: 'dist' }, { artifact: empty });

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('site directory "dist" in the build artifact is empty');
    expect(result.calls).toEqual([]);
  });

  describe('the site directory check (Node.js, not find)', () => {
    const check = (site: (dir: string) => void) => {
      const cwd = tempDir('check');
      fs.mkdirSync(path.join(cwd, 'dist'));
      site(path.join(cwd, 'dist'));
      return spawnSync('bash', ['-e', '-c', siteDirectoryChecks('dist').join('\n')], { cwd, encoding: 'utf8' });
    };

    test('finds a file deep in folders', () => {
      expect(check((dir) => {
        fs.mkdirSync(path.join(dir, 'a', 'b', 'c'), { recursive: true });
        fs.writeFileSync(path.join(dir, 'a', 'b', 'c', 'index.html'), 'x');
      }).status).toBe(0);
    });

    test('takes a broken link for no file', () => {
      const result = check((dir) => fs.symlinkSync('missing.html', path.join(dir, 'index.html')));
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('site directory "dist" in the build artifact is empty');
    });

    test('ends at a link back to a folder it searched', () => {
      const result = check((dir) => fs.symlinkSync('.', path.join(dir, 'loop')));
      expect(result.stderr).not.toContain('Maximum call stack');
      expect(result.stderr).toContain('site directory "dist" in the build artifact is empty');
    });
  });

  test.each([DEPLOY_ENV.bucket, DEPLOY_ENV.distributionId])('fails before any aws call when %s is not set', (name) => {
    const result = run({}, { env: { [name]: '' } });

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`environment variable ${name} is not set`);
    expect(result.calls).toEqual([]);
  });

  test('runs unchanged under POSIX sh', () => {
    const bash = run();
    const sh = run({}, { shell: 'sh' });

    expect(sh.status).toBe(0);
    expect(sh.calls).toEqual(bash.calls);
  });
});

describe('DEFAULT_IMMUTABLE_PATTERNS', () => {
  const FINGERPRINTED = [
    'assets/index-BxK3_q9z.js', // Vite 5+ (Rollup 4, base64url hash)
    'assets/vendor-D-Wt4a2R.js', // ... whose hash may contain '-'
    'assets/index-3f9a1c2b.css', // Vite 3-4
    'assets/index.3f9a1c2b.js', // Vite 2
    'static/js/main.3f9a1c2b.js', // Create React App
    'static/media/logo.6ce24c58.svg', // Create React App, special content type
    'main-ABCD2345.js', // Angular esbuild builder, esbuild
    'main.7d4e3c2b1a0f9e8d.js', // Angular webpack builder
    'app.0123456789abcdef0123.js', // webpack default [contenthash]
    '_next/static/chunks/webpack.js', // Next.js
    '_next/static/Xk2c9Qa1/_buildManifest.js',
    '_app/immutable/entry/start.js', // SvelteKit
    '_astro/index.Bx7Z3Ab1.css', // Astro
  ];
  const LOOKALIKES = [
    'icons/social-facebook.svg', // a word after the dash, not a hash
    'icons/icon-download.svg',
    'img/avatar-john-doe.png',
    'hero-img/logo.svg', // "img/logo" would be 8 characters across a '/'
    'jquery.validate.min.js', // an 8-letter word between dots
    'apple-touch-icon-precomposed.png',
    'android-chrome-192x192.png',
    'assets/photo.webp', // Vite copies public/assets unhashed
    'static/brochure.pdf',
  ];

  test('makes the fingerprinted names of common bundlers immutable', () => {
    const result = run({}, { artifact: artifact('.', { fixture: false, extraFiles: FINGERPRINTED }) });

    const cacheControl = optionByFile(result, '--cache-control');
    expect(FINGERPRINTED.filter((file) => cacheControl[file] !== IMMUTABLE)).toEqual([]);
  });

  test('keeps names that only look fingerprinted revalidated', () => {
    const result = run({}, { artifact: artifact('.', { fixture: false, extraFiles: LOOKALIKES }) });

    const cacheControl = optionByFile(result, '--cache-control');
    expect(LOOKALIKES.filter((file) => cacheControl[file] !== REVALIDATE)).toEqual([]);
  });
});

describe('deployBuildSpecObject', () => {
  test('runs the deploy commands in the build phase of a version 0.2 buildspec', () => {
    const options = { ...DEFAULTS, prefix: 'site/v1', invalidation: 'none' as const };

    expect(deployBuildSpecObject(options)).toEqual({
      version: '0.2',
      phases: { build: { commands: deployCommands(options) } },
    });
  });
});
