import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import { withoutCommentLines } from '../src/runtime-program';

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
