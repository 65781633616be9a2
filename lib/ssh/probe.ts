// lib/ssh/probe.ts — read a host's SSH host key without logging in.
//
// First contact with a host: connect, take the host key from the key
// exchange, and hang up before authentication, so the operator can compare
// the fingerprint with the one the host prints (`ssh-keygen -lf
// /etc/ssh/ssh_host_ed25519_key.pub`) and pin it. No credentials are used or sent.

import ssh2 from 'ssh2';
import { HostUnreachableError } from './errors';
import { fingerprintOfKeyBlob } from './fingerprint';
import type { SshEndpoint } from './types';

const { Client } = ssh2;

export type HostKeyInfo = {
  /** `SHA256:...` as OpenSSH prints it. */
  fingerprint: string;
  /** e.g. `ssh-ed25519` */
  keyType: string;
  /** `ssh-ed25519 AAAA...`, for a known_hosts line. */
  publicKeyOpenSsh: string;
};

/** The SHA256 fingerprint of the host key `address:port` offers. */
export async function probeHostKey(endpoint: SshEndpoint, options: { timeoutMs?: number } = {}): Promise<string> {
  return (await probeHostKeyInfo(endpoint, options)).fingerprint;
}

/** Fingerprint, type and public key of the host key `address:port` offers. */
export function probeHostKeyInfo(endpoint: SshEndpoint, options: { timeoutMs?: number } = {}): Promise<HostKeyInfo> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const hostId = endpoint.id;
  return new Promise<HostKeyInfo>((resolve, reject) => {
    const client = new Client();
    let info: HostKeyInfo | null = null;
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      try {
        client.end();
      } catch {
        /* closed */
      }
      if (info) resolve(info);
      else
        reject(
          err ??
            new HostUnreachableError('closed', `${endpoint.address}:${endpoint.port} closed the connection before showing a host key`, {
              hostId,
            }),
        );
    };
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (info) return settle(null);
      const where = `${endpoint.address}:${endpoint.port}`;
      if (err.level === 'client-timeout')
        return settle(new HostUnreachableError('timeout', `no SSH handshake with ${where} within ${timeoutMs} ms`, { hostId, cause: err }));
      const reason =
        err.code === 'ECONNREFUSED'
          ? 'refused'
          : err.code === 'ETIMEDOUT'
            ? 'timeout'
            : err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH'
              ? 'no-route'
              : err.code === 'ENOTFOUND'
                ? 'dns'
                : 'handshake';
      settle(new HostUnreachableError(reason, `${where}: ${err.message}`, { hostId, cause: err, code: err.code }));
    });
    client.on('close', () => settle(null));
    client.on('ready', () => settle(null)); // cannot happen (we refuse the key), but never leave a session open
    client.connect({
      host: endpoint.address,
      port: endpoint.port,
      username: endpoint.user ?? 'hostdeck-probe',
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer | string) => {
        const blob = Buffer.isBuffer(key) ? key : Buffer.from(key, 'latin1');
        const keyType = blob.length >= 4 ? blob.subarray(4, 4 + blob.readUInt32BE(0)).toString('latin1') : 'unknown';
        info = { fingerprint: fingerprintOfKeyBlob(blob), keyType, publicKeyOpenSsh: `${keyType} ${blob.toString('base64')}` };
        return false; // hang up before authentication
      },
    });
  });
}
