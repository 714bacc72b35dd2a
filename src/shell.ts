// Words made of these characters need no quoting in sh.
const SHELL_SAFE = /^[A-Za-z0-9_./:=@%+,-]+$/;

/** Quotes a literal as one sh word (single quotes; an embedded `'` becomes `'\''`). */
export function shellQuote(value: string): string {
  return SHELL_SAFE.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/**
 * A command that fails with `message` on standard error unless the shell test `condition` holds.
 * Only shell builtins (`test`, `echo`, `exit`), so it runs on any CodeBuild image.
 */
export function failUnless(condition: string, message: string): string {
  return `${condition} || { echo ${shellQuote(message)} >&2; exit 1; }`;
}

/**
 * Commands that set the shell variable `name` to the output of `command` and export it. A plain
 * assignment first, not `export X="$(...)"`: export would succeed where the command failed, and
 * a buildspec's phase stops at the first command that fails.
 */
export function exportOutput(name: string, command: string): string[] {
  return [`${name}="$(${command})"`, `export ${name}`];
}
