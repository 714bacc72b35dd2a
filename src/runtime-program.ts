import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';

/**
 * Node.js program that unpacks the Brotli-compressed, base64-encoded JSON `{ file name: text }`
 * given as its argument into a new temporary directory and prints the directory. No single quote in
 * it, so it is one shell word in single quotes. Brotli (Node.js 11.7 and later) packs the programs
 * about 12% smaller than gzip: room under CodeBuild's limit on an inline buildspec.
 */
const UNPACK = [
  'const fs=require("fs"),path=require("path");',
  'const dir=fs.mkdtempSync(path.join(require("os").tmpdir(),"cdk-deploy-pipelines-"));',
  'const files=JSON.parse(require("zlib").brotliDecompressSync(Buffer.from(process.argv[1],"base64")));',
  'for(const name of Object.keys(files))fs.writeFileSync(path.join(dir,name),files[name]);',
  'process.stdout.write(dir);',
].join('');

/**
 * The runtime files read so far, and the packed forms made so far: every site and server of an app
 * (every case of the fuzz proof) carries the same few files, read and compressed once.
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
 * are compressed, programs without their comment lines, because CodeBuild rejects an inline buildspec
 * over 25,600 characters (the appspec check alone is 27,000). Node.js unpacks them: it runs the
 * programs anyway, so the image needs nothing else. Buildspec 0.2 runs all commands of a build in
 * one shell, so the variable lasts.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html#build-spec-ref-versions
 */
export function unpackRuntimeFilesCommands(variable: string, constructDir: string, names: string[]): string[] {
  const key = JSON.stringify([constructDir, names]);
  let packed = PACKED_FILES.get(key);
  if (packed === undefined) {
    const files = Object.fromEntries(names.map((name) => {
      const text = readRuntimeFile(constructDir, name);
      return [name, name.endsWith('.js') ? withoutCommentLines(text) : text];
    }));
    requireLoadedFiles(files);
    const json = JSON.stringify(files);
    packed = zlib.brotliCompressSync(json, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: json.length },
    }).toString('base64');
    PACKED_FILES.set(key, packed);
  }
  return [`export ${variable}="$(node -e '${UNPACK}' '${packed}')"`];
}

/**
 * A program's text without the lines that hold nothing but a comment: `// ...` lines and
 * `/* ... *\/` blocks that start a line and end one (JSDoc). They are for the reader of the file in
 * runtime/; Node.js skips them, and in a buildspec they take room of CodeBuild's 25,600 characters.
 * Line comments after code, and a block with code after its end, are kept. Throws on a block that
 * never ends (the file would not parse anyway).
 */
export function withoutCommentLines(text: string): string {
  const kept: string[] = [];
  let inBlock = false;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (inBlock) {
      inBlock = !trimmed.endsWith('*/');
      if (inBlock && trimmed.includes('*/')) {
        throw new Error(`code after the end of a comment block: ${line}`);
      }
      continue;
    }
    if (trimmed.startsWith('//')) {
      continue;
    }
    if (trimmed.startsWith('/*') && !(trimmed.includes('*/') && !trimmed.endsWith('*/'))) {
      inBlock = !trimmed.slice(2).endsWith('*/');
      continue;
    }
    kept.push(line);
  }
  if (inBlock) {
    throw new Error('a comment block that never ends');
  }
  return kept.join('\n');
}

/**
 * Throws unless every file a packed program requires when it loads (a `require('./<file>')` on a
 * line of its own, not indented: one that runs before anything else) is packed too. A program may
 * require a file later, inside a function, for work some steps never do (the rollback never reads
 * rules): those files are left to the caller.
 */
function requireLoadedFiles(files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    for (const [, required] of text.matchAll(/^(?:const|let|var)\b[^\n]*\brequire\('\.\/([^']+)'\)/gm)) {
      if (!(required in files)) {
        throw new Error(`runtime program ${name} requires ${required} when it loads, which is not packed with it`);
      }
    }
  }
}

