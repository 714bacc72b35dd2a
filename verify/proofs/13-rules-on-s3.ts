/**
 * `_redirects` and `_headers` on a release, run for real: the upload and go-live commands of the
 * example moved from Netlify, by the AWS CLI against moto_server's S3 with IAM enforced and the
 * KeyValueStore stand-in that checks every request against botocore's model (as the release proof,
 * 10-release-on-s3.ts). A good pair of files becomes the release's records, the status copy of its
 * 404 page, and objects that name their release; a bad `_redirects` fails the go-live step with its
 * line numbers and leaves `live` and the store as they were.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Proof, ProofResult } from '../proof';
import { tail } from '../release-run/bucket-snapshot';
import { examplePreviews } from '../release-run/release-projects';
import { projectUsers, ReleaseRun } from '../release-run/release-run';
import { sampleSite } from '../release-run/site-builds';
import { resultOf } from '../template-checks/check-cases';

const NAME = 'Rules: _redirects and _headers of a release on moto S3 with IAM enforced';
const EXAMPLE_STACK = 'MovedFromNetlifyExample';

const GOOD_REDIRECTS = [
  '/home / 301',
  '/news/* /blog/:splat',
  '/shop/* /404.html 404',
  '/* /index.html 200',
].join('\n');
const GOOD_HEADERS = ['/*', '  X-XSS-Protection: 1; mode=block', '/assets/*', '  Cache-Control: public, max-age=604800'].join('\n');
const BAD_REDIRECTS = ['/fine /ok', '/api/* https://api.example.com/:splat 200', '/admin/* /admin 200! Role=admin'].join('\n');

const proof: Proof = {
  async run(): Promise<ProofResult> {
    const { projects } = examplePreviews(EXAMPLE_STACK);
    const conditioned: string[] = [];
    const release = await ReleaseRun.start({
      upload: projects.upload, goLive: projects.goLive, roles: projectUsers([projects.upload, projects.goLive], conditioned), workPrefix: 'verify-rules-',
    });
    const { servers, work, cases, details } = release;
    const check = release.check.bind(release);
    try {
      // 1. A build with both files.
      const good = sampleSite(path.join(work, 'good'));
      fs.writeFileSync(path.join(good, '_redirects'), GOOD_REDIRECTS);
      fs.writeFileSync(path.join(good, '_headers'), GOOD_HEADERS);
      const id = await release.deploy(good, 'rules');
      let store = await servers.store();
      const bucket = await servers.snapshot();
      check('rules: the live key names the release', store.keys.live === id, () => `live is ${store.keys.live}`);
      const index = JSON.parse(store.keys[`${id}*`] ?? '{}');
      check('rules: the release\'s redirect index names its shared records and holds the rules of no literal first segment',
        /^[A-Za-z0-9_-]{8}$/.test(index.t) && JSON.stringify(index.w) === JSON.stringify([[4, '/*', 200, '/index.html']]) && JSON.stringify(index.c) === '["news","shop"]',
        () => store.keys[`${id}*`]);
      check('rules: an exact rule is a record of its path', store.keys[`~${index.t}/home`] === '1 301 /', () => String(store.keys[`~${index.t}/home`]));
      check('rules: a path a file answers is marked, for the rule without ! that would hide it', store.keys[`~${index.t}/about`] === '[1]',
        () => String(store.keys[`~${index.t}/about`]));
      const headerIndex = JSON.parse(store.keys[`${id}#`] ?? '{}');
      check('rules: the release\'s header index holds /*', JSON.stringify(headerIndex.w) === JSON.stringify([[1, '/*', [['x-xss-protection', '1; mode=block']]]]),
        () => String(store.keys[`${id}#`]));
      const page = bucket[`releases/${id}/.status/404/404.html`];
      check('rules: the 404 rule\'s page is copied with its status as metadata', page?.metadata?.status === '404', () => JSON.stringify(page));
      const html = bucket[`releases/${id}/index.html`];
      check('rules: every uploaded object names its release (the response function reads that release\'s headers)', html?.metadata?.headers === id,
        () => JSON.stringify(html));
      const script = bucket[`releases/${id}/assets/index-3f9a1c2b.js`];
      check('rules: a file _headers gives a Cache-Control is uploaded again with it, still naming its release',
        script?.cacheControl === 'public, max-age=604800' && script?.metadata?.headers === id && /javascript/.test(script?.contentType ?? ''),
        () => JSON.stringify(script));

      // 2. A build with a bad _redirects: go-live fails with the lines, nothing changes.
      await new Promise((r) => setTimeout(r, 1100));
      const bad = sampleSite(path.join(work, 'bad'));
      fs.writeFileSync(path.join(bad, '_redirects'), BAD_REDIRECTS);
      const before = await servers.store();
      const upload = await release.run(projects.upload, bad, { COMMIT_ID: 'b'.repeat(40), EXECUTION_ID: 'badrules-0000' });
      const goLive = await release.run(projects.goLive, bad, { RELEASE_ID: upload.exported.RELEASE_ID ?? '' });
      store = await servers.store();
      check('bad _redirects: go-live fails, naming each line', goLive.status !== 0
        && goLive.output.includes('Deploy failed: 2 unsupported line(s) in _redirects:')
        && goLive.output.includes('_redirects line 2 "/api/* https://api.example.com/:splat 200": proxying to another origin')
        && goLive.output.includes('_redirects line 3 "/admin/* /admin 200! Role=admin": Role conditions need Netlify Identity')
        && goLive.output.includes('The live release was not changed.'), () => tail(goLive.output));
      check('bad _redirects: live and the store are unchanged', store.etag === before.etag && store.keys.live === id,
        () => `live ${store.keys.live}, ETag ${before.etag} -> ${store.etag}`);
      details.push(`conditions evaluated by the IAM proof instead of moto: ${conditioned.length}`);
    } finally {
      release.stop();
    }
    return resultOf(NAME, cases, details);
  },
};

export default proof;
