// Unit tests of lib/ssh/quote.ts: every argument reaches the program unchanged
// through a real POSIX shell (dash and bash), whatever it contains.
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCommand, shellQuote } from '@/lib/ssh/quote';

// /bin/sh is dash on Debian; test each distinct shell once.
const shells = [...new Map(['/bin/sh', '/bin/bash', '/bin/dash'].filter((s) => existsSync(s)).map((s) => [realpathSync(s), s])).values()];

/** Run `printf '%s\0' <args...>` through `shell -c` and return the words the program received. */
function roundTrip(shell: string, args: string[]): string[] {
  const out = execFileSync(shell, ['-c', `printf '%s\\0' ${args.map(shellQuote).join(' ')}`], {
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent' } as Record<string, string> as NodeJS.ProcessEnv,
  });
  const words = out.split('\0');
  words.pop();
  return words;
}

const HOSTILE = [
  '',
  ' ',
  "'",
  "''",
  '"',
  '\\',
  "it's",
  '$(touch /tmp/hostdeck-pwned)',
  '`touch /tmp/hostdeck-pwned`',
  '; touch /tmp/hostdeck-pwned',
  '&& touch /tmp/hostdeck-pwned',
  '| cat /etc/passwd',
  '> /tmp/hostdeck-pwned',
  '< /etc/passwd',
  '$HOME',
  '${HOME}',
  '$((1+1))',
  '*',
  '/etc/*',
  '?',
  '[a-z]',
  '{a,b}',
  '~',
  '~root',
  'a=b',
  'PATH=/tmp',
  '#comment',
  '-n',
  '--',
  '-e \\n',
  'line1\nline2',
  'tab\there',
  '\r\n',
  "'; touch /tmp/hostdeck-pwned; echo '",
  "'\\''",
  '!',
  '!!',
  'ünïcödé ✓ 日本',
  '\u0001\u0002\u001b[31m',
  '%s %d',
  'a b  c',
];

describe('shellQuote', () => {
  it('leaves plain words alone and quotes everything else', () => {
    expect(shellQuote('virsh')).toBe('virsh');
    expect(shellQuote('/usr/bin/virsh')).toBe('/usr/bin/virsh');
    expect(shellQuote('lab-vm-1')).toBe('lab-vm-1');
    expect(shellQuote('--all')).toBe('--all');
    expect(shellQuote('user@host:22')).toBe('user@host:22');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('a=b')).toBe("'a=b'"); // would be an assignment as the first word
    expect(shellQuote('~root')).toBe("'~root'"); // tilde expansion
    expect(shellQuote('$(x)')).toBe("'$(x)'");
  });

  it('refuses NUL bytes and non-strings', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
    expect(() => shellQuote(42 as unknown as string)).toThrow(TypeError);
  });

  it('buildCommand needs a non-empty argv', () => {
    expect(() => buildCommand([])).toThrow(TypeError);
    expect(buildCommand(['virsh', 'dominfo', 'my vm'])).toBe("virsh dominfo 'my vm'");
  });

  for (const shell of shells) {
    it(`hostile strings reach the program unchanged through ${shell}`, () => {
      expect(roundTrip(shell, HOSTILE)).toEqual(HOSTILE);
      expect(existsSync('/tmp/hostdeck-pwned')).toBe(false);
    });

    it(`arbitrary strings round-trip through ${shell} (property)`, () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0')),
            { minLength: 1, maxLength: 6 },
          ),
          (args) => {
            expect(roundTrip(shell, args)).toEqual(args);
          },
        ),
        { numRuns: 80 },
      );
    });
  }

  it('the first word stays a program name, never an assignment or a keyword', () => {
    // `FOO=bar` unquoted as the first word would set a variable and run nothing.
    const out = execFileSync('/bin/sh', ['-c', `${buildCommand(['FOO=bar'])} 2>&1 || true`], { encoding: 'utf8' });
    expect(out).toMatch(/not found/);
  });
});
