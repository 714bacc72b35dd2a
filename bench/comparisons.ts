import { Subject } from './harness';
import { ResourceKinds, SERVER_APP_KINDS, STATIC_SITE_KINDS } from './resource-kinds';
import { serverAppBaseline } from './subjects/server-app-baseline';
import { serverAppLibrary } from './subjects/server-app-library';
import { staticSiteBaseline } from './subjects/static-site-baseline';
import { staticSiteLibrary } from './subjects/static-site-library';

/** A library example and the hand-written aws-cdk-lib stack that does the same job. */
export interface Comparison {
  /** Heading of the comparison in the report. */
  readonly title: string;
  readonly library: Subject;
  readonly baseline: Subject;
  /**
   * What the library's extra resources are, per type. A type missing here is reported as
   * unclassified and counted as not a security feature.
   */
  readonly extraResourceKinds: ResourceKinds;
}

/** Every comparison the benchmark runs, in report order. */
export const COMPARISONS: Comparison[] = [
  { title: 'Static site', library: staticSiteLibrary, baseline: staticSiteBaseline, extraResourceKinds: STATIC_SITE_KINDS },
  { title: 'Server app', library: serverAppLibrary, baseline: serverAppBaseline, extraResourceKinds: SERVER_APP_KINDS },
];
