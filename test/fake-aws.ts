import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RELEASE_REVALIDATED_CACHE_CONTROL } from '../src/static-site/buildspecs/release-buildspecs';
import { DEFAULT_IMMUTABLE_PATTERNS, UploadOptions } from '../src/static-site/buildspecs/upload-commands';

/** The folder of the fake `aws` CLI that the tests of the runtime programs put first on PATH. */
export const FAKE_AWS_BIN = path.join(__dirname, 'fixtures', 'fake-aws');
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

/** The environment of a program run against the fake: its state and log files, and the temp directory given. */
export function fakeAwsEnvironment(statePath: string, logPath: string, tmpDir: string): Record<string, string | undefined> {
  return {
    ...process.env,
    PATH: `${FAKE_AWS_BIN}${path.delimiter}${process.env.PATH}`,
    TMPDIR: tmpDir,
    FAKE_AWS_STATE: statePath,
    FAKE_AWS_LOG: logPath,
    FAKE_AWS_FAIL_ON: undefined,
    SITE_BUCKET: FAKE_SITE.bucket,
    KVS_ARN: FAKE_SITE.kvsArn,
  };
}

/**
 * For the tests of one file that run a runtime program against the fake `aws`: makes the fake
 * executable before them (git may not keep its mode). `tempDir` makes a new directory
 * `<prefix>-<label>-*`; it and any directory given to `removeAfterTests` are removed after them.
 */
export function fakeAwsTestDirs(prefix: string): { tempDir: (label: string) => string; removeAfterTests: (dir: string) => string } {
  const dirs: string[] = [];
  beforeAll(() => fs.chmodSync(path.join(FAKE_AWS_BIN, 'aws'), 0o755));
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
  const removeAfterTests = (dir: string) => {
    dirs.push(dir);
    return dir;
  };
  return { tempDir: (label) => removeAfterTests(fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-${label}-`))), removeAfterTests };
}
