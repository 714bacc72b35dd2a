import * as fs from 'fs';
import * as path from 'path';

/** What the origin answered for one key. */
export interface OriginResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

// The Content-Type each object gets from the deploy step: the types it sets explicitly
// (src/static-site/deploy-commands.ts, which does not export its table) and the AWS CLI's guess
// for the other common web files. S3 stores binary/octet-stream when nothing is set.
const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html',
  htm: 'text/html',
  js: 'text/javascript',
  mjs: 'text/javascript',
  css: 'text/css',
  json: 'application/json',
  map: 'application/json',
  webmanifest: 'application/manifest+json',
  txt: 'text/plain',
  xml: 'text/xml',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  ico: 'image/vnd.microsoft.icon',
  webp: 'image/webp',
  avif: 'image/avif',
  woff2: 'font/woff2',
  wasm: 'application/wasm',
};
const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/**
 * A private S3 bucket read through CloudFront with s3:GetObject and s3:ListBucket, holding the
 * files of `root` as objects: a key is found only when a file has exactly that path, and a missing
 * key is a 404 (with ListBucket; it would be a 403 without).
 */
export class S3Origin {
  /** @param metadataOf the user metadata of an object (sent as x-amz-meta-<name>), by key */
  constructor(private readonly root: string, private readonly metadataOf: (key: string) => Record<string, string> = () => ({})) {}

  /** The response to a GET of the object a CloudFront URI (percent-encoded, leading `/`) names. */
  public get(uri: string): OriginResponse {
    const file = this.fileOf(uri);
    if (!file) {
      return noSuchKey(uri);
    }
    const extension = path.extname(file).slice(1).toLowerCase();
    const metadata = Object.entries(this.metadataOf(path.relative(this.root, file).split(path.sep).join('/')));
    return {
      status: 200,
      headers: {
        'content-type': CONTENT_TYPES[extension] ?? DEFAULT_CONTENT_TYPE,
        ...Object.fromEntries(metadata.map(([name, value]) => [`x-amz-meta-${name}`, value])),
      },
      body: fs.readFileSync(file),
    };
  }

  /** The file holding the object of `uri`, or undefined when there is no such object. */
  private fileOf(uri: string): string | undefined {
    let key: string;
    try {
      key = decodeURIComponent(uri.replace(/^\//, ''));
    } catch {
      return undefined;
    }
    // Keys with empty, `.` or `..` segments name S3 objects a directory tree cannot hold (and
    // would let a request read outside the root): no such object.
    const segments = key.split('/');
    if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\0'))) {
      return undefined;
    }
    const file = path.join(this.root, ...segments);
    return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ? file : undefined;
  }
}

/** S3's answer for a missing key when the reader may list the bucket. */
function noSuchKey(uri: string): OriginResponse {
  const body = '<?xml version="1.0" encoding="UTF-8"?>\n'
    + `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${escapeXml(uri.slice(1))}</Key></Error>`;
  return { status: 404, headers: { 'content-type': 'application/xml' }, body: Buffer.from(body) };
}

/** `text` with the XML special characters escaped. */
function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
