// The host and VM list search (lib/hosts/queries.ts: `contains` with
// `mode: 'insensitive'`, i.e. ILIKE '%q%') is served by the trigram indexes of
// the search_trigram migration, not by a scan: with a fleet's worth of rows,
// the real queries bump the indexes' scan counters (pg_stat_user_indexes).
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { disconnectDb } from '@/lib/db';
import { listHosts, listVms } from '@/lib/hosts/queries';
import { useTestDatabase } from '@/tests/helpers/db';

const database = useTestDatabase();
const FLEET = 20_000; // hosts, and one VM on each: enough rows that a scan is no longer the cheap plan

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: database.url() });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

async function indexScans(): Promise<Record<string, number>> {
  const rows = await sql<{ name: string; scans: string }>(
    `SELECT indexrelname AS name, idx_scan AS scans FROM pg_stat_user_indexes WHERE indexrelname IN ('Host_name_trgm_idx', 'Host_address_trgm_idx', 'Vm_name_trgm_idx', 'Vm_tags_idx')`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.scans)]));
}

/** Statistics reach pg_stat_* when a backend flushes them (at the latest when it exits): wait for them. */
async function scansAfter(before: Record<string, number>, names: string[]): Promise<Record<string, number>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const now = await indexScans();
    if (names.every((n) => (now[n] ?? 0) > (before[n] ?? 0)) || Date.now() > deadline) return now;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  await sql(`
    INSERT INTO "Host" (id, name, address, spec, "updatedAt")
    SELECT gen_random_uuid(), 'hv-' || lpad(i::text, 5, '0'), '10.' || (i / 62500) || '.' || (i / 250 % 250) || '.' || (i % 250), '{}'::jsonb, now()
    FROM generate_series(1, ${FLEET}) AS i`);
  await sql(`
    INSERT INTO "Vm" (id, "hostId", name, uuid, vcpus, "memoryMiB", spec, "updatedAt", tags)
    SELECT gen_random_uuid(), h.id, 'vm-' || substr(h.name, 4), gen_random_uuid(), 2, 4096, '{}'::jsonb, now(), ARRAY['web']
    FROM "Host" h`);
  await sql('VACUUM ANALYZE'); // statistics, and GIN pending lists moved into the indexes (as autovacuum does)
});

describe('name search', () => {
  it('finds VMs by a case-insensitive name substring through the trigram index', async () => {
    const before = await indexScans();
    const found = await listVms({ q: 'VM-077' });
    expect(found.total).toBe(100); // vm-07700 … vm-07799
    expect(found.vms.every((v) => v.name.startsWith('vm-077'))).toBe(true);
    await disconnectDb(); // the backends exit and flush their statistics
    const after = await scansAfter(before, ['Vm_name_trgm_idx', 'Vm_tags_idx']);
    expect(after.Vm_name_trgm_idx).toBeGreaterThan(before.Vm_name_trgm_idx ?? 0);
    expect(after.Vm_tags_idx).toBeGreaterThan(before.Vm_tags_idx ?? 0); // the tag half of the OR, too
  });

  it('finds hosts by a case-insensitive name or address substring through the trigram indexes', async () => {
    const before = await indexScans();
    const found = await listHosts({ q: 'HV-07777' });
    expect(found.hosts.map((h) => h.name)).toEqual(['hv-07777']);
    await disconnectDb();
    const after = await scansAfter(before, ['Host_name_trgm_idx', 'Host_address_trgm_idx']);
    expect(after.Host_name_trgm_idx).toBeGreaterThan(before.Host_name_trgm_idx ?? 0);
    expect(after.Host_address_trgm_idx).toBeGreaterThan(before.Host_address_trgm_idx ?? 0);
  });
});
