// The audit log: every change of state writes who, what, target, when and from
// which address. Details must never carry secrets (passwords, tokens, keys).
import { getDb } from '@/lib/db';
import type { Prisma } from '@/lib/db';

export type AuditVia = 'web' | 'api' | 'cli' | 'system';
export type AuditOutcome = 'ok' | 'denied' | 'failed';

export type AuditEntry = {
  action: string;
  actor?: { id: string; username: string } | null;
  actorName?: string;
  via?: AuditVia;
  targetType?: string;
  targetId?: string;
  ip?: string | null;
  outcome?: AuditOutcome;
  details?: Prisma.InputJsonValue;
};

/** The VarChar bounds of AuditEvent's columns (prisma/schema.prisma): longer values are cut, never refused. */
export const AUDIT_FIELD_LIMITS = { actorName: 64, via: 16, action: 64, targetType: 32, targetId: 128, ip: 64, outcome: 16 } as const;

function clip<T extends string | null>(value: T, max: number): T {
  return (typeof value === 'string' && value.length > max ? value.slice(0, max) : value) as T;
}

/** The row `audit` writes for an entry: every bounded text field cut to its column's length. */
export function auditRow(entry: AuditEntry) {
  const limits = AUDIT_FIELD_LIMITS;
  return {
    action: clip(entry.action, limits.action),
    actorId: entry.actor?.id ?? null,
    actorName: clip(entry.actor?.username ?? entry.actorName ?? null, limits.actorName),
    via: clip(entry.via ?? 'web', limits.via),
    targetType: clip(entry.targetType ?? null, limits.targetType),
    targetId: clip(entry.targetId ?? null, limits.targetId),
    ip: clip(entry.ip ?? null, limits.ip),
    outcome: clip(entry.outcome ?? 'ok', limits.outcome),
    details: entry.details,
  };
}

export async function audit(entry: AuditEntry, db: Pick<ReturnType<typeof getDb>, 'auditEvent'> = getDb()): Promise<void> {
  await db.auditEvent.create({ data: auditRow(entry) });
}

export const AUDIT_PAGE_SIZE = 50;

export type AuditFilter = {
  action?: string;
  actor?: string;
  targetType?: string;
  outcome?: string;
  from?: Date;
  to?: Date;
  page?: number;
};

export async function listAuditEvents(filter: AuditFilter) {
  const where: Prisma.AuditEventWhereInput = {
    ...(filter.action ? { action: { startsWith: filter.action } } : {}),
    ...(filter.actor ? { actorName: filter.actor } : {}),
    ...(filter.targetType ? { targetType: filter.targetType } : {}),
    ...(filter.outcome ? { outcome: filter.outcome } : {}),
    ...(filter.from || filter.to ? { at: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) } } : {}),
  };
  const page = Math.max(1, filter.page ?? 1);
  const db = getDb();
  const [total, events] = await Promise.all([
    db.auditEvent.count({ where }),
    db.auditEvent.findMany({ where, orderBy: [{ at: 'desc' }, { id: 'desc' }], skip: (page - 1) * AUDIT_PAGE_SIZE, take: AUDIT_PAGE_SIZE }),
  ]);
  return { total, page, pageSize: AUDIT_PAGE_SIZE, events };
}
