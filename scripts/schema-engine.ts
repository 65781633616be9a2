// scripts/schema-engine.ts — owns running Prisma's schema engine (the wasm build,
// `@prisma/schema-engine-wasm`, same engine line as Prisma 7.10) from Node, for
// development and tests only: diffing schemas/migrations/databases, and writing
// new migrations in Prisma's folder layout. Never imported on the app's start-up
// path (lib/db/migrate.ts applies migrations without it).
//
// Why not the Prisma CLI: it only runs a native schema engine downloaded from
// Prisma's servers. The wasm engine talks to Postgres through a driver adapter;
// the pitfalls handled here (docs/architecture.md, "Prisma without its CLI engine"):
//   - the module is instantiated by hand (its `schema_engine.js` imports the
//     .wasm as an ES module, which Node 20 cannot);
//   - `globalThis.PRISMA_WASM_PANIC_REGISTRY` is set so panics are readable;
//   - adapter-pg's `executeScript` splits on every `;` (breaks `$$` bodies):
//     replaced by one simple-protocol query;
//   - Postgres `"char"` catalog columns (oid 18) are unknown to adapter-pg:
//     typed as Character for the engine;
//   - adapter-pg's `connectToShadowDb()` ends up on the main database (the URL's
//     database wins over its override): the shadow database gets its own URL,
//     is dropped afterwards, and leftovers of dead processes are dropped.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
  type Transaction,
} from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine as WasmSchemaEngine, DiffTarget } from '@prisma/schema-engine-wasm';
import pg from 'pg';

export type SchemaSource =
  | { kind: 'empty' }
  /** A Prisma migrations folder (applied to a temporary shadow database). */
  | { kind: 'migrations'; dir: string }
  /** The live database at this URL (an engine is connected to it). */
  | { kind: 'url'; url: string }
  /** A Prisma schema file; `content` (if given) is used instead of the file's text. */
  | { kind: 'schema'; path: string; content?: string };

export interface DiffOptions {
  /** A live database the engine connects to (needed even for schema-only diffs), and where shadow databases are created. */
  url: string;
  from: SchemaSource;
  to: SchemaSource;
}

const SHADOW_PREFIX = 'hostdeck_shadow_';
const CHAR_OID = 18;
const BPCHAR_OID = 1042;
const CHAR_COLUMNS = Symbol('hostdeck.charColumns');
const FILTERS = { externalTables: [] as string[], externalEnums: [] as string[] };

// ---------------------------------------------------------------------------
// The wasm module

interface PanicRegistry {
  message: string;
  get(): string;
  set_message(message: string): void;
}

type BgModule = typeof import('@prisma/schema-engine-wasm/schema_engine_bg') & {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
};

let modulePromise: Promise<BgModule> | undefined;

function panicRegistry(): PanicRegistry {
  const g = globalThis as typeof globalThis & { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry };
  g.PRISMA_WASM_PANIC_REGISTRY ??= {
    message: '',
    get() {
      return this.message;
    },
    set_message(message: string) {
      this.message = message;
    },
  };
  return g.PRISMA_WASM_PANIC_REGISTRY;
}

function loadEngineModule(): Promise<BgModule> {
  modulePromise ??= (async () => {
    panicRegistry();
    const require = createRequire(import.meta.url);
    const bgPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bg = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as BgModule;
    const bytes = readFileSync(path.join(path.dirname(bgPath), 'schema_engine_bg.wasm'));
    // Every import of the module comes from './schema_engine_bg.js' (the glue module).
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': bg as unknown as WebAssembly.ModuleImports,
    });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  modulePromise.catch(() => {
    modulePromise = undefined;
  });
  return modulePromise;
}

/** Turn what the engine throws into an Error with a readable message (panics included). */
function engineError(err: unknown, what: string, logs: string[]): Error {
  const registry = panicRegistry();
  let message: string;
  if (err instanceof WebAssembly.RuntimeError || (err instanceof Error && err.name === 'RuntimeError')) {
    // A panic poisons the instance: load a fresh one next time.
    modulePromise = undefined;
    message = `schema engine panicked: ${registry.get() || err.message}`;
    registry.message = '';
  } else if (err instanceof Error) {
    message = err.message;
  } else if (err && typeof err === 'object' && 'message' in err) {
    message = String((err as { message: unknown }).message);
  } else {
    message = typeof err === 'string' ? err : JSON.stringify(err);
  }
  const tail = logs.filter((l) => /"level":"(ERROR|WARN)"/.test(l)).slice(-5);
  return new Error(`${what}: ${message}${tail.length ? `\nengine log:\n${tail.join('\n')}` : ''}`);
}

// ---------------------------------------------------------------------------
// The driver adapter (adapter-pg with the fixes above)

function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/** Rewrite `"char"` result columns so adapter-pg accepts them, and remember where they were. */
function markCharColumns(result: unknown): void {
  const results = Array.isArray(result) ? result : [result];
  for (const r of results as { fields?: { dataTypeID: number }[]; rows?: unknown[] }[]) {
    if (!r?.fields || !r.rows) continue;
    const idx: number[] = [];
    r.fields.forEach((f, i) => {
      if (f.dataTypeID === CHAR_OID) {
        f.dataTypeID = BPCHAR_OID;
        idx.push(i);
      }
    });
    if (idx.length) Object.defineProperty(r.rows, CHAR_COLUMNS, { value: idx, enumerable: false });
  }
}

type QueryFn = (...args: unknown[]) => unknown;

function patchClientQuery(client: pg.PoolClient): void {
  const original = client.query.bind(client) as QueryFn;
  const patched: QueryFn = (...args) => {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      const cb = last as (err: unknown, res: unknown) => void;
      return original(...args.slice(0, -1), (err: unknown, res: unknown) => {
        if (!err) markCharColumns(res);
        cb(err, res);
      });
    }
    const ret = original(...args);
    if (ret && typeof (ret as Promise<unknown>).then === 'function') {
      return (ret as Promise<unknown>).then((res) => {
        markCharColumns(res);
        return res;
      });
    }
    return ret;
  };
  (client as unknown as { query: QueryFn }).query = patched;
}

function makePool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4, application_name: 'hostdeck-schema-engine' });
  pool.on('connect', (client) => patchClientQuery(client));
  pool.on('error', () => undefined);
  return pool;
}

function withCharTypes<T extends { queryRaw(q: SqlQuery): Promise<SqlResultSet> }>(queryable: T): T {
  const original = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (q: SqlQuery) => {
    const rs = await original(q);
    const idx = (rs.rows as unknown as { [CHAR_COLUMNS]?: number[] })[CHAR_COLUMNS];
    if (idx) for (const i of idx) (rs.columnTypes as number[])[i] = ColumnTypeEnum.Character;
    return rs;
  };
  return queryable;
}

function fixAdapter(adapter: SqlDriverAdapter, pool: pg.Pool): SqlDriverAdapter {
  withCharTypes(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) => withCharTypes<Transaction>(await startTransaction(isolationLevel));
  const onError = (adapter as unknown as { onError(err: unknown): never }).onError.bind(adapter);
  // The script as ONE query (simple protocol): Postgres runs its statements in order, `$$` bodies intact.
  adapter.executeScript = async (script: string) => {
    try {
      await pool.query(script);
    } catch (err) {
      onError(err);
    }
  };
  return adapter;
}

interface AdapterResources {
  factory: SqlMigrationAwareDriverAdapterFactory;
  close(): Promise<void>;
}

function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Drop shadow databases left by processes that died before cleaning up. */
async function dropLeftoverShadowDbs(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE 'prisma\\_migrate\\_shadow\\_db\\_%'`,
    [`${SHADOW_PREFIX.replaceAll('_', '\\_')}%`],
  );
  for (const { datname } of rows) {
    if (datname.startsWith(SHADOW_PREFIX)) {
      const pid = Number(datname.slice(SHADOW_PREFIX.length).split('_')[0]);
      if (pid === process.pid || isPidAlive(pid)) continue;
    } else {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_stat_activity WHERE datname = $1', [datname]);
      if (rowCount) continue;
    }
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(datname)} WITH (FORCE)`).catch(() => undefined);
  }
}

async function withAdmin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, application_name: 'hostdeck-schema-engine' });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

function adapterResources(url: string): AdapterResources {
  const pools: pg.Pool[] = [];
  const shadows = new Set<string>();
  const dropShadow = (name: string) =>
    withAdmin(url, (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`)).then(() => {
      shadows.delete(name);
    });

  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    async connect() {
      const pool = makePool(url);
      pools.push(pool);
      return fixAdapter(await new PrismaPg(pool).connect(), pool);
    },
    async connectToShadowDb() {
      const name = `${SHADOW_PREFIX}${process.pid}_${randomBytes(6).toString('hex')}`;
      await withAdmin(url, async (c) => {
        await dropLeftoverShadowDbs(c);
        await c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`);
      });
      shadows.add(name);
      const pool = makePool(databaseUrl(url, name));
      const adapter = fixAdapter(await new PrismaPg(pool).connect(), pool);
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await dispose();
        await pool.end().catch(() => undefined);
        await dropShadow(name);
      };
      return adapter;
    },
  };
  return {
    factory,
    async close() {
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      for (const name of [...shadows]) await dropShadow(name).catch(() => undefined);
    },
  };
}

// ---------------------------------------------------------------------------
// Engine sessions

/**
 * A panic inside the engine's async code surfaces as an uncaught
 * `RuntimeError: unreachable` thrown from a task, not as a rejection of the
 * pending call: while sessions run, such errors are caught here and fail the
 * running sessions with the panic message from the registry. Other uncaught
 * errors keep Node's default behaviour (print, exit 1) unless someone else
 * (e.g. a test runner) also listens.
 */
const runningSessions = new Set<(err: Error) => void>();

function onUncaught(err: unknown): void {
  if (err instanceof WebAssembly.RuntimeError && runningSessions.size > 0) {
    for (const fail of runningSessions) fail(err);
    return;
  }
  if (process.listenerCount('uncaughtException') === 1) {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  }
}

async function withEngine<T>(url: string, what: string, fn: (engine: WasmSchemaEngine) => Promise<T>): Promise<T> {
  const bg = await loadEngineModule();
  const res = adapterResources(url);
  let failSession: (err: Error) => void = () => undefined;
  const panicked = new Promise<never>((_, reject) => {
    failSession = reject;
  });
  panicked.catch(() => undefined);
  if (runningSessions.size === 0) process.on('uncaughtException', onUncaught);
  runningSessions.add(failSession);
  const logs: string[] = [];
  const debug = process.env.HOSTDECK_SCHEMA_ENGINE_DEBUG === '1';
  const onLog = (line: string) => {
    if (debug) process.stderr.write(`[schema-engine] ${line}\n`);
    logs.push(line);
    if (logs.length > 200) logs.shift();
  };
  let engine: WasmSchemaEngine | undefined;
  try {
    try {
      engine = await Promise.race([
        bg.SchemaEngine.new({ datamodels: undefined }, onLog, bindMigrationAwareSqlAdapterFactory(res.factory)),
        panicked,
      ]);
      return await Promise.race([fn(engine), panicked]);
    } catch (err) {
      throw engineError(err, what, logs);
    }
  } finally {
    runningSessions.delete(failSession);
    if (runningSessions.size === 0) process.removeListener('uncaughtException', onUncaught);
    try {
      engine?.free();
    } catch {
      // a panicked instance may refuse; it is dropped anyway
    }
    await res.close();
  }
}

/** Prisma's MigrationList for a folder (what the CLI builds before calling the engine). */
export async function migrationList(dir: string): Promise<MigrationList> {
  const baseDir = path.resolve(dir);
  const lockPath = 'migration_lock.toml';
  const lockContent = await fs.readFile(path.join(baseDir, lockPath), 'utf8').catch(() => null);
  let entries: import('node:fs').Dirent[] = [];
  try {
    entries = await fs.readdir(baseDir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  dirs.sort((a, b) => a.localeCompare(b));
  const migrationDirectories: MigrationList['migrationDirectories'] = [];
  for (const name of dirs) {
    const content = await fs
      .readFile(path.join(baseDir, name, 'migration.sql'), 'utf8')
      .then((value) => ({ tag: 'ok' as const, value }))
      .catch((e: Error) => ({ tag: 'error' as const, value: e.message }));
    migrationDirectories.push({ path: name, migrationFile: { path: 'migration.sql', content } });
  }
  return {
    baseDir,
    // Only PostgreSQL is used here; a missing lock file (no migration yet) means the same.
    lockfile: { path: lockPath, content: lockContent ?? 'provider = "postgresql"\n' },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

async function schemaFiles(source: { path: string; content?: string }) {
  const content = source.content ?? (await fs.readFile(source.path, 'utf8'));
  return [{ path: path.resolve(source.path), content }];
}

async function toDiffTarget(source: SchemaSource): Promise<DiffTarget> {
  switch (source.kind) {
    case 'empty':
      return { tag: 'empty' };
    case 'migrations':
      return { tag: 'migrations', ...(await migrationList(source.dir)) };
    case 'schema':
      return { tag: 'schemaDatamodel', files: await schemaFiles(source) };
    case 'url':
      // The engine's own connection is the live database ("schemaDatasource"):
      // withEngine connects it to this URL.
      return {
        tag: 'schemaDatasource',
        files: [{ path: 'live.prisma', content: 'datasource db {\n  provider = "postgresql"\n}\n' }],
        configDir: process.cwd(),
      };
  }
}

/**
 * An executable SQL script that takes `from` to `to` (PostgreSQL). When nothing
 * differs it is empty or only comments (see `isEmptyDiff`).
 */
export async function diffSql(options: DiffOptions): Promise<string> {
  const urls = [options.from, options.to].filter((s): s is { kind: 'url'; url: string } => s.kind === 'url').map((s) => s.url);
  if (new Set(urls).size > 1) throw new Error('diffSql: diffing two different live databases is not supported by the wasm engine');
  const engineUrl = urls[0] ?? options.url;
  const from = await toDiffTarget(options.from);
  const to = await toDiffTarget(options.to);
  return withEngine(engineUrl, 'schema diff failed', async (engine) => {
    const result = await engine.diff({ from, to, script: true, exitCode: null, filters: FILTERS });
    return result.stdout ?? '';
  });
}

/** True when a diff script has no statement (only blank lines and `--` comments). */
export function isEmptyDiff(sql: string): boolean {
  return sql
    .split('\n')
    .map((l) => l.trim())
    .every((l) => l === '' || l.startsWith('--'));
}

export interface CreateMigrationOptions {
  /** Live database for the engine and its shadow databases. */
  url: string;
  /** Default `prisma/schema.prisma`. */
  schemaPath?: string;
  /** Default `prisma/migrations`. */
  migrationsDir?: string;
  /** Write a migration even when nothing changed (an empty one, to fill by hand). */
  draft?: boolean;
}

export interface CreatedMigration {
  /** `<timestamp>_<name>`, or undefined when the schema matched the migrations (nothing written). */
  name?: string;
  /** Path of the written migration.sql. */
  file?: string;
  sql?: string;
}

/** Prisma's migration folder timestamp: UTC `%Y%m%d%H%M%S`. */
function utcTimestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/**
 * Write `<migrationsDir>/<timestamp>_<name>/migration.sql` with the SQL that takes
 * the migrations so far to the schema, and `migration_lock.toml`, in the layout
 * of `prisma migrate dev --create-only`.
 *
 * The engine's own `createMigration` cannot run in the wasm build with a driver
 * adapter ("PostgreSQL shadow DB must be provided through an external factory"),
 * so this is the engine's diff(migrations → schema), which computes the same
 * migration; only the destructive-change warning comments Prisma prepends are
 * missing — review generated migrations that drop or narrow anything.
 */
export async function createMigration(name: string, options: CreateMigrationOptions): Promise<CreatedMigration> {
  if (!/^[A-Za-z0-9_-]+$/.test(name) || name.length > 200) {
    throw new Error(`createMigration: use up to 200 letters, digits, _ and - in the migration name (got "${name}")`);
  }
  const schemaPath = path.resolve(options.schemaPath ?? 'prisma/schema.prisma');
  const migrationsDir = path.resolve(options.migrationsDir ?? 'prisma/migrations');
  const sql = await diffSql({
    url: options.url,
    from: { kind: 'migrations', dir: migrationsDir },
    to: { kind: 'schema', path: schemaPath },
  });
  if (isEmptyDiff(sql) && !options.draft) return {};
  const folder = `${utcTimestamp()}_${name}`;
  const dir = path.join(migrationsDir, folder);
  await fs.mkdir(migrationsDir, { recursive: true });
  await fs.mkdir(dir); // fails if it already exists
  const file = path.join(dir, 'migration.sql');
  await fs.writeFile(file, sql, 'utf8');
  await fs.writeFile(
    path.join(migrationsDir, 'migration_lock.toml'),
    '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
    'utf8',
  );
  return { name: folder, file, sql };
}

/**
 * Apply migrations with the engine itself (`prisma migrate deploy`'s command), for
 * tests that compare lib/db/migrate.ts's bookkeeping with Prisma's own.
 */
export async function applyMigrationsWithEngine(url: string, migrationsDir = 'prisma/migrations'): Promise<string[]> {
  const migrationsList = await migrationList(migrationsDir);
  const out = await withEngine(url, 'applying migrations with the schema engine failed', (engine) =>
    engine.applyMigrations({ migrationsList, filters: FILTERS }),
  );
  return out.appliedMigrationNames;
}
