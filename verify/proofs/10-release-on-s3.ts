/**
 * The release program run for real: the upload, go-live and rollback commands of the static site
 * example's synthesized buildspecs, run by the AWS CLI (Debian's v2 for S3, the pinned v1 for the
 * KeyValueStore: verify/release-run/cli/aws and docs/release-on-s3.md)
 * against moto_server's S3 on 127.0.0.1 with IAM enforced, each project signed as a user whose only
 * policies are its role's synthesized ones, and the KeyValueStore API served by a stand-in that checks
 * every request against botocore's service model. Asserts on the bucket as S3 keeps it. The go-live
 * step's checks of verified releases fetch through a stand-in distribution serving moto's bucket by
 * the preview contract (verify/release-run/distribution-standin.ts), and read metrics from moto.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Proof, ProofResult } from '../proof';
import { pythonTool } from '../python-tools';
import { hasRelease, Snapshot, tail } from '../release-run/bucket-snapshot';
import { ServedRequest } from '../release-run/distribution-standin';
import { accessKeyOf, observedActionCases } from '../release-run/observed-actions';
import { exampleRelease, releasesToKeep } from '../release-run/release-projects';
import { motoPolicies, ReleaseRun } from '../release-run/release-run';
import { debianAwsCliV2 } from '../release-run/release-servers';
import { filesOf, generatedSite, LARGE_FILE, LARGE_FILE_BYTES, sampleSite } from '../release-run/site-builds';
import { CheckCase, resultOf } from '../template-checks/check-cases';

const NAME = 'Releases: the deploy commands on moto S3 with IAM enforced';
/** Generated hashed chunks: thousands of files in one release (the bench goes to 10,000). */
const CHUNKS = 2000;
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATED = 'public, max-age=0, must-revalidate, s-maxage=31536000';
/** What browsers need per extension (a module script, WebAssembly and SVG are refused with another type). */
const CONTENT_TYPES: Record<string, RegExp> = {
  html: /^text\/html/,
  js: /^(text|application)\/javascript/,
  mjs: /^text\/javascript/,
  css: /^text\/css/,
  svg: /^image\/svg\+xml$/,
  wasm: /^application\/wasm$/,
  webmanifest: /^application\/manifest\+json$/,
  txt: /^text\/plain/,
};
/** Releases made before the proof: complete ones (oldest first), and an upload that never went live. */
const SEEDED = Array.from({ length: 10 }, (_, i) => `20250101T0000${String(i).padStart(2, '0')}Z-seeded000000-seeded00`);
const UNFINISHED = '20250102T000000Z-unfinished00-unfinish';
/** The negative control's user: the upload role without s3:PutObject. */
const UPLOAD_WITHOUT_PUT = 'UploadWithoutPutObject';


const proof: Proof = {
  async run(): Promise<ProofResult> {
    const { model, projects } = exampleRelease();
    const conditioned: string[] = [];
    const release = await ReleaseRun.start({
      upload: projects.upload,
      goLive: projects.goLive,
      roles: {
        [projects.upload.roleLogicalId]: motoPolicies(projects.upload, conditioned),
        [projects.goLive.roleLogicalId]: motoPolicies(projects.goLive, conditioned),
        [projects.rollback.roleLogicalId]: motoPolicies(projects.rollback, conditioned),
        [UPLOAD_WITHOUT_PUT]: motoPolicies(projects.upload, conditioned).map((document) => removeAction(document, 's3:PutObject')),
      },
      recordRequests: true,
      workPrefix: 'verify-release-',
    });
    const { servers, distribution, work, cases, details } = release;
    const check = release.check.bind(release);
    const run = release.run.bind(release);
    const deploy = release.deploy.bind(release);
    try {
      // Release ids hold the time to the second: one deploy a second at most, as a pipeline would.
      const nextSecond = () => new Promise((r) => setTimeout(r, 1100));

      await servers.put(Object.fromEntries([
        ...SEEDED.flatMap((id, i) => [
          [`releases/${id}/assets/old-${i}-a1B2c3D4.js`, { body: `old ${i}`, cacheControl: IMMUTABLE }],
          [`releases/${id}.json`, { body: JSON.stringify({ id, files: [`assets/old-${i}-a1B2c3D4.js`] }) }],
        ]),
        [`releases/${UNFINISHED}/index.html`, { body: 'never went live' }],
      ]));
      const keep = releasesToKeep(projects.goLive);

      // 1. The sample build.
      const sample = sampleSite(path.join(work, 'sample'));
      const first = await deploy(sample, 'sample build');
      let bucket = await servers.snapshot();
      let store = await servers.store();
      check('sample build: the live key names its release', store.keys.live === first, () => `live is ${store.keys.live}, expected ${first}`);
      cases.push(...releaseCases('sample build', bucket, first, filesOf(sample)));
      check('sample build: the not-found page is published at the root, revalidated', bucket['404.html']?.size === filesOf(sample).get('404.html')
        && bucket['404.html']?.cacheControl === 'no-cache', () => JSON.stringify(bucket['404.html']));
      const markers = markersOf(bucket);
      check(`sample build: pruning keeps the newest ${keep} complete releases and drops the unfinished upload`,
        markers.length === keep && !markers.includes(SEEDED[0]) && markers.includes(first)
          && !hasRelease(bucket, UNFINISHED) && !hasRelease(bucket, SEEDED[0]),
        () => `markers: ${markers.join(', ')}; unfinished left: ${hasRelease(bucket, UNFINISHED)}`);
      cases.push(...verifiedCases('sample build', distribution.served, first, store));
      distribution.served.length = 0;
      check('sample build: files of kept releases are carried over', bucket[`releases/${first}/assets/old-9-a1B2c3D4.js`]?.cacheControl === IMMUTABLE,
        () => JSON.stringify(bucket[`releases/${first}/assets/old-9-a1B2c3D4.js`]));

      // 2. A generated build: thousands of files, one over 8 MB, names with spaces and unicode.
      await nextSecond();
      const generated = generatedSite(path.join(work, 'generated'), CHUNKS);
      const second = await deploy(generated, 'generated build');
      bucket = await servers.snapshot();
      store = await servers.store();
      check('generated build: the live key names its release', store.keys.live === second, () => `live is ${store.keys.live}`);
      cases.push(...releaseCases('generated build', bucket, second, filesOf(generated)));
      const carried = `releases/${second}/assets/index-3f9a1c2b.js`;
      check('generated build: the sample\'s hashed script is carried over with its Cache-Control and Content-Type',
        sameObject(bucket[carried], bucket[`releases/${first}/assets/index-3f9a1c2b.js`]), () => `${JSON.stringify(bucket[carried])}`);

      // 3. The sample again: the 9 MB file is carried over by a multipart copy.
      await nextSecond();
      const third = await deploy(sampleSite(path.join(work, 'sample-again')), 'sample build again');
      bucket = await servers.snapshot();
      const copy = bucket[`releases/${third}/${LARGE_FILE}`];
      check('sample build again: the 9 MB file is carried over (multipart copy) whole', copy?.size === LARGE_FILE_BYTES, () => JSON.stringify(copy));
      // The CLI v2 copies metadata in parts with --copy-props metadata-directive (HeadObject on the
      // source, which the go-live role may do), and never the tagging calls of `default`.
      const source = bucket[`releases/${second}/${LARGE_FILE}`];
      check('sample build again: the 9 MB file carried over by a multipart copy keeps its Cache-Control and Content-Type',
        !!copy && !!source?.cacheControl && copy.cacheControl === source.cacheControl && copy.contentType === source.contentType,
        () => `copy ${JSON.stringify(copy)}, source ${JSON.stringify(source)}`);

      // 4. A failed upload changes nothing live.
      await nextSecond();
      const broken = sampleSite(path.join(work, 'broken'));
      fs.symlinkSync(path.join(work, 'nowhere.js'), path.join(broken, 'assets', 'missing-0a1b2c3d.js'));
      const before = await servers.store();
      const failed = await run(projects.upload, broken, { COMMIT_ID: 'b'.repeat(40), EXECUTION_ID: 'broken-0000' });
      const after = await servers.store();
      bucket = await servers.snapshot();
      check('failed upload: the upload fails', failed.status !== 0, () => 'it exited 0');
      check('failed upload: the live key and the store are unchanged', after.etag === before.etag && after.keys.live === third, () => `live ${after.keys.live}`);
      check('failed upload: no marker of the failed release', markersOf(bucket).every((id) => !id.includes('bbbbbbbbbbbb')), () => markersOf(bucket).join(', '));

      // 4b. A release the distribution does not serve (a routing function without previews) never goes live.
      await nextSecond();
      distribution.ignoreTokens = true;
      const unserved = sampleSite(path.join(work, 'unserved'));
      fs.writeFileSync(path.join(unserved, 'index.html'), '<!doctype html><title>a page the distribution never serves</title>');
      const unservedUpload = await run(projects.upload, unserved, { COMMIT_ID: 'e'.repeat(40), EXECUTION_ID: 'unserved-0000' });
      const unservedId = unservedUpload.exported.RELEASE_ID ?? '';
      const unservedGoLive = await run(projects.goLive, unserved, { RELEASE_ID: unservedId });
      distribution.ignoreTokens = false;
      store = await servers.store();
      bucket = await servers.snapshot();
      check('unserved release: go-live fails, naming the page and the ETag it expected',
        unservedGoLive.status !== 0 && unservedGoLive.output.includes('GET /: answered 200 with ETag')
          && unservedGoLive.output.includes(`expected 200 with the ETag of s3://${servers.world.bucket}/releases/${unservedId}/index.html`)
          && unservedGoLive.output.includes('The live release was not changed.'),
        () => tail(unservedGoLive.output));
      check('unserved release: the live key is unchanged, the preview and token records are deleted, and the release has no marker',
        store.keys.live === third && Object.keys(store.keys).every((k) => !/^(preview|token):/.test(k)) && !bucket[`releases/${unservedId}.json`],
        () => `live ${store.keys.live}; keys ${Object.keys(store.keys).join(', ')}; marker ${!!bucket[`releases/${unservedId}.json`]}`);
      distribution.served.length = 0;

      // 5. Rollback: the newest release older than the live one, while another program (a preview's
      // publish) writes to the store between the rollback's read and its switch.
      await nextSecond();
      const otherWrite = { [`token:${'f'.repeat(32)}`]: '4102444800 pr-7' };
      await servers.changeStoreBefore('PutKey', otherWrite);
      const rollback = await run(projects.rollback, work, { CODEBUILD_BUILD_ID: `${projects.rollback.logicalId}:0a1b2c3d` });
      store = await servers.store();
      bucket = await servers.snapshot();
      check('rollback: succeeds', rollback.status === 0, () => tail(rollback.output));
      check('rollback: the live key names the previous release', store.keys.live === second, () => `live is ${store.keys.live}, expected ${second}`);
      const conflicts = store.calls.filter((c) => c.operation === 'PutKey' && c.status === 409 && c.error === 'ConflictException');
      check('rollback: its PutKey with the ETag read before another program\'s write is refused (409 ConflictException), '
        + 'and it reads the store again, switches, and keeps that write', conflicts.length === 1
        && rollback.output.includes('reading it again (try 2 of 5)') && store.keys[Object.keys(otherWrite)[0]] === Object.values(otherWrite)[0],
      () => `${conflicts.length} conflict(s); keys ${Object.keys(store.keys).join(', ')}; ${tail(rollback.output)}`);
      check('rollback: the root not-found page is the previous release\'s', bucket['404.html']?.size === filesOf(generated).get('404.html'),
        () => JSON.stringify(bucket['404.html']));

      // What the runs called, against the IAM proof's actions for each role's kind (before the negative controls).
      const requests = await servers.s3Requests();
      const storeSoFar = await servers.store();
      const roleOf = (key: string) => servers.roleOfAccessKey(key);
      const observed = await observedActionCases(model, projects, requests, storeSoFar, roleOf);
      cases.push(...observed.cases);
      details.push(...observed.details);
      // Negative controls: an upload that also deletes a file, and a go-live that never switches, fail those checks by name.
      const uploadKey = requests.map(accessKeyOf).find((key) => key && roleOf(key) === projects.upload.roleLogicalId)!;
      const deletion = {
        method: 'DELETE',
        url: `${servers.s3Endpoint}/${servers.world.bucket}/releases/${first}/index.html`,
        headers: { Authorization: `AWS4-HMAC-SHA256 Credential=${uploadKey}/20250101/eu-west-1/s3/aws4_request` },
      };
      const deleting = await observedActionCases(model, projects, [...requests, deletion], storeSoFar, roleOf);
      const neverSwitching = await observedActionCases(model, projects, requests,
        { ...storeSoFar, calls: storeSoFar.calls.filter((c) => c.operation !== 'PutKey') }, roleOf);
      const failsNaming = (result: typeof observed, text: string) => result.cases.filter((c) => c.problem?.includes(text)).map((c) => c.name);
      check('negative control: an upload run that deletes an object fails "needed" and "granted", naming s3:DeleteObject',
        failsNaming(deleting, 's3:DeleteObject').length === 2, () => JSON.stringify(failsNaming(deleting, 's3:DeleteObject')));
      check('negative control: runs that never call PutKey fail "made by a run, or listed with the reason", naming it',
        failsNaming(neverSwitching, 'cloudfront-keyvaluestore:PutKey').length === 2, () => JSON.stringify(failsNaming(neverSwitching, 'PutKey')));

      // 6. IAM enforced: the upload role without s3:PutObject cannot upload.
      const denied = await run(projects.upload, sample, { COMMIT_ID: 'd'.repeat(40), EXECUTION_ID: 'denied-0000' }, UPLOAD_WITHOUT_PUT);
      check('negative control: without s3:PutObject the upload fails with AccessDenied', denied.status !== 0 && /AccessDenied/.test(denied.output), () => tail(denied.output));

      // 7. The stand-in refuses requests the service model does not allow.
      for (const [label, body, headers] of [
        ['an unknown member (Valu)', '{"Valu":"x"}', { 'If-Match': store.etag }],
        ['no If-Match', '{"Value":"x"}', {}],
      ] as const) {
        const response = await servers.rawStoreRequest(projects.goLive.roleLogicalId, 'PUT',
          `/key-value-stores/${encodeURIComponent(servers.world.kvsArn)}/keys/live`, body, headers);
        check(`negative control: the KeyValueStore stand-in rejects PutKey with ${label}`, response.status === 400, () => `${response.status} ${response.body}`);
      }

      const calls = (await servers.store()).calls;
      details.push(`${awsVersion()}; ${CHUNKS + 7} files in the generated build`);
      details.push(`KeyValueStore calls: ${[...new Set(calls.map((c) => `${c.operation} ${c.status}`))].join(', ')}`);
      details.push(`conditions moto cannot evaluate, removed (proven by the IAM proof with iam-simulate): ${[...new Set(conditioned)].join('; ') || 'none'}`);
    } finally {
      release.stop();
    }
    return resultOf(NAME, cases, details);
  },
};
export default proof;

/**
 * The checks of verified releases: before the switch, the go-live step read the root page and the
 * files it references as preview `verify` (with its token) and got the new release; after it, the
 * same as a visitor; and the preview and token records are gone.
 */
function verifiedCases(label: string, served: ServedRequest[], id: string, store: { keys: Record<string, string> }): CheckCase[] {
  const withToken = served.filter((r) => r.token);
  const visitor = served.filter((r) => !r.token);
  const paths = (list: ServedRequest[]) => [...new Set(list.map((r) => r.path))].sort().join(', ');
  const wrong = (list: ServedRequest[]) => list.filter((r) => r.release !== id || r.status !== 200);
  const expected = '/, /assets/index-3f9a1c2b.js, /assets/index-8d2e4f10.css';
  return [
    {
      name: `${label}: before the switch, the root page, its script and its style sheet are fetched through the distribution with the preview token, from the new release`,
      problem: paths(withToken) === expected && !wrong(withToken).length ? undefined : `${paths(withToken)}; wrong: ${JSON.stringify(wrong(withToken))}`,
    },
    {
      name: `${label}: after the switch, the same are fetched as a visitor, from the new release`,
      problem: paths(visitor) === expected && !wrong(visitor).length ? undefined : `${paths(visitor)}; wrong: ${JSON.stringify(wrong(visitor))}`,
    },
    {
      name: `${label}: the preview and token records of the check are deleted`,
      problem: Object.keys(store.keys).some((k) => /^(preview|token):/.test(k)) ? Object.keys(store.keys).join(', ') : undefined,
    },
  ];
}

/** The release holds every file of the build with its size, Cache-Control and Content-Type, and has its marker. */
function releaseCases(label: string, bucket: Snapshot, id: string, files: Map<string, number>): CheckCase[] {
  const prefix = `releases/${id}/`;
  const wrongSize = [...files].filter(([file, size]) => bucket[prefix + file]?.size !== size).map(([file]) => file);
  const wrongCache = [...files.keys()].filter((file) => bucket[prefix + file] && bucket[prefix + file].cacheControl !== expectedCacheControl(file));
  const wrongType = [...files.keys()].filter((file) => {
    const want = CONTENT_TYPES[file.split('.').pop()!];
    return want && bucket[prefix + file] && !want.test(bucket[prefix + file].contentType ?? '');
  });
  const show = (list: string[], what: (f: string) => string) => list.slice(0, 5).map(what).join('; ') + (list.length > 5 ? `; ... ${list.length} in all` : '');
  return [
    { name: `${label}: every file is in its release with its size (${files.size} files)`, problem: wrongSize.length ? show(wrongSize, (f) => `${f}: ${bucket[prefix + f]?.size}`) : undefined },
    { name: `${label}: hashed files immutable, the rest revalidated`, problem: wrongCache.length ? show(wrongCache, (f) => `${f}: ${bucket[prefix + f].cacheControl}`) : undefined },
    { name: `${label}: Content-Type by extension`, problem: wrongType.length ? show(wrongType, (f) => `${f}: ${bucket[prefix + f].contentType}`) : undefined },
    { name: `${label}: the release is complete (marker)`, problem: bucket[`releases/${id}.json`] ? undefined : 'no marker' },
  ];
}

/**
 * Cache-Control the README promises: fingerprinted names (a dash or dot and 8 hash characters,
 * not a lowercase word) immutable, everything else revalidated.
 */
function expectedCacheControl(file: string): string {
  const name = file.split('/').pop()!;
  const hashed = /-[A-Za-z0-9_-]{8}\.[^.]+$/.test(name) && !/-[a-z-]{8}\.[^.]+$/.test(name);
  return hashed && !/\.html?$/.test(name) ? IMMUTABLE : REVALIDATED;
}

function markersOf(bucket: Snapshot): string[] {
  return Object.keys(bucket).filter((k) => /^releases\/[^/]+\.json$/.test(k)).map((k) => k.slice('releases/'.length, -'.json'.length)).sort();
}

function sameObject(a?: Snapshot[string], b?: Snapshot[string]): boolean {
  return !!a && !!b && a.size === b.size && a.cacheControl === b.cacheControl && a.contentType === b.contentType;
}

/** A policy without one action (and without statements left empty). */
function removeAction(document: { Statement: Array<Record<string, unknown>> }, action: string): { Statement: Array<Record<string, unknown>> } {
  return {
    ...document,
    Statement: document.Statement
      .map((s) => ({ ...s, Action: [s.Action].flat().filter((a) => a !== action) }))
      .filter((s) => (s.Action as string[]).length > 0),
  };
}

/** The two CLIs of cli/aws: v2 for S3, v1 for the KeyValueStore. */
function awsVersion(): string {
  const version = (program: string) => {
    const result = spawnSync(program, ['--version'], { encoding: 'utf8' });
    return `${result.stdout}${result.stderr}`.trim();
  };
  return `S3: ${version(debianAwsCliV2())}; KeyValueStore: ${version(pythonTool('aws'))}`;
}
