/** The site builds the release proof deploys: the sample build, and a generated one. */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

const SAMPLE = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'site-build');

/** A file over the CLI's 8 MB multipart threshold, so uploads and copies of it are multipart. */
export const LARGE_FILE = 'media/intro-4f2a9c1e.bin';
export const LARGE_FILE_BYTES = 9 * 1024 * 1024;

/** Copies the sample build (the fixture of the release tests) to `dir`. */
export function sampleSite(dir: string): string {
  fs.cpSync(SAMPLE, dir, { recursive: true });
  return dir;
}

/** How a generated build differs from the first one. */
export interface GeneratedSiteOptions {
  /** Whether the build has the 9 MB file (default true). */
  readonly largeFile?: boolean;
  /** The build a chunk was last changed in (default 0 for every chunk): a change renames its hashed file, as a bundler does. */
  readonly chunkBuild?: (chunk: number) => number;
}

/**
 * Writes a generated build of `chunks` hashed scripts plus pages and files whose names have spaces
 * and non-ASCII letters, the large file, a not-found page and an index.
 */
export function generatedSite(dir: string, chunks: number, options: GeneratedSiteOptions = {}): string {
  const write = (file: string, body: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), body);
  };
  const names: string[] = [];
  for (let i = 0; i < chunks; i++) {
    const build = options.chunkBuild?.(i) ?? 0;
    const body = `export const chunk${i} = ${i};\n${build ? `// build ${build}\n` : ''}`;
    names.push(`assets/chunk${i}-${hash(body)}.js`);
    write(names[i], body);
  }
  // The entry script by its hashed name, as a bundler writes it (the go-live check fetches it).
  write('index.html', `<!doctype html><title>generated</title><script type="module" src="/${names[0] ?? 'assets/chunk0.js'}"></script>`);
  write('404.html', '<!doctype html><title>not found (generated)</title>');
  write('über uns/index.html', '<!doctype html><title>Über uns</title>');
  write('docs/getting started.html', '<!doctype html><title>Getting started</title>');
  write('images/café menu.svg', '<svg xmlns="http://www.w3.org/2000/svg"/>');
  write('files/日本語 ガイド.txt', 'ガイド\n');
  if (options.largeFile ?? true) write(LARGE_FILE, crypto.randomBytes(LARGE_FILE_BYTES));
  return dir;
}

/** Every file under `dir`, relative with '/', and its size. */
export function filesOf(dir: string): Map<string, number> {
  const files = new Map<string, number>();
  for (const entry of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const stat = fs.statSync(path.join(dir, entry));
    if (stat.isFile()) files.set(entry.split(path.sep).join('/'), stat.size);
  }
  return files;
}

/** Eight characters of Rollup's hash alphabet, as Vite names chunks. */
function hash(body: string): string {
  return crypto.createHash('sha256').update(body).digest('base64url').slice(0, 8).replace(/[-_]/g, 'x');
}
