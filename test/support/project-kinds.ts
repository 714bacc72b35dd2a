import { CfnResource, Stack } from 'aws-cdk-lib';
import { PROJECT_KIND_METADATA, ProjectKind } from '../../src/project-kind';

/**
 * The kind of each CodeBuild project of `stack`, by logical id, as the library recorded it in the
 * construct metadata (src/project-kind.ts): how the tests and the proofs tell the projects apart,
 * since the template itself does not say.
 */
export function projectKinds(stack: Stack): Map<string, ProjectKind> {
  const kinds = new Map<string, ProjectKind>();
  for (const construct of stack.node.findAll()) {
    const recorded = construct.node.metadata.find((entry) => entry.type === PROJECT_KIND_METADATA);
    if (recorded && CfnResource.isCfnResource(construct)) {
      kinds.set(stack.resolve(construct.logicalId), recorded.data as ProjectKind);
    }
  }
  return kinds;
}

/** The logical id of the one project of `kind` among `kinds` (see projectKinds); throws when there is none or more than one. */
export function onlyProjectOfKind(kinds: ReadonlyMap<string, ProjectKind>, kind: ProjectKind): string {
  const ids = [...kinds].filter(([, k]) => k === kind).map(([id]) => id);
  if (ids.length !== 1) {
    throw new Error(`expected one CodeBuild project of kind ${kind}, found ${ids.length}${ids.length ? ` (${ids.join(', ')})` : ''}`);
  }
  return ids[0];
}
