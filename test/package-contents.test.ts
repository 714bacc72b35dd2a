import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

// The constructs read their programs (src/**/runtime/) at synth time from next to their compiled
// code, so the npm package must carry them, byte for byte. `npm test` compiles before jest runs.

const ROOT = path.join(__dirname, '..');

/** The files of src/**\/runtime/, relative to src. */
function runtimeFiles(dir = path.join(ROOT, 'src'), rel = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(rel, entry.name);
    if (entry.isDirectory()) return runtimeFiles(path.join(dir, entry.name), file);
    return path.basename(path.dirname(file)) === 'runtime' ? [file] : [];
  });
}

test('the package carries every runtime/ program, as the source has it', () => {
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' }));
  const packed = new Set<string>(pack.files.map((f: { path: string }) => f.path));
  const programs = runtimeFiles();
  expect(programs.sort()).toEqual(expect.arrayContaining([
    'server-app/runtime/appspec-check.js',
    'server-app/runtime/yaml-subset.js',
    'static-site/runtime/preview-response.js',
    'static-site/runtime/preview.js',
    'static-site/runtime/release-contract.json',
    'static-site/runtime/release.js',
    'static-site/runtime/routing.js',
    'static-site/runtime/site-cli.js',
  ]));
  for (const program of programs) {
    expect(packed).toContain(`lib/${program}`);
    expect(fs.readFileSync(path.join(ROOT, 'lib', program), 'utf8')).toEqual(fs.readFileSync(path.join(ROOT, 'src', program), 'utf8'));
  }
});
