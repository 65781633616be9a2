// Bringing a host under management: read its SSH host key for the operator to
// compare, pin it once confirmed (re-checked against a fresh probe), and gather
// facts; every SSH failure is recorded on the host as its status and reason.
import { getDb } from '@/lib/db';
import { exec, HostKeyMismatchError, probeHostKeyInfo, sameFingerprint, sshErrorCode, SshError, type HostKeyInfo } from '@/lib/ssh';
import { DomainError, notFound, type ErrorCode } from '@/lib/errors';
import { hasRole, type Role } from '@/lib/auth/roles';
import { FACTS_SCRIPT, parseFacts, type HostFacts } from '@/lib/hosts/facts';
import { defaultSshKey, sshTargetFor } from '@/lib/hosts/ssh-keys';
import { hostConfigProblem, localLibvirtUri, unsafeConfigRefusal, UNSAFE_CONFIG } from '@/lib/hosts/safety';

/** A refused onboarding step (lib/errors): a conflict with the host's state unless a code says otherwise. */
export class OnboardingError extends DomainError {
  constructor(message: string, code: ErrorCode = 'conflict', options: { cause?: unknown } = {}) {
    super(code, message, options);
  }
}

async function hostOrFail(hostId: string) {
  const host = await getDb().host.findUnique({ where: { id: hostId } });
  if (!host) throw notFound('host');
  return host;
}

/** The host key the host offers now (no login). */
export async function probeHost(hostId: string): Promise<HostKeyInfo> {
  const host = await hostOrFail(hostId);
  try {
    return await probeHostKeyInfo({ id: host.id, address: host.address, port: host.port }, { timeoutMs: 10_000 });
  } catch (error) {
    throw new OnboardingError(
      `Could not reach ${host.address}:${host.port}: ${error instanceof Error ? error.message : String(error)}`,
      'host_unreachable',
      { cause: error },
    );
  }
}

/**
 * Pins the fingerprint the operator confirmed, after checking the host still
 * offers exactly that key. Re-pinning a changed key is for admins: with `by`,
 * a host that had a key and a caller below admin is refused (forbidden).
 */
export async function pinHostKey(hostId: string, confirmed: string, by?: { role: Role }): Promise<void> {
  const before = await hostOrFail(hostId);
  if (before.hostKeyFingerprint !== null && by && !hasRole(by.role, 'admin')) {
    throw new OnboardingError('Only an admin can trust a new host key for a host that had one.', 'forbidden');
  }
  const offered = await probeHost(hostId);
  if (!sameFingerprint(offered.fingerprint, confirmed)) {
    throw new OnboardingError(
      `The host now offers ${offered.fingerprint}, not the ${confirmed} you confirmed. Check the host before trusting it.`,
    );
  }
  await defaultSshKey();
  const host = await hostOrFail(hostId);
  const problem = hostConfigProblem(host);
  // Pinning the key does not clear refused settings: the host stays unsafe_config until an admin fixes them.
  await getDb().host.update({
    where: { id: hostId },
    data: {
      hostKeyFingerprint: offered.fingerprint,
      ...(problem ? { status: UNSAFE_CONFIG, statusReason: problem } : { status: 'new', statusReason: null }),
    },
  });
}

/**
 * What "confirm" does in the UI and the API: pin the key (pinHostKey, with the
 * re-pin rule for `by`), then read the facts once; a failed facts read does not
 * undo the pin and is returned as `factsError`.
 */
export async function confirmHostKey(
  hostId: string,
  confirmed: string,
  by: { role: Role },
): Promise<{ pinned: true; factsError: string | null }> {
  await pinHostKey(hostId, confirmed, by);
  const factsError = await refreshFacts(hostId).then(
    () => null,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  return { pinned: true, factsError };
}

/** Marks the host from an SSH error and returns the message to show. */
export async function recordSshFailure(hostId: string, error: unknown): Promise<string> {
  const mismatch = error instanceof HostKeyMismatchError;
  const reason = error instanceof Error ? error.message : String(error);
  await getDb().host.updateMany({
    where: { id: hostId, ...(mismatch ? {} : { status: { not: UNSAFE_CONFIG } }) },
    data: mismatch ? { status: 'host_key_changed', statusReason: reason } : { status: 'unreachable', statusReason: reason },
  });
  return reason;
}

/** Records an SSH failure on the host (recordSshFailure) and returns it as the error to throw: host_key_changed or host_unreachable. */
export async function sshFailure(hostId: string, error: SshError): Promise<OnboardingError> {
  return new OnboardingError(await recordSshFailure(hostId, error), sshErrorCode(error), { cause: error });
}

/** Reads the host's facts over SSH and stores them; marks the host online, or unreachable / key changed. */
export async function refreshFacts(hostId: string): Promise<HostFacts> {
  const host = await hostOrFail(hostId);
  if (!host.hostKeyFingerprint) throw new OnboardingError('Confirm the host key fingerprint first');
  if (host.status === 'host_key_changed')
    throw new OnboardingError(
      'The host key changed: an admin must check the host and re-pin its key before Hostdeck talks to it again',
      'host_key_changed',
    );
  const refusal = await unsafeConfigRefusal(host);
  if (refusal) throw new OnboardingError(refusal, 'host_unsafe_config');
  try {
    const target = await sshTargetFor(host);
    const result = await exec(target, ['sh', '-c', FACTS_SCRIPT, 'hostdeck-facts', localLibvirtUri(host)], { timeoutMs: 30_000 });
    const facts = parseFacts(result.stdout);
    const now = new Date();
    await getDb().host.update({
      where: { id: hostId },
      data: { facts: facts as never, factsAt: now, lastSeenAt: now, status: 'online', statusReason: null },
    });
    return facts;
  } catch (error) {
    if (error instanceof SshError) throw await sshFailure(hostId, error);
    throw error;
  }
}
