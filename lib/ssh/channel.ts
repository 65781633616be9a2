// lib/ssh/channel.ts — opening and killing SSH channels, with OpenSSH's quirks handled.
//
// - OpenSSH frees a closed session only on its next event-loop pass, so a
//   channel opened right after another closed can be refused ("open failed",
//   MaxSessions still counting the old one). Session opens refused that way are retried
//   a few times with a short back-off.
// - ssh2's Channel.signal() does nothing once our side of the channel has
//   sent EOF (which exec does at once when there is no stdin), so signals are
//   sent through the protocol object directly.

import type { ClientChannel } from 'ssh2';
import { HostUnreachableError, SshError } from './errors';
import type { Lease } from './pool';

/** SSH_OPEN_CONNECT_FAILED (OpenSSH: session_open failed) and SSH_OPEN_RESOURCE_SHORTAGE. */
const RETRYABLE_REASONS = new Set([2, 4]);
const RETRY_DELAYS_MS = [5, 20, 50, 100, 200, 400];

/**
 * Open a session channel with `open` (e.g. `(cb) => client.exec(cmd, cb)`),
 * retrying refusals that come from OpenSSH's delayed session cleanup.
 * `cancelled()` stops the retries (the caller gave up).
 */
export async function openSessionChannel<T>(
  lease: Lease,
  what: string,
  open: (cb: (err: Error | undefined, channel: T) => void) => void,
  cancelled: () => boolean = () => false,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await new Promise<T>((resolve, reject) => {
        try {
          open((err, ch) => (err ? reject(err) : resolve(ch)));
        } catch (e) {
          reject(e);
        }
      });
    } catch (e) {
      const err = e as Error & { reason?: number };
      if (lease.connection.lost) {
        throw new HostUnreachableError('connection-lost', `connection to ${lease.target.address}:${lease.target.port} lost`, {
          hostId: lease.target.id,
          cause: lease.connection.lostError ?? err,
        });
      }
      const retry = RETRYABLE_REASONS.has(err.reason ?? -1) && attempt < RETRY_DELAYS_MS.length && !cancelled();
      if (!retry) {
        throw new SshError(`could not open ${what} on ${lease.target.id}: ${err.message}`, { hostId: lease.target.id, cause: err });
      }
      await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]));
      if (cancelled()) throw new SshError(`${what} on ${lease.target.id} cancelled`, { hostId: lease.target.id });
    }
  }
}

/** Send a signal (name without SIG, e.g. 'KILL') to the remote process of a session channel, then close it. */
export function killChannel(ch: ClientChannel): void {
  const c = ch as unknown as {
    outgoing?: { id?: number; state?: string };
    _client?: { _protocol?: { signal(id: number, name: string): void } };
  };
  try {
    if ((c.outgoing?.state === 'open' || c.outgoing?.state === 'eof') && typeof c.outgoing.id === 'number')
      c._client?._protocol?.signal(c.outgoing.id, 'KILL');
    else ch.signal('KILL');
  } catch {
    /* channel already gone */
  }
  try {
    ch.close();
  } catch {
    /* channel already gone */
  }
}
