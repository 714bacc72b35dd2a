import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aspects } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { appContext, FeatureFlags, Subject } from './harness';
import { NagCounter } from './nag-counter';

/** What the benchmark counts in one synthesized stack. */
export interface StackMetrics {
  /** Resources in the template. */
  readonly resources: number;
  /** Resources per CloudFormation type. */
  readonly resourcesByType: Record<string, number>;
  /** Construct paths of the resources of each type, to name what a count difference is made of. */
  readonly resourcePaths: Record<string, string[]>;
  /** Bytes of the template as minified JSON, without the construct path metadata added for this report. */
  readonly templateBytes: number;
  /** Statements of identity policies: `AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy` and roles' inline policies. */
  readonly iamStatements: number;
  /** Actions with a `*` in those statements (`s3:GetObject*`, `kms:ReEncrypt*`, `*`). */
  readonly wildcardActions: number;
  /** `AWS::Lambda::Function` resources. */
  readonly lambdaFunctions: number;
  /** File assets to publish, not counting the stack's own template. */
  readonly fileAssets: number;
  /** Bytes of those file assets in the cloud assembly. */
  readonly fileAssetBytes: number;
  /** Docker image assets to build and publish. */
  readonly dockerImageAssets: number;
  /** cdk-nag AwsSolutions error-level findings left open. */
  readonly nagErrors: number;
  /** cdk-nag AwsSolutions error-level findings suppressed with a reason. */
  readonly nagSuppressedErrors: number;
}

/**
 * Synthesizes the subject's stack with cdk-nag's AwsSolutions pack applied and returns its
 * metrics. Runs in the benchmark's own process: it is not timed.
 */
export function inspectSubject(subject: Subject, flags: FeatureFlags): StackMetrics {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-bench-'));
  try {
    const context = {
      ...appContext(flags),
      // Construct paths name the resources in the report, as `cdk synth` has them.
      [cxapi.PATH_METADATA_ENABLE_CONTEXT]: true,
      // The nag findings are counted here; reported again by aws-cdk-lib, they would fail this process.
      [cxapi.ANNOTATIONS_IN_VALIDATION_REPORT]: false,
    };
    const app = new App({ outdir, context });
    const stack = subject.createStack(app);
    const nag = new NagCounter();
    Aspects.of(stack).add(new AwsSolutionsChecks({ reports: false, additionalLoggers: [nag] }));
    const assembly = app.synth();
    return stackMetrics(assembly, assembly.getStackByName(stack.stackName), nag);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Returns the metrics of `stack`, synthesized into `assembly`, with the nag findings counted. */
function stackMetrics(assembly: cxapi.CloudAssembly, stack: cxapi.CloudFormationStackArtifact, nag: NagCounter): StackMetrics {
  const resources: Record<string, any> = stack.template.Resources ?? {};
  const statements = identityPolicyStatements(Object.values(resources));
  const assets = publishedAssets(assembly);
  const resourcesByType: Record<string, number> = {};
  const resourcePaths: Record<string, string[]> = {};
  for (const [logicalId, resource] of Object.entries(resources)) {
    resourcesByType[resource.Type] = (resourcesByType[resource.Type] ?? 0) + 1;
    (resourcePaths[resource.Type] ??= []).push(resource.Metadata?.['aws:cdk:path'] ?? logicalId);
  }
  return {
    resources: Object.keys(resources).length,
    resourcesByType,
    resourcePaths,
    templateBytes: Buffer.byteLength(JSON.stringify(stack.template, dropPathMetadata)),
    iamStatements: statements.length,
    wildcardActions: statements.flatMap((s) => asArray(s.Action)).filter((a) => typeof a === 'string' && a.includes('*')).length,
    lambdaFunctions: resourcesByType['AWS::Lambda::Function'] ?? 0,
    fileAssets: assets.files.length,
    // An asset made by a command (`executable`) has no file in the assembly until it is published.
    fileAssetBytes: assets.files.reduce((sum, file) => sum + (file.path ? bytesOf(path.join(assembly.directory, file.path)) : 0), 0),
    dockerImageAssets: assets.dockerImages,
    nagErrors: nag.errors,
    nagSuppressedErrors: nag.suppressedErrors,
  };
}

/** A `JSON.stringify` replacer leaving out the `aws:cdk:path` metadata that `inspectSubject` turns on. */
function dropPathMetadata(key: string, value: any): any {
  if (key !== 'Metadata' || typeof value !== 'object') return value;
  const { 'aws:cdk:path': _path, ...rest } = value;
  return Object.keys(rest).length ? rest : undefined;
}

/** Every statement of the identity policies among `resources` (trust policies excluded). */
function identityPolicyStatements(resources: any[]): any[] {
  return resources.flatMap((resource) => {
    switch (resource.Type) {
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
        return asArray(resource.Properties.PolicyDocument.Statement);
      case 'AWS::IAM::Role':
        return asArray(resource.Properties.Policies).flatMap((p: any) => asArray(p.PolicyDocument.Statement));
      default:
        return [];
    }
  });
}

/**
 * The sources of the file assets (a path relative to the assembly, or none for an asset a command
 * makes) and the number of Docker image assets listed in the assembly's `*.assets.json` manifests.
 * Stack templates are left out: the default synthesizer publishes every template as a file asset,
 * with or without anything else to publish.
 */
function publishedAssets(assembly: cxapi.CloudAssembly): { files: Array<{ path?: string }>; dockerImages: number } {
  const templates = new Set(assembly.stacks.map((s) => s.templateFile));
  const manifests = fs.readdirSync(assembly.directory)
    .filter((f) => f.endsWith('.assets.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(assembly.directory, f), 'utf-8')));
  const files = manifests.flatMap((m) => Object.values<any>(m.files ?? {}))
    .map((asset) => asset.source as { path?: string })
    .filter((source) => source.path === undefined || !templates.has(source.path));
  const dockerImages = manifests.reduce((n, m) => n + Object.keys(m.dockerImages ?? {}).length, 0);
  return { files, dockerImages };
}

/** Size in bytes of a file, or of every file under a directory. */
function bytesOf(target: string): number {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.size;
  return fs.readdirSync(target).reduce((sum, entry) => sum + bytesOf(path.join(target, entry)), 0);
}

/** A CloudFormation value that may be one item or a list, as a list. */
function asArray(value: unknown): any[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
