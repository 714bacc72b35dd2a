/** The properties the fuzz proof checks, and how many cases each runs. */
import { FuzzProperty } from './fuzz-run';
import { serverAppTarget } from './server-app-props';
import { staticSiteTarget } from './static-site-props';

/**
 * Every property, with `scale` times its usual number of cases. One hostile prop at a time pins
 * each rejection to that prop and reaches validations that run late (cases whose props are all
 * valid but one also show valid props that fail); a mix of everything finds interactions.
 */
export function fuzzProperties(scale: number): FuzzProperty[] {
  const runs = (n: number) => Math.max(1, Math.round(n * scale));
  return [staticSiteTarget, serverAppTarget].flatMap((target) => [
    { name: `${target.construct}, one hostile prop`, target, mode: 'single' as const, numRuns: runs(130) },
    { name: `${target.construct}, mixed props`, target, mode: 'mixed' as const, numRuns: runs(70) },
  ]);
}
