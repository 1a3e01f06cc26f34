/**
 * Reading `sh -c` scripts like a shell does: quotes, escapes and comments are honoured, so a `;`
 * inside `"daemon off;"` or after `#` does not end a command. The words and operators come from
 * shell-quote (a maintained tokenizer); this module only adds what it leaves out (a newline ends a
 * command; `$(...)` stays one word) and groups the tokens into commands.
 *
 * The one place that reads shell scripts: the construct check (concerns/init-process) and the
 * `shell-without-exec` rule both go through {@link lastCommandExecs} and {@link bashRunsLastCommandInPlace}.
 */
import { parse } from 'shell-quote';
import { detach } from './detached-text';

/** Operators that end one command and start the next. */
const SEPARATORS = new Set([';', '&&', '||', '&', '|', '|&', ';;', ';&', ';;&']);

/** One simple command of a script, with what follows it. */
export interface ShellCommand {
  /** Its words, quotes removed (variables kept as written, e.g. "$APP"). */
  readonly words: string[];
  /** Other operators inside it: redirections (">", "2>&1" as ">&"), "(" and ")" of subshells. */
  readonly operators: string[];
  /** The operator after it (";", "&&", "||", "&", "|" ...); undefined for the script's last command. */
  readonly next?: string;
}

/** The commands of a script, in order. Empty commands (`;;`, blank lines) are left out. */
export function shellCommands(script: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let words: string[] = [];
  let operators: string[] = [];
  const end = (next: string | undefined) => {
    if (words.length > 0 || operators.length > 0) commands.push({ words, operators, ...(next ? { next } : {}) });
    words = [];
    operators = [];
  };
  for (const line of logicalLines(script)) {
    const tokens = parse(line, (name) => `$${name}`);
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      if (typeof token === 'string') {
        // shell-quote splits "$(cmd args)" into "$", "(", words, ")": keep the substitution one word.
        if (token.endsWith('$') && isOp(tokens[i + 1], '(')) {
          const close = closingParen(tokens, i + 1);
          words.push(token + '(' + tokens.slice(i + 2, close).map(tokenText).join(' ') + ')');
          i = close;
          continue;
        }
        words.push(token);
      } else if ('comment' in token) {
        continue;
      } else if ('op' in token && token.op === 'glob') {
        words.push((token as { pattern: string }).pattern);
      } else if ('op' in token && SEPARATORS.has(token.op)) {
        end(token.op);
      } else if ('op' in token) {
        operators.push(token.op);
      }
    }
    end(';');
  }
  // The last command ends the script, not a ";" of the last line.
  if (commands.length > 0 && commands[commands.length - 1].next === ';') {
    const last = commands.pop()!;
    commands.push({ words: last.words, operators: last.operators });
  }
  return commands;
}

/**
 * Whether the script's last command is `exec <program>`, which replaces the shell with the
 * program. Not when it is backgrounded (`&`), part of a pipeline, or inside a subshell.
 */
export function lastCommandExecs(script: string): boolean {
  return remembered(execsCache, script, lastCommandExecsOf);
}

function lastCommandExecsOf(script: string): boolean {
  const commands = shellCommands(script);
  const last = commands[commands.length - 1];
  if (!last) return false;
  const before = commands[commands.length - 2];
  if (last.next !== undefined || before?.next === '|' || before?.next === '|&') return false;
  if (last.operators.includes('(') || last.operators.includes(')')) return false;
  const words = withoutAssignments(last.words);
  return words[0] === 'exec' && words.length > 1;
}

/**
 * bash (measured with 5.2) runs the last command in place of itself when the script is one
 * simple command, or simple commands joined by `&&`: no `;`, pipes, subshells or redirections.
 */
export function bashRunsLastCommandInPlace(script: string): boolean {
  return remembered(inPlaceCache, script, bashRunsLastCommandInPlaceOf);
}

/**
 * Answers by script text: an audit asks about the same few scripts for thousands of containers,
 * and tokenizing one costs tens of microseconds. Bounded, so that many distinct scripts cannot
 * grow it without limit.
 */
const execsCache = new Map<string, boolean>();
const inPlaceCache = new Map<string, boolean>();
const MAX_REMEMBERED = 1000;

function remembered(cache: Map<string, boolean>, script: string, answer: (script: string) => boolean): boolean {
  let known = cache.get(script);
  if (known === undefined) {
    known = answer(script);
    // A copy of the text as the key: the script may be a slice of a whole parsed document, which it would keep alive.
    if (cache.size < MAX_REMEMBERED) cache.set(detach(script), known);
  }
  return known;
}

function bashRunsLastCommandInPlaceOf(script: string): boolean {
  const commands = shellCommands(script);
  if (commands.length === 0) return false;
  return commands.every((c, index) =>
    c.words.length > 0
    && c.operators.length === 0
    && !c.words.some((w) => w.includes('`') || w.includes('$('))
    && (index === commands.length - 1 ? c.next === undefined : c.next === '&&'));
}

/** A `sleep` the script runs, as written. */
export interface ScriptSleep {
  /** Its arguments (`5`, `2s`, `infinity`, or `$PAUSE` as written). */
  readonly args: string[];
  /** Inside a `while`, `until` or `for` loop: a wait whose length the script does not state. */
  readonly inLoop: boolean;
  /** Sent to the background with `&`, so the script does not wait for it. */
  readonly background: boolean;
}

/** Words that can open a command without being its program. */
const COMMAND_PREFIXES = new Set(['do', 'then', 'else', 'elif', '{', '!', 'exec', 'command', 'time']);
/** Multi-call binaries that run `sleep` as their first argument. */
const MULTI_CALL = new Set(['busybox', 'toybox']);

/**
 * The `sleep` commands of a script, read from its commands (quotes, comments and `;` inside
 * strings as a shell reads them), with `sleep`, `/bin/sleep` or `busybox sleep` as the program.
 */
export function scriptSleeps(script: string): readonly ScriptSleep[] {
  let known = sleepsCache.get(script);
  if (known === undefined) {
    known = Object.freeze(scriptSleepsOf(script).map((s) => Object.freeze({ ...s, args: Object.freeze(s.args.map(detach)) as string[] })));
    if (sleepsCache.size < MAX_REMEMBERED) sleepsCache.set(detach(script), known);
  }
  return known;
}

/** Each script's sleeps, frozen and with copied texts (like the answers above, by script text). */
const sleepsCache = new Map<string, readonly ScriptSleep[]>();

function scriptSleepsOf(script: string): ScriptSleep[] {
  const sleeps: ScriptSleep[] = [];
  let loopDepth = 0;
  for (const command of shellCommands(script)) {
    let words = withoutAssignments(command.words);
    while (words.length > 0 && COMMAND_PREFIXES.has(words[0])) words = withoutAssignments(words.slice(1));
    const program = basename(words[0] ?? '');
    if (program === 'while' || program === 'until' || program === 'for') loopDepth++;
    if (program === 'done') loopDepth = Math.max(0, loopDepth - 1);
    const args = program === 'sleep' ? words.slice(1) : MULTI_CALL.has(program) && words[1] === 'sleep' ? words.slice(2) : undefined;
    if (args) sleeps.push({ args, inLoop: loopDepth > 0, background: command.next === '&' });
  }
  return sleeps;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function withoutAssignments(words: string[]): string[] {
  let i = 0;
  while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i])) i++;
  return words.slice(i);
}

/**
 * The script cut at newlines that end a command: not inside quotes, not escaped with a
 * backslash. shell-quote reads a newline as a blank, and a comment as running to the end of
 * the text, so each line is tokenized on its own.
 */
function logicalLines(script: string): string[] {
  const lines: string[] = [];
  let quote: '"' | "'" | undefined;
  let current = '';
  for (let i = 0; i < script.length; i++) {
    const ch = script[i];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
    } else if (ch === '\\') {
      if (script[i + 1] === '\n' && quote === undefined) { i++; continue; }
      current += ch + (script[i + 1] ?? '');
      i++;
      continue;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '#' && (current === '' || /[\s;&|()]$/.test(current))) {
      // A comment runs to the end of the line, whatever quotes it holds.
      const stop = script.indexOf('\n', i);
      current += script.slice(i, stop < 0 ? script.length : stop);
      i = (stop < 0 ? script.length : stop) - 1;
      continue;
    } else if (ch === '\n') {
      lines.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  lines.push(current);
  return lines;
}

type Token = ReturnType<typeof parse>[number];

function isOp(token: Token | undefined, op: string): boolean {
  return typeof token === 'object' && token !== null && 'op' in token && token.op === op;
}

function closingParen(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isOp(tokens[i], '(')) depth++;
    if (isOp(tokens[i], ')') && --depth === 0) return i;
  }
  return tokens.length - 1;
}

function tokenText(token: Token): string {
  if (typeof token === 'string') return token;
  if ('op' in token) return token.op === 'glob' ? (token as { pattern: string }).pattern : token.op;
  return '';
}
