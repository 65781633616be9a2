// Where a VM's console is, asked of its host: `virsh domdisplay --type vnc|spice`
// gives the display's address on the host (VNC as a display number, SPICE as a
// port). Never taken from the browser. The serial console is `virsh console
// --force` on an SSH channel with a pseudo-terminal.
import type { ClientChannel } from 'ssh2';
import { buildCommand, defaultPool, exec, SshError, type SshTarget } from '@/lib/ssh';
import { openSessionChannel } from '@/lib/ssh/channel';
import { virshMessage } from '@/lib/hosts/live';

/** A refusal of the host or the VM, meant for the operator. */
export class ConsoleEndpointError extends Error {}

export type DisplayAddress = { host: string; port: number };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::', '']);

/**
 * The TCP address (as seen from the host) of a `virsh domdisplay` URI:
 * vnc://127.0.0.1:0 is display 0 = port 5900, spice://127.0.0.1:5901 a port.
 * Addresses that mean "this host" become 127.0.0.1. Null when it is not one.
 */
export function parseDomdisplay(output: string, kind: 'vnc' | 'spice'): DisplayAddress | null {
  const line = output
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.startsWith(`${kind}://`));
  if (!line) return null;
  const m = /^(?:vnc|spice):\/\/(\[[0-9a-fA-F:.]+\]|[^:/?\s]*)(?::(\d+))?/.exec(line);
  if (!m || m[2] === undefined) return null;
  const rawHost = m[1]!.replace(/^\[|\]$/g, '');
  const n = Number(m[2]);
  const port = kind === 'vnc' ? 5900 + n : n;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host: LOOPBACK.has(rawHost) ? '127.0.0.1' : rawHost, port };
}

export async function displayAddress(
  target: SshTarget,
  uri: string,
  uuid: string,
  kind: 'vnc' | 'spice',
  vmName: string,
): Promise<DisplayAddress> {
  const r = await exec(target, ['virsh', '-c', uri, 'domdisplay', '--type', kind, uuid], { timeoutMs: 15_000 });
  if (r.code !== 0) {
    const why = virshMessage(r.stderr);
    if (/not running/i.test(why)) throw new ConsoleEndpointError(`${vmName} is not running`);
    if (/no graphical display/i.test(why)) throw new ConsoleEndpointError(`${vmName} has no ${kind.toUpperCase()} display`);
    throw new ConsoleEndpointError(`${vmName}: ${why || `virsh exited with ${r.code ?? r.signal}`}`);
  }
  const address = parseDomdisplay(r.stdout, kind);
  if (!address) throw new ConsoleEndpointError(`${vmName} has no ${kind.toUpperCase()} display`);
  return address;
}

export type SerialChannel = { channel: ClientChannel; release: () => void };

/**
 * `virsh console --force <uuid>` on a channel with a pty (so virsh relays raw
 * bytes and the guest sees a terminal). Holds one session slot of the host's
 * connection until release().
 */
export async function openSerialConsole(
  target: SshTarget,
  uri: string,
  uuid: string,
  size: { cols: number; rows: number },
  timeoutMs = 15_000,
): Promise<SerialChannel> {
  const command = buildCommand(['virsh', '-c', uri, 'console', '--force', uuid]);
  const abort = new AbortController();
  const timer = setTimeout(
    () =>
      abort.abort(new SshError(`serial console of ${uuid}: no free channel on ${target.id} within ${timeoutMs} ms`, { hostId: target.id })),
    timeoutMs,
  );
  try {
    const lease = await defaultPool().lease(target, 'session', { signal: abort.signal });
    lease.client.setNoDelay(true); // interactive: keystrokes and their echo never wait for Nagle
    try {
      const channel = await openSessionChannel<ClientChannel>(lease, 'the serial console', (cb) =>
        lease.client.exec(command, { pty: { term: 'xterm-256color', cols: size.cols, rows: size.rows, width: 0, height: 0 } }, cb),
      );
      lease.channelOpened();
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        lease.channelClosed();
        lease.release();
      };
      channel.once('close', release);
      return { channel, release };
    } catch (e) {
      lease.release();
      throw e;
    }
  } finally {
    clearTimeout(timer);
  }
}
