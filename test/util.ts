import { App, Aspects, Stack, StackProps } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';

/** The environment test stacks are synthesized for (a region other than us-east-1 on purpose). */
export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' };

/** A new stack in a new app, with cdk-nag's AwsSolutions pack applied when it synthesizes. */
export function newStack(props: StackProps = { env: TEST_ENV }): Stack {
  const stack = new Stack(new App(), 'Test', props);
  Aspects.of(stack).add(new AwsSolutionsChecks());
  return stack;
}

/** The cdk-nag errors of a stack synthesized with the AwsSolutions pack, one line each. */
export function nagErrors(stack: Stack): string[] {
  return Annotations.fromStack(stack)
    .findError('*', Match.stringLikeRegexp('AwsSolutions-'))
    .map((m) => `${m.id}: ${String(m.entry.data).split('\n')[0]}`);
}

/** The IAM policy resource types whose statements a role gets: inline and customer managed. */
const POLICY_TYPES = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'];

/**
 * Resolved statements of every IAM policy (inline or customer managed) attached to the role with
 * the given logical id.
 */
export function roleStatements(template: Template, roleLogicalId: string): any[] {
  return POLICY_TYPES.flatMap((type) => Object.values(template.findResources(type, {
    Properties: { Roles: Match.arrayWith([{ Ref: roleLogicalId }]) },
  }))).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

/** The logical id of the only resource of `type` whose logical id starts with `prefix`. */
export function logicalIdOf(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) {
    throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`);
  }
  return ids[0];
}

/** The role (logical id) a CodeBuild project runs as. */
export function projectRole(template: Template, projectLogicalId: string): string {
  const project = template.toJSON().Resources[projectLogicalId];
  return project.Properties.ServiceRole['Fn::GetAtt'][0];
}

/** Every `Action` of every IAM statement (inline and customer managed policies) in the template, flattened. */
export function allIamActions(template: Template): string[] {
  return POLICY_TYPES.flatMap((type) => Object.values(template.findResources(type)))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
    .flatMap((s: any) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

/**
 * The buildspec of the CodeBuild project with the given logical id, parsed; references to resources
 * in it (an Fn::Join) become the text 'TOKEN'.
 */
export function projectBuildSpec(template: Template, projectLogicalId: string): any {
  const spec = template.toJSON().Resources[projectLogicalId].Properties.Source.BuildSpec;
  const text = typeof spec === 'string' ? spec : spec['Fn::Join'][1].map((part: unknown) => typeof part === 'string' ? part : 'TOKEN').join('');
  return JSON.parse(text);
}

/** The message of the error `create` throws, or 'no error'. */
export function messageOf(create: () => unknown): string {
  try {
    create();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}
