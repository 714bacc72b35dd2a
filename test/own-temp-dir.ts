import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Points the OS temp dir of this process, and of the processes it starts, at a new folder of its own,
 * and returns the function that removes that folder. aws-cdk-lib writes the cloud assembly of every
 * App synthesized without an outdir to a new cdk.out* folder in the temp dir and never removes it: a
 * run of `npm test` used to leave about 550 of them behind.
 */
export function useOwnTempDir(prefix: string): () => void {
  const previous = process.env.TMPDIR;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.env.TMPDIR = dir;
  return () => {
    if (previous === undefined) {
      delete process.env.TMPDIR;
    } else {
      process.env.TMPDIR = previous;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
