// Whether the server's own parts answer, for GET /api/v1/health.
import { getDb } from '@/lib/db';
import { DomainError } from '@/lib/errors';

/** Resolves when the database answers a query; throws `unavailable` (503) when it does not. */
export async function assertDatabaseAnswers(): Promise<void> {
  try {
    await getDb().$queryRaw`SELECT 1`;
  } catch (error) {
    throw new DomainError('unavailable', 'The database does not answer', { cause: error });
  }
}
