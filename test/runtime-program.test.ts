import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import { unpackRuntimeFilesCommands, withoutCommentLines } from '../src/runtime-program';

const SRC = path.join(__dirname, '..', 'src');

/** Every program of a runtime/ folder of src/. */
function runtimePrograms(dir = SRC): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return runtimePrograms(file);
    return path.basename(dir) === 'runtime' && entry.name.endsWith('.js') ? [file] : [];
  });
}

describe('programs travel in buildspecs without their comment lines', () => {
  test('drops lines that are only a comment, and JSDoc blocks, and keeps every line of code', () => {
    const program = [
      '// @ts-check',
      "'use strict';",
      '/**',
      ' * What it does.',
      ' *',
      ' * @param {string} a',
      ' */',
      'function f(a) { // a comment after code stays',
      '  /** @type {string} */',
      '  const b = /** @type {string} */ (a);',
      '  /* one line */',
      "  return b + '// not a comment' + '/* nor this */';",
      '}',
    ].join('\n');
    expect(withoutCommentLines(program)).toBe([
      "'use strict';",
      'function f(a) { // a comment after code stays',
      '  const b = /** @type {string} */ (a);',
      "  return b + '// not a comment' + '/* nor this */';",
      '}',
    ].join('\n'));
  });

  test('refuses a comment block with code after its end, and one that never ends', () => {
    expect(() => withoutCommentLines('/**\n * x\n */ f();')).toThrow('code after the end of a comment block:  */ f();');
    expect(() => withoutCommentLines('/**\n * x\n')).toThrow('a comment block that never ends');
  });

  test.each(runtimePrograms().map((file) => [path.relative(SRC, file), file]))('%s still compiles, shorter', (_name, file) => {
    const text = fs.readFileSync(file, 'utf8');
    const stripped = withoutCommentLines(text);
    expect(() => new vm.Script(stripped, { filename: file })).not.toThrow();
    expect(stripped.length).toBeLessThan(text.length);
    expect(stripped).not.toMatch(/^\s*\/\//m);
  });
});

describe('a packed program carries the files it requires when it loads', () => {
  const staticSiteDir = path.join(SRC, 'static-site');

  test('site-cli.js without step-clock.js, which it requires at its top, is refused by name', () => {
    expect(() => unpackRuntimeFilesCommands('PROGRAM_DIR', staticSiteDir, ['pull-request.js', 'site-cli.js', 'release-contract.json']))
      .toThrow('runtime program site-cli.js requires step-clock.js when it loads, which is not packed with it');
  });

  test('a file required later, inside a function (the verification and rule programs of go-live), may be left out', () => {
    expect(() => unpackRuntimeFilesCommands('PROGRAM_DIR', staticSiteDir, ['release.js', 'releases.js', 'site-cli.js', 'step-clock.js', 'release-contract.json']))
      .not.toThrow();
  });

  test('what is packed unpacks to the same files, without their comment lines', () => {
    const [command] = unpackRuntimeFilesCommands('PROGRAM_DIR', staticSiteDir, ['step-clock.js', 'release-contract.json']);
    const dir = execFileSync('bash', ['-c', `${command} && printf '%s' "$PROGRAM_DIR"`], { encoding: 'utf8' });
    try {
      expect(fs.readFileSync(path.join(dir, 'release-contract.json'), 'utf8'))
        .toBe(fs.readFileSync(path.join(staticSiteDir, 'runtime', 'release-contract.json'), 'utf8'));
      expect(fs.readFileSync(path.join(dir, 'step-clock.js'), 'utf8'))
        .toBe(withoutCommentLines(fs.readFileSync(path.join(staticSiteDir, 'runtime', 'step-clock.js'), 'utf8')));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
