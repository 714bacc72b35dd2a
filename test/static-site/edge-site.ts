import { RELEASE_RULES, RELEASES_PREFIX } from '../../src/static-site/release-contract';
import { responseFunctionCode, RoutingFunctionOptions, routingFunctionCode } from '../../src/static-site/routing-function';

import { CloudFrontFunction } from '../support/cloudfront-function';

/* eslint-disable @typescript-eslint/no-require-imports */
const { parseHeaders, compileHeaders } = require('../../src/static-site/runtime/headers.js');
const { compileRedirects } = require('../../src/static-site/runtime/redirect-records.js');
const { parseRedirects } = require('../../src/static-site/runtime/redirects.js');
const CONTRACT = require('../../src/static-site/runtime/release-contract.json');
/* eslint-enable @typescript-eslint/no-require-imports */

/** The release every site of these tests serves. */
export const RELEASE = '20261201T120000Z-0123456789ab-cdef0123';
const STORE_ID = 'kvs-edge-site';

/** A site as the release program leaves it: its build's files, and the rules of its `_redirects` and `_headers`. */
export interface EdgeSiteOptions {
  readonly files: string[];
  readonly redirects?: string;
  readonly headers?: string;
  readonly securityHeaders?: Record<string, string>;
  readonly singlePageApp?: boolean;
}

/** A viewer's request. */
export interface EdgeRequest {
  readonly host?: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly cookies?: Record<string, string>;
}

/** What the viewer gets: a status, and the Location of a redirect or the file served, with the headers. */
export interface EdgeAnswer {
  readonly status: number;
  readonly location?: string;
  /** The file of the release served (relative to it), or `null` when S3 has none (CloudFront's not-found page). */
  readonly file?: string | null;
  readonly headers: Record<string, string>;
}

/** What went wrong compiling the files (with line numbers), when anything did. */
export class EdgeSiteError extends Error {}

/**
 * A release of a site behind both CloudFront Functions, run as CloudFront runs them: the records
 * the release program writes for `_redirects` and `_headers`, the routing function on the viewer's
 * request, S3 (the release's objects and their metadata), then the viewer-response function on a
 * response below 400. Counts the store reads of each function.
 */
export class EdgeSite {
  public readonly store: Record<string, string> = { live: RELEASE };
  /** Objects of the bucket: key -> metadata. */
  public readonly objects = new Map<string, Record<string, string>>();
  public readonly notes: string[] = [];
  private readonly routing: CloudFrontFunction;
  private readonly response: CloudFrontFunction;
  private readsOf: { request: string[]; response: string[] } = { request: [], response: [] };

  constructor(options: EdgeSiteOptions) {
    const limits = CONTRACT.keyValueStoreLimits;
    const parsed = parseRedirects(options.redirects ?? '');
    const compiled = compileRedirects(parsed.rules, options.files, RELEASE, limits);
    const headers = parseHeaders(options.headers ?? '', options.securityHeaders ?? {});
    const problems = [...parsed.problems, ...compiled.problems, ...headers.problems];
    let headerRecords: Array<{ Key: string; Value: string }> = [];
    try {
      headerRecords = headers.blocks.length ? compileHeaders(headers.blocks, RELEASE, limits) : [];
    } catch (e) {
      problems.push((e as Error).message);
    }
    if (problems.length) {
      throw new EdgeSiteError(problems.join('\n'));
    }
    this.notes.push(...compiled.notes, ...headers.notes);
    for (const record of [...compiled.records, ...headerRecords]) {
      this.store[record.Key] = record.Value;
    }
    const metadata = headers.blocks.length ? { [RELEASE_RULES.releaseMetadata]: RELEASE } : {};
    for (const file of options.files) {
      this.objects.set(`${RELEASES_PREFIX}${RELEASE}/${file}`, metadata);
    }
    for (const page of compiled.statusPages as Array<{ status: number; file: string }>) {
      this.objects.set(`${RELEASES_PREFIX}${RELEASE}/${RELEASE_RULES.statusPagesPrefix}${page.status}/${page.file}`,
        { ...metadata, [RELEASE_RULES.statusMetadata]: String(page.status) });
    }
    const routing: RoutingFunctionOptions = {
      singlePageApp: options.singlePageApp ?? false,
      releases: { keyValueStoreId: STORE_ID, redirects: true },
    };
    const stores = { [STORE_ID]: this.store };
    this.routing = new CloudFrontFunction(routingFunctionCode(routing), 'routing.js', stores);
    this.response = new CloudFrontFunction(responseFunctionCode({ rules: { keyValueStoreId: STORE_ID } }), 'response.js', stores);
  }

  /** The prefix `~<tag>` of the shared records of the release's table of `kind` ('*' or '#'). */
  public shared(kind: string): string {
    return `~${JSON.parse(this.store[RELEASE + kind]).t}`;
  }

  /** The keys each function read for the last request. */
  public get reads(): { request: string[]; response: string[] } {
    return this.readsOf;
  }

  /** GET `uri` (a path as the viewer sends it, percent-encoded). */
  public async get(uri: string, request: EdgeRequest = {}): Promise<EdgeAnswer> {
    this.readsOf = { request: [], response: [] };
    // CloudFront's default root object: a request of `/` reaches the function as `/index.html`.
    const viewer = {
      method: 'GET',
      uri: uri === '/' ? '/index.html' : uri,
      querystring: Object.fromEntries(Object.entries(request.query ?? {}).map(([k, v]) => [k, { value: v }])),
      headers: {
        host: { value: request.host ?? 'www.example.com' },
        ...Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), { value: v }])),
      },
      cookies: Object.fromEntries(Object.entries(request.cookies ?? {}).map(([k, v]) => [k, { value: v }])),
    };
    const routed = await this.routing.handle({ request: JSON.parse(JSON.stringify(viewer)) }, (read) => this.readsOf.request.push(read));
    if (typeof routed.statusCode === 'number') {
      return { status: routed.statusCode, location: routed.headers?.location?.value, headers: flat(routed.headers) };
    }
    let key = '';
    try {
      key = decodeURIComponent(routed.uri.slice(1));
    } catch {
      // A malformed escape names no object.
    }
    const metadata = this.objects.get(key);
    if (!metadata) {
      // S3 answers 404, CloudFront its not-found page; no viewer-response function runs.
      return { status: 404, file: null, headers: {} };
    }
    const origin = {
      statusCode: 200,
      statusDescription: 'OK',
      headers: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [`x-amz-meta-${k}`, { value: v }])),
      cookies: {},
    };
    const answered = await this.response.handle({ request: viewer, response: origin }, (read) => this.readsOf.response.push(read));
    return { status: answered.statusCode, file: key.slice(`${RELEASES_PREFIX}${RELEASE}/`.length), headers: flat(answered.headers) };
  }
}

/** Headers as name -> value. */
function flat(headers: Record<string, { value: string }> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, v.value]));
}
