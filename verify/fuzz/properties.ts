/** The properties the fuzz proof checks, and how many cases each runs. */
import { Assembly, readAssembly } from './assembly';
import { FuzzTarget } from './check-case';
import { FuzzProperty } from './fuzz-run';
import { HINTS } from './hints';
import { deriveSchemas } from './schema';

/** Every construct of the assembly with its props; throws, listing them, for props without hints. */
export function fuzzTargets(): FuzzTarget[] {
  return deriveSchemas(new Assembly(readAssembly()), HINTS);
}

/**
 * Every property of every construct of the assembly, with `scale` times its usual number of cases
 * (1,000 in all). One hostile prop (or rule) at a time pins each rejection to it and reaches
 * validations that run late (cases whose props are all valid but one also show valid props that
 * fail); a mix of everything finds interactions.
 */
export function fuzzProperties(scale: number): FuzzProperty[] {
  const runs = (n: number) => Math.max(1, Math.round(n * scale));
  return fuzzTargets().flatMap((target) => [
    { name: `${target.construct}, one hostile prop`, target, mode: 'single' as const, numRuns: runs(325) },
    { name: `${target.construct}, mixed props`, target, mode: 'mixed' as const, numRuns: runs(175) },
  ]);
}
