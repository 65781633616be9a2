// Nix and shell escaping: exact outputs for the tricky cases, and round trips
// through the real tools — nix-instantiate evaluates every escaped string back
// to the original, bash reads every quoted word back to the original.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { nixAttrName, nixIndentedBody, nixString, shellQuote } from '@/lib/render';
import { NixPath, nixValue } from '@/lib/render/nix-value';

const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'hostdeck-nix-escape-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const nixEnv = { ...process.env, NIX_STATE_DIR: join(scratch, 'nix-state'), NIX_CONFIG: 'build-users-group =' };

const TRICKY = [
  '',
  ' ',
  '  leading spaces',
  '\tleading tab',
  'trailing spaces  ',
  '"',
  '\\',
  '\\"',
  '${x}',
  '$${x}',
  '\\${x}',
  '$',
  '$$',
  '${',
  '}',
  "'",
  "''",
  "'''",
  "''''",
  "''${x}",
  "'${x}",
  "''\\n",
  "'\n",
  "'\r",
  "x'",
  "x''",
  "''$",
  "'$",
  '\n',
  '\r\n',
  '\r',
  '\t',
  'line1\n  line2\n    line3',
  '${builtins.abort "pwned"}',
  '\'\'${builtins.abort "pwned"}',
  '$(rm -rf /); `id` | & ; < > * ? [ ] ~ #',
  '😀 ünïcödé \u0001 \u007f \u200b',
  'or',
  'if',
  'in',
  'a-b',
  "a'b",
];

// Strings built from the characters that matter to Nix, shells and XML.
const hostileString = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "'",
        "''",
        '$',
        '${',
        '{',
        '}',
        '\\',
        '"',
        '\n',
        '\r',
        '\t',
        ' ',
        ';',
        '|',
        '&',
        '`',
        '(',
        ')',
        '<',
        '>',
        ']]>',
        '😀',
        'é',
      ),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''))
  .filter((value) => !value.includes('\u0000') && value.isWellFormed());

async function nixEval(expression: string): Promise<unknown> {
  const file = join(scratch, 'test.nix');
  writeFileSync(file, expression);
  const { stdout } = await run('nix-instantiate', ['--readonly-mode', '--eval', '--strict', '--json', file], {
    env: nixEnv,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout);
}

describe('nixString', () => {
  it('escapes exactly ", \\, ${ and control characters', () => {
    expect(nixString('plain')).toBe('"plain"');
    expect(nixString('a"b')).toBe('"a\\"b"');
    expect(nixString('a\\b')).toBe('"a\\\\b"');
    expect(nixString('${x}')).toBe('"\\${x}"');
    expect(nixString('$x $ {')).toBe('"$x $ {"');
    expect(nixString('\n\r\t')).toBe('"\\n\\r\\t"');
    expect(() => nixString('a\u0000b')).toThrow(/NUL/);
  });
});

describe('nixIndentedBody', () => {
  it("escapes '' and ${, and a lone ' before an escape or the end", () => {
    expect(nixIndentedBody("a''b")).toBe("a'''b");
    expect(nixIndentedBody('${x}')).toBe("''${x}");
    expect(nixIndentedBody("'${x}")).toBe("''\\'''${x}");
    expect(nixIndentedBody("x'")).toBe("x''\\'");
    expect(nixIndentedBody('a\nb')).toBe("a''\\nb");
    expect(nixIndentedBody(' x')).toBe('${" "}x');
  });
});

describe('nixAttrName', () => {
  it('leaves identifiers bare and quotes everything else, keywords included', () => {
    expect(nixAttrName('web1')).toBe('web1');
    expect(nixAttrName('br-storage')).toBe('br-storage');
    expect(nixAttrName('if')).toBe('"if"');
    expect(nixAttrName('1x')).toBe('"1x"');
    expect(nixAttrName('a.b')).toBe('"a.b"');
  });
});

describe('nixValue', () => {
  it('prints data and refuses unsafe paths and non-integers', () => {
    expect(nixValue({ a: [1, -2, true, null, 'x'], b: {} })).toBe(
      '{\n  a = [\n    1\n    (-2)\n    true\n    null\n    "x"\n  ];\n  b = { };\n}',
    );
    expect(nixValue(new NixPath('./vms/web1.xml'))).toBe('./vms/web1.xml');
    expect(() => new NixPath('./../etc/passwd')).toThrow();
    expect(() => new NixPath('/etc/passwd')).toThrow();
    expect(() => new NixPath('./a b')).toThrow();
    expect(() => nixValue(1.5)).toThrow();
  });
});

describe('round trips through nix-instantiate and bash', () => {
  const generated = fc.sample(hostileString, { numRuns: 1500, seed: 42 });
  const strings = [...TRICKY, ...generated];

  it(`nix-instantiate reads ${strings.length} escaped strings back exactly, in "…", in ''…'' (mid-line and at line start) and as attribute names`, async () => {
    const entries = strings.map(
      (value) =>
        `  { d = ${nixString(value)}; i = ''\n      x${nixIndentedBody(value)}\n    ''; l = ''\n    ${nixIndentedBody(value)}\n    y\n  ''; a = builtins.attrNames { ${nixAttrName(value)} = 1; }; }\n`,
    );
    const result = (await nixEval(`[\n${entries.join('')}]\n`)) as { d: string; i: string; l: string; a: string[] }[];
    expect(result).toHaveLength(strings.length);
    result.forEach((entry, index) => {
      const value = strings[index]!;
      expect(entry.d, JSON.stringify(value)).toBe(value);
      expect(entry.i, JSON.stringify(value)).toBe(`x${value}\n`);
      expect(entry.l, JSON.stringify(value)).toBe(`${value}\ny\n`);
      expect(entry.a, JSON.stringify(value)).toEqual([value]);
    });
  });

  it(`bash reads ${strings.length} quoted words back exactly`, async () => {
    const script = join(scratch, 'words.sh');
    writeFileSync(script, `printf '%s\\0' ${strings.map(shellQuote).join(' ')}\n`);
    const { stdout } = await run('bash', [script], { maxBuffer: 64 * 1024 * 1024 });
    expect(stdout.split('\u0000').slice(0, -1)).toEqual(strings);
  });
});
