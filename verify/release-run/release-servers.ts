/**
 * moto_server (S3 and IAM) and the KeyValueStore stand-in on 127.0.0.1, and the environment that
 * points the pinned AWS CLI at them with one role's credentials.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { pythonTool, pythonToolsBin } from '../python-tools';

/** A bucket, a store, and a user per role whose only policies are that role's. */
export interface ReleaseWorld {
  readonly bucket: string;
  readonly kvsArn: string;
  readonly region: string;
  /** Role logical id -> policy documents, as given to moto (conditions removed: see withoutConditions). */
  readonly roles: Record<string, object[]>;
  /** Whether moto records the requests it receives, for `s3Requests` (default false). */
  readonly recordRequests?: boolean;
}

/** The stand-in's store: its keys, its ETag, and the calls it answered (by the access key that signed them). */
export interface StoreState {
  readonly keys: Record<string, string>;
  readonly etag: string;
  readonly calls: Array<{ operation: string; status: number; accessKey?: string; error?: string; message?: string }>;
}

/** A request moto received while recording (its body left out). */
export interface RecordedRequest {
  readonly method: string;
  /** As sent, percent-encoded: `http://127.0.0.1:<port>/<bucket>/<key>?<query>`. */
  readonly url: string;
  readonly headers: Record<string, string>;
}

/** An HTTP answer. */
export interface Answer {
  readonly status: number;
  readonly body: string;
}

/** The servers of one world; `stop` ends both. */
export class ReleaseServers {
  /** Starts moto_server and the stand-in, creates the bucket and one IAM user per role. */
  public static async start(world: ReleaseWorld): Promise<ReleaseServers> {
    const [motoPort, kvsPort] = [await freePort(), await freePort()];
    const recording = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'moto-recording-')), 'requests.jsonl');
    const moto = spawn(pythonTool('moto_server'), ['-H', '127.0.0.1', '-p', String(motoPort)], {
      stdio: 'ignore', detached: true, env: { ...process.env, MOTO_RECORDER_FILEPATH: recording },
    });
    const standin = spawn(pythonTool('python'), [path.join(__dirname, 'kvs_standin.py'), String(kvsPort), world.kvsArn], { stdio: 'ignore', detached: true });
    const servers = new ReleaseServers(world, motoPort, kvsPort, [moto, standin], recording);
    try {
      await waitFor(() => request(motoPort, 'GET', '/moto-api/data.json').then(() => true, () => false));
      await waitFor(() => request(kvsPort, 'GET', '/_standin/state').then(() => true, () => false));
      servers.keys = servers.admin({ kind: 'setup', roles: world.roles });
      await request(kvsPort, 'PUT', '/_standin/keys', JSON.stringify(Object.fromEntries(
        Object.entries(servers.keys).map(([role, key]) => [key.AccessKeyId, world.roles[role]]))));
      await servers.enforceIam(true);
      if (world.recordRequests) await request(motoPort, 'POST', '/moto-api/recorder/start-recording');
    } catch (e) {
      servers.stop();
      throw e;
    }
    return servers;
  }

  private keys: Record<string, { AccessKeyId: string; SecretAccessKey: string }> = {};

  private constructor(
    public readonly world: ReleaseWorld,
    private readonly motoPort: number,
    private readonly kvsPort: number,
    private readonly processes: ChildProcess[],
    private readonly recording: string,
  ) {}

  public get s3Endpoint(): string {
    return `http://127.0.0.1:${this.motoPort}`;
  }

  /**
   * The environment of a CodeBuild project whose role is `role`: the CLI of cli/aws first on PATH, the
   * role's user's keys, S3 and IAM at moto, the KeyValueStore API at the stand-in (through the proxy
   * setting, as the endpoint rules put the account in the host name).
   */
  public environmentOf(role: string): Record<string, string> {
    const key = this.keys[role];
    if (!key) throw new Error(`no user for role ${role}`);
    return {
      PATH: [MOTO_CLI_DIR, pythonToolsBin(), process.env.PATH].join(path.delimiter),
      AWS_CLI_V1: pythonTool('aws'),
      AWS_CLI_V2: debianAwsCliV2(),
      HOME: process.env.HOME ?? '/tmp',
      LANG: 'C.UTF-8',
      AWS_ACCESS_KEY_ID: key.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: key.SecretAccessKey,
      AWS_REGION: this.world.region,
      AWS_DEFAULT_REGION: this.world.region,
      AWS_ENDPOINT_URL: this.s3Endpoint,
      AWS_ENDPOINT_URL_CLOUDFRONT_KEYVALUESTORE: `http://kvs.test:${this.kvsPort}`,
      HTTP_PROXY: `http://127.0.0.1:${this.kvsPort}`,
      NO_PROXY: '127.0.0.1,localhost',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
  }

  /** Runs one command of moto_admin.py with IAM enforcement off. */
  public admin(command: Record<string, unknown>): any {
    const result = spawnSync(pythonTool('python'), [path.join(__dirname, 'moto_admin.py')], {
      input: JSON.stringify({ ...command, endpoint: this.s3Endpoint, region: this.world.region, bucket: this.world.bucket }),
      encoding: 'utf8',
      maxBuffer: 1024 * 1024 * 1024,
    });
    if (result.status !== 0) throw new Error(`moto_admin ${command.kind} failed: ${result.stderr.trim().slice(-1500)}`);
    return JSON.parse(result.stdout);
  }

  /** Objects of the bucket as S3 keeps them. */
  public async snapshot(): Promise<Record<string, { size: number; cacheControl?: string; contentType?: string; metadata?: Record<string, string> }>> {
    return this.asAdmin(() => this.admin({ kind: 'snapshot' }));
  }

  /** Writes objects as an administrator (releases made before the proof). */
  public async put(objects: Record<string, { body: string; cacheControl?: string }>): Promise<void> {
    await this.asAdmin(() => this.admin({ kind: 'put', objects }));
  }

  /** Creates pipelines of these names and starts an execution of each, as a start by hand does; returns {name: execution id}. */
  public async startPipelineExecutions(names: string[]): Promise<Record<string, string>> {
    return this.asAdmin(() => this.admin({ kind: 'pipelines', names }));
  }

  /** The store's keys and the calls it answered. */
  public async store(): Promise<StoreState> {
    return JSON.parse(await request(this.kvsPort, 'GET', '/_standin/state'));
  }

  /** The S3 and IAM requests moto received since the servers started (the administrator's included), when recording. */
  public async s3Requests(): Promise<RecordedRequest[]> {
    const lines = (await request(this.motoPort, 'GET', '/moto-api/recorder/download-recording')).split('\n').filter(Boolean);
    return lines.map((line) => {
      const { method, url, headers } = JSON.parse(line);
      return { method, url, headers };
    });
  }

  /** The role whose user holds an access key. */
  public roleOfAccessKey(accessKey: string): string | undefined {
    return Object.keys(this.keys).find((role) => this.keys[role].AccessKeyId === accessKey);
  }

  /** Replaces the store's keys (a new ETag), as an administrator. */
  public async setKeys(keys: Record<string, string>): Promise<void> {
    await request(this.kvsPort, 'PUT', '/_standin/state', JSON.stringify(keys));
  }

  /**
   * Another program's write to the store (a new ETag), made once just before the next call of
   * `operation` (e.g. `PutKey`), which then names a stale ETag; a key whose value is null is deleted.
   */
  public async changeStoreBefore(operation: string, keys: Record<string, string | null>): Promise<void> {
    await request(this.kvsPort, 'PUT', '/_standin/change-before', JSON.stringify({ operation, keys }));
  }

  /** Sends a raw KeyValueStore request signed (in name) with `role`'s key: for the stand-in's negative control. */
  public async rawStoreRequest(role: string, method: string, pathAndQuery: string, body: string, headers: Record<string, string>): Promise<Answer> {
    const auth = `AWS4-ECDSA-P256-SHA256 Credential=${this.keys[role].AccessKeyId}/20250101/cloudfront-keyvaluestore/aws4_request, SignedHeaders=host, Signature=00`;
    const account = this.world.kvsArn.split(':')[4];
    return requestWithStatus(this.kvsPort, method, pathAndQuery, body, {
      'Host': `${account}.kvs.test:${this.kvsPort}`, 'Authorization': auth, 'X-Amz-Region-Set': '*', ...headers,
    });
  }

  public stop(): void {
    stopServers(this.processes, this.recording);
  }

  /**
   * Turns moto's IAM enforcement on (every request must be signed by a user whose policies allow
   * it) or off (administration).
   */
  private async enforceIam(on: boolean): Promise<void> {
    await request(this.motoPort, 'POST', '/moto-api/reset-auth', on ? '0' : 'Infinity');
  }

  private async asAdmin<T>(work: () => T): Promise<T> {
    await this.enforceIam(false);
    try {
      return work();
    } finally {
      await this.enforceIam(true);
    }
  }
}

/**
 * A policy as moto can evaluate it: moto's evaluator treats every Condition as unmet (it has no
 * request context) and then denies the action outright, even in an Allow statement, so conditions
 * are removed; iam-simulate proves them (verify/proofs/02-iam.ts).
 */
export function withoutConditions(document: { Statement: Array<Record<string, unknown>> }): { conditioned: string[]; document: object } {
  const conditioned: string[] = [];
  const statements = document.Statement.map(({ Condition, ...rest }) => {
    if (Condition) conditioned.push(`${[rest.Action].flat().join(',')} if ${JSON.stringify(Condition)}`);
    return rest;
  });
  return { conditioned, document: { ...document, Statement: statements } };
}

/**
 * A policy as moto names its actions: moto checks a CloudWatch request as `monitoring:<Operation>`
 * (the service's signing name) where IAM says `cloudwatch:<Operation>`, so each CloudWatch action
 * is granted under both names; what IAM grants is proven by the IAM proof.
 */
export function withMotoActionNames(document: { Statement: Array<Record<string, unknown>> }): { Statement: Array<Record<string, unknown>> } {
  return {
    ...document,
    Statement: document.Statement.map((statement) => {
      const actions = [statement.Action].flat().filter((a): a is string => typeof a === 'string');
      const monitoring = actions.filter((a) => a.startsWith('cloudwatch:')).map((a) => `monitoring:${a.slice('cloudwatch:'.length)}`);
      return monitoring.length ? { ...statement, Action: [...actions, ...monitoring] } : statement;
    }),
  };
}

/**
 * A policy as moto can match its resources: moto turns a Resource into a regular expression by
 * replacing `*` with `.*` alone, so IAM's `?` (one character) becomes a regex quantifier and the
 * request fails with a 500 (`releases/????????T??????Z-p*` of the preview grants). Each `?` is
 * given as `.`, which that regular expression reads as one character, as IAM reads `?`.
 *
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
 */
export function withMotoWildcards(document: { Statement: Array<Record<string, unknown>> }): { Statement: Array<Record<string, unknown>> } {
  const single = (resource: unknown) => (typeof resource === 'string' ? resource.replace(/\?/g, '.') : resource);
  return {
    ...document,
    Statement: document.Statement.map((statement) => (statement.Resource === undefined ? statement
      : { ...statement, Resource: Array.isArray(statement.Resource) ? statement.Resource.map(single) : single(statement.Resource) })),
  };
}

/** Ends the servers (each started detached, in a process group of its own) and removes the folder of moto's recording. */
export function stopServers(processes: ChildProcess[], recording: string): void {
  for (const child of processes) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  fs.rmSync(path.dirname(recording), { recursive: true, force: true });
}

/** A port of 127.0.0.1 free now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Waits for a server to be ready (at most 15 s). */
export async function waitFor(ready: () => Promise<boolean>): Promise<void> {
  // Bounded: 60 tries a quarter second apart (moto_server starts in about 2 s here).
  for (let i = 0; i < 60; i++) {
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('a server did not start within 15 s');
}

/** A request to a server of 127.0.0.1; throws unless it answers 2xx. */
export async function request(port: number, method: string, pathAndQuery: string, body = ''): Promise<string> {
  const response = await requestWithStatus(port, method, pathAndQuery, body, {});
  if (response.status >= 300) throw new Error(`${method} ${pathAndQuery}: ${response.status} ${response.body}`);
  return response.body;
}

/** A request to a server of 127.0.0.1, with its status. */
export function requestWithStatus(port: number, method: string, pathAndQuery: string, body: string,
  headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: pathAndQuery, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let data = '';
      res.on('data', (chunk) => { data += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The folder of the `aws` the commands of the release, preview and fleet proofs run: Debian's CLI v2
 * at moto, the pinned v1 for the KeyValueStore, the CodeDeploy stand-in for `deploy` (cli/aws says why).
 */
export const MOTO_CLI_DIR = path.join(__dirname, 'cli');

/** Debian's AWS CLI v2 (`apt-get install awscli`, which .ci/run does); throws when it is missing. */
export function debianAwsCliV2(): string {
  const program = '/usr/bin/aws';
  if (!fs.existsSync(program)) {
    throw new Error(`${program} is missing: install Debian's AWS CLI v2 with "apt-get install -y awscli" (.ci/run does)`);
  }
  return program;
}
