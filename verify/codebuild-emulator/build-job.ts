/**
 * The build projects of a synthesized stack as jobs the emulator runs: the buildspec, the project's
 * environment with references as placeholder text (no AWS is at hand), and where CodeBuild would run it.
 */
import { Stack } from 'aws-cdk-lib';
import { BuildSpec, parseBuildSpec } from './buildspec';
import { ProjectKind } from '../../src/project-kind';
import { projectKinds } from '../../test/support/project-kinds';
import { resourcesOfType } from '../../test/support/template-resources';

/** One build project of one example stack, ready to run. */
export interface BuildJob {
  readonly stackName: string;
  readonly projectId: string;
  readonly spec: BuildSpec;
  /** Environment variables of the project, references replaced by placeholder text. */
  readonly projectEnv: Record<string, string>;
  readonly image: string;
  readonly region: string;
  readonly pipelineId: string;
}

/** The build projects of a synthesized stack, with their buildspecs parsed. */
export function buildJobs(stack: Stack, template: any): BuildJob[] {
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

export function placeholder(name: string): string {
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
