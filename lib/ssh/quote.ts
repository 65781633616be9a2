// lib/ssh/quote.ts — POSIX shell quoting for SSH exec.
//
// SSH carries one command string that the remote login shell parses, so an
// argument array has to be turned into a string. This is the only place that
// happens: every argument is quoted so the shell sees exactly that word, no
// expansion, globbing, splitting or redirection. Nothing else in Hostdeck
// builds shell strings.

/** Characters that never need quoting anywhere in a POSIX shell word (no `=`, `~`, `#`: they mean something at the start of a word). */
const SAFE = /^[A-Za-z0-9_@%+,./:-]+$/;

/**
 * Quote one argument for a POSIX shell (sh, bash, dash, zsh in sh mode).
 * Safe words are returned as they are; everything else is wrapped in single
 * quotes, with each `'` written as `'\''`. NUL cannot be passed in an argv and is refused.
 */
export function shellQuote(arg: string): string {
  if (typeof arg !== 'string') throw new TypeError(`shellQuote: argument must be a string, got ${typeof arg}`);
  if (arg.includes('\0')) throw new TypeError('shellQuote: argument contains a NUL byte');
  if (arg === '') return "''";
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Join an argument vector into one command line with every element quoted. */
export function buildCommand(argv: readonly string[]): string {
  if (!Array.isArray(argv) || argv.length === 0) throw new TypeError('buildCommand: argv must be a non-empty array of strings');
  return argv.map(shellQuote).join(' ');
}
