import { App, Stack } from 'aws-cdk-lib';
import { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';

/**
 * Synthesizes every app the stacks belong to, once each (example stacks may share an app), and
 * returns each stack's artifact. Aspects added before this call run during it.
 */
export function synthesize(stacks: Stack[]): Map<Stack, CloudFormationStackArtifact> {
  const artifacts = new Map<Stack, CloudFormationStackArtifact>();
  for (const app of new Set(stacks.map(appOf))) {
    const assembly = app.synth();
    for (const stack of stacks.filter((s) => appOf(s) === app)) {
      artifacts.set(stack, assembly.getStackArtifact(stack.artifactId));
    }
  }
  return artifacts;
}

/** Returns the app at the root of `stack`'s construct tree. */
function appOf(stack: Stack): App {
  const root = stack.node.root;
  if (!App.isApp(root)) {
    throw new Error(`${stack.node.path} is not in an App, so it cannot be synthesized on its own`);
  }
  return root;
}
