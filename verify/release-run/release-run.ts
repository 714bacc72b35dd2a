/**
 * What the release proofs (9 and 10) share: the servers of a run with one user per role, the
 * stand-in distribution, a work folder, the checks made, and the pipeline's deploy stage.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { tail } from './bucket-snapshot';
import { DISTRIBUTION_USER, DistributionStandIn, distributionPolicy } from './distribution-standin';
import { ProjectRun, RELEASE_EXAMPLE_ENV, ReleaseProject, runProjectAsync } from './release-projects';
import { ReleaseServers, withMotoActionNames, withMotoWildcards, withoutConditions } from './release-servers';
import { CheckCase } from '../template-checks/check-cases';

/**
 * A project's role policies as moto evaluates them: moto's action names, IAM's `?` as moto reads
 * it, without the conditions moto cannot evaluate, which are added to `conditioned` (the IAM proof
 * evaluates them with iam-simulate).
 */
export function motoPolicies(project: ReleaseProject, conditioned: string[]): Array<{ Statement: Array<Record<string, unknown>> }> {
  return project.policies.map((p) => {
    const { conditioned: found, document } = withoutConditions(withMotoWildcards(withMotoActionNames(p)));
    conditioned.push(...found.map((c) => `${project.step}: ${c}`));
    return document as { Statement: Array<Record<string, unknown>> };
  });
}

/** One user per project, with its role's policies as moto evaluates them (see motoPolicies). */
export function projectUsers(projects: ReleaseProject[], conditioned: string[]): Record<string, object[]> {
  return Object.fromEntries(projects.map((project) => [project.roleLogicalId, motoPolicies(project, conditioned)]));
}

/** What a run starts with. */
export interface ReleaseRunOptions {
  /** The site's upload and go-live projects: their bucket and store are the run's, and go-live reads the stand-in distribution. */
  readonly upload: ReleaseProject;
  readonly goLive: ReleaseProject;
  /** The policies of each user (role logical id -> documents), besides the stand-in distribution's. */
  readonly roles: Record<string, object[]>;
  /** Keep moto's record of the S3 requests (ReleaseServers.s3Requests). */
  readonly recordRequests?: boolean;
  /** The name of the work folder starts with it. */
  readonly workPrefix: string;
}

/** A run of a release proof on moto's S3 and the KeyValueStore stand-in; `stop` ends it. */
export class ReleaseRun {
  /** Starts the servers (one user per role, and the distribution's) and the stand-in distribution. */
  public static async start(options: ReleaseRunOptions): Promise<ReleaseRun> {
    const bucket = options.upload.environment.SITE_BUCKET;
    const servers = await ReleaseServers.start({
      bucket,
      kvsArn: options.goLive.environment.KVS_ARN,
      region: RELEASE_EXAMPLE_ENV.region,
      roles: { ...options.roles, [DISTRIBUTION_USER]: [distributionPolicy(bucket)] },
      recordRequests: options.recordRequests,
    });
    const distribution = await DistributionStandIn.start(servers);
    return new ReleaseRun(options, servers, distribution, fs.mkdtempSync(path.join(os.tmpdir(), options.workPrefix)));
  }

  public readonly cases: CheckCase[] = [];
  public readonly details: string[] = [];
  /** The go-live step's variables for this run: the stand-in distribution, and the example's verification with the waits of a local server. */
  private readonly goLiveOverrides: Record<string, string>;

  private constructor(private readonly options: ReleaseRunOptions, public readonly servers: ReleaseServers,
    public readonly distribution: DistributionStandIn, public readonly work: string) {
    // The store's changes are seen at once here, and a one-second bake reads the metrics once.
    const verifySettings = JSON.stringify({ ...JSON.parse(options.goLive.environment.VERIFY_RELEASE), propagationSeconds: 2, bakeSeconds: 1 });
    this.goLiveOverrides = { DISTRIBUTION_DOMAIN: distribution.origin, VERIFY_RELEASE: verifySettings };
  }

  /** Adds a check: `problem` says what went wrong when it is not `ok`. */
  public check(name: string, ok: boolean, problem: () => string): void {
    this.cases.push({ name, problem: ok ? undefined : problem() });
  }

  /** Runs a project's commands in `cwd` signed as its role (or as `role`), and notes how long they took. */
  public async run(project: ReleaseProject, cwd: string, vars: Record<string, string> = {}, role?: string): Promise<ProjectRun> {
    const started = Date.now();
    const result = await runProjectAsync(project, cwd, { ...this.servers.environmentOf(role ?? project.roleLogicalId), ...vars },
      project === this.options.goLive ? this.goLiveOverrides : {});
    this.details.push(`${project.step}${role ? ` as ${role}` : ''} in ${path.basename(cwd)}: exit ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return result;
  }

  /** The pipeline's deploy stage: upload, then (when it succeeded) go-live with the exported RELEASE_ID; returns that id. */
  public async deploy(site: string, label: string): Promise<string> {
    const upload = await this.run(this.options.upload, site, { COMMIT_ID: 'c0ffee'.repeat(7), EXECUTION_ID: `${label.replace(/\W/g, '')}-0000-4000-8000` });
    const releaseId = upload.exported.RELEASE_ID ?? '';
    this.check(`${label}: the upload succeeds and exports RELEASE_ID`, upload.status === 0 && releaseId !== '', () => tail(upload.output));
    if (upload.status !== 0) return releaseId;
    const goLive = await this.run(this.options.goLive, site, { RELEASE_ID: releaseId });
    this.check(`${label}: go-live succeeds`, goLive.status === 0, () => tail(goLive.output));
    return releaseId;
  }

  /** Stops the servers and the distribution, and removes the work folder. */
  public stop(): void {
    this.distribution.stop();
    this.servers.stop();
    fs.rmSync(this.work, { recursive: true, force: true });
  }
}
