import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { BuildOptions, DeploymentTarget, PipelineSource, ServerAppPipeline, StaticSitePipeline } from '../src';
import { logicalIdOf, newStack, projectBuildSpec } from './util';
import { exampleStacks } from '../verify/example-stacks';

/** The build kinds: each synthesizes a stack and names the prefix of its project's logical id. */
const BUILD_KINDS: ReadonlyArray<readonly [string, (stack: Stack, buildOptions: BuildOptions) => void, string]> = [
  ['the site build', (stack, buildOptions) => new StaticSitePipeline(stack, 'Site', {
    source: PipelineSource.codeCommit({ repositoryName: 'site' }), buildOptions,
  }), 'SiteBuild'],
  ['the CodeCommit preview build', (stack, buildOptions) => new StaticSitePipeline(stack, 'Site', {
    source: PipelineSource.codeCommit({ repositoryName: 'site' }), buildOptions, previews: {},
  }), 'SitePreviewsBuild'],
  ['the server build', (stack, buildOptions) => new ServerAppPipeline(stack, 'Api', {
    source: PipelineSource.codeCommit({ repositoryName: 'api' }),
    buildOptions,
    target: DeploymentTarget.ec2Tags({ app: ['api'] }),
  }), 'ApiBuild'],
];

const COMPUTES: ReadonlyArray<readonly [string, BuildOptions]> = [
  ['EC2 compute', {}],
  ['Lambda compute', { buildImage: codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22 }],
];

/** The buildspec of the build project of a build kind, parsed. */
function buildSpecOf(kind: typeof BUILD_KINDS[number], buildOptions: BuildOptions): any {
  const [, add, prefix] = kind;
  const stack = newStack();
  add(stack, buildOptions);
  const template = Template.fromStack(stack);
  return projectBuildSpec(template, logicalIdOf(template, 'AWS::CodeBuild::Project', prefix));
}

/** Every `on-failure` of a buildspec's phases. */
function onFailures(spec: any): string[] {
  return Object.values<any>(spec.phases).map((phase) => phase['on-failure']).filter(Boolean);
}

describe('a failed build releases nothing, on either compute', () => {
  describe.each(BUILD_KINDS.map((kind) => [kind[0], kind] as const))('%s', (_, kind) => {
    test('on EC2 compute, the build phase aborts the build on failure (post_build never runs)', () => {
      const spec = buildSpecOf(kind, COMPUTES[0][1]);
      expect(spec.phases.build['on-failure']).toBe('ABORT');
      expect(JSON.stringify(spec)).not.toContain('CODEBUILD_BUILD_SUCCEEDING');
    });

    test('on Lambda compute, no phase has on-failure, which Lambda compute does not support', () => {
      const spec = buildSpecOf(kind, COMPUTES[1][1]);
      expect(onFailures(spec)).toEqual([]);
    });

    test('on Lambda compute, post_build (when there is one) first stops unless the build succeeded', () => {
      const spec = buildSpecOf(kind, COMPUTES[1][1]);
      if (spec.phases.post_build) {
        expect(spec.phases.post_build.commands[0]).toMatch(/^test "\$\{CODEBUILD_BUILD_SUCCEEDING:-0\}" = 1 \|\| /);
        expect(spec.phases.post_build.commands.slice(1).join('\n')).not.toContain('CODEBUILD_BUILD_SUCCEEDING');
      } else {
        expect(kind[0]).toBe('the site build');
      }
    });
  });

  test('the builds that check or release in post_build have one: preview and server', () => {
    expect(BUILD_KINDS.filter((kind) => buildSpecOf(kind, COMPUTES[1][1]).phases.post_build).map((kind) => kind[0]))
      .toEqual(['the CodeCommit preview build', 'the server build']);
  });

  describe('the preview build\'s post_build on Lambda compute, run in bash as CodeBuild runs it', () => {
    const spec = buildSpecOf(BUILD_KINDS[1], COMPUTES[1][1]);
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'build-test-'));
      // An `aws` that records each call: the upload and the start of the publish project.
      fs.writeFileSync(path.join(dir, 'aws'), `#!/bin/sh\necho "$*" >> "${dir}/aws-calls"\n`, { mode: 0o755 });
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Runs the phase's commands in one bash, stopping at the first failure, as CodeBuild does. */
    function runPostBuild(succeeding: string): { status: number | null; stderr: string; awsCalls: string } {
      fs.rmSync(path.join(dir, 'aws-calls'), { force: true });
      const script = spec.phases.post_build.commands.map((command: string) => `${command} || exit $?`).join('\n');
      const run = spawnSync('bash', ['-c', script], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: `${dir}:${process.env.PATH}`, CODEBUILD_BUILD_SUCCEEDING: succeeding },
      });
      const callsFile = path.join(dir, 'aws-calls');
      return { status: run.status, stderr: run.stderr, awsCalls: fs.existsSync(callsFile) ? fs.readFileSync(callsFile, 'utf8') : '' };
    }

    test('after a failed build or test (CODEBUILD_BUILD_SUCCEEDING=0) it fails before any upload', () => {
      const run = runPostBuild('0');
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('The build or its tests failed: nothing of this build is checked or released.');
      expect(run.awsCalls).toBe('');
    });

    test('after a successful build it goes on to the next command', () => {
      const run = runPostBuild('1');
      expect(run.stderr).not.toContain('The build or its tests failed');
      // The next command is the preview's own check of its variables, which fail here: no PULL_REQUEST_ID.
      expect(run.stderr).toContain('PULL_REQUEST_ID is not set');
    });
  });
});

describe('Node.js versions', () => {
  /**
   * The end of life of each Node.js release line that CodeBuild images offer.
   *
   * @see https://github.com/nodejs/release#release-schedule
   */
  const END_OF_LIFE: Record<string, string> = { 18: '2025-04-30', 20: '2026-04-30', 22: '2027-04-30', 24: '2028-04-30' };

  /** The Node.js major version each CodeBuild project of a template runs: its Lambda image's, or its buildspec's runtime-versions. */
  function nodeVersions(template: Template): Array<{ project: string; major: string }> {
    return Object.entries(template.findResources('AWS::CodeBuild::Project')).flatMap(([id, project]: [string, any]) => {
      const images = [project.Properties.Environment.Image].flat(3).map((image: any) => image?.['Fn::If'] ?? image).flat();
      const fromImage = images.map((image: unknown) => /-lambda-standard:nodejs(\d+)$/.exec(String(image))?.[1]).filter(Boolean) as string[];
      const runtime = projectBuildSpec(template, id).phases?.install?.['runtime-versions']?.nodejs;
      return [...fromImage, ...(runtime ? [String(runtime)] : [])].map((major) => ({ project: id, major }));
    });
  }

  test('every project of every example runs a Node.js before its end of life', () => {
    const today = new Date().toISOString().slice(0, 10);
    const stacks = exampleStacks();
    const versions = stacks.flatMap((stack) => nodeVersions(Template.fromStack(stack)).map((v) => ({ ...v, stack: stack.stackName })));
    expect(versions.length).toBeGreaterThan(stacks.length);
    const past = versions.filter((v) => !(END_OF_LIFE[v.major] > today))
      .map((v) => `${v.stack} ${v.project}: Node.js ${v.major} (end of life ${END_OF_LIFE[v.major] ?? 'unknown'})`);
    // When this fails on a date, move the defaults (src/build.ts, src/deploy-compute.ts) to a newer LTS the images offer.
    expect(past).toEqual([]);
  });

  test('the default build installs Node.js 22; the deploy steps run on the Lambda image with Node.js 22', () => {
    const stack = newStack();
    new StaticSitePipeline(stack, 'Site', { source: PipelineSource.codeCommit({ repositoryName: 'site' }) });
    const template = Template.fromStack(stack);
    expect(nodeVersions(template).map((v) => v.major)).toEqual(['22', '22', '22', '22']);
    expect(projectBuildSpec(template, logicalIdOf(template, 'AWS::CodeBuild::Project', 'SiteBuild')).phases.install['runtime-versions'])
      .toEqual({ nodejs: '22' });
  });

  test('a user who pins Node.js 20 keeps it', () => {
    const spec = buildSpecOf(BUILD_KINDS[0], { runtimeVersions: { nodejs: '20' } });
    expect(spec.phases.install['runtime-versions']).toEqual({ nodejs: '20' });
  });
});
