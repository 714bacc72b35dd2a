/** What the release proofs read of a bucket and of a run. */

/** The objects of the bucket as S3 keeps them: key -> size, headers and user metadata. */
export type Snapshot = Record<string, { size: number; cacheControl?: string; contentType?: string; metadata?: Record<string, string> }>;

/** Whether the bucket holds a file of release `id`. */
export function hasRelease(bucket: Snapshot, id: string): boolean {
  return Object.keys(bucket).some((k) => k.startsWith(`releases/${id}/`));
}

/** The last lines of a run's output, for a failed check's message. */
export function tail(output: string): string {
  return output.trim().split('\n').slice(-8).join(' | ').slice(-1500);
}
