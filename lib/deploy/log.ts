// lib/deploy/log — a deployment's log as append-only chunks (DeploymentLogChunk):
// the runner appends while a step runs, the deployment page and the API read
// the chunks after the last one they saw (the chunk id is the SSE event id, so
// a reconnecting browser resumes where it stopped). Nothing here rewrites or
// deletes a chunk; the rows go when their deployment's host is removed.
import { getDb } from '@/lib/db';

export type LogChunk = { id: string; step: string | null; text: string; at: Date };

/** Longest text kept in one chunk; longer output is cut into several. */
const MAX_CHUNK = 64 * 1024;

export async function appendLog(deploymentId: string, step: string | null, text: string): Promise<void> {
  if (!text) return;
  const data = [];
  for (let at = 0; at < text.length; at += MAX_CHUNK) data.push({ deploymentId, step, text: text.slice(at, at + MAX_CHUNK) });
  await getDb().deploymentLogChunk.createMany({ data });
}

/** Chunks after `afterId` (exclusive; null: from the start), oldest first, at most `limit`. */
export async function logChunksAfter(deploymentId: string, afterId: string | null, limit = 500): Promise<LogChunk[]> {
  const rows = await getDb().deploymentLogChunk.findMany({
    where: { deploymentId, ...(afterId ? { id: { gt: BigInt(afterId) } } : {}) },
    orderBy: { id: 'asc' },
    take: limit,
    select: { id: true, step: true, text: true, at: true },
  });
  return rows.map((row) => ({ ...row, id: row.id.toString() }));
}

/**
 * Hands every chunk after `afterId` (null: from the start) to `onChunk`,
 * oldest first, a page at a time; returns the id of the last chunk seen
 * (`afterId` when there was none), the point to resume from.
 */
export async function forEachChunkAfter(
  deploymentId: string,
  afterId: string | null,
  onChunk: (chunk: LogChunk) => void,
): Promise<string | null> {
  let cursor = afterId;
  for (;;) {
    const chunks = await logChunksAfter(deploymentId, cursor, 1000);
    for (const chunk of chunks) onChunk(chunk);
    if (chunks.length > 0) cursor = chunks[chunks.length - 1]!.id;
    if (chunks.length < 1000) return cursor;
  }
}

/** The log so far as text, and the id of its last chunk (where a stream resumes). */
export async function logSoFar(deploymentId: string): Promise<{ text: string; lastChunkId: string | null }> {
  let text = '';
  const lastChunkId = await forEachChunkAfter(deploymentId, null, (chunk) => {
    text += chunk.text;
  });
  return { text, lastChunkId };
}

/** The whole log as text. */
export async function fullLog(deploymentId: string): Promise<string> {
  return (await logSoFar(deploymentId)).text;
}

/** A valid resume point from a Last-Event-ID header or `after` query value, else null. */
export function parseLogCursor(value: string | null | undefined): string | null {
  return value && /^\d{1,19}$/.test(value) ? value : null;
}
