'use strict';
// Starts the real entry point, as systemd does, on a free port (PORT=0).
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');

let child;
let baseUrl;

before(async () => {
  child = spawn(process.execPath, [path.join(__dirname, '..', 'src', 'server.js')], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on port (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error('server exited early with code ' + code)));
  });
  baseUrl = 'http://127.0.0.1:' + port;
});

after(() => {
  if (child && child.exitCode === null) child.kill('SIGTERM');
});

test('GET /health answers 200 with status ok', async () => {
  const res = await fetch(baseUrl + '/health');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(await res.json(), { status: 'ok' });
});

test('GET / answers 200 with the app name', async () => {
  const res = await fetch(baseUrl + '/');
  assert.equal(res.status, 200);
  assert.equal((await res.json()).name, 'example-server-app');
});

test('an unknown path answers 404', async () => {
  const res = await fetch(baseUrl + '/nope');
  assert.equal(res.status, 404);
});
