/** Everything the jsii assembly cannot say about the props the fuzz generates, for every construct. */
import { pipelineHints } from './pipeline';
import { serverAppHints } from './server-app';
import { staticSiteHints } from './static-site';
import { Hints } from '../schema';

export const HINTS: Hints = [pipelineHints, staticSiteHints, serverAppHints].reduce((all, h) => ({
  values: { ...all.values, ...h.values },
  lists: { ...all.lists, ...h.lists },
  rules: [...all.rules, ...h.rules],
}));
