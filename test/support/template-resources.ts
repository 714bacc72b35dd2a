/**
 * Lookups in a synthesized CloudFormation template (JSON), shared by the tests and the proofs of
 * verify/: each is written once here.
 */

/** A template as JSON, or any part of one that has its resources. */
export interface TemplateWithResources<R extends { readonly Type: string }> {
  readonly Resources?: Record<string, R>;
}

/** The resources of `template` whose CloudFormation type is `type`, as [logical id, resource], in template order. */
export function resourcesOfType<R extends { readonly Type: string }>(template: TemplateWithResources<R>, type: string): Array<[string, R]> {
  return Object.entries(template.Resources ?? {}).filter(([, resource]) => resource.Type === type);
}
