// lib/render/hash — content hashes of rendered files (SHA-256, hex).
import { createHash } from 'node:crypto';

export function sha256Hex(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/**
 * Hash of a set of files: SHA-256 over the files sorted by path, each as
 * path, NUL, byte length, NUL, content — unambiguous whatever the contents.
 */
export function filesHash(files: readonly { path: string; content: string }[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    hash.update(file.path, 'utf8');
    hash.update('\u0000');
    hash.update(String(Buffer.byteLength(file.content, 'utf8')));
    hash.update('\u0000');
    hash.update(file.content, 'utf8');
  }
  return hash.digest('hex');
}
