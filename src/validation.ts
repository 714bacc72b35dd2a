import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The one way this library reports bad input: an error naming the construct, the prop, the
 * value and the fix, thrown at synth time.
 *
 * @example StaticSitePipeline 'Site': build.outputDirectory must be a relative path, got '/dist'
 */
export function validationError(scope: IConstruct, message: string): Error {
  return new Error(`${scope.constructor.name} '${scope.node.id}': ${message}`);
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

/** A DNS name CloudFront accepts as an alternate domain name (a leading `*.` wildcard is allowed). */
export function validateDomainName(scope: IConstruct, prop: string, name: string): void {
  if (!isKnown(name)) return;
  const label = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
  const valid = name.length <= 253 && new RegExp(`^(\\*\\.)?(${label}\\.)+${label}$`, 'i').test(name);
  check(scope, valid, `${prop} must be a domain name such as 'www.example.com', got '${name}'`);
}

/** An integer within [min, max]. */
export function validateIntegerRange(scope: IConstruct, prop: string, value: number, min: number, max: number): void {
  if (Token.isUnresolved(value)) return;
  check(scope, Number.isInteger(value) && value >= min && value <= max,
    `${prop} must be a whole number from ${min} to ${max}, got ${value}`);
}
