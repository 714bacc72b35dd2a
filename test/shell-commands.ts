/**
 * The names of the commands a buildspec command runs, read from its text as a POSIX shell reads it:
 * the first word of each simple command, after its variable assignments, in pipelines, lists
 * (`;`, `&&`, `||`), groups (`{ }`, `( )`) and command substitutions (`$(...)`, in double quotes
 * too). Quoted text, `${...}` expansions and the targets of redirections are words, never commands.
 * Whatever it does not read (backquotes, `case`, loops, functions, here-documents, a command named by
 * an expansion) throws, so a command it cannot list fails the test that uses it instead of passing
 * unseen.
 *
 * @see https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html
 */
export function commandNames(command: string): string[] {
  return new CommandReader(command).list(undefined);
}

/** Shell reserved words this reader does not follow: a command using them throws. */
const UNREAD_WORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'case', 'esac', 'for', 'while', 'until', 'do', 'done', 'function', 'select', '[[', ']]']);

/** A word and whether it was written literally (no expansion in it). */
interface Word {
  readonly text: string;
  readonly literal: boolean;
}

class CommandReader {
  private at = 0;

  constructor(private readonly text: string) {}

  /** Reads commands up to `end` (`)` of a substitution or subshell) or the end of the text; returns their names. */
  public list(end: ')' | undefined): string[] {
    const names: string[] = [];
    let atCommand = true;
    for (;;) {
      this.skipBlanks();
      const c = this.text[this.at];
      if (c === undefined) {
        if (end) throw new Error(`no ')' closes a '(' in: ${this.text}`);
        return names;
      }
      if (c === ')') {
        if (!end) throw new Error(`a ')' without '(' in: ${this.text}`);
        this.at++;
        return names;
      }
      if (c === '\n' || c === ';' || c === '&' || c === '|') {
        // `;`, `&&`, `||`, `|`, a newline: a command follows.
        this.at += this.text.startsWith('&&', this.at) || this.text.startsWith('||', this.at) ? 2 : 1;
        atCommand = true;
        continue;
      }
      if (c === '(') {
        this.at++;
        names.push(...this.list(')'));
        atCommand = false;
        continue;
      }
      if (c === '<' || c === '>') {
        this.redirection();
        continue;
      }
      const start = this.at;
      const word = this.word(names);
      if (/^\d+$/.test(word.text) && (this.text[this.at] === '<' || this.text[this.at] === '>')) {
        // A file descriptor (`2>&1`): part of the redirection that follows.
        this.redirection();
        continue;
      }
      if (!atCommand) {
        continue;
      }
      if (word.literal && (word.text === '{' || word.text === '!')) {
        continue;
      }
      if (word.literal && word.text === '}') {
        atCommand = false;
        continue;
      }
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(this.text.slice(start, this.at))) {
        // A variable assignment before the command (or alone).
        continue;
      }
      if (!word.literal) {
        throw new Error(`a command named by an expansion (${this.text.slice(start, this.at)}) in: ${this.text}`);
      }
      if (UNREAD_WORDS.has(word.text)) {
        throw new Error(`'${word.text}' is not read here, in: ${this.text}`);
      }
      names.push(word.text);
      atCommand = false;
    }
  }

  /** Reads one word; the names of commands of substitutions inside it go to `names`. */
  private word(names: string[]): Word {
    let text = '';
    let literal = true;
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined || /[\s;&|()<>]/.test(c)) {
        return { text, literal };
      }
      if (c === '`') {
        throw new Error(`backquotes are not read here, in: ${this.text}`);
      }
      if (c === '\\') {
        text += this.text[this.at + 1] ?? '';
        this.at += 2;
      } else if (c === "'") {
        const close = this.text.indexOf("'", this.at + 1);
        if (close === -1) throw new Error(`an unclosed ' in: ${this.text}`);
        text += this.text.slice(this.at + 1, close);
        this.at = close + 1;
      } else if (c === '"') {
        this.at++;
        text += this.doubleQuoted(names);
      } else if (c === '$') {
        this.expansion(names);
        literal = false;
      } else {
        text += c;
        this.at++;
      }
    }
  }

  /** Reads a double-quoted string after its opening quote; returns its literal text. */
  private doubleQuoted(names: string[]): string {
    let text = '';
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined) throw new Error(`an unclosed " in: ${this.text}`);
      if (c === '"') {
        this.at++;
        return text;
      }
      if (c === '`') throw new Error(`backquotes are not read here, in: ${this.text}`);
      if (c === '\\') {
        text += this.text[this.at + 1] ?? '';
        this.at += 2;
      } else if (c === '$') {
        this.expansion(names);
      } else {
        text += c;
        this.at++;
      }
    }
  }

  /** Reads an expansion at a `$`: a command substitution's commands go to `names`; `${...}` and `$NAME` are skipped. */
  private expansion(names: string[]): void {
    if (this.text.startsWith('$((', this.at)) {
      throw new Error(`arithmetic expansion is not read here, in: ${this.text}`);
    }
    if (this.text.startsWith('$(', this.at)) {
      this.at += 2;
      names.push(...this.list(')'));
      return;
    }
    if (this.text.startsWith('${', this.at)) {
      const close = this.text.indexOf('}', this.at);
      if (close === -1) throw new Error(`an unclosed \${ in: ${this.text}`);
      if (this.text.slice(this.at, close).includes('$(')) throw new Error(`a substitution inside \${...} is not read here, in: ${this.text}`);
      this.at = close + 1;
      return;
    }
    this.at++;
    if (/[?#@*!$0-9-]/.test(this.text[this.at] ?? '')) {
      // A special parameter: `$?`, `$1`...
      this.at++;
      return;
    }
    while (/[A-Za-z0-9_]/.test(this.text[this.at] ?? '')) {
      this.at++;
    }
  }

  /** Reads a redirection (`>`, `>>`, `<`, `>&2`, `2>&1`, `> file`) and its target word. */
  private redirection(): void {
    if (this.text.startsWith('<<', this.at)) throw new Error(`here-documents are not read here, in: ${this.text}`);
    while (this.text[this.at] === '<' || this.text[this.at] === '>' || this.text[this.at] === '&') {
      this.at++;
    }
    this.skipBlanks();
    this.word([]);
  }

  private skipBlanks(): void {
    while (this.text[this.at] === ' ' || this.text[this.at] === '\t') {
      this.at++;
    }
  }
}
