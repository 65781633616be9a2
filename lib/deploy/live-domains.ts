// lib/deploy/live-domains — what runs on a host now, for plans and the drift
// check: each domain's inactive definition by name, and which run. One SSH
// round trip (lib/hosts/scripts/discover.sh, the same fixed script import runs).
import { getDb } from '@/lib/db';
import { DomainError, notFound } from '@/lib/errors';
import { DISCOVER_SCRIPT, parseDiscovery } from '@/lib/hosts/import';
import { sshFailure } from '@/lib/hosts/onboarding';
import { localLibvirtUri, unsafeConfigRefusal } from '@/lib/hosts/safety';
import { sshTargetFor } from '@/lib/hosts/ssh-keys';
import { exec, SshError } from '@/lib/ssh';
import type { LiveDomains } from '@/lib/changes/revisions';

function domainName(xml: string): string | null {
  return /<name>([^<]+)<\/name>/.exec(xml)?.[1] ?? null;
}

export async function readLiveDomains(hostId: string): Promise<LiveDomains> {
  const host = await getDb().host.findUnique({ where: { id: hostId } });
  if (!host) throw notFound('host');
  if (!host.hostKeyFingerprint || host.status === 'host_key_changed')
    throw new DomainError('conflict', `${host.name}: confirm its host key before Hostdeck reads its domains`);
  const refusal = await unsafeConfigRefusal(host);
  if (refusal) throw new DomainError('host_unsafe_config', refusal);
  const uri = localLibvirtUri(host);
  let output: string;
  try {
    output = (await exec(await sshTargetFor(host), ['sh', '-c', DISCOVER_SCRIPT, 'hostdeck-discover', uri], { timeoutMs: 120_000 })).stdout;
  } catch (error) {
    if (error instanceof SshError) throw await sshFailure(hostId, error);
    throw error;
  }
  const found = parseDiscovery(output);
  const xml = new Map<string, string>();
  const running = new Set<string>();
  for (const domain of found.domains) {
    const name = domainName(domain.xml);
    if (!name) continue;
    xml.set(name, domain.xml);
    if (found.running.has(domain.uuid)) running.add(name);
  }
  return { xml, running };
}
