import { Duration, Token } from 'aws-cdk-lib';
import type * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { IConstruct } from 'constructs';

/**
 * The one way this library reports bad input: an error naming the construct, the prop, the
 * value and the fix, thrown at synth time.
 *
 * @example StaticSitePipeline 'Site': buildOptions.outputDirectory must be a relative path, got '/dist'
 */
export function validationError(scope: IConstruct, message: string): Error {
  // The construct the user created and named: the nearest public construct of this library above
  // the one that found the problem (PipelineCore, SitePreviews, a build project are its parts).
  const named = [...scope.node.scopes].reverse().find((c) => USER_CONSTRUCTS.has(c)) ?? scope;
  return new Error(`${named.constructor.name} '${named.node.id}': ${message}`);
}

/** The public constructs of this library, which validation errors name. */
const USER_CONSTRUCTS = new WeakSet<IConstruct>();

/** Makes `construct` the one validation errors of it and of its parts name: a construct the user creates. */
export function reportsValidationErrors(construct: IConstruct): void {
  USER_CONSTRUCTS.add(construct);
}

/** Throws `validationError` unless `valid`; a shorthand for the checks below. */
function check(scope: IConstruct, valid: boolean, message: string): void {
  if (!valid) {
    throw validationError(scope, message);
  }
}

/** Whether a value is known at synth time (tokens are resolved by CloudFormation, not validated here). */
function isKnown(value: string): boolean {
  return !Token.isUnresolved(value);
}

/**
 * CodeCommit repository names: 1-100 letters, digits, `.`, `_`, `-`; not ending in `.git`.
 *
 * @see https://docs.aws.amazon.com/codecommit/latest/userguide/limits.html#limits-repository-names
 */
export function validateRepositoryName(scope: IConstruct, prop: string, name: string): void {
  if (!isKnown(name)) return;
  check(scope, name.length > 0, `${prop} must not be empty; give the CodeCommit repository a name such as 'my-site'`);
  check(scope, name.length <= 100 && /^[\w.-]+$/.test(name) && !/\.git$/i.test(name),
    `${prop} must be 1-100 letters, digits, '.', '_' or '-' and must not end in '.git' (CodeCommit's rules), got '${name}'`);
}

/**
 * Branch names follow git's `check-ref-format` rules that matter in practice: no spaces or control
 * characters, none of `~ ^ : ? * [ \`, no `..` or `@{`, not starting or ending with `/` or ending with `.lock`.
 *
 * @see https://git-scm.com/docs/git-check-ref-format
 */
export function validateBranch(scope: IConstruct, prop: string, branch: string): void {
  if (!isKnown(branch)) return;
  check(scope, branch.length > 0, `${prop} must not be empty; name the branch that triggers the pipeline, e.g. 'main'`);
  const invalid = /[\s~^:?*[\\\x00-\x1f\x7f]|\.\.|@\{|^\/|\/$|\.lock$|^-|\/\/|^@$/.test(branch);
  check(scope, !invalid, `${prop} must be a valid git branch name (no spaces, '..', '~^:?*[\\', leading/trailing '/'), got '${branch}'`);
}

/** A directory inside the build artifact: relative, normalized, not escaping it. */
export function validateRelativeDirectory(scope: IConstruct, prop: string, dir: string): void {
  if (!isKnown(dir)) return;
  check(scope, dir.length > 0, `${prop} must not be empty; use '.' for the root of the build`);
  check(scope, !dir.startsWith('/') && !/^[a-zA-Z]:[\\/]/.test(dir),
    `${prop} must be a relative path, got '${dir}'; use the path relative to the repository root, e.g. '${dir.replace(/^([a-zA-Z]:)?[\\/]+/, '') || 'dist'}'`);
  check(scope, !dir.split(/[\\/]/).includes('..'),
    `${prop} must stay inside the build directory, got '${dir}'; remove the '..' segments`);
}

/**
 * Environment variable names CodeBuild accepts: a letter or `_` first, then letters, digits, `_`;
 * the `CODEBUILD_` prefix is reserved by CodeBuild.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html
 */
export function validateEnvironmentVariableName(scope: IConstruct, prop: string, name: string): void {
  if (!isKnown(name)) return;
  check(scope, /^[A-Za-z_][A-Za-z0-9_]*$/.test(name),
    `${prop} has an invalid environment variable name '${name}'; use letters, digits and '_', not starting with a digit`);
  check(scope, !name.toUpperCase().startsWith('CODEBUILD_'),
    `${prop} has a reserved environment variable name '${name}'; the CODEBUILD_ prefix belongs to CodeBuild`);
}

/** Matches the ARN of a CodeConnections (formerly CodeStar Connections) connection; group 1 is the service prefix. */
export const CONNECTION_ARN = /^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/;

/** A connection ARN as the CodeConnections console shows it. */
export function validateConnectionArn(scope: IConstruct, prop: string, arn: string): void {
  if (!isKnown(arn)) return;
  check(scope, CONNECTION_ARN.test(arn),
    `${prop} must be a CodeConnections connection ARN such as 'arn:aws:codeconnections:us-east-1:123456789012:connection/0a1b2c3d-...', got '${arn}'`);
}

/** A non-empty string (owner and repository of a connection source, and the like). */
export function validateNotEmpty(scope: IConstruct, prop: string, value: string): void {
  if (!isKnown(value)) return;
  check(scope, value.trim().length > 0, `${prop} must not be empty`);
}

/**
 * The owner or the repository name of a connection source: not empty, at most 100 characters, no
 * spaces or control characters. GitHub allows 39 characters for an owner and 100 for a repository;
 * GitLab and Bitbucket paths have no spaces either.
 *
 * @see https://docs.github.com/en/repositories/creating-and-managing-repositories/repository-limits
 */
export function validateGitHostName(scope: IConstruct, prop: string, value: string): void {
  if (!isKnown(value)) return;
  validateNotEmpty(scope, prop, value);
  check(scope, value.length <= 100 && !/[\s\x00-\x1f\x7f]/.test(value),
    `${prop} must be at most 100 characters without spaces or line breaks, got '${value}'; give the name as it appears in the repository URL`);
}

/** A DNS name CloudFront accepts as an alternate domain name (a leading `*.` wildcard is allowed). */
export function validateDomainName(scope: IConstruct, prop: string, name: string): void {
  if (!isKnown(name)) return;
  const label = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
  const valid = name.length <= 253 && new RegExp(`^(\\*\\.)?(${label}\\.)+${label}$`, 'i').test(name);
  check(scope, valid, `${prop} must be a domain name such as 'www.example.com', got '${name}'`);
  // CloudFront's aliases and ACM's names are lower case (AWS::CloudFront::Distribution Aliases pattern).
  check(scope, name === name.toLowerCase(), `${prop} must be lower case, got '${name}'; use '${name.toLowerCase()}'`);
}

/**
 * The domain names of a site: a list (not a list token) of at least one domain name, each listed
 * once. CloudFront compares alternate domain names without regard to case.
 */
export function validateDomainNameList(scope: IConstruct, prop: string, names: string[]): void {
  check(scope, !Token.isUnresolved(names),
    `${prop} must list the names, got the list token '${names}'; the first name is the site URL and the domain of its certificate, `
    + "which are needed at synth time, so pass the names, e.g. ['www.example.com']");
  check(scope, names.length > 0, `${prop} must list at least one domain name; leave out domain to use the CloudFront domain`);
  names.forEach((name) => validateDomainName(scope, prop, name));
  const seen = new Set<string>();
  for (const name of names.filter(isKnown)) {
    check(scope, !seen.has(name.toLowerCase()),
      `${prop} lists a domain name twice, got '${name}'; list each name once (domain names are not case-sensitive)`);
    seen.add(name.toLowerCase());
  }
}

/**
 * The domain name of a certificate ACM creates: at most 64 characters (the other names of the
 * certificate may be longer).
 *
 * @see https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html
 */
export function validateCertificateDomainName(scope: IConstruct, prop: string, name: string): void {
  if (!isKnown(name)) return;
  check(scope, name.length <= 64,
    `${prop} must be at most 64 characters to be the domain name of the certificate created for the site (ACM's limit), got '${name}'; `
    + 'list a shorter name first, or pass a certificate in domain.certificate');
}

/** Matches the ARN of an ACM certificate; group 1 is its region. */
export const CERTIFICATE_ARN = /^arn:[\w-]+:acm:([a-z0-9-]+):\d{12}:certificate\/.+$/;

/** An ACM certificate ARN, as `acm.Certificate.fromCertificateArn` takes it. */
export function validateCertificateArn(scope: IConstruct, prop: string, arn: string): void {
  if (!isKnown(arn)) return;
  check(scope, CERTIFICATE_ARN.test(arn),
    `${prop} must be an ACM certificate ARN such as 'arn:aws:acm:us-east-1:123456789012:certificate/...', got '${arn}'; `
    + "import the certificate with acm.Certificate.fromCertificateArn(this, 'Cert', '<its ARN>')");
}

/**
 * The ARN of an AWS WAF (WAFv2) web ACL CloudFront can use: scope CLOUDFRONT, which WAF keeps in
 * us-east-1 under `global/`.
 *
 * @see https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionConfig.html#cloudfront-Type-DistributionConfig-WebACLId
 */
export function validateWebAclArn(scope: IConstruct, prop: string, arn: string): void {
  if (!isKnown(arn)) return;
  check(scope, /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]+\/[\w-]+$/.test(arn),
    `${prop} must be the ARN of a WAFv2 web ACL of scope CLOUDFRONT, such as 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/<id>', `
    + `got '${arn}'; create the web ACL with scope CLOUDFRONT (in us-east-1) and pass its ARN`);
}

/**
 * CodePipeline pipeline names: 1-100 letters, digits, `.`, `@`, `_`, `-`.
 *
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html
 */
export function validatePipelineName(scope: IConstruct, prop: string, name: string): void {
  if (!isKnown(name)) return;
  check(scope, /^[A-Za-z0-9.@_-]{1,100}$/.test(name),
    `${prop} must be 1-100 letters, digits, '.', '@', '_' or '-' (CodePipeline's rules), got '${name}'; e.g. 'marketing-site'`);
}

/**
 * A value the construct needs at synth time (it names construct ids or goes into generated code):
 * a token, resolved only at deploy time, cannot be used.
 *
 * @param why what the value is needed for, e.g. 'it names the pipeline stage Deploy<name>'
 */
export function validateLiteral(scope: IConstruct, prop: string, value: string, why: string, example: string): void {
  check(scope, isKnown(value), `${prop} must not be a token, got '${value}'; ${why}, so pass a literal such as '${example}'`);
}

/**
 * Email addresses an SNS topic subscribes: each with an `@` and no spaces, and each once (SNS
 * subscribes an address once per topic, whatever its case).
 */
export function validateEmails(scope: IConstruct, prop: string, emails: string[]): void {
  check(scope, !Token.isUnresolved(emails),
    `${prop} must list the addresses, got the list token '${emails}'; each address is a subscription created at synth time, so list them`);
  const seen = new Set<string>();
  for (const email of emails) {
    if (isKnown(email)) {
      check(scope, /^[^\s@]+@[^\s@]+$/.test(email), `${prop} must hold email addresses, got '${email}'; give addresses such as 'team@example.com'`);
    }
    check(scope, !seen.has(email.toLowerCase()), `${prop} lists an email address twice, got '${email}'; list each address once`);
    seen.add(email.toLowerCase());
  }
}

/** Free text with a length limit (descriptions, approval comments). */
export function validateMaxLength(scope: IConstruct, prop: string, value: string, max: number, limitOf: string): void {
  if (!isKnown(value)) return;
  check(scope, value.length <= max, `${prop} must be at most ${max} characters (${limitOf}), got '${value}'; shorten it`);
}

/**
 * An HTTP header value: one line (a line break would end the header), and at most `maxLength`
 * characters when the header has a limit.
 */
export function validateHeaderValue(scope: IConstruct, prop: string, value: string, maxLength?: number): void {
  if (!isKnown(value)) return;
  check(scope, !/[\x00-\x08\x0a-\x1f\x7f]/.test(value),
    `${prop} must be one line without control characters, got '${value}'; remove the line breaks, the header's directives are separated by ';' or ','`);
  if (maxLength !== undefined) {
    check(scope, value.length <= maxLength,
      `${prop} must be at most ${maxLength} characters (CloudFront's limit for this header), got '${value}'; shorten it`);
  }
}

/**
 * A duration CodeBuild takes in whole minutes, within [min, max] minutes.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/APIReference/API_CreateProject.html#CodeBuild-CreateProject-request-timeoutInMinutes
 */
export function validateWholeMinutes(scope: IConstruct, prop: string, duration: Duration, min: number, max: number): void {
  if (duration.isUnresolved()) return;
  const minutes = duration.toMilliseconds({ integral: false }) / 60_000;
  check(scope, Number.isInteger(minutes) && minutes >= min && minutes <= max,
    `${prop} must be a whole number of minutes from ${min} to ${max} (CodeBuild's limits), got '${duration}'; e.g. Duration.minutes(30)`);
}

/**
 * A duration of whole days between `min` and `max` (S3 lifecycle rules expire objects by days).
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html#intro-lifecycle-rules-actions
 */
export function validateWholeDays(scope: IConstruct, prop: string, duration: Duration, min: number, max: number): void {
  if (duration.isUnresolved()) return;
  const days = duration.toMilliseconds({ integral: false }) / 86_400_000;
  check(scope, Number.isInteger(days) && days >= min && days <= max,
    `${prop} must be a whole number of days from ${min} to ${max}, got '${duration}'; e.g. Duration.days(30)`);
}

/**
 * A build image and a compute type that CodeBuild runs together (ARM, Windows and Lambda images
 * take only some compute types), as the image itself checks them.
 */
export function validateBuildEnvironment(scope: IConstruct, prefix: string,
  buildImage: codebuild.IBuildImage, computeType: codebuild.ComputeType): void {
  const problems = buildImage.validate?.({ buildImage, computeType }) ?? [];
  check(scope, problems.length === 0,
    `${prefix}.buildImage and ${prefix}.computeType do not go together, got '${buildImage.imageId}' with '${computeType}'; `
    + `${problems.join('; ')}; pick a compute type the image supports`);
}

/**
 * Whether the image runs on CodeBuild's Lambda compute (x86-64 or Arm).
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-compute-types.html#compute.types
 */
export function isLambdaImage(buildImage: codebuild.IBuildImage): boolean {
  return buildImage.type === 'LINUX_LAMBDA_CONTAINER' || buildImage.type === 'ARM_LAMBDA_CONTAINER';
}

/**
 * Build options Lambda compute cannot honour: a cache and a custom timeout.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.limitations
 */
export function validateLambdaBuildOptions(scope: IConstruct, prefix: string, buildImage: codebuild.IBuildImage,
  options: { readonly cachePaths?: string[]; readonly timeout?: Duration }): void {
  const onLambda = `with ${prefix}.buildImage the Lambda image '${buildImage.imageId}'`;
  check(scope, !options.cachePaths?.length,
    `${prefix}.cachePaths must be empty ${onLambda} (Lambda compute keeps no build cache), got '${options.cachePaths?.join(', ')}'; `
    + 'remove cachePaths, or use an EC2 image such as codebuild.LinuxBuildImage.STANDARD_7_0');
  check(scope, options.timeout === undefined,
    `${prefix}.timeout cannot be set ${onLambda} (CodeBuild stops Lambda builds after 15 minutes and takes no other timeout), `
    + `got '${options.timeout}'; remove timeout, or use an EC2 image such as codebuild.LinuxBuildImage.STANDARD_7_0`);
}

/** The kinds of build environment variable whose value names a resource the build reads. */
const SECRET_REFERENCES: Record<string, { what: string; example: string; arn: RegExp }> = {
  PARAMETER_STORE: {
    what: 'Systems Manager parameter',
    example: "'/site/api-key' or 'arn:aws:ssm:us-east-1:123456789012:parameter/site/api-key'",
    arn: /^arn:[\w-]+:ssm:[a-z0-9-]+:\d{12}:parameter\/.+$/,
  },
  SECRETS_MANAGER: {
    what: 'Secrets Manager secret',
    example: "'site-secret:password' or 'arn:aws:secretsmanager:us-east-1:123456789012:secret:site-AbCdEf'",
    arn: /^arn:[\w-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^:]+(:.*)?$/,
  },
};

/**
 * The value of a build environment variable that names an SSM parameter or a Secrets Manager
 * secret: not empty, and, when an ARN, an ARN of that service with the resource in it.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/build-spec-ref.html#build-spec.env.secrets-manager
 */
export function validateEnvironmentVariableValue(scope: IConstruct, prop: string, variable: codebuild.BuildEnvironmentVariable): void {
  const reference = SECRET_REFERENCES[variable.type ?? 'PLAINTEXT'];
  const value = variable.value === undefined || variable.value === null ? '' : String(variable.value);
  if (!reference || !isKnown(value)) return;
  check(scope, value.trim().length > 0, `${prop} must name a ${reference.what}, got '${value}'; give its name or ARN, e.g. ${reference.example}`);
  check(scope, !value.startsWith('arn:') || reference.arn.test(value),
    `${prop} must be the name or the ARN of a ${reference.what}, got '${value}'; e.g. ${reference.example}`);
}

/**
 * An EC2 instance type: family (with generation and options) and size, e.g. `t3.micro`.
 *
 * @see https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html
 */
export function validateInstanceType(scope: IConstruct, prop: string, instanceType: string): void {
  if (!isKnown(instanceType)) return;
  check(scope, /^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(instanceType),
    `${prop} must be an EC2 instance type such as 't3.micro', got '${instanceType}'; see the instance type names of Amazon EC2`);
}

/** An integer within [min, max]. */
export function validateIntegerRange(scope: IConstruct, prop: string, value: number, min: number, max: number): void {
  if (Token.isUnresolved(value)) return;
  check(scope, Number.isInteger(value) && value >= min && value <= max,
    `${prop} must be a whole number from ${min} to ${max}, got ${value}`);
}

/**
 * CodeBuild's limit on an inline buildspec, in characters. It is not on the quotas page: the API
 * rejects a longer one with "Max buildspec length is 25600".
 *
 * @see https://github.com/aws/aws-cdk/issues/30326
 */
export const CODEBUILD_INLINE_BUILDSPEC_MAX_CHARS = 25600;

/** How to shorten an upload buildspec that the immutable patterns make too long. */
const IMMUTABLE_PATTERNS_FIX = 'each pattern is repeated in every upload command, so give fewer or shorter patterns (a hashed file name needs one pattern, e.g. \'assets/*\')';

/** The parts of the upload commands a user gives: the immutable patterns and the two Cache-Control values, each repeated in the commands. */
export function uploadBuildSpecParts(cacheControl: { immutablePatterns: string[]; immutable: string; revalidated: string }): BuildSpecPart[] {
  const headerFix = 'it is repeated in every upload command, so give a shorter one, e.g. \'public, max-age=31536000, immutable\'';
  return [
    { prop: 'cacheControl.immutablePatterns', value: cacheControl.immutablePatterns, fix: IMMUTABLE_PATTERNS_FIX },
    { prop: 'cacheControl.immutable', value: cacheControl.immutable, fix: headerFix },
    { prop: 'cacheControl.revalidated', value: cacheControl.revalidated, fix: headerFix },
  ];
}

/** What an unresolved value in a buildspec (an ARN, a name) is counted as. */
const BUILDSPEC_TOKEN_CHARS = 150;

/** A prop whose value makes a buildspec long, and how to shorten it. */
export interface BuildSpecPart {
  readonly prop: string;
  readonly value: unknown;
  readonly fix: string;
}

/**
 * The inline buildspec (the object given to `BuildSpec.fromObject`) must fit CodeBuild's limit. An
 * error names the part among `parts` that takes the most of it (the one to shorten first: its
 * length, a token counted as a long ARN, times the times the buildspec repeats it) and its fix.
 */
export function validateInlineBuildSpec(scope: IConstruct, parts: BuildSpecPart[], buildSpec: object): void {
  // As aws-cdk-lib renders it (JSON, indented by 2), with each token counted as a long ARN.
  const rendered = JSON.stringify(buildSpec, undefined, 2);
  const text = rendered.replace(/[$#]\{Token\[[^\]]*\]\}/g, '-'.repeat(BUILDSPEC_TOKEN_CHARS));
  if (text.length <= CODEBUILD_INLINE_BUILDSPEC_MAX_CHARS) return;
  const taken = (part: BuildSpecPart) => [part.value ?? ''].flat().map(String).reduce((sum, value) => {
    const escaped = JSON.stringify(value).slice(1, -1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // Whole words only: a short value ('.') is no part of every word holding its characters.
    const times = Math.max(1, (rendered.match(new RegExp(`(?<![\\w./-])${escaped}(?![\\w./-])`, 'g')) ?? []).length);
    return sum + times * (Token.isUnresolved(value) ? BUILDSPEC_TOKEN_CHARS : value.length);
  }, 0);
  const longest = parts.reduce((a, b) => (taken(b) > taken(a) ? b : a));
  throw validationError(scope, `${longest.prop} makes an inline buildspec longer than CodeBuild takes (${CODEBUILD_INLINE_BUILDSPEC_MAX_CHARS} characters), `
    + `got ${text.length} characters; ${longest.fix}`);
}

/**
 * CodePipeline's limits on a trigger's file path filter: at most 8 globs for `includes` and for
 * `excludes`, each 1 to 255 characters. Only `*`, `**` and `?` are taken as wildcards, the globs
 * a CodeCommit source's changes check reads the same way.
 *
 * @see https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_GitFilePathFilterCriteria.html
 */
export function validateFilePathGlobs(scope: IConstruct, prop: string, globs: string[]): void {
  check(scope, globs.length <= 8, `${prop} takes at most 8 globs (CodePipeline's limit), got ${globs.length}; merge them, e.g. 'apps/site/**'`);
  globs.forEach((glob, i) => {
    if (!isKnown(glob)) return;
    check(scope, glob.length >= 1 && glob.length <= 255, `${prop}[${i}] must be 1 to 255 characters (CodePipeline's limit), got '${glob}'`);
    check(scope, !/[[\]{}!\\]/.test(glob) && !glob.startsWith('/'),
      `${prop}[${i}] must be a path relative to the repository root with the wildcards *, ** and ? only, got '${glob}'; e.g. 'apps/site/**'`);
  });
}
