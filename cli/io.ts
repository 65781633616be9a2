// Shared plumbing of the command-line tool: usage errors (exit 2), validation
// messages, reading secrets from stdin, and a database for the command's life.
import { z } from 'zod';
import os from 'node:os';
import { bootstrapDatabase, type DatabaseHandle } from '@/lib/db/bootstrap';
import { disconnectDb } from '@/lib/db';

export class UsageError extends Error {}

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
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export const cliActor = () => ({ actorName: `cli:${os.userInfo().username}`.slice(0, 64), via: 'cli' as const });

/** Runs fn with the database up (embedded or DATABASE_URL), and always tears it down. */
export async function withDatabase<T>(fn: () => Promise<T>): Promise<T> {
  let handle: DatabaseHandle | undefined;
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
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(columns.map((c) => c.toUpperCase())));
  for (const row of cells) console.log(line(row));
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
