/** Counts the cases of a proof as they are tried, and keeps a line for each failed one. */
export class Tally {
  public tried = 0;
  public passed = 0;
  public readonly failures: string[] = [];
  public readonly details: string[] = [];

  /** Records a case; `failure` is only rendered when the case failed. */
  public check(ok: boolean, failure: () => string): boolean {
    this.tried++;
    if (ok) {
      this.passed++;
    } else {
      this.failures.push(failure());
    }
    return ok;
  }

  /** Records a case that failed. */
  public fail(line: string): void {
    this.check(false, () => line);
  }
}
