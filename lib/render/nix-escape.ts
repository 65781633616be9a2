// lib/render/nix-escape — how any string becomes Nix source text.
//
// Owns: Nix string literals ("…" and ''…''), attribute names, and the
// POSIX shell quoting used for values placed in shell scripts. Every string
// that reaches the generated Nix module goes through one of these.
//
// Nix lexer facts these rely on (Nix 2.x, lexer.l):
// - "…" strings: `\` escapes the next character (`\n`, `\r`, `\t` are control
//   characters), `${` opens an interpolation, `$` is literal otherwise.
// - ''…'' strings: `''` closes, `'''` is a literal `''`, `''$` is a literal `$`,
//   `''\x` is an escaped character, `${` opens an interpolation. Tokens match
//   greedily, so a lone `'` right before an escape that starts with `''` would
//   merge with it (`'` + `''${` reads as `'''` + `${`); such a `'` (before an
//   escape or the closing delimiter) is written as `''\'`. Spaces and tabs at
//   a line start — also right after an escaped newline (Nix 2.8) — count as
//   indentation; they are written as interpolations.

/** A Nix double-quoted string literal holding exactly `value`. */
export function nixString(value: string): string {
  assertNoNul(value);
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') out += '\\\\';
    else if (c === '"') out += '\\"';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c === '$' && value[i + 1] === '{') {
      out += '\\${';
      i++;
    } else out += c;
  }
  return `${out}"`;
}

/**
 * The body of a Nix indented string (''…'') holding exactly `value`, to be
 * placed between `''` delimiters, also at the start of an indented line.
 * Newlines, carriage returns and whitespace at a line start are escaped, so
 * the value cannot change the string's indentation. (The generated module
 * keeps spec values in "…" data instead; this is for code that must splice a
 * value into an indented string.)
 */
export function nixIndentedBody(value: string): string {
  assertNoNul(value);
  let out = '';
  // Nix counts spaces and tabs at the start of a line (also after an escaped
  // newline) as indentation. An interpolation is not whitespace, so such a
  // first space or tab is written as ${" "} and the indentation stays the caller's.
  let atLineStart = true;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    const next = value[i + 1];
    if (atLineStart && (c === ' ' || c === '\t')) {
      out += c === ' ' ? '${" "}' : '${"\\t"}';
      atLineStart = false;
      continue;
    }
    atLineStart = false;
    if (c === "'") {
      if (next === "'") {
        out += "'''";
        i++;
      } else if (next === undefined || next === '\n' || next === '\r' || (next === '$' && value[i + 2] === '{')) {
        // The next thing written starts with `''` (an escape or the closing delimiter).
        out += "''\\'";
      } else {
        out += "'";
      }
    } else if (c === '$' && next === '{') {
      out += "''${";
      i++;
    } else if (c === '\n' || c === '\r') {
      out += c === '\n' ? "''\\n" : "''\\r";
      atLineStart = true;
    } else out += c;
  }
  return out;
}

const NIX_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_'-]*$/;
const NIX_KEYWORDS = new Set(['if', 'then', 'else', 'assert', 'with', 'let', 'in', 'rec', 'inherit', 'or']);

/** An attribute name: bare when it is a plain identifier, else a quoted string. */
export function nixAttrName(name: string): string {
  return NIX_IDENTIFIER.test(name) && !NIX_KEYWORDS.has(name) ? name : nixString(name);
}

/** A single POSIX shell word holding exactly `value` (single quotes; `'` becomes `'\''`). */
export function shellQuote(value: string): string {
  assertNoNul(value);
  return `'${value.replaceAll("'", "'\\''")}'`;
}

function assertNoNul(value: string): void {
  if (value.includes('\u0000')) throw new Error('NUL cannot be written into a Nix file');
}
