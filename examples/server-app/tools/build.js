'use strict';
// Builds the CodeDeploy revision into dist/: appspec.yml at its root, the
// server, the package files for "npm ci" on the instance, and the hook scripts.
// Plain Node.js with no dependencies, so the build needs no network.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');

// Start from an empty directory so files removed from the source do not linger in the revision.
fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(path.join(dist, 'scripts'), { recursive: true });

fs.copyFileSync(path.join(root, 'appspec.yml'), path.join(dist, 'appspec.yml'));
fs.copyFileSync(path.join(root, 'src', 'server.js'), path.join(dist, 'server.js'));
fs.copyFileSync(path.join(root, 'package-lock.json'), path.join(dist, 'package-lock.json'));

// The deployed package.json points at dist's layout (server.js at the root) and
// keeps only what "npm ci --omit=dev" and "npm start" need on the instance.
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const deployed = {
  name: pkg.name,
  version: pkg.version,
  private: true,
  license: pkg.license,
  main: 'server.js',
  engines: pkg.engines,
  scripts: { start: 'node server.js' },
  dependencies: pkg.dependencies || {},
};
fs.writeFileSync(path.join(dist, 'package.json'), JSON.stringify(deployed, null, 2) + '\n');

for (const name of fs.readdirSync(path.join(root, 'scripts'))) {
  if (!name.endsWith('.sh')) continue;
  const target = path.join(dist, 'scripts', name);
  fs.copyFileSync(path.join(root, 'scripts', name), target);
  // CodeDeploy runs hooks directly, so they must be executable in the revision even
  // when the checkout lost the mode (for example on Windows).
  fs.chmodSync(target, 0o755);
}

console.log('built CodeDeploy revision in ' + (path.relative(process.cwd(), dist) || '.'));
