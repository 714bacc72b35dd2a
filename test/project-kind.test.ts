import { Template } from 'aws-cdk-lib/assertions';
import { PipelineSource, StaticSitePipeline } from '../src';
import { PROJECT_KIND_METADATA, ProjectKind } from '../src/project-kind';
import { projectKinds } from './support/project-kinds';
import { resourcesOfType } from './support/template-resources';
import { newStack } from './util';
import { DeployMode } from '../src/static-site/static-site-pipeline';
import { exampleStacks } from '../verify/example-stacks';

describe('project kinds', () => {
  test.each(exampleStacks().map((stack) => [stack.stackName, stack] as const))('every CodeBuild project of %s records its kind', (_name, stack) => {
    const projects = resourcesOfType(Template.fromStack(stack).toJSON(), 'AWS::CodeBuild::Project').map(([id]) => id);
    const kinds = projectKinds(stack);
    expect([...kinds.keys()].sort()).toEqual(projects.sort());
    expect([...kinds.values()].every((kind) => Object.values(ProjectKind).includes(kind))).toBe(true);
  });

  test('the in-place deploy project is a site deploy, and the kind is not in the template', () => {
    const stack = newStack();
    new StaticSitePipeline(stack, 'Site', { source: PipelineSource.codeCommit({ repositoryName: 'site' }), deployMode: DeployMode.IN_PLACE });
    const template = JSON.stringify(Template.fromStack(stack).toJSON());
    expect([...projectKinds(stack).values()].sort()).toEqual([ProjectKind.BUILD, ProjectKind.SITE_DEPLOY]);
    expect(template).not.toContain(PROJECT_KIND_METADATA);
  });
});
