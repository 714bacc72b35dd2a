// Words made of these characters need no quoting in sh.
const SHELL_SAFE = /^[A-Za-z0-9_./:=@%+,-]+$/;

/** Quotes a literal as one sh word (single quotes; an embedded `'` becomes `'\''`). */
export function shellQuote(value: string): string {
  return SHELL_SAFE.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}
