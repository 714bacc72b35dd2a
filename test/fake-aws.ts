import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RELEASE_REVALIDATED_CACHE_CONTROL } from '../src/static-site/buildspecs/release-buildspecs';
import { DEFAULT_IMMUTABLE_PATTERNS, UploadOptions } from '../src/static-site/buildspecs/upload-commands';

/** The fake `aws` CLI of the tests of the runtime programs; they run a copy of it (fakeAwsBin). */
const FAKE_AWS = path.join(__dirname, 'fixtures', 'fake-aws', 'aws');
/**
 * A module that makes time pass at once for a program that sleeps: preloaded (`node --require`), it
 * moves Date.now() forward by each sleep of timers/promises instead of waiting.
 */
export const FAKE_CLOCK = path.join(__dirname, 'fixtures', 'fake-clock.js');
/** The site build the tests upload. */
export const SITE_BUILD_FIXTURE = path.join(__dirname, 'fixtures', 'site-build');
/** The bucket and store the fake keeps, and the commit a pipeline would build. */
export const FAKE_SITE = {
  bucket: 'my-site-bucket',
  kvsArn: 'arn:aws:cloudfront::123456789012:key-value-store/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
  commit: '3f9a1c2b7d4e5f60718293a4b5c6d7e8f9a0b1c2',
} as const;

/** The Cache-Control of hashed files. */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** How StaticSitePipeline uploads a release by default (the build artifact holds the site at its root). */
export const DEFAULT_UPLOAD: UploadOptions = {
  sourceDirectory: '.',
  immutablePatterns: DEFAULT_IMMUTABLE_PATTERNS,
  immutableCacheControl: IMMUTABLE_CACHE_CONTROL,
  defaultCacheControl: RELEASE_REVALIDATED_CACHE_CONTROL,
};

/** The time limit the construct gives a deploy step on Lambda compute, which the programs read. */
export const STEP_TIME_LIMIT = { STEP_TIME_LIMIT_MINUTES: '15' } as const;

/**
 * A shell command that stops the commands that follow, loudly, unless `aws` on PATH is the fake:
 * no test may ever reach a real AWS CLI (a user the fake is out of reach of would find one).
 */
export const REQUIRE_FAKE_AWS = '[ "$(command -v aws)" = "$FAKE_AWS" ] || '
  + '{ echo "not the fake aws: PATH finds $(command -v aws || echo no aws) for $(id -un), expected $FAKE_AWS" >&2; exit 97; }';

/**
 * The environment of a program run against the fake: its state and log files, and the temp
 * directory given. The step's start is the program's (no $CODEBUILD_START_TIME of a build the tests
 * may run in).
 */
export function fakeAwsEnvironment(statePath: string, logPath: string, tmpDir: string): Record<string, string | undefined> {
  const bin = fakeAwsBin();
  return {
    ...process.env,
    PATH: `${bin}${path.delimiter}${process.env.PATH}`,
    FAKE_AWS: fakeAwsProgram(),
    TMPDIR: tmpDir,
    FAKE_AWS_STATE: statePath,
    FAKE_AWS_LOG: logPath,
    FAKE_AWS_FAIL_ON: undefined,
    SITE_BUCKET: FAKE_SITE.bucket,
    KVS_ARN: FAKE_SITE.kvsArn,
    ...STEP_TIME_LIMIT,
    CODEBUILD_START_TIME: undefined,
  };
}

/** The path of this test file's copy of the fake `aws` (see fakeAwsBin). */
export function fakeAwsProgram(): string {
  return path.join(fakeAwsBin(), 'aws');
}

/** This test file's copy of the fake `aws`, made on first use, and removed by removeFakeAwsCopy. */
let fakeAwsCopy: string | undefined;

/**
 * The folder of a copy of the fake `aws` that every user may run: a new folder under /tmp, readable
 * and searchable by all. Tests that run commands as another user (Lambda compute, as `nobody`) must
 * find it even when the repository sits in a folder only its owner may enter (a container's /root).
 */
function fakeAwsBin(): string {
  if (!fakeAwsCopy) {
    fakeAwsCopy = fs.mkdtempSync(path.join('/tmp', 'fake-aws-'));
    fs.copyFileSync(FAKE_AWS, path.join(fakeAwsCopy, 'aws'));
    fs.chmodSync(path.join(fakeAwsCopy, 'aws'), 0o755);
    fs.chmodSync(fakeAwsCopy, 0o755);
  }
  return fakeAwsCopy;
}

/** Removes the copy of the fake `aws`, if one was made. */
export function removeFakeAwsCopy(): void {
  if (fakeAwsCopy) fs.rmSync(fakeAwsCopy, { recursive: true, force: true });
  fakeAwsCopy = undefined;
}

/**
 * For the tests of one file that run a runtime program against the fake `aws`. `tempDir` makes a
 * new directory `<prefix>-<label>-*`; it, any directory given to `removeAfterTests`, and the copy
 * of the fake are removed after them.
 */
export function fakeAwsTestDirs(prefix: string): { tempDir: (label: string) => string; removeAfterTests: (dir: string) => string } {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    removeFakeAwsCopy();
  });
  const removeAfterTests = (dir: string) => {
    dirs.push(dir);
    return dir;
  };
  return { tempDir: (label) => removeAfterTests(fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-${label}-`))), removeAfterTests };
}
