// lib/server/page-load — a detail page's record by the id in its URL: a
// malformed id or a record that does not exist (lib/errors not_found) is the
// page's 404, anything else is thrown on.
import { notFound } from 'next/navigation';
import { DomainError } from '@/lib/errors';
import { looksLikeUuid } from '@/lib/spec/primitives';

export async function loadOrNotFound<T>(id: string, load: (id: string) => Promise<T>): Promise<T> {
  if (!looksLikeUuid(id)) notFound();
  try {
    return await load(id);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'not_found') notFound();
    throw error;
  }
}
