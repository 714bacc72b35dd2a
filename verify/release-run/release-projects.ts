/**
 * The release projects of a synthesized static site template, as the proof runs them: each
 * project's buildspec commands, its environment (references resolved as CloudFormation would),
 * the variables the pipeline action passes, and its role's policies.
 */
import { spawn, spawnSync } from 'child_process';
import { Template } from 'aws-cdk-lib/assertions';
import { exampleStacks } from '../example-stacks';
import { readStackModel, StackModel } from '../iam/stack-model';

/** The example stack whose release projects the proof and the bench run, and where it is deemed deployed. */
export const RELEASE_EXAMPLE_STACK = 'StaticSiteExample';
export const RELEASE_EXAMPLE_ENV = { account: '123456789012', region: 'eu-west-1', partition: 'aws', stackName: RELEASE_EXAMPLE_STACK };

/** How src/static-site/release-projects.ts describes each project (the proof finds them by it). */
export const RELEASE_PROJECT_DESCRIPTIONS = {
  upload: 'Uploads the site build as a new release',
  goLive: 'Verifies the uploaded release and makes it the live one',
  rollback: 'Makes the previous release',
} as const;

export type ReleaseStep = keyof typeof RELEASE_PROJECT_DESCRIPTIONS;

export interface ReleaseProject {
  readonly step: ReleaseStep;
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
  const projects = Object.entries<any>(model.template.Resources).filter(([, r]) => r.Type === 'AWS::CodeBuild::Project');
  const find = (step: ReleaseStep): ReleaseProject => {
    const found = projects.find(([, r]) => String(r.Properties.Description ?? '').startsWith(RELEASE_PROJECT_DESCRIPTIONS[step]));
    if (!found) throw new Error(`${model.stackName} has no CodeBuild project described '${RELEASE_PROJECT_DESCRIPTIONS[step]}...'`);
    const [logicalId, resource] = found;
    const spec = JSON.parse(resource.Properties.Source.BuildSpec);
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
    };
  };
  return { upload: find('upload'), goLive: find('goLive'), rollback: find('rollback') };
}

/** The example stack, synthesized now, and its release projects; throws when the stack or a project is missing. */
export function exampleRelease(): { model: StackModel; projects: Record<ReleaseStep, ReleaseProject> } {
  const stack = exampleStacks().find((s) => s.stackName === RELEASE_EXAMPLE_STACK);
  if (!stack) throw new Error(`exampleStacks() has no stack ${RELEASE_EXAMPLE_STACK}`);
  const model = readStackModel(RELEASE_EXAMPLE_STACK, Template.fromStack(stack).toJSON() as any, RELEASE_EXAMPLE_ENV);
  return { model, projects: releaseProjects(model) };
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
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', projectScript(project)], { cwd, env: { ...env, ...project.environment, ...overrides } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('close', (status) => resolve(projectRun(status, stdout, stderr)));
  });
}

/** A project's commands as one `sh` script, stopping at the first failure, then printing the exported variables. */
function projectScript(project: ReleaseProject): string {
  return [
    ...project.commands.map((command) => `${command}\ncodebuild_status=$?\nif [ "$codebuild_status" -ne 0 ]; then exit "$codebuild_status"; fi`),
    ...project.exportedVariables.map((name) => `printf '__exported %s=%s\\n' ${name} "$${name}"`),
  ].join('\n');
}

function projectRun(status: number | null, stdout: string, stderr: string): ProjectRun {
  const exported = Object.fromEntries([...stdout.matchAll(/^__exported (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  return { status: status ?? 1, output: `${stdout}${stderr}`, exported };
}
