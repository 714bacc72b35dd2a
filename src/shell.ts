// Words made of these characters need no quoting in sh.
const SHELL_SAFE = /^[A-Za-z0-9_./:=@%+,-]+$/;

/** Quotes a literal as one sh word (single quotes; an embedded `'` becomes `'\''`). */
export function shellQuote(value: string): string {
  return SHELL_SAFE.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/**
 * Commands that set the shell variable `name` to the output of `command` and export it. A plain
 * assignment first, not `export X="$(...)"`: export would succeed where the command failed, and
 * a buildspec's phase stops at the first command that fails.
 */
export function exportOutput(name: string, command: string): string[] {
  return [`${name}="$(${command})"`, `export ${name}`];
}
