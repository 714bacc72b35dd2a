/**
 * Proof: the build commands really build. Each example stack's build project runs its synthesized
 * buildspec, as CodeBuild would, on the sample project it builds in examples/, and the artifact it
 * leaves is what the deploy step needs. Negative controls show a broken build stops the release.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { StaticSiteStack } from '../../examples/static-site';
import { ProjectKind } from '../../src/project-kind';
import { resourcesOfType } from '../../test/support/template-resources';
import { Artifact, collectArtifact } from '../codebuild-emulator/artifact';
import { BuildJob, buildJobs } from '../codebuild-emulator/build-job';
import { PHASES } from '../codebuild-emulator/buildspec';
import { BuildChanges, BuildRun, phaseRun, withBuild } from '../codebuild-emulator/run-build';
import { exampleStacks } from '../example-stacks';
import { Proof, ProofResult } from '../proof';
import { DeploymentTarget, PipelineSource, ServerAppPipeline } from 'cdk-deploy-pipelines';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Lines of a phase's output quoted in a failure. */
const TAIL_LINES = 15;
/** Vite's (Rolldown's) default chunk name: `[name]-[hash].js`, the hash 8 base64url characters. */
const HASHED_JS = /^assets\/[^/]+-[A-Za-z0-9_-]{8}\.js$/;

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
interface NegativeControl extends BuildChanges {
  readonly description: string;
  check(build: BuildRun): Case[];
}

/** One assertion: what was required, whether it held, and (when not) what happened. */
interface Case {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
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

/** The action providers of every pipeline in the template (e.g. 'CodeBuild', 'CodeDeploy'). */
function pipelineProviders(template: any): string[] {
  return resourcesOfType<any>(template, 'AWS::CodePipeline::Pipeline')
    .flatMap(([, p]) => p.Properties.Stages ?? [])
    .flatMap((s: any) => s.Actions ?? [])
    .map((a: any) => a.ActionTypeId?.Provider);
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
