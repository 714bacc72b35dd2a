/** The artifact of a build, as CodeBuild selects it from the buildspec's `artifacts`. */
import * as fs from 'fs';
import * as path from 'path';
import { BuildSpec } from './buildspec';

/** The files a build uploads: paths relative to the artifact's base directory. */
export interface Artifact {
  readonly root: string;
  readonly files: string[];
}

/** The files of the build's artifact, as CodeBuild selects them: `files` globs under `base-directory`. */
export function collectArtifact(spec: BuildSpec, srcDir: string): Artifact {
  const root = path.join(srcDir, spec.baseDirectory);
  if (!fs.existsSync(root)) throw new Error(`base-directory ${spec.baseDirectory} does not exist after the build`);
  const patterns = spec.files.map(globToRegExp);
  const files = listFiles(root).filter((f) => patterns.some((p) => p.test(f)));
  // CodeBuild fails the upload when nothing matches: CLIENT_ERROR: no matching artifact paths found.
  if (files.length === 0) throw new Error(`no matching artifact paths found: ${spec.files.join(', ')} under ${spec.baseDirectory}`);
  return { root, files };
}

/** Every file below `root`, as '/'-separated paths relative to it, sorted. */
function listFiles(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(root, f)).isFile())
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

/** A buildspec `files` glob as a regular expression: `**` crosses directories, `*` and `?` do not. */
function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    if (glob.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (glob[i] === '*') {
      source += '[^/]*';
    } else if (glob[i] === '?') {
      source += '[^/]';
    } else {
      source += glob[i].replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source.replace(/^\.\//, '')}$`);
}
