// Read models of the configuration history for the Changes and Deployments pages.
import { getDb } from '@/lib/db';

/** The latest deployments (and import baselines), newest first. */
export function listDeployments({ take = 50 }: { take?: number } = {}) {
  return getDb().deployment.findMany({
    orderBy: { createdAt: 'desc' },
    take,
    select: {
      id: true,
      kind: true,
      status: true,
      createdAt: true,
      finishedAt: true,
      log: true,
      host: { select: { id: true, name: true } },
      revision: { select: { contentHash: true } },
    },
  });
}

/** How many changes there are, in any state. */
export function countChanges(): Promise<number> {
  return getDb().change.count();
}
