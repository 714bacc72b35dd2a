import { App, Stack } from 'aws-cdk-lib';
import { addServerAppExamples } from '../examples/server-app';
import { addStaticSiteExamples } from '../examples/static-site';

/** Every example stack of examples/, each in its own app, not yet synthesized. */
export function exampleStacks(): Stack[] {
  return [addStaticSiteExamples, addServerAppExamples].flatMap((add) => add(new App()));
}
