/**
 * How the atomic release scales with the number of files, against a plain `aws s3 sync` of the
 * same build (what a hand-written pipeline runs), all on moto_server with IAM enforced: the release
 * proof's servers, builds and project runner (verify/release-run/), each size on fresh servers.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RELEASE_ENV } from '../src/static-site/release-contract';
import { exampleRelease, ProjectRun, ReleaseProject, runProject } from '../verify/release-run/release-projects';
import { ReleaseServers, withoutConditions } from '../verify/release-run/release-servers';
import { filesOf, generatedSite } from '../verify/release-run/site-builds';

/** The user of the plain sync: what a hand-written deploy project is granted on its bucket. */
const PLAIN_SYNC_USER = 'PlainSync';
/** Files of a generated build besides its chunks (index, not-found page, pages and files with unicode names). */
const FIXED_FILES = 6;

/** Seconds each step took for one site size. */
export interface ReleaseScaleRow {
  readonly files: number;
  /** `aws s3 sync` of build 1 into an empty bucket. */
  readonly plainSync: number;
  /** Upload and go-live of build 1, the first release. */
  readonly firstUpload: number;
  readonly firstGoLive: number;
  /** Go-live of build 2 (every chunk renamed), which carries over every chunk of build 1. */
  readonly fullCarryGoLive: number;
  readonly fullCarried: number;
  /** Go-live of build 3 (half the chunks renamed again), which carries over build 2's renamed half and build 1's chunks. */
  readonly halfCarryGoLive: number;
  readonly halfCarried: number;
}

/** Deploys generated builds of each size and times every step. */
export async function measureReleaseScale(sizes: number[], log: (line: string) => void): Promise<ReleaseScaleRow[]> {
  const { projects } = exampleRelease();
  const rows: ReleaseScaleRow[] = [];
  for (const files of sizes) {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `bench-release-${files}-`));
    try {
      const chunks = files - FIXED_FILES;
      const builds = [0, 1, 2].map((build) => generatedSite(path.join(work, `build${build}`), chunks, {
        largeFile: false,
        // Build 1 renames every chunk; build 2 renames every other chunk again.
        chunkBuild: (i) => (build === 2 && i % 2 === 0 ? 2 : Math.min(build, 1)),
      }));
      if (filesOf(builds[0]).size !== files) throw new Error(`a generated build of ${chunks} chunks has ${filesOf(builds[0]).size} files, not ${files}`);

      const plainSync = await timePlainSync(projects, builds[0]);
      log(`${files} files: aws s3 sync ${plainSync.toFixed(1)} s`);
      const servers = await startServers(projects);
      try {
        const deploys = [];
        for (const build of builds) {
          if (deploys.length) await new Promise((r) => setTimeout(r, 1100)); // release ids hold the time to the second
          deploys.push(deploy(projects, servers, build));
          log(`${files} files: ${deploys.length === 1 ? 'first release' : `release ${deploys.length}`} upload ${deploys[deploys.length - 1].upload.toFixed(1)} s, ` +
            `go-live ${deploys[deploys.length - 1].goLive.toFixed(1)} s (${deploys[deploys.length - 1].carried} carried)`);
        }
        rows.push({
          files,
          plainSync,
          firstUpload: deploys[0].upload,
          firstGoLive: deploys[0].goLive,
          fullCarryGoLive: deploys[1].goLive,
          fullCarried: deploys[1].carried,
          halfCarryGoLive: deploys[2].goLive,
          halfCarried: deploys[2].carried,
        });
      } finally {
        servers.stop();
      }
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  return rows;
}

/** The report section: ratios first (release / sync, growth per size step), seconds for reference. */
export function releaseScaleSection(rows: ReleaseScaleRow[]): string {
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  const release = (r: ReleaseScaleRow) => r.firstUpload + r.firstGoLive;
  const againstSync = rows.map((r) => [String(r.files), ratio(release(r), r.plainSync),
    ratio(r.fullCarryGoLive, r.plainSync), ratio(r.halfCarryGoLive, r.plainSync)]);
  const grown: Array<(r: ReleaseScaleRow) => number> = [
    (r) => r.files, (r) => r.plainSync, (r) => r.firstUpload, (r) => r.firstGoLive, (r) => r.fullCarryGoLive, (r) => r.halfCarryGoLive,
    (r) => r.fullCarried, (r) => r.halfCarried,
  ];
  const growth = rows.map((r, i) => [String(r.files), ...grown.map((value) => (i === 0 ? '-' : ratio(value(r), value(rows[i - 1]))))]);
  const seconds = rows.map((r) => [String(r.files), r.plainSync.toFixed(1), r.firstUpload.toFixed(1), r.firstGoLive.toFixed(1),
    `${r.fullCarryGoLive.toFixed(1)} (${r.fullCarried})`, `${r.halfCarryGoLive.toFixed(1)} (${r.halfCarried})`]);
  return [
    '## Releases on S3 (moto) against a plain `aws s3 sync`',
    '',
    'Generated builds (hashed chunks plus six pages and files with unicode names) deployed on a fresh moto_server '
      + '(S3 with IAM enforced) and KeyValueStore stand-in per size, with the example\'s synthesized upload and go-live '
      + 'commands run by `sh` as CodeBuild would (verify/release-run/; Debian\'s AWS CLI v2 for S3). The plain sync is '
      + '`aws s3 sync <build> s3://<bucket>/` into an empty bucket as a user allowed ListBucket, PutObject and DeleteObject. '
      + 'Release 1 is the first; release 2 renames every chunk, so its go-live carries over every chunk of release 1; '
      + 'release 3 renames half the chunks again, so its go-live carries over release 2\'s renamed half and release 1\'s chunks. '
      + 'One run per size, wall time.',
    '',
    markdownTable(['files', 'release 1 (upload + go-live) / sync', 'go-live of release 2 / sync', 'go-live of release 3 / sync'], againstSync),
    '',
    'Growth: each size\'s time over the previous size\'s; linear growth is the growth of the files (x files), or of the files carried.',
    '',
    markdownTable(['files', 'x files', 'aws s3 sync', 'release 1 upload', 'release 1 go-live', 'release 2 go-live', 'release 3 go-live',
      'x files carried in release 2', 'x files carried in release 3'], growth),
    '',
    'Seconds, for reference (this machine and moto, not S3):',
    '',
    markdownTable(['files', 'aws s3 sync', 'release 1 upload', 'release 1 go-live', 'release 2 go-live (carried)', 'release 3 go-live (carried)'], seconds),
  ].join('\n');
}

function markdownTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---:').join('|')}|`, ...rows.map((cells) => `| ${cells.join(' | ')} |`)].join('\n');
}

/** Moto and the stand-in with a user for the upload and go-live roles and one for the plain sync. */
function startServers(projects: Record<'upload' | 'goLive', ReleaseProject>): Promise<ReleaseServers> {
  const bucket = projects.upload.environment.SITE_BUCKET;
  const policies = (project: ReleaseProject) => project.policies.map((p) => withoutConditions(p).document);
  return ReleaseServers.start({
    bucket,
    kvsArn: projects.goLive.environment.KVS_ARN,
    region: 'eu-west-1',
    roles: {
      [projects.upload.roleLogicalId]: policies(projects.upload),
      [projects.goLive.roleLogicalId]: policies(projects.goLive),
      [PLAIN_SYNC_USER]: [{
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` },
          { Effect: 'Allow', Action: ['s3:PutObject', 's3:DeleteObject'], Resource: `arn:aws:s3:::${bucket}/*` },
        ],
      }],
    },
  });
}

/** Seconds of `aws s3 sync` of the build into an empty bucket, on servers of its own. */
async function timePlainSync(projects: Record<'upload' | 'goLive', ReleaseProject>, build: string): Promise<number> {
  const servers = await startServers(projects);
  try {
    const sync: ReleaseProject = {
      ...projects.upload,
      commands: ['aws s3 sync . "s3://$SITE_BUCKET/" --only-show-errors'],
      exportedVariables: [],
    };
    return timed(() => runProject(sync, build, servers.environmentOf(PLAIN_SYNC_USER))).seconds;
  } finally {
    servers.stop();
  }
}

/** The pipeline's deploy stage: upload, then go-live with the RELEASE_ID the upload exported; seconds of each. */
function deploy(projects: Record<'upload' | 'goLive', ReleaseProject>, servers: ReleaseServers, build: string) {
  const upload = timed(() => runProject(projects.upload, build, {
    ...servers.environmentOf(projects.upload.roleLogicalId), COMMIT_ID: 'c0ffee'.repeat(7), EXECUTION_ID: '0b0e0c0d-0000-4000-8000-000000000000',
  }));
  const releaseId = upload.run.exported.RELEASE_ID;
  if (!releaseId) throw new Error(`upload failed: ${upload.run.output.slice(-1500)}`);
  // Without the checks of verified releases: no distribution here, and the bench times the bucket work.
  const goLive = timed(() => runProject(projects.goLive, build, { ...servers.environmentOf(projects.goLive.roleLogicalId), RELEASE_ID: releaseId },
    { [RELEASE_ENV.verifyRelease]: '' }));
  const carried = [...goLive.run.output.matchAll(/Carried over (\d+) file/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  return { upload: upload.seconds, goLive: goLive.seconds, carried };
}

/** Runs a project's commands and times them; throws with its output when it fails. */
function timed(run: () => ProjectRun): { run: ProjectRun; seconds: number } {
  const started = process.hrtime.bigint();
  const result = run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`exit ${result.status}: ${result.output.slice(-1500)}`);
  return { run: result, seconds };
}
