'use server';
// Server actions of onboarding a host: read its host key, pin it after the
// operator compared it (re-pinning a changed key: admins only), gather facts, import its domains.
// Errors are lib/errors' DomainErrors, shown by the action client; every
// operation is audited as the API audits it (lib/operations).
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { authedAction, webActor } from '@/lib/actions/safe-action';
import { confirmHostKey, probeHost, refreshFacts } from '@/lib/hosts/onboarding';
import { importHostDomains } from '@/lib/hosts/import';
import { getHostOrThrow } from '@/lib/hosts/queries';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';

const hostInput = z.object({ hostId: z.uuid('Not a valid host id') });
const confirmInput = hostInput.extend({ fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'Not an SSH SHA256 fingerprint') });

export const probeHostKeyAction = authedAction
  .metadata({ actionName: 'host.probe-key', role: 'operator' })
  .inputSchema(hostInput)
  .action(async ({ parsedInput }) => probeHost(parsedInput.hostId));

export const confirmHostKeyAction = authedAction
  .metadata({ actionName: 'host.pin-key', role: 'operator' })
  .inputSchema(confirmInput)
  .action(async ({ parsedInput: { hostId, fingerprint }, ctx }) => {
    const host = await getHostOrThrow(hostId);
    try {
      return await audited(operations.pinHostKey, { host, fingerprint }, webActor(ctx), () =>
        confirmHostKey(hostId, fingerprint, ctx.user),
      );
    } finally {
      revalidatePath(`/hosts/${hostId}`);
    }
  });

export const refreshFactsAction = authedAction
  .metadata({ actionName: 'host.refresh-facts', role: 'operator' })
  .inputSchema(hostInput)
  .action(async ({ parsedInput: { hostId }, ctx }) => {
    const host = await getHostOrThrow(hostId);
    try {
      await audited(operations.refreshFacts, { host }, webActor(ctx), () => refreshFacts(hostId));
    } finally {
      revalidatePath(`/hosts/${hostId}`);
    }
    return { ok: true };
  });

export const importDomainsAction = authedAction
  .metadata({ actionName: 'host.import', role: 'operator' })
  .inputSchema(hostInput)
  .action(async ({ parsedInput: { hostId }, ctx }) => {
    const host = await getHostOrThrow(hostId);
    const report = await audited(operations.importHost, { host }, webActor(ctx), () => importHostDomains(hostId));
    revalidatePath(`/hosts/${hostId}`);
    return report;
  });
