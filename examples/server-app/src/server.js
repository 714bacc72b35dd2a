'use strict';
// A minimal HTTP service: GET / describes the app, GET /health is what the
// ValidateService hook and load balancer health checks call.
const http = require('node:http');

const NAME = 'example-server-app';

function sendJson(res, status, body) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

function createServer() {
  return http.createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendJson(res, 405, { error: 'method not allowed' });
    } else if (pathname === '/health') {
      sendJson(res, 200, { status: 'ok' });
    } else if (pathname === '/') {
      sendJson(res, 200, { name: NAME, message: 'Hello from CodeDeploy' });
    } else {
      sendJson(res, 404, { error: 'not found' });
    }
  });
}

if (require.main === module) {
  const port = Number(process.env.PORT || 8080);
  const server = createServer();
  server.listen(port, () => {
    // Printed so that tests (and journalctl) can see the actual port when PORT=0.
    console.log(NAME + ' listening on port ' + server.address().port);
  });
  // systemd stops the service with SIGTERM: finish in-flight requests, then exit cleanly.
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

module.exports = { createServer };
