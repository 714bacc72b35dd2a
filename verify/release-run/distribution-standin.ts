/**
 * A stand-in for the site's CloudFront distribution, for the go-live checks of verified releases:
 * an HTTP server on 127.0.0.1 that picks the release as the routing function does by the contract
 * (the preview a valid, unexpired `x-preview-token` names, else `live`, read from the KeyValueStore
 * stand-in), and serves the file from moto's S3 as CloudFront's origin access does (a user allowed
 * s3:GetObject on the bucket alone), with S3's ETag and Content-Type.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { debianAwsCliV2, ReleaseServers } from './release-servers';
import { RELEASES_PREFIX } from '../../src/static-site/release-contract';

/** The user the stand-in reads the bucket as: CloudFront's origin access, s3:GetObject only. */
export const DISTRIBUTION_USER = 'SiteDistribution';

/** The policy of `DISTRIBUTION_USER` on `bucket`. */
export function distributionPolicy(bucket: string): object {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` }] };
}

/** One request the stand-in answered. */
export interface ServedRequest {
  readonly path: string;
  readonly token: boolean;
  readonly release: string;
  readonly status: number;
}

export class DistributionStandIn {
  /** Starts the stand-in on a free port of 127.0.0.1. */
  public static async start(servers: ReleaseServers): Promise<DistributionStandIn> {
    const standIn = new DistributionStandIn(servers);
    await new Promise<void>((resolve) => standIn.server.listen(0, '127.0.0.1', resolve));
    return standIn;
  }

  /** Every request answered, in order. */
  public readonly served: ServedRequest[] = [];
  /** Answer every request from `live`, as a routing function without previews would. */
  public ignoreTokens = false;
  private readonly server: http.Server;
  private readonly work = fs.mkdtempSync(path.join(os.tmpdir(), 'distribution-standin-'));

  private constructor(private readonly servers: ReleaseServers) {
    this.server = http.createServer((request, response) => {
      this.answer(request).then(({ status, headers, body }) => response.writeHead(status, headers).end(body),
        (e) => response.writeHead(500, { 'content-type': 'text/plain' }).end(String(e)));
    });
  }

  /** `http://127.0.0.1:<port>`, what the go-live step is given as the distribution's domain. */
  public get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public stop(): void {
    this.server.close();
    fs.rmSync(this.work, { recursive: true, force: true });
  }

  private async answer(request: http.IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: Buffer | string }> {
    const uri = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const token = String(request.headers['x-preview-token'] ?? '');
    const { keys } = await this.servers.store();
    const release = (this.ignoreTokens ? undefined : previewOf(keys, token)) ?? keys.live;
    const page = uri.endsWith('/') || !uri.slice(uri.lastIndexOf('/') + 1).includes('.');
    const key = `${RELEASES_PREFIX}${release}/${(page ? `${uri.replace(/\/$/, '')}/index.html` : uri).slice(1)}`;
    const object = await this.getObject(key);
    this.served.push({ path: uri, token: token !== '', release, status: object ? 200 : 404 });
    if (!object) {
      return { status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found' };
    }
    return { status: 200, headers: { 'etag': object.etag, 'content-type': object.contentType }, body: object.body };
  }

  /** An object of the bucket read as the distribution's user; undefined when S3 answers that it is missing. */
  private getObject(key: string): Promise<{ etag: string; contentType: string; body: Buffer } | undefined> {
    const file = path.join(this.work, `${this.served.length}-${Math.random().toString(36).slice(2)}`);
    const env = this.servers.environmentOf(DISTRIBUTION_USER);
    const argv = ['--endpoint-url', this.servers.s3Endpoint, 's3api', 'get-object', '--bucket', this.servers.world.bucket, '--key', key, file, '--output', 'json'];
    return new Promise((resolve, reject) => execFile(debianAwsCliV2(), argv, { env }, (error, stdout, stderr) => {
      if (error) {
        return /NoSuchKey|Not Found|404/.test(stderr) ? resolve(undefined) : reject(new Error(stderr));
      }
      const head = JSON.parse(stdout);
      const body = fs.readFileSync(file);
      fs.rmSync(file, { force: true });
      return resolve({ etag: head.ETag, contentType: head.ContentType ?? 'binary/octet-stream', body });
    }));
  }
}

/** The release a token reads by the contract: `token:<token>` -> `<expires> <name>`, then `preview:<name>`. */
function previewOf(keys: Record<string, string>, token: string): string | undefined {
  if (!/^[0-9a-f]{32}$/.test(token)) return undefined;
  const [expires, name] = (keys[`token:${token}`] ?? '').split(' ');
  return Number(expires) > Date.now() / 1000 ? keys[`preview:${name}`] : undefined;
}
