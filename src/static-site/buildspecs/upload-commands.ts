import * as path from 'path';
import { Token } from 'aws-cdk-lib';
import { unpackRuntimeFilesCommands } from '../../runtime-program';
import { failUnless, shellQuote } from '../../shell';
import { RELEASE_ENV, RELEASE_RULES } from '../release-contract';

/** The folder of StaticSitePipeline, whose runtime/ holds the upload step's program. */
const STATIC_SITE_DIR = path.join(__dirname, '..');

/** Shell variable holding the directory the upload step's program (runtime/upload-step.js) is unpacked in. */
const UPLOAD_STEP_DIR = 'UPLOAD_STEP_DIR';

/** How Cache-Control is chosen for one group of files. */
export interface CacheRule {
  /** Glob patterns (aws s3 `--include` syntax, relative to the site directory) of the files in the group. */
  readonly include: string[];
  /** Cache-Control header stored on every object of the group. */
  readonly cacheControl: string;
}

/** How the files of a build are uploaded: where from, and with which Cache-Control. */
export interface UploadOptions {
  /** Directory (relative to the build artifact root) holding the site, e.g. '.' */
  readonly sourceDirectory: string;
  /** Glob patterns (aws s3 --include syntax) of fingerprinted, immutable files. Default list exported as DEFAULT_IMMUTABLE_PATTERNS. */
  readonly immutablePatterns: string[];
  /** Cache-Control of immutable files. default 'public, max-age=31536000, immutable' */
  readonly immutableCacheControl: string;
  /** Cache-Control of everything else (HTML, sw.js, manifest, robots...). default 'no-cache' */
  readonly defaultCacheControl: string;
  /**
   * With the build's `_headers` (releases only, `$RELEASE_ID` set), give every object the metadata
   * naming its release, by which the viewer-response function finds the release's header rules.
   * default false
   */
  readonly headers?: boolean;
}

/** Options of the commands that publish a static site's build output to S3 and CloudFront in place. */
export interface DeployCommandsOptions extends UploadOptions {
  /** S3 key prefix inside the bucket where the site lives; '' for the bucket root. Nothing outside it is ever touched. */
  readonly prefix: string;
  /** 'all' → invalidate '/*' ; 'none' → skip invalidation */
  readonly invalidation: 'all' | 'none';
}

// aws s3 filters are Python fnmatch patterns: `*` and `?` also match `/` and `.`, so a bare
// `?` could make a "hash" span a directory boundary (`hero-img/logo.svg` would match
// `*-????????.*`). The hash windows below use classes that exclude `.` and `/` instead.
const NOT_DOT_OR_SLASH = '[!./]';
const HEX = '[0-9a-f]';

/**
 * Default `immutablePatterns`: names that carry a content hash, so a changed file always gets a
 * new URL and the old one may be cached forever.
 *
 * - `*-XXXXXXXX.*`: Vite 3+ and Rollup (`index-3f9a1c2b.js`, base64url `index-BxK3_q9z.js` since
 *   Rollup 4), esbuild and Angular's esbuild builder (`main-ABCD2345.js`). The hash alphabet
 *   includes `-` and `_`, hence "anything but `.` and `/`".
 * - `*.xxxxxxxx.*` (8 hex): webpack `[contenthash:8]` as used by Create React App, Parcel 2, Vite 2.
 *   Hex only, because 8-letter words between dots are common (`jquery.validate.min.js`).
 * - `*.x{16}.*` (16 hex): Angular's webpack builder; `*.x{20}.*` (20 hex): webpack's default
 *   `[contenthash]`. Hex only, for the same reason.
 * - `_next/static/*` (Next.js), `_app/immutable/*` (SvelteKit), `_astro/*` (Astro): these
 *   frameworks put only content-addressed files there and document them as cacheable forever.
 *
 * Deliberately not included: `assets/*` and `static/*`. Vite copies `public/assets/**` to
 * `assets/` unhashed, and many generators copy a user's `static/` folder verbatim; an unhashed
 * file marked immutable stays stale in browsers for a year, whereas a hashed file that is missed
 * only costs a revalidation request. Rarer styles (Gatsby's `app-<20 hex>.js`) are left to callers,
 * as every pattern is repeated in most upload commands.
 */
export const DEFAULT_IMMUTABLE_PATTERNS: string[] = [
  `*-${NOT_DOT_OR_SLASH.repeat(8)}.*`,
  `*.${HEX.repeat(8)}.*`,
  `*.${HEX.repeat(16)}.*`,
  `*.${HEX.repeat(20)}.*`,
  '_next/static/*',
  '_app/immutable/*',
  '_astro/*',
];

/** Environment variable names the commands read (set by the CodeBuild project): */
export const DEPLOY_ENV = { bucket: 'SITE_BUCKET', distributionId: 'DISTRIBUTION_ID' } as const;

// HTML is its own group: always the default Cache-Control, always uploaded last.
const HTML_PATTERNS = ['*.html', '*.htm'];

// Non-HTML files that must be revalidated even when an immutable pattern matches them.
// Every pattern ends in a literal extension or in `.*` (see `revalidatedFor`).
const ALWAYS_REVALIDATED_PATTERNS = [
  // Requested by fixed, well-known URLs, so they can never change name when their content changes.
  'sw.js',
  '*/sw.js',
  'service-worker.js',
  '*/service-worker.js',
  'manifest.webmanifest',
  '*/manifest.webmanifest',
  'manifest.json',
  'robots.txt',
  'favicon.ico',
  'sitemap.xml',
  // A dash followed by eight lowercase letters is a word (`icon-download.svg`,
  // `social-facebook.svg`), not a hash: a real 8-character Rollup/Vite hash is all lowercase
  // with a probability of about 0.1 %, so excluding these costs nothing and keeps hand-named
  // files out of the `*-XXXXXXXX.*` pattern.
  `*-${'[a-z-]'.repeat(8)}.*`,
];

// Extensions whose Content-Type the CLI's guess (Python `mimetypes` plus the image's
// /etc/mime.types) gets wrong or leaves unset (S3 then stores binary/octet-stream) on some
// CodeBuild images. Browsers refuse module scripts, streamed WebAssembly and SVG images
// with the wrong type, so these are always uploaded with an explicit --content-type.
// No extension may be a suffix of another (`notEndingWith` relies on it).
export const CONTENT_TYPES: ReadonlyArray<readonly [string, string]> = [
  ['wasm', 'application/wasm'],
  ['mjs', 'text/javascript'],
  ['webmanifest', 'application/manifest+json'],
  ['json', 'application/json'],
  ['map', 'application/json'],
  ['svg', 'image/svg+xml'],
  ['avif', 'image/avif'],
  ['webp', 'image/webp'],
  ['woff2', 'font/woff2'],
];

type FilterAction = 'include' | 'exclude';
type Filter = readonly [FilterAction, string];

/**
 * One `aws s3 cp --recursive` upload. The CLI applies filters in order, the last matching filter
 * decides, and a file no filter matches is included.
 */
interface Upload {
  readonly filters: Filter[];
  readonly cacheControl: string;
  readonly contentType?: string;
}

const include = (patterns: readonly string[]): Filter[] => patterns.map((p) => ['include', p] as const);
const exclude = (patterns: readonly string[]): Filter[] => patterns.map((p) => ['exclude', p] as const);

/**
 * Patterns that match exactly the paths NOT ending in `.<ext>`, i.e. the complement of `*.<ext>`.
 *
 * fnmatch has no negation, and "immutable AND of this extension" needs one: after
 * `--include <immutable patterns>`, excluding everything that does not end in `.<ext>` leaves
 * the intersection. A path fails to end in `.wasm` iff its last character is not `m`, or it ends
 * in `m` but the one before is not `s`, and so on: `*[!m]`, `*[!s]m`, `*[!a]sm`, `*[!w]asm`,
 * `*[!.]wasm`. (The CLI matches absolute paths, which are always longer than the suffix.)
 */
function notEndingWith(ext: string): string[] {
  const suffix = `.${ext}`;
  const patterns: string[] = [];
  for (let i = suffix.length - 1; i >= 0; i--) {
    patterns.push(`*[!${suffix[i]}]${suffix.slice(i + 1)}`);
  }
  return patterns;
}

/**
 * The always-revalidated patterns that can match a `.<ext>` file, each ending in the literal
 * `.<ext>`. Used by the per-extension uploads, which must re-include such files after excluding
 * the immutable ones without re-including files of other extensions.
 */
function revalidatedFor(ext: string): string[] {
  return ALWAYS_REVALIDATED_PATTERNS.flatMap((p) => {
    if (p.endsWith(`.${ext}`)) {
      return [p];
    }
    return p.endsWith('.*') ? [`${p.slice(0, -1)}${ext}`] : [];
  });
}

/**
 * The uploads, in order. Together they partition the site: every file is matched by exactly
 * one of them (the unit tests check this with the CLI's filter semantics).
 */
function uploads(options: UploadOptions): Upload[] {
  const immutable: CacheRule = { include: options.immutablePatterns, cacheControl: options.immutableCacheControl };
  const revalidated = options.defaultCacheControl;
  const specialExtensions = CONTENT_TYPES.map(([ext]) => `*.${ext}`);

  // 1. Immutable files first: nothing references them yet, and the pages about to be published do.
  const result: Upload[] = [{
    filters: [
      ['exclude', '*'],
      ...include(immutable.include),
      ...exclude(ALWAYS_REVALIDATED_PATTERNS),
      ...exclude(HTML_PATTERNS),
      ...exclude(specialExtensions),
    ],
    cacheControl: immutable.cacheControl,
  }];
  for (const [ext, contentType] of CONTENT_TYPES) {
    result.push({
      filters: [
        ['exclude', '*'],
        ...include(immutable.include),
        ...exclude(revalidatedFor(ext)),
        ...exclude(notEndingWith(ext)),
      ],
      cacheControl: immutable.cacheControl,
      contentType,
    });
  }

  // 2. Other non-HTML files (unhashed scripts, sw.js, manifest, robots.txt...), which may
  //    reference the immutable files.
  for (const [ext, contentType] of CONTENT_TYPES) {
    result.push({
      filters: [
        ['exclude', '*'],
        ['include', `*.${ext}`],
        ...exclude(immutable.include),
        ...include(revalidatedFor(ext)),
      ],
      cacheControl: revalidated,
      contentType,
    });
  }
  result.push({
    filters: [
      ...exclude(immutable.include),
      ...include(ALWAYS_REVALIDATED_PATTERNS),
      ...exclude(HTML_PATTERNS),
      ...exclude(specialExtensions),
    ],
    cacheControl: revalidated,
  });

  // 3. HTML last, so a page only goes live once everything it references is in place.
  result.push({
    filters: [['exclude', '*'], ...include(HTML_PATTERNS)],
    cacheControl: revalidated,
  });
  return result;
}

/** `"s3://${SITE_BUCKET}/<prefix>/"`, with the literal prefix quoted so the shell cannot expand it. */
function s3Destination(prefix: string): string {
  // No leading slash (S3 keys would start with an empty segment) and no trailing one (we add
  // it): `site/v1/` and `/site/v1` mean `site/v1`.
  const key = prefix.replace(/^\/+|\/+$/g, '');
  const bucketRoot = `s3://\${${DEPLOY_ENV.bucket}}/`;
  if (key === '') {
    return `"${bucketRoot}"`;
  }
  // The trailing slash matters for the --delete sync: `s3://bucket/site/v1` would list (and
  // delete from) `site/v10/` as well.
  const keyPrefix = `${key}/`;
  // Inside double quotes only $ ` " \ are special.
  return /^[^$`"\\]*$/.test(keyPrefix)
    ? `"${bucketRoot}${keyPrefix}"`
    : `"${bucketRoot}"${shellQuote(keyPrefix)}`;
}

/**
 * The shell commands (POSIX sh, one string per command, run in order with fail-fast semantics)
 * that publish the site in `options.sourceDirectory` to `s3://$SITE_BUCKET/<prefix>/` and
 * invalidate the CloudFront distribution `$DISTRIBUTION_ID`:
 *
 * 1. fail before touching the bucket if a variable is unset or the directory is missing or empty;
 * 2. upload immutable files, then the other non-HTML files, then HTML, each file exactly once
 *    with its group's Cache-Control (and an explicit Content-Type where the CLI guesses wrong);
 * 3. delete objects under the prefix that are not in the build, after the new HTML is live;
 * 4. start (without waiting for) an invalidation of `/*`, unless `invalidation` is 'none'.
 */
export function deployCommands(options: DeployCommandsOptions): string[] {
  const dir = shellQuote(options.sourceDirectory);
  const dest = s3Destination(options.prefix);

  const commands = [requireVariable(DEPLOY_ENV.bucket)];
  if (options.invalidation === 'all') {
    commands.push(requireVariable(DEPLOY_ENV.distributionId));
  }
  commands.push(
    ...siteDirectoryChecks(options.sourceDirectory),
    ...uploadCommands(options, dest),
    // Every file has just been uploaded, so with --size-only nothing differs and this sync only
    // deletes. No filters: they would also restrict which objects may be deleted.
    `aws s3 sync ${dir} ${dest} --delete --size-only --no-progress`,
  );

  if (options.invalidation === 'all') {
    commands.push(`aws cloudfront create-invalidation --distribution-id "\${${DEPLOY_ENV.distributionId}}" --paths '/*'`);
  }
  return commands;
}

/** A command that fails the deploy with a clear message unless the environment variable `name` is set. */
export function requireVariable(name: string): string {
  return failUnless(`test -n "\${${name}:-}"`, `Deploy failed: environment variable ${name} is not set.`);
}

/**
 * Commands that fail before touching the bucket if the site directory is missing or empty. They
 * unpack the upload step's program, which later commands run as `uploadStepProgram()`: Node.js
 * tells whether the directory holds a file, as the deploy steps' compute promises Node.js and the
 * AWS CLI but no `find`.
 */
export function siteDirectoryChecks(sourceDirectory: string): string[] {
  const dir = shellQuote(sourceDirectory);
  return [
    failUnless(
      `test -d ${dir}`,
      `Deploy failed: the site directory "${sourceDirectory}" does not exist in the build artifact.`,
    ),
    ...unpackRuntimeFilesCommands(UPLOAD_STEP_DIR, STATIC_SITE_DIR, ['upload-step.js']),
    // An empty directory would make the final --delete sync wipe the live site.
    failUnless(
      `${uploadStepProgram()} has-files ${dir}`,
      `Deploy failed: the site directory "${sourceDirectory}" in the build artifact is empty.`,
    ),
  ];
}

/** `node <upload step program>` (runtime/upload-step.js), once `siteDirectoryChecks` unpacked it. */
export function uploadStepProgram(): string {
  return `node "$${UPLOAD_STEP_DIR}/upload-step.js"`;
}

/**
 * The `aws s3 cp --recursive` commands uploading the site to `destination` (a shell word, e.g.
 * `"s3://${SITE_BUCKET}/"`): immutable files, then the other non-HTML files, then HTML.
 *
 * `cp --recursive` rather than `sync`: sync skips files whose size is unchanged and whose mtime is
 * not newer, which drops a same-size edit when the artifact carries reproducible timestamps, and
 * never updates the headers of a skipped file.
 */
export function uploadCommands(options: UploadOptions, destination: string): string[] {
  // A directory known only at deploy time is named once: CodeBuild's limit on an inline buildspec
  // counts what CloudFormation puts in its place in every command.
  const named = Token.isUnresolved(options.sourceDirectory) ? [`${SOURCE_DIRECTORY}=${shellQuote(options.sourceDirectory)}`] : [];
  const dir = named.length ? `"$${SOURCE_DIRECTORY}"` : shellQuote(options.sourceDirectory);
  const commands = uploads(options).map((upload) => {
    const args = [
      'aws s3 cp', dir, destination, '--recursive', '--no-progress',
      ...upload.filters.map(([action, pattern]) => `--${action} ${shellQuote(pattern)}`),
      `--cache-control ${shellQuote(upload.cacheControl)}`,
    ];
    if (upload.contentType) {
      args.push(`--content-type ${shellQuote(upload.contentType)}`);
    }
    if (options.headers) {
      args.push(`--metadata "$${HEADERS_METADATA}"`);
    }
    return args.join(' ');
  });
  if (!options.headers) {
    return [...named, ...commands];
  }
  // With a `_headers` file, every object names its release, by which the viewer-response function
  // finds the release's rules (the go-live step checks the file). `test` and `if` are bash builtins.
  return [
    ...named,
    `if test -s ${dir}/_headers; then export ${HEADERS_METADATA}="${RELEASE_RULES.releaseMetadata}=$${RELEASE_ENV.releaseId}"; `
      + `else export ${HEADERS_METADATA}="${RELEASE_RULES.releaseMetadata}=-"; fi`,
    ...commands,
  ];
}

/** Shell variable holding the site directory of the uploads, when it is a token. */
const SOURCE_DIRECTORY = 'SITE_DIRECTORY';

/** Shell variable holding the `--metadata` argument of every upload of a release with `_headers`. */
const HEADERS_METADATA = 'RELEASE_METADATA';

/**
 * The CodeBuild buildspec (version 0.2, so every command runs in the same shell and the phase
 * stops at the first failing command) running `deployCommands(options)` in the build phase.
 * Wrap it with `codebuild.BuildSpec.fromObject`.
 */
export function deployBuildSpecObject(options: DeployCommandsOptions): object {
  return {
    version: '0.2',
    phases: {
      build: {
        commands: deployCommands(options),
      },
    },
  };
}
