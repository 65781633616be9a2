'use server';
// Server actions of onboarding a host: read its host key, pin it after the
// operator compared it (re-pinning a changed key: admins only), gather facts, import its domains.
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { ActionError, authedAction } from '@/lib/actions/safe-action';
import { OnboardingError, pinHostKey, probeHost, refreshFacts } from '@/lib/hosts/onboarding';
import { importHostDomains } from '@/lib/hosts/import';
import { audit } from '@/lib/auth/audit';
import { hasRole } from '@/lib/auth/roles';
import { getDb } from '@/lib/db';

const hostInput = z.object({ hostId: z.uuid('Not a valid host id') });
const confirmInput = hostInput.extend({ fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'Not an SSH SHA256 fingerprint') });

async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof OnboardingError) throw new ActionError(error.message);
    throw error;
  }
}

export const probeHostKeyAction = authedAction
  .metadata({ actionName: 'host.probe-key', role: 'operator' })
  .inputSchema(hostInput)
  .action(async ({ parsedInput }) => run(() => probeHost(parsedInput.hostId)));

export const confirmHostKeyAction = authedAction
  .metadata({ actionName: 'host.pin-key', role: 'operator' })
  .inputSchema(confirmInput)
  .action(async ({ parsedInput, ctx }) => {
    const host = await getDb().host.findUnique({ where: { id: parsedInput.hostId }, select: { hostKeyFingerprint: true, name: true } });
    if (!host) throw new ActionError('No such host');
    const repin = host.hostKeyFingerprint !== null;
    if (repin && !hasRole(ctx.user.role, 'admin')) {
      await audit({ action: 'host.pin-key', actor: ctx.user, ip: ctx.ip, targetType: 'host', targetId: parsedInput.hostId, outcome: 'denied', details: { repin } });
      throw new ActionError('Only an admin can trust a new host key for a host that had one.');
    }
    await run(() => pinHostKey(parsedInput.hostId, parsedInput.fingerprint));
    await audit({ action: 'host.pin-key', actor: ctx.user, ip: ctx.ip, targetType: 'host', targetId: parsedInput.hostId, details: { fingerprint: parsedInput.fingerprint, previous: host.hostKeyFingerprint, name: host.name } });
    let factsError: string | null = null;
    try {
      await refreshFacts(parsedInput.hostId);
    } catch (error) {
      factsError = error instanceof Error ? error.message : String(error);
    }
    revalidatePath(`/hosts/${parsedInput.hostId}`);
    return { pinned: true, factsError };
  });

export const refreshFactsAction = authedAction
  .metadata({ actionName: 'host.refresh-facts', role: 'operator' })
  .inputSchema(hostInput)
  .action(async ({ parsedInput, ctx }) => {
    try {
      await run(() => refreshFacts(parsedInput.hostId));
    } finally {
      revalidatePath(`/hosts/${parsedInput.hostId}`);
    }
    await audit({ action: 'host.refresh-facts', actor: ctx.user, ip: ctx.ip, targetType: 'host', targetId: parsedInput.hostId });
    return { ok: true };
  });

export const importDomainsAction = authedAction
  .metadata({ actionName: 'host.import', role: 'operator' })
  .inputSchema(hostInput)
  .action(async ({ parsedInput, ctx }) => {
    const report = await run(() => importHostDomains(parsedInput.hostId));
    await audit({
      action: 'host.import',
      actor: ctx.user,
      ip: ctx.ip,
      targetType: 'host',
      targetId: parsedInput.hostId,
      details: { imported: report.imported.map((v) => v.name), skipped: report.skipped.map((s) => s.name) },
    });
    revalidatePath(`/hosts/${parsedInput.hostId}`);
    return report;
  });
