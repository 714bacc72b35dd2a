import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

/**
 * Node.js program that unpacks the gzipped, base64-encoded JSON `{ file name: text }` given as its
 * argument into a new temporary directory and prints the directory. No single quote in it, so it
 * is one shell word in single quotes.
 */
const UNPACK = [
  'const fs=require("fs"),path=require("path");',
  'const dir=fs.mkdtempSync(path.join(require("os").tmpdir(),"cdk-deploy-pipelines-"));',
  'const files=JSON.parse(require("zlib").gunzipSync(Buffer.from(process.argv[1],"base64")));',
  'for(const name of Object.keys(files))fs.writeFileSync(path.join(dir,name),files[name]);',
  'process.stdout.write(dir);',
].join('');

/**
 * The runtime files read so far, and the packed forms made so far: every site and server of an app
 * (every case of the fuzz proof) carries the same few files, read and gzipped once.
 */
const RUNTIME_FILES = new Map<string, string>();
const PACKED_FILES = new Map<string, string>();

/**
 * Returns the text of a program file of this library: a file of a `runtime/` folder (shipped in the
 * package next to the compiled construct that runs it).
 */
export function readRuntimeFile(constructDir: string, name: string): string {
  const file = path.join(constructDir, 'runtime', name);
  let text = RUNTIME_FILES.get(file);
  if (text === undefined) {
    text = fs.readFileSync(file, 'utf8');
    RUNTIME_FILES.set(file, text);
  }
  return text;
}

/**
 * Returns buildspec commands that write the `runtime/` files `names` of the construct in
 * `constructDir` into a new temporary directory and export its path as the shell variable
 * `variable`; later commands run `node "$<variable>/<program>.js"`.
 *
 * The files travel inside the buildspec, so a deploy needs no asset and no Lambda function; they
 * are gzipped because CodeBuild rejects an inline buildspec over 25,600 characters (the appspec
 * check alone is 27,000). Node.js unpacks them: it runs the programs anyway, so the image needs
 * nothing else. Buildspec 0.2 runs all commands of a build in one shell, so the variable lasts.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html#build-spec-ref-versions
 */
export function unpackRuntimeFilesCommands(variable: string, constructDir: string, names: string[]): string[] {
  const key = JSON.stringify([constructDir, names]);
  let packed = PACKED_FILES.get(key);
  if (packed === undefined) {
    const files = Object.fromEntries(names.map((name) => [name, withoutComments(name, readRuntimeFile(constructDir, name))]));
    packed = zlib.gzipSync(JSON.stringify(files), { level: zlib.constants.Z_BEST_COMPRESSION }).toString('base64');
    PACKED_FILES.set(key, packed);
  }
  return [`export ${variable}="$(node -e '${UNPACK}' '${packed}')"`];
}

/**
 * A program as it travels in a buildspec: a JavaScript file without its comment lines (`//` lines
 * and block comments that start a line), which CodeBuild's limit on an inline buildspec counts.
 * No line of these programs starts inside a string or a template.
 */
function withoutComments(name: string, text: string): string {
  if (!name.endsWith('.js')) {
    return text;
  }
  let inBlock = false;
  return text.split('\n').filter((line) => {
    const trimmed = line.trim();
    if (inBlock) {
      inBlock = !trimmed.includes('*/');
      return false;
    }
    if (trimmed.startsWith('/*')) {
      inBlock = !trimmed.includes('*/');
      return false;
    }
    return !trimmed.startsWith('//');
  }).join('\n');
}
