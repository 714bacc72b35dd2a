/**
 * On Lambda compute, the construct's own commands run Node.js, the AWS CLI and shell builtins only.
 * AWS lists the packages of its Lambda images, not the commands their base image happens to ship
 * (`find`, `date`, `tr`, `cut`, `sed`), and promises nothing about those. Every CodeBuild project of
 * the stacks below that runs on a Lambda image (the deploy steps on the default deploy compute, and
 * the post_build commands of a build on a Lambda image; a build's own commands are the user's) is
 * listed statically (the commands its buildspec names) and run in bash with a PATH that holds `node`
 * and the fake `aws` and nothing else, recording any other command it tries.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/ec2-compute-images.html
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { DeploymentTarget, PipelineSource, ServerAppPipeline, StaticSitePipeline } from '../src';
import { FAKE_SITE, fakeAwsProgram, fakeAwsTestDirs, SITE_BUILD_FIXTURE } from './fake-aws';
import { commandNames } from './shell-commands';
import { projectKinds } from './support/project-kinds';
import { resourcesOfType } from './support/template-resources';
import { newStack } from './util';
import { ProjectKind } from '../src/project-kind';
import { DeployMode } from '../src/static-site/static-site-pipeline';

/** What a Lambda image promises besides the shell. */
const IMAGE_TOOLS = ['aws', 'node'];
/** The shell builtins the commands may use (builtins of bash and of POSIX sh alike). */
const BUILTINS = new Set(['cd', 'echo', 'exit', 'export', 'printf', 'test', '[', ':', 'true', 'false', 'set', 'unset']);
/** The kinds of project that run the user's build: only their post_build phase holds the construct's commands. */
const BUILD_KINDS = [ProjectKind.BUILD, ProjectKind.PREVIEW_BUILD, ProjectKind.PREVIEW_PIPELINE_BUILD];

/** The image of builds on Lambda compute in the stacks below. */
const LAMBDA_BUILD_IMAGE = codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20;
const CONNECTION = PipelineSource.connection({
  connectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', owner: 'acme', repository: 'site',
});
const CODECOMMIT = PipelineSource.codeCommit({ repositoryName: 'site' });

/** Values of the project variables the template sets from resources (a bucket's name, a store's ARN), for the fake. */
const FAKE_VALUES: Record<string, string> = {
  SITE_BUCKET: FAKE_SITE.bucket,
  KVS_ARN: FAKE_SITE.kvsArn,
  DISTRIBUTION_ID: 'E2QWRUHEXAMPLE',
  DISTRIBUTION_DOMAIN: 'd111111abcdef8.cloudfront.net',
  PREVIEW_URL: 'https://www.example.com/',
  // Verification reads the release through the distribution; here it is off (it runs Node.js's fetch only).
  VERIFY_RELEASE: '',
};
const EXECUTION = 'e1a2b3c4-0000-4000-8000-000000000001';
const PULL_REQUEST = { PULL_REQUEST_ID: '42', SOURCE_COMMIT: 'a1'.repeat(20), DESTINATION_COMMIT: 'b2'.repeat(20), PULL_REQUEST_EVENT: 'pullRequestCreated' };

const { tempDir } = fakeAwsTestDirs('lambda-compute');

/** A project of a stack that runs on a Lambda image: the construct's commands in it, and its variables. */
interface LambdaProject {
  readonly kind: ProjectKind;
  readonly commands: string[];
  readonly environment: Record<string, string>;
}

/** One run of a project's commands: which project (by its kind), where, with what. */
interface Step {
  readonly project: ProjectKind;
  /** The folder it runs in: a copy of the site build, a folder holding one as `dist`, a revision, or an empty one. */
  readonly cwd: 'site' | 'workspace' | 'revision' | 'empty';
  /** Variables the pipeline action or the start gives it; a function of what earlier steps exported. */
  readonly variables?: (exported: Record<string, string>) => Record<string, string>;
  /** Variables it exports for later steps. */
  readonly exports?: string[];
}

/** A stack of the test, what each of its Lambda projects may run besides builtins, and the runs that exercise them all. */
interface Scenario {
  readonly name: string;
  readonly build: (stack: Stack) => void;
  /** The commands other than builtins each kind of project names. */
  readonly external: Partial<Record<ProjectKind, string[]>>;
  readonly steps: Step[];
}

const releases: Step[] = [
  { project: ProjectKind.RELEASE_UPLOAD, cwd: 'site', variables: () => ({ COMMIT_ID: 'c1'.repeat(20), EXECUTION_ID: EXECUTION }), exports: ['RELEASE_ID'] },
  { project: ProjectKind.GO_LIVE, cwd: 'site', variables: (e) => ({ RELEASE_ID: e.RELEASE_ID }) },
  { project: ProjectKind.RELEASE_UPLOAD, cwd: 'site', variables: () => ({ COMMIT_ID: 'c2'.repeat(20), EXECUTION_ID: EXECUTION }), exports: ['RELEASE_ID'] },
  { project: ProjectKind.GO_LIVE, cwd: 'site', variables: (e) => ({ RELEASE_ID: e.RELEASE_ID }) },
  { project: ProjectKind.ROLLBACK, cwd: 'empty' },
];
const releaseCommands = {
  [ProjectKind.RELEASE_UPLOAD]: ['aws', 'node'],
  [ProjectKind.GO_LIVE]: ['node'],
  [ProjectKind.ROLLBACK]: ['node'],
};

const SCENARIOS: Scenario[] = [
  {
    name: 'a site with releases, CodeCommit previews and a build on a Lambda image',
    build: (stack) => new StaticSitePipeline(stack, 'Site', { source: CODECOMMIT, previews: {}, buildOptions: { buildImage: LAMBDA_BUILD_IMAGE } }),
    external: {
      ...releaseCommands,
      [ProjectKind.BUILD]: [],
      [ProjectKind.PREVIEW_BUILD]: ['aws', 'node'],
      [ProjectKind.PREVIEW_PUBLISH]: ['aws', 'node'],
      [ProjectKind.PREVIEW_REMOVE]: ['node'],
    },
    steps: [
      { project: ProjectKind.BUILD, cwd: 'workspace' },
      ...releases,
      { project: ProjectKind.PREVIEW_BUILD, cwd: 'workspace', variables: () => PULL_REQUEST, exports: ['RELEASE_ID', 'PREVIEW_NAME'] },
      { project: ProjectKind.PREVIEW_PUBLISH, cwd: 'empty', variables: (e) => ({ ...PULL_REQUEST, RELEASE_ID: e.RELEASE_ID, PREVIEW_NAME: e.PREVIEW_NAME }) },
      { project: ProjectKind.PREVIEW_REMOVE, cwd: 'empty', variables: () => PULL_REQUEST },
    ],
  },
  {
    name: 'a site with previews of a connection\'s pull requests',
    build: (stack) => new StaticSitePipeline(stack, 'Site', { source: CONNECTION, previews: {} }),
    external: {
      ...releaseCommands,
      [ProjectKind.PREVIEW_IDENTIFY]: ['node'],
      [ProjectKind.PREVIEW_UPLOAD]: ['aws', 'node'],
      [ProjectKind.PREVIEW_PUBLISH]: ['node'],
      [ProjectKind.PREVIEW_REMOVE]: ['node'],
    },
    steps: [
      ...releases,
      {
        project: ProjectKind.PREVIEW_IDENTIFY,
        cwd: 'empty',
        exports: ['EXECUTION_TRIGGER', 'PREVIEW_NAME'],
        variables: () => ({ PIPELINE_NAME: 'site-previews', EXECUTION_ID: EXECUTION, PULL_REQUEST_BRANCH: 'feature/x' }),
      },
      { project: ProjectKind.PREVIEW_UPLOAD, cwd: 'site', variables: (e) => ({ PREVIEW_NAME: e.PREVIEW_NAME, COMMIT_ID: 'c3'.repeat(20) }), exports: ['RELEASE_ID'] },
      { project: ProjectKind.PREVIEW_PUBLISH, cwd: 'site', variables: (e) => ({ RELEASE_ID: e.RELEASE_ID, PREVIEW_NAME: e.PREVIEW_NAME }) },
      { project: ProjectKind.PREVIEW_REMOVE, cwd: 'empty', variables: (e) => ({ PREVIEW_NAME: e.PREVIEW_NAME }) },
    ],
  },
  {
    name: 'a site deployed in place',
    build: (stack) => new StaticSitePipeline(stack, 'Site', { source: CODECOMMIT, deployMode: DeployMode.IN_PLACE }),
    external: { [ProjectKind.SITE_DEPLOY]: ['aws', 'node'] },
    steps: [{ project: ProjectKind.SITE_DEPLOY, cwd: 'site' }],
  },
  {
    name: 'a server app with a build on a Lambda image',
    build: (stack) => new ServerAppPipeline(stack, 'Api', {
      source: PipelineSource.codeCommit({ repositoryName: 'api' }),
      target: DeploymentTarget.ec2Tags({ app: ['api'] }),
      buildOptions: { buildImage: LAMBDA_BUILD_IMAGE },
    }),
    external: { [ProjectKind.BUILD]: ['node'] },
    steps: [{ project: ProjectKind.BUILD, cwd: 'revision' }],
  },
];

describe.each(SCENARIOS.map((s) => [s.name, s]))('%s', (_name, scenario) => {
  const stack = newStack();
  scenario.build(stack);
  const projects = lambdaProjects(stack);
  const external = (project: LambdaProject) => {
    const listed = scenario.external[project.kind];
    if (!listed) throw new Error(`the Lambda-compute project of kind ${project.kind} is not listed: say which commands it may run`);
    return listed;
  };

  test('has projects on Lambda compute', () => {
    expect(projects.length).toBeGreaterThan(0);
  });

  test.each(projects.map((p) => [p.kind, p]))('the %s project names node, aws and shell builtins only, as listed', (_kind, project) => {
    const named = [...new Set(project.commands.flatMap(commandNames))].filter((name) => !BUILTINS.has(name)).sort();
    expect(named).toEqual(external(project));
    expect(named.filter((name) => !IMAGE_TOOLS.includes(name))).toEqual([]);
  });

  test('each runs with a PATH of node and aws alone, trying no other command', () => {
    const world = new FakeWorld();
    const exported: Record<string, string> = {};
    const ran = new Set<LambdaProject>();
    for (const step of scenario.steps) {
      const project = projects.find((p) => p.kind === step.project)!;
      const run = world.run(project, step, { ...exported, ...step.variables?.(exported) });
      expect({ project: project.kind, status: run.status, notFound: run.notFound, stderr: run.status === 0 ? '' : run.stderr })
        .toEqual({ project: project.kind, status: 0, notFound: [], stderr: '' });
      Object.assign(exported, run.exported);
      ran.add(project);
    }
    // Every project ran, or one with the very same commands did.
    const unrun = projects.filter((p) => ![...ran].some((r) => r.commands.join('\n') === p.commands.join('\n')));
    expect(unrun.map((p) => p.kind)).toEqual([]);
  });
});

test('the listing reads what the deploy steps ran before they moved to Node.js', () => {
  // The site-directory check, the release id and the preview name of a branch, as they were written.
  expect(commandNames('test -n "$(find . ! -type d -print -quit)" || { echo \'empty\' >&2; exit 1; }')).toEqual(['test', 'find', 'echo', 'exit']);
  expect(commandNames('export RELEASE_ID="$(date -u +%Y%m%dT%H%M%SZ)-$(printf \'%s\' "$COMMIT_ID" | tr -cd \'0-9A-Za-z\' | cut -c1-12)"'))
    .toEqual(['export', 'date', 'printf', 'tr', 'cut']);
  expect(commandNames('export PREVIEW_NAME="$(printf \'%s\' "$B" | tr \'A-Z\' \'a-z\' | tr -cs \'a-z0-9\' \'-\' | sed \'s/^-*//\' | cut -c1-40)"'))
    .toEqual(['export', 'printf', 'tr', 'tr', 'sed', 'cut']);
  expect(() => commandNames('for f in *; do echo "$f"; done')).toThrow("'for' is not read here");
});

/** The projects of the stack on a Lambda image, with the construct's commands (a build's post_build only: the rest is the user's). */
function lambdaProjects(stack: Stack): LambdaProject[] {
  const kinds = projectKinds(stack);
  return resourcesOfType<any>(Template.fromStack(stack).toJSON(), 'AWS::CodeBuild::Project')
    .filter(([, r]) => r.Properties.Environment.Type === 'LINUX_LAMBDA_CONTAINER')
    .map(([id, r]) => {
      const kind = kinds.get(id)!;
      const spec = JSON.parse(placeholders(r.Properties.Source.BuildSpec));
      const phases = BUILD_KINDS.includes(kind) ? ['post_build'] : Object.keys(spec.phases);
      return {
        kind,
        commands: phases.flatMap((phase) => spec.phases[phase]?.commands ?? []),
        environment: Object.fromEntries((r.Properties.Environment.EnvironmentVariables ?? [])
          .map((v: any) => [v.Name, v.Name in FAKE_VALUES ? FAKE_VALUES[v.Name] : literal(v.Name, v.Value)])),
      };
    });
}

/** A value of the template with each reference to a resource replaced by a placeholder name. */
function placeholders(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as any;
  if (v['Fn::Join']) return v['Fn::Join'][1].map(placeholders).join(v['Fn::Join'][0]);
  if (v.Ref) return `placeholder-${v.Ref}`;
  if (v['Fn::GetAtt']) return `placeholder-${v['Fn::GetAtt'].join('-')}`;
  throw new Error(`no placeholder for ${JSON.stringify(value)}`);
}

/** A project variable the template writes as a string. */
function literal(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new Error(`project variable ${name} is ${JSON.stringify(value)}: give it a value in FAKE_VALUES`);
  return value;
}

/** The bucket, store and pipeline executions the fake `aws` keeps for one scenario, and the runs against them. */
class FakeWorld {
  private readonly dir = tempDir('world');
  private readonly tools = path.join(this.dir, 'bin');
  private readonly state = path.join(this.dir, 'state.json');

  constructor() {
    fs.mkdirSync(this.tools);
    fs.symlinkSync(process.execPath, path.join(this.tools, 'node'));
    fs.symlinkSync(fakeAwsProgram(), path.join(this.tools, 'aws'));
    fs.writeFileSync(this.state, JSON.stringify({
      bucket: FAKE_SITE.bucket,
      objects: {},
      kvs: { arn: FAKE_SITE.kvsArn, etag: 'ETAG1', keys: {} },
      pipelineExecutions: { [EXECUTION]: { pipelineName: 'site-previews', triggerType: 'WebhookV2' } },
    }));
  }

  /**
   * Runs a project's commands as CodeBuild does (one shell, each command's failure ends the run),
   * with the project's variables, CodeBuild's own, and `variables`; a command the shell does not
   * find is written to a log instead of run.
   */
  public run(project: LambdaProject, step: Step, variables: Record<string, string>) {
    const cwd = this.folder(step.cwd);
    const notFoundLog = path.join(this.dir, 'not-found.log');
    fs.writeFileSync(notFoundLog, '');
    const script = [
      'command_not_found_handle() { printf \'%s\\n\' "$1" >> "$NOT_FOUND_LOG"; return 127; }',
      ...project.commands.map((command) => `${command}\ncodebuild_status=$?; if [ "$codebuild_status" -ne 0 ]; then exit "$codebuild_status"; fi`),
      ...(step.exports ?? []).map((name) => `printf '__exported %s=%s\\n' ${name} "$${name}"`),
    ].join('\n');
    const result = spawnSync(BASH, ['-c', script], {
      cwd,
      encoding: 'utf8',
      env: {
        PATH: this.tools,
        HOME: this.dir,
        TMPDIR: tempDir('tmp'),
        FAKE_AWS_STATE: this.state,
        FAKE_AWS_LOG: path.join(this.dir, 'aws.log'),
        NOT_FOUND_LOG: notFoundLog,
        CODEBUILD_BUILD_ID: `${project.kind}:0a1b2c3d`,
        CODEBUILD_START_TIME: String(Date.now()),
        CODEBUILD_BUILD_SUCCEEDING: '1',
        CODEBUILD_SRC_DIR: cwd,
        ...project.environment,
        ...variables,
      },
    });
    return {
      status: result.status,
      stderr: `${result.stdout}${result.stderr}`.slice(-2000),
      notFound: fs.readFileSync(notFoundLog, 'utf8').split('\n').filter(Boolean),
      exported: Object.fromEntries([...result.stdout.matchAll(/^__exported (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]])),
    };
  }

  private folder(kind: Step['cwd']): string {
    const dir = tempDir(kind);
    if (kind === 'site') fs.cpSync(SITE_BUILD_FIXTURE, dir, { recursive: true });
    if (kind === 'workspace') fs.cpSync(SITE_BUILD_FIXTURE, path.join(dir, 'dist'), { recursive: true });
    if (kind === 'revision') fs.cpSync(path.join(__dirname, 'fixtures', 'revisions', 'good'), dir, { recursive: true });
    return dir;
  }
}

/** bash, found on this process's PATH (the runs' PATH holds node and aws only). */
const BASH = execFileSync('sh', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim();
