/**
 * The worker thread that runs the fuzz properties, so the proof can stop it if a case hangs
 * (synthesis is synchronous: a hung case could not be interrupted on the main thread).
 */
import { isMainThread, parentPort, workerData } from 'worker_threads';
import { describeCase } from './case';
import { PropertyReport, runFuzz } from './fuzz-run';
import { fuzzProperties } from './properties';

/** What the proof asks the worker to run. */
export interface FuzzRequest {
  readonly seed: number;
  /** Multiplies every property's number of cases. */
  readonly scale: number;
  readonly shrinkMillis: number;
}

/** What the worker tells the proof: each case before it runs, then the reports. */
export type FuzzMessage =
  | { readonly type: 'case'; readonly property: string; readonly case: string }
  | { readonly type: 'done'; readonly reports: PropertyReport[] };

if (!isMainThread && parentPort) {
  const port = parentPort;
  const request = workerData.request as FuzzRequest;
  const reports = runFuzz(fuzzProperties(request.scale), {
    seed: request.seed,
    shrinkMillis: request.shrinkMillis,
    onCase: (property, c) => port.postMessage({ type: 'case', property, case: describeCase(c) } satisfies FuzzMessage),
  });
  port.postMessage({ type: 'done', reports } satisfies FuzzMessage);
}
