// Request body limits: one cap for every request (HOSTDECK_MAX_BODY_BYTES,
// 1 MiB by default). A declared Content-Length over the cap is refused before a
// byte of the body is read; a body of unknown length is counted as it arrives
// and reading stops at the first chunk past the cap.

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The body cap in bytes from the environment; a malformed value is an error, not a silent default. */
export function maxBodyBytes(env: Record<string, string | undefined> = process.env): number {
  const raw = env.HOSTDECK_MAX_BODY_BYTES?.trim();
  if (!raw) return DEFAULT_MAX_BODY_BYTES;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
    throw new Error(`HOSTDECK_MAX_BODY_BYTES must be a positive whole number of bytes, got "${raw}"`);
  }
  return Number(raw);
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than the limit of ${formatBytes(limit)}`);
    this.name = 'BodyTooLargeError';
  }
}

export function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** True when a Content-Length header announces more than `limit` bytes. */
export function declaredLengthExceeds(contentLength: string | string[] | null | undefined, limit: number): boolean {
  const value = Array.isArray(contentLength) ? contentLength[0] : contentLength;
  if (value == null || value === '') return false;
  const n = Number(value);
  return !Number.isFinite(n) || n > limit;
}

/**
 * Reads a body stream into memory, counting bytes as chunks arrive; throws
 * BodyTooLargeError as soon as the count passes `limit`, without reading on.
 * The stream is released, not cancelled: cancelling would tear down the
 * connection before the 413 answer is written (server.ts drains the rest).
 */
export async function readLimited(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) throw new BodyTooLargeError(limit);
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
