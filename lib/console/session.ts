// One console session: the WebSocket(s) a ticket admitted, each piped to its
// own SSH channel — a direct-tcpip forward to the VM's VNC/SPICE port on the
// host, or `virsh console` on a pty for the serial console. Bytes flow both
// ways with backpressure (a slow browser pauses the SSH channel, a slow host
// pauses the WebSocket). Either side closing closes the other; an error on any
// socket ends that socket only. The session is audited when it opens and when
// its last socket closes (who, which VM, type, start, end, bytes each way).
import type { WebSocket } from 'ws';
import type { ClientChannel } from 'ssh2';
import { audit } from '@/lib/auth/audit';
import { defaultPool, openForward, SshError, type SshTarget } from '@/lib/ssh';
import { ConsoleEndpointError, displayAddress, openSerialConsole, type DisplayAddress } from '@/lib/console/display';
import type { ConsoleKind } from '@/lib/console/tickets';

/** WebSocket close codes the viewers show (4000–4999 are the application's). */
export const CLOSE = {
  normal: 1000,
  /** the VM is not running, or has no such display */
  unavailable: 4404,
  /** the host could not be reached or refused the tunnel */
  hostUnreachable: 4502,
  /** the SSH connection to the host was lost during the session */
  hostLost: 4503,
  idle: 4408,
  shutdown: 4001,
} as const;

const HIGH_WATER = 1 << 20;
const LOW_WATER = 256 << 10;

export type ConsoleSessionInit = {
  id: string;
  kind: ConsoleKind;
  user: { id: string; username: string };
  vm: { id: string; name: string; uuid: string };
  host: { id: string; name: string; libvirtUri: string };
  target: SshTarget;
  ip: string | null;
  idleMs: number;
  /** Where the display is on the host; default: `virsh domdisplay` (the benchmark points it at an echo server). */
  displayAddress?: () => Promise<DisplayAddress>;
  /** false: no audit entries (the benchmark, which has no database). Default true. */
  audit?: boolean;
  /** Called once, when the first socket is piped to the VM (starts the ticket's window for the other sockets). */
  onConnected?: () => void;
};

export type SessionStats = { bytesToVm: number; bytesFromVm: number; sockets: number; open: number };

export class ConsoleSession {
  readonly startedAt = new Date();
  bytesToVm = 0;
  bytesFromVm = 0;
  sockets = 0;
  open = 0;
  ended = false;
  private connected = false;
  endReason = 'closed';
  private lastInput = Date.now();
  private readonly members = new Set<WebSocket>();
  private address: Promise<DisplayAddress> | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly onEnd: (s: ConsoleSession) => void;

  constructor(
    readonly init: ConsoleSessionInit,
    onEnd: (s: ConsoleSession) => void,
  ) {
    this.onEnd = onEnd;
  }

  /** The first socket is accepted: audit the opening and watch for idleness. */
  private start(): void {
    const { init } = this;
    const every = Math.max(250, Math.min(30_000, Math.floor(init.idleMs / 4)));
    this.idleTimer = setInterval(() => {
      if (Date.now() - this.lastInput < init.idleMs) return;
      this.endReason = 'idle';
      const minutes = init.idleMs >= 60_000 ? `${Math.round(init.idleMs / 60_000)} min` : `${Math.round(init.idleMs / 1000)} s`;
      this.closeAll(CLOSE.idle, `Closed after ${minutes} without input`);
    }, every);
    this.idleTimer.unref();
    if (init.audit !== false)
      void audit({
        action: 'console.open',
        actor: init.user,
        ip: init.ip,
        targetType: 'vm',
        targetId: init.vm.id,
        details: { kind: init.kind, vm: init.vm.name, host: init.host.name },
      }).catch(() => {});
  }

  /** A session no socket ever joined (the client left during the checks): forget it, nothing to audit. */
  discard(): void {
    if (this.sockets > 0 || this.ended) return;
    this.ended = true;
    this.onEnd(this);
  }

  stats(): SessionStats {
    return { bytesToVm: this.bytesToVm, bytesFromVm: this.bytesFromVm, sockets: this.sockets, open: this.open };
  }

  closeAll(code: number, reason: string): void {
    for (const ws of this.members) closeWs(ws, code, reason);
  }

  /** The display's address on the host, asked once per session (SPICE's four sockets share it). */
  private displayAddress(): Promise<DisplayAddress> {
    const { target, host, vm, kind } = this.init;
    this.address ??= this.init.displayAddress
      ? this.init.displayAddress()
      : displayAddress(target, host.libvirtUri, vm.uuid, kind as 'vnc' | 'spice', vm.name);
    return this.address;
  }

  /** Pipes an accepted WebSocket to a new SSH channel of this session. */
  async attach(ws: WebSocket, size: { cols: number; rows: number }): Promise<void> {
    if (this.sockets === 0) this.start();
    this.sockets++;
    this.open++;
    this.members.add(ws);
    ws.pause(); // nothing is read until the channel is there
    let channel: ClientChannel | null = null;
    let release: (() => void) | null = null;
    let closedByUs = false;
    ws.on('error', () => {
      /* a reset or protocol error: 'close' follows and ends the pipe */
    });
    ws.once('close', () => {
      this.open--;
      this.members.delete(ws);
      if (channel) {
        closedByUs = true;
        try {
          channel.close();
        } catch {
          /* already gone */
        }
        channel.destroy();
      }
      if (this.open === 0) this.end();
    });
    try {
      if (this.init.kind === 'serial') {
        const serial = await openSerialConsole(this.init.target, this.init.host.libvirtUri, this.init.vm.uuid, size);
        channel = serial.channel;
        release = serial.release;
      } else {
        const address = await this.displayAddress();
        channel = await openForward(this.init.target, address.host, address.port, { timeoutMs: 15_000, noDelay: true });
      }
    } catch (error) {
      const [code, reason] = describeOpenError(error, this.init.host.name);
      if (this.endReason === 'closed') this.endReason = reason;
      closeWs(ws, code, reason);
      return;
    }
    if (ws.readyState !== ws.OPEN) {
      // the browser left while the channel was being opened
      channel.close();
      channel.destroy();
      release?.();
      return;
    }
    this.pipe(ws, channel, () => closedByUs);
    ws.resume();
    if (!this.connected) {
      this.connected = true;
      this.init.onConnected?.();
    }
  }

  private pipe(ws: WebSocket, channel: ClientChannel, closedByUs: () => boolean): void {
    const serial = this.init.kind === 'serial';
    let pending = 0;
    let channelPaused = false;
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      if (serial && !isBinary) {
        // control messages of the serial viewer: {"resize":[cols,rows]}
        const size = parseResize(buf.toString('utf8'));
        if (size) channel.setWindow(size.rows, size.cols, 0, 0);
        return;
      }
      this.bytesToVm += buf.length;
      this.lastInput = Date.now();
      if (!channel.write(buf)) {
        ws.pause();
        channel.once('drain', () => ws.resume());
      }
    });
    channel.on('data', (chunk: Buffer) => {
      this.bytesFromVm += chunk.length;
      pending += chunk.length;
      ws.send(chunk, { binary: true }, () => {
        pending -= chunk.length;
        if (channelPaused && pending < LOW_WATER) {
          channelPaused = false;
          channel.resume();
        }
      });
      if (!channelPaused && pending > HIGH_WATER) {
        channelPaused = true;
        channel.pause();
      }
    });
    channel.stderr?.on('data', () => {
      /* virsh's messages on a pty come through stdout; nothing useful here */
    });
    channel.on('error', () => {
      /* 'close' follows */
    });
    channel.once('close', () => {
      if (closedByUs()) return;
      // Was the whole SSH connection lost (sshd gone, network down), or did the other end close?
      setTimeout(() => {
        const state = defaultPool().status(this.init.target.id).state;
        if (state !== 'ready') {
          this.endReason = 'host connection lost';
          closeWs(ws, CLOSE.hostLost, `Lost the SSH connection to ${this.init.host.name}`);
        } else {
          if (this.endReason === 'closed') this.endReason = 'closed by the host';
          closeWs(ws, CLOSE.normal, serial ? 'The serial console closed' : `${this.init.vm.name}'s display closed`);
        }
      }, 50);
    });
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.onEnd(this);
    const endedAt = new Date();
    const { init } = this;
    if (init.audit === false) return;
    void audit({
      action: 'console.session',
      actor: init.user,
      ip: init.ip,
      targetType: 'vm',
      targetId: init.vm.id,
      details: {
        kind: init.kind,
        vm: init.vm.name,
        host: init.host.name,
        startedAt: this.startedAt.toISOString(),
        endedAt: endedAt.toISOString(),
        seconds: Math.round((endedAt.getTime() - this.startedAt.getTime()) / 100) / 10,
        bytesToVm: this.bytesToVm,
        bytesFromVm: this.bytesFromVm,
        sockets: this.sockets,
        end: this.endReason,
      },
    }).catch((e: unknown) => console.error('[hostdeck] console audit failed:', e instanceof Error ? e.message : e));
  }
}

function parseResize(text: string): { cols: number; rows: number } | null {
  if (text.length > 100) return null;
  try {
    const v = JSON.parse(text) as { resize?: unknown };
    const r = v?.resize;
    if (Array.isArray(r) && r.length === 2 && r.every((n) => Number.isInteger(n) && n > 0 && n <= 1000))
      return { cols: r[0] as number, rows: r[1] as number };
  } catch {
    /* not a control message */
  }
  return null;
}

export function closeWs(ws: WebSocket, code: number, reason: string): void {
  try {
    // A paused socket would never read the browser's answer to the close frame.
    if (ws.isPaused) ws.resume();
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, truncateReason(reason));
  } catch {
    ws.terminate();
  }
}

/** A close reason fits in 123 bytes of UTF-8. */
export function truncateReason(reason: string): string {
  if (Buffer.byteLength(reason) <= 123) return reason;
  let r = reason;
  while (Buffer.byteLength(r) > 120) r = r.slice(0, -1);
  return `${r}…`;
}

function describeOpenError(error: unknown, hostName: string): [number, string] {
  if (error instanceof ConsoleEndpointError) return [CLOSE.unavailable, error.message];
  // The SSH layer's messages name addresses: they go to the server log, not to the browser.
  console.error(`[hostdeck] console on ${hostName} did not open:`, error instanceof Error ? error.message : error);
  if (error instanceof SshError) return [CLOSE.hostUnreachable, `Cannot reach ${hostName} over SSH`];
  return [CLOSE.hostUnreachable, `Could not open the console on ${hostName}`];
}
