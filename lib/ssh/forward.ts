// lib/ssh/forward.ts — TCP tunnels through the pooled connection (consoles).
//
// openForward asks the host's sshd to connect to host:port *on the host*
// (direct-tcpip, like `ssh -L`) and returns that connection as a duplex
// stream. Console code pipes a WebSocket into it; VNC/SPICE listen on the
// host's 127.0.0.1, so they are reached only this way. The caller decides
// the port (from virsh, never from a browser). Forwards do not use the
// session-channel cap, so an open console never blocks commands.

import type { ClientChannel } from 'ssh2';
import { CommandTimeoutError, HostUnreachableError, SshError } from './errors';
import { defaultPool, type SshPool } from './pool';
import type { SshTarget } from './types';

export type ForwardOptions = {
  /** Limit for connecting and opening the tunnel. Default 15 s. */
  timeoutMs?: number;
  pool?: SshPool;
  /**
   * Turn off Nagle's algorithm on the host's connection (TCP_NODELAY), as
   * OpenSSH does for interactive sessions: a console's small writes (a key,
   * a mouse move) then never wait for the ACK of the previous packet. It
   * stays off for that pooled connection. Default false.
   */
  noDelay?: boolean;
};

/** Open a tunnel to `host:port` as seen from the SSH host. Destroy/end the stream to close it. */
export async function openForward(target: SshTarget, host: string, port: number, options: ForwardOptions = {}): Promise<ClientChannel> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`openForward: bad port ${port}`);
  if (typeof host !== 'string' || host === '') throw new TypeError('openForward: host missing');
  const pool = options.pool ?? defaultPool();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new CommandTimeoutError(`forward ${host}:${port}`, timeoutMs, 'connecting', { hostId: target.id })),
    timeoutMs,
  );
  try {
    const lease = await pool.lease(target, 'forward', { signal: abort.signal });
    if (options.noDelay) lease.client.setNoDelay(true);
    let channel: ClientChannel;
    try {
      channel = await new Promise<ClientChannel>((resolve, reject) => {
        const onAbort = () => reject(abort.signal.reason);
        abort.signal.addEventListener('abort', onAbort, { once: true });
        lease.client.forwardOut('127.0.0.1', 0, host, port, (err, ch) => {
          abort.signal.removeEventListener('abort', onAbort);
          if (err) {
            reject(
              lease.connection.lost
                ? new HostUnreachableError('connection-lost', `connection to ${target.address} lost`, { hostId: target.id, cause: err })
                : new SshError(`host ${target.id} could not open a tunnel to ${host}:${port}: ${err.message}`, {
                    hostId: target.id,
                    cause: err,
                  }),
            );
            return;
          }
          if (abort.signal.aborted) {
            ch.destroy();
            return;
          }
          resolve(ch);
        });
      });
    } catch (e) {
      lease.release();
      throw e;
    }
    lease.channelOpened();
    channel.once('close', () => {
      lease.channelClosed();
      lease.release();
    });
    return channel;
  } finally {
    clearTimeout(timer);
  }
}
