// Every page under app/(app) checks the session itself (the layout's check is
// not enough: a page's data is fetched in parallel with its layout), and every
// API route handler goes through the route() wrapper, which authenticates and
// authorises. Found by walking app/, not from a list, so new files are covered.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const APP = path.join(process.cwd(), 'app');

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function parse(file: string) {
  return ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
}

/** The role passed to requireUser in the first statement of the default export, or null when it does not start so. */
function guardRole(file: string): string | null {
  const source = parse(file);
  const fn = source.statements.find(
    (s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && !!s.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword),
  );
  const first = fn?.body?.statements[0];
  if (!first) return null;
  let expression: ts.Expression | undefined;
  if (ts.isExpressionStatement(first)) expression = first.expression;
  else if (ts.isVariableStatement(first)) expression = first.declarationList.declarations[0]?.initializer;
  if (!expression || !ts.isAwaitExpression(expression)) return null;
  const call = expression.expression;
  if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression) || call.expression.text !== 'requireUser') return null;
  const arg = call.arguments[0];
  if (!arg) return 'viewer';
  return ts.isStringLiteral(arg) ? arg.text : '(not a literal)';
}

const appPages = walk(path.join(APP, '(app)')).filter((f) => /\/page\.tsx?$/.test(f));
const pageName = (f: string) => path.relative(path.join(APP, '(app)'), path.dirname(f)) || '/';

/** Pages that need more than a signed-in viewer. */
const NEEDS: Record<string, string> = {
  audit: 'approver',
  'hosts/new': 'operator',
  'hosts/[id]/edit': 'operator',
  'hosts/[id]/vms/new': 'operator',
  'vms/[id]/edit': 'operator',
  'settings/users': 'admin',
  'settings/ssh-keys': 'admin',
};

describe('pages under app/(app)', () => {
  it('are found', () => {
    expect(appPages.map(pageName)).toEqual(
      expect.arrayContaining([
        '/',
        'hosts',
        'hosts/[id]',
        'hosts/[id]/configuration',
        'vms',
        'changes',
        'deployments',
        'audit',
        'settings',
      ]),
    );
  });

  it.each(appPages.map((f) => [pageName(f), f]))('%s starts with await requireUser(role) for the role it needs', (name, file) => {
    expect(guardRole(file), `${name} must start with "await requireUser(…)"`).toBe(NEEDS[name] ?? 'viewer');
  });
});

/** The route files under app/api and, per exported method, how its handler is made. */
function handlersOf(file: string): { method: string; viaRoute: boolean }[] {
  const source = parse(file);
  const out: { method: string; viaRoute: boolean }[] = [];
  for (const s of source.statements) {
    const exported = ts.canHaveModifiers(s) && ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (ts.isVariableStatement(s) && exported) {
      for (const d of s.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || !/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(d.name.text)) continue;
        const init = d.initializer;
        out.push({
          method: d.name.text,
          viaRoute: !!init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'route',
        });
      }
    }
    if (ts.isFunctionDeclaration(s) && exported && s.name && /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(s.name.text))
      out.push({ method: s.name.text, viaRoute: false });
    if (ts.isExportDeclaration(s) && s.exportClause && ts.isNamedExports(s.exportClause)) {
      for (const e of s.exportClause.elements)
        if (/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(e.name.text)) out.push({ method: e.name.text, viaRoute: false });
    }
  }
  return out;
}

describe('API route handlers under app/api', () => {
  const routeFiles = walk(path.join(APP, 'api')).filter((f) => /\/route\.ts$/.test(f));
  // The catch-all answers 401/404 for unknown paths; it authenticates itself and returns no data.
  const CATCH_ALL = path.join(APP, 'api', 'v1', '[...path]', 'route.ts');

  it('are found', () => {
    expect(routeFiles.length).toBeGreaterThanOrEqual(10);
  });

  it.each(routeFiles.filter((f) => f !== CATCH_ALL).map((f) => [path.relative(APP, f), f]))(
    '%s: every method is built by route() (auth, role, validation, body cap)',
    (_name, file) => {
      const handlers = handlersOf(file);
      expect(handlers.length).toBeGreaterThan(0);
      for (const h of handlers) expect(h.viaRoute, `${h.method} bypasses route()`).toBe(true);
    },
  );

  it('the catch-all authenticates before answering', () => {
    expect(fs.readFileSync(CATCH_ALL, 'utf8')).toMatch(/await authenticate\(req\)/);
  });
});
