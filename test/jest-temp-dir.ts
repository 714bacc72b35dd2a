// Jest's globalSetup and globalTeardown: every cdk.out* folder the tests' apps write goes to a temp
// dir of this run's own, removed when the run ends. It must be set here, in the process that starts
// the workers: a test file's process.env is a copy that os.tmpdir() does not read.
import { useOwnTempDir } from './own-temp-dir';

const REMOVE = Symbol.for('cdk-deploy-pipelines.removeTestTempDir');

export async function setup(): Promise<void> {
  (globalThis as any)[REMOVE] = useOwnTempDir('cdp-jest-');
}

export async function teardown(): Promise<void> {
  (globalThis as any)[REMOVE]?.();
}
