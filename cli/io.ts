// Shared plumbing of the command-line tool: usage errors (exit 2), one-line
// error messages, validation messages, reading secrets from stdin, and a
// database for the command's life. The database modules are imported only
// inside withDatabase, so the commands that need none (schema, render, plan)
// never load lib/db or the generated Prisma client.
import type { z } from 'zod';
import os from 'node:os';
import type { DatabaseHandle } from '@/lib/db/bootstrap';
import type { AuditActor } from '@/lib/audited';
import { DomainError, isClientError } from '@/lib/errors';

/** Bad arguments or input: the command prints the message and exits 2 (a DomainError, invalid_input). */
export class UsageError extends DomainError {
  constructor(message: string) {
    super('invalid_input', message);
  }
}

/**
 * The exit status of an error: 2 when the request was refused (bad input, not
 * found, a conflict: a DomainError whose status is below 500), 1 otherwise.
 */
export function exitCodeOf(error: unknown): number {
  return error instanceof DomainError && isClientError(error) ? 2 : 1;
}

/** A DomainError as one line: `field: message` when it names a field. */
function domainLine(error: DomainError): string {
  return error.field && !(error instanceof UsageError) ? `${error.field}: ${error.message}` : error.message;
}

/**
 * An error as one line for the operator: its message without a stack trace.
 * Multi-line messages are joined with "; " (one part per invalid field), except
 * Prisma's, which carry a code frame of the call: their last line says what
 * went wrong.
 */
export function oneLineMessage(error: unknown): string {
  const message = error instanceof DomainError ? domainLine(error) : error instanceof Error ? error.message : String(error);
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const text = lines.length > 1 && /invocation/.test(message) ? lines[lines.length - 1]! : lines.join('; ');
  return text || (error instanceof Error ? error.name : 'unknown error');
}

export function validate<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new UsageError(result.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n'));
  }
  return result.data;
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export const cliActor = () => ({ actorName: `cli:${os.userInfo().username}`.slice(0, 64), via: 'cli' as const });

/** The operator at this shell as lib/audited records them. */
export function cliAuditActor(): AuditActor {
  return { name: cliActor().actorName, via: 'cli', credential: { via: 'cli' } };
}

/** Runs fn with the database up (embedded or DATABASE_URL), and always tears it down. */
export async function withDatabase<T>(fn: () => Promise<T>): Promise<T> {
  let handle: DatabaseHandle | undefined;
  const { bootstrapDatabase } = await import('@/lib/db/bootstrap');
  const { disconnectDb } = await import('@/lib/db');
  try {
    handle = await bootstrapDatabase({ log: (m) => console.error(`[hostdeck] ${m}`), secretKey: 'optional' });
    return await fn();
  } finally {
    await disconnectDb();
    await handle?.stop();
  }
}

export function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  const cells = rows.map((r) => columns.map((c) => formatCell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(line(columns.map((c) => c.toUpperCase())));
  for (const row of cells) console.log(line(row));
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
