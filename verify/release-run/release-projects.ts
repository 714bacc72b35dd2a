/**
 * The release projects of a synthesized static site template, as the proof runs them: each
 * project's buildspec commands, its environment (references resolved as CloudFormation would),
 * the variables the pipeline action passes, and its role's policies.
 */
import { spawn, spawnSync } from 'child_process';
import { Template } from 'aws-cdk-lib/assertions';
import { ProjectKind } from '../../src/project-kind';
import { onlyProjectOfKind } from '../../test/support/project-kinds';
import { resourcesOfType } from '../../test/support/template-resources';
import { exampleStacks } from '../example-stacks';
import { readStackModel, StackModel } from '../iam/stack-model';

/** The example stack whose release projects the proof and the bench run, and where it is deemed deployed. */
export const RELEASE_EXAMPLE_STACK = 'StaticSiteExample';
export const RELEASE_EXAMPLE_ENV = { account: '123456789012', region: 'eu-west-1', partition: 'aws', stackName: RELEASE_EXAMPLE_STACK };

/** The kind of the project of each release step (the proof finds them by it). */
export const RELEASE_PROJECT_KINDS = {
  upload: ProjectKind.RELEASE_UPLOAD,
  goLive: ProjectKind.GO_LIVE,
  rollback: ProjectKind.ROLLBACK,
} as const;

export type ReleaseStep = keyof typeof RELEASE_PROJECT_KINDS;

/** The kind of the project of each preview step of a connection source. */
export const PREVIEW_PROJECT_KINDS = {
  previewUpload: ProjectKind.PREVIEW_UPLOAD,
  previewPublish: ProjectKind.PREVIEW_PUBLISH,
  previewRemove: ProjectKind.PREVIEW_REMOVE,
} as const;

export type PreviewStep = keyof typeof PREVIEW_PROJECT_KINDS;

export interface ReleaseProject {
  readonly step: ReleaseStep | PreviewStep | 'previewFirstStep';
  readonly logicalId: string;
  readonly roleLogicalId: string;
  readonly commands: string[];
  readonly exportedVariables: string[];
  /** The project's own environment variables, resolved. */
  readonly environment: Record<string, string>;
  /** The role's policy documents as the template has them. */
  readonly policies: Array<{ Statement: Array<Record<string, unknown>> }>;
}

/** The upload, go-live and rollback projects of the template; throws when one is missing. */
export function releaseProjects(model: StackModel): Record<ReleaseStep, ReleaseProject> {
  return projectsOfKinds(model, RELEASE_PROJECT_KINDS);
}

/** The preview upload, publish and remove projects of a template with a connection source; throws when one is missing. */
export function previewProjects(model: StackModel): Record<PreviewStep, ReleaseProject> {
  return projectsOfKinds(model, PREVIEW_PROJECT_KINDS);
}

/** The one CodeBuild project of each step's kind; throws when one is missing or not alone. */
function projectsOfKinds<S extends ReleaseStep | PreviewStep>(model: StackModel, kinds: Record<S, ProjectKind>): Record<S, ReleaseProject> {
  const find = (step: S): ReleaseProject => projectOf(model, onlyProjectOfKind(model.projectKinds, kinds[step]), step);
  return Object.fromEntries((Object.keys(kinds) as S[]).map((step) => [step, find(step)])) as Record<S, ReleaseProject>;
}

/** The CodeBuild project of the template with this logical id, as the proofs run it. */
function projectOf<S extends string>(model: StackModel, logicalId: string, step: S): ReleaseProject & { step: S } {
  const resource: any = model.template.Resources[logicalId];
  const spec = JSON.parse(model.resolver.resolveString(resource.Properties.Source.BuildSpec));
  const roleLogicalId = resource.Properties.ServiceRole['Fn::GetAtt'][0];
  const role = model.roles.find((r) => r.logicalId === roleLogicalId);
  if (!role) throw new Error(`${logicalId}: role ${roleLogicalId} is not in the template`);
  return {
    step,
    logicalId,
    roleLogicalId,
    commands: spec.phases.build.commands,
    exportedVariables: spec.env?.['exported-variables'] ?? [],
    environment: Object.fromEntries((resource.Properties.Environment.EnvironmentVariables ?? [])
      .map((v: any) => [v.Name, model.resolver.resolveString(v.Value)])),
    policies: role.policies.map((p) => p.document as any),
  } as ReleaseProject & { step: S };
}

/** A connection's preview pipeline as the proof runs it: its name, stages, and its first step with that step's action variables. */
export interface PreviewPipeline {
  readonly name: string;
  /** The stages as the template declares them (names, entry conditions). */
  readonly stages: Array<{ readonly Name: string; readonly BeforeEntry?: unknown }>;
  /** The project telling a pull request's execution from the others, and naming the preview. */
  readonly firstStep: ReleaseProject;
  /** The environment variables the first step's action gives its project (`#{...}` references as written). */
  readonly firstStepVariables: Record<string, string>;
}

/** The preview pipelines of a template with a connection source (the pipelines whose stage PullRequest runs a first step). */
export function previewPipelines(model: StackModel): PreviewPipeline[] {
  return resourcesOfType<any>(model.template, 'AWS::CodePipeline::Pipeline')
    .flatMap(([id, r]) => {
      const action = (r.Properties.Stages as any[]).find((stage) => stage.Name === 'PullRequest')?.Actions[0];
      if (!action) return [];
      return [{
        name: model.resolver.resolveString({ Ref: id }),
        stages: r.Properties.Stages,
        firstStep: projectOf(model, action.Configuration.ProjectName.Ref, 'previewFirstStep'),
        firstStepVariables: Object.fromEntries(JSON.parse(action.Configuration.EnvironmentVariables).map((v: any) => [v.name, v.value])),
      }];
    });
}

/** The example stack, synthesized now, and its release projects; throws when the stack or a project is missing. */
export function exampleRelease(): { model: StackModel; projects: Record<ReleaseStep, ReleaseProject> } {
  const model = exampleStackModel(RELEASE_EXAMPLE_STACK);
  return { model, projects: releaseProjects(model) };
}

/** An example stack with a connection source and previews, synthesized now: its release and preview projects. */
export function examplePreviews(stackName: string): {
  model: StackModel; projects: Record<ReleaseStep, ReleaseProject>; previews: Record<PreviewStep, ReleaseProject>; pipelines: PreviewPipeline[];
} {
  const model = exampleStackModel(stackName);
  return { model, projects: releaseProjects(model), previews: previewProjects(model), pipelines: previewPipelines(model) };
}

/** An example stack, synthesized now, as the proofs read it, deemed deployed in RELEASE_EXAMPLE_ENV's account and region. */
function exampleStackModel(stackName: string): StackModel {
  const stack = exampleStacks().find((s) => s.stackName === stackName);
  if (!stack) throw new Error(`exampleStacks() has no stack ${stackName}`);
  return readStackModel(stack, Template.fromStack(stack).toJSON() as any, { ...RELEASE_EXAMPLE_ENV, stackName });
}

/** The value of the go-live's releasesToKeep (the `publish` command's second argument). */
export function releasesToKeep(goLive: ReleaseProject): number {
  return Number(/ publish \S+ (\d+) /.exec(goLive.commands.join('\n'))?.[1]);
}

/** What one run of a project's commands did. */
export interface ProjectRun {
  readonly status: number;
  readonly output: string;
  /** The values of the buildspec's exported variables at the end of the run. */
  readonly exported: Record<string, string>;
}

/**
 * Runs a project's commands as CodeBuild does: one `sh` for all (variables carry over), the first
 * command that fails ends the run with its status; then prints the exported variables. `overrides`
 * replace variables of the project's own environment (the distribution's domain, for one).
 */
export function runProject(project: ReleaseProject, cwd: string, env: Record<string, string>, overrides: Record<string, string> = {}): ProjectRun {
  const result = spawnSync('sh', ['-c', projectScript(project)], {
    cwd, env: { ...env, ...project.environment, ...overrides }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  return projectRun(result.status, result.stdout, result.stderr);
}

/** `runProject` without blocking this process, so that a server of it can answer the run (the stand-in distribution). */
export function runProjectAsync(project: ReleaseProject, cwd: string, env: Record<string, string>,
  overrides: Record<string, string> = {}): Promise<ProjectRun> {
  return runCommandsAsync(project, cwd, { ...env, ...project.environment, ...overrides });
}

/** Buildspec commands (and the variables they export) run as CodeBuild runs them, in `cwd` with exactly `env`. */
export function runCommandsAsync(spec: { commands: string[]; exportedVariables: string[] }, cwd: string,
  env: Record<string, string>): Promise<ProjectRun> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', projectScript(spec)], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('close', (status) => resolve(projectRun(status, stdout, stderr)));
  });
}

/** A project's commands as one `sh` script, stopping at the first failure, then printing the exported variables. */
function projectScript(project: { commands: string[]; exportedVariables: string[] }): string {
  return [
    ...project.commands.map((command) => `${command}\ncodebuild_status=$?\nif [ "$codebuild_status" -ne 0 ]; then exit "$codebuild_status"; fi`),
    ...project.exportedVariables.map((name) => `printf '__exported %s=%s\\n' ${name} "$${name}"`),
  ].join('\n');
}

function projectRun(status: number | null, stdout: string, stderr: string): ProjectRun {
  const exported = Object.fromEntries([...stdout.matchAll(/^__exported (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  return { status: status ?? 1, output: `${stdout}${stderr}`, exported };
}
