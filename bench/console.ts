// bench/console.ts — the console data path: browser WebSocket → Hostdeck →
// SSH direct-tcpip forward (pooled ssh2 connection) → TCP on the lab host.
//
// The far end is a TCP echo server on the lab host's loopback (python3, one
// thread per connection), standing in for a VNC/SPICE port. Hostdeck's side is
// the real piping code (lib/console/session: ws server, backpressure, forward);
// only the port comes from the benchmark instead of `virsh domdisplay`, and no
// audit rows are written (there is no database here). The baseline, measured
// in the same run against the same echo server: Debian's websockify (noVNC's
// reference proxy) in front of an OpenSSH `ssh -L` tunnel to the same port.
// Figures: throughput (64 MiB echoed in 64 KiB frames, ≤ 4 MiB in flight; best
// and median of 5 runs, alternating with the baseline's), round-trip latency of
// 32-byte messages (p50, p99 of 2,000 after 200 warm-up), and Hostdeck's memory
// per open console with 50 open (RSS growth / 50); and CPU time per MB echoed
// (this process's threads but the client's, against websockify and ssh, from
// /proc), which a busy machine disturbs less than the throughput.
// ratio = ours / baseline: above 1 is better for throughput, below 1 for latency.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { WebSocketServer } from 'ws';
import { closeAll } from '@/lib/ssh';
import { ConsoleSession } from '@/lib/console/session';
import { median, result, type BenchResult } from '@/bench/types';
import { ensureLab, labTarget, sshArgs, type LabHost } from '@/tests/helpers/lab';

const MiB = 1024 * 1024;
/** Throughput runs of each path, alternating (these machines are shared: the median is steadier than the best). */
const ROUNDS = 5;
const require = createRequire(import.meta.url);

const ECHO_PY = `
import os, socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', 0)); s.listen(256)
print('PORT', s.getsockname()[1], flush=True)
def serve(c):
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while True:
            d = c.recv(262144)
            if not d: break
            c.sendall(d)
    except OSError: pass
    c.close()
def accept():
    while True:
        c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
threading.Thread(target=accept, daemon=True).start()
sys.stdin.read(); os._exit(0)
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts the echo server on the lab host; it lives as long as its ssh session (stdin). */
async function startEcho(lab: LabHost): Promise<{ port: number; child: ChildProcess }> {
  const code = Buffer.from(ECHO_PY).toString('base64');
  const child = spawn('ssh', [...sshArgs(lab), `python3 -u -c 'import base64;exec(base64.b64decode("${code}"))'`], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (c) => reject(new Error(`echo server exited (${c})`)));
  });
  return { port, child };
}

async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Hostdeck's path: a ws server whose sockets are piped by ConsoleSession to a forward to the echo port. */
async function startOurs(lab: LabHost, echoPort: number): Promise<{ url: string; close(): Promise<void> }> {
  const target = await labTarget(lab, `bench-console-${lab.name}`);
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 8 * MiB,
    handleProtocols: (p) => (p.has('binary') ? 'binary' : false),
  });
  const server = http.createServer((_q, r) => r.writeHead(404).end());
  let n = 0;
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new ConsoleSession(
        {
          id: `bench-${n++}`,
          kind: 'vnc',
          user: { id: 'bench', username: 'bench' },
          vm: { id: 'bench', name: 'echo', uuid: 'bench' },
          host: { id: target.id, name: lab.name, libvirtUri: 'qemu:///system' },
          target,
          ip: null,
          idleMs: 60 * 60_000,
          displayAddress: async () => ({ host: '127.0.0.1', port: echoPort }),
          audit: false,
        },
        () => {},
      );
      void session.attach(ws, { cols: 80, rows: 24 });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/console`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** The baseline: websockify → 127.0.0.1:L, `ssh -N -L L:127.0.0.1:echo` to the lab host. */
async function startBaseline(lab: LabHost, echoPort: number): Promise<{ url: string; cpuSeconds(): number; close(): void }> {
  const [tunnelPort, wsPort] = [await freePort(), await freePort()];
  const ssh = spawn(
    'ssh',
    ['-N', '-o', 'ExitOnForwardFailure=yes', '-L', `127.0.0.1:${tunnelPort}:127.0.0.1:${echoPort}`, ...sshArgs(lab)],
    { stdio: 'ignore' },
  );
  await waitForPort(tunnelPort);
  const wsockify = spawn('websockify', [`127.0.0.1:${wsPort}`, `127.0.0.1:${tunnelPort}`], { stdio: 'ignore' });
  await waitForPort(wsPort);
  return {
    url: `ws://127.0.0.1:${wsPort}/`,
    // websockify forks a process per connection: reaped, it counts in the parent's children's time
    cpuSeconds: () => cpuSecondsOf(wsockify.pid!) + cpuSecondsOf(ssh.pid!),
    close: () => {
      wsockify.kill('SIGTERM');
      ssh.kill('SIGTERM');
    },
  };
}

/**
 * CPU seconds (user + system) from /proc: of process `pid` with its reaped
 * children, or of one thread (`task`) alone.
 */
function cpuSecondsOf(pid: number, task?: number): number {
  const stat = readFileSync(task === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${task}/stat`, 'utf8');
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number); // f[0] is field 3 (state)
  const ticks = f[11]! + f[12]! + (task === undefined ? f[13]! + f[14]! : 0); // utime stime [cutime cstime]
  return ticks / 100; // USER_HZ
}

const threadIds = () => readdirSync('/proc/self/task').map(Number);

/**
 * Hostdeck's side: every thread of this process (the event loop, V8's helper
 * threads) but the client's worker thread. V8's helpers also collect the
 * worker's garbage: that counts against us.
 */
function ourCpuSeconds(clientThreads: Set<number>): number {
  let sum = 0;
  for (const tid of threadIds()) {
    if (clientThreads.has(tid)) continue;
    try {
      sum += cpuSecondsOf(process.pid, tid);
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return sum;
}

/**
 * The benchmark's client runs in a worker thread, like a browser in its own
 * process: it must not share the event loop of the proxy it measures.
 */
const CLIENT_JS = `
const { parentPort } = require('node:worker_threads');
const WebSocket = require(${JSON.stringify(require.resolve('ws'))});
const MiB = 1024 * 1024;
const openWs = (url) => new Promise((resolve, reject) => {
  const ws = new WebSocket(url, ['binary'], { perMessageDeflate: false });
  ws.once('open', () => resolve(ws));
  ws.once('error', reject);
});
async function throughput(url, total) {
  const ws = await openWs(url);
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  let sent = 0, received = 0;
  const started = process.hrtime.bigint();
  await new Promise((resolve, reject) => {
    const pump = () => { while (sent < total && sent - received < 4 * MiB) { ws.send(chunk); sent += chunk.length; } };
    ws.on('message', (d) => { received += d.length; if (received >= total) resolve(); else pump(); });
    ws.once('close', () => reject(new Error('closed during the throughput run')));
    pump();
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  ws.removeAllListeners('close');
  ws.close();
  return total / seconds / 1e6;
}
async function latencies(url, count, warmup) {
  const ws = await openWs(url);
  const msg = Buffer.alloc(32, 0x61);
  const times = [];
  let got = 0, wake = null;
  ws.on('message', (d) => { got += d.length; if (got >= msg.length && wake) { got -= msg.length; const w = wake; wake = null; w(); } });
  for (let i = 0; i < count + warmup; i++) {
    const t0 = process.hrtime.bigint();
    await new Promise((resolve) => { wake = resolve; ws.send(msg); });
    if (i >= warmup) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ws.close();
  return times;
}
const held = [];
async function hold(url, n) {
  for (let i = 0; i < n; i++) {
    const ws = await openWs(url);
    await new Promise((resolve) => { ws.once('message', () => resolve()); ws.send(Buffer.from('x')); });
    held.push(ws);
  }
  return held.length;
}
parentPort.on('message', async ({ id, cmd, args }) => {
  try {
    const value = cmd === 'throughput' ? await throughput(...args) : cmd === 'latencies' ? await latencies(...args) : cmd === 'hold' ? await hold(...args) : (held.splice(0).forEach((w) => w.close()), 0);
    parentPort.postMessage({ id, value });
  } catch (e) {
    parentPort.postMessage({ id, error: String(e && e.message || e) });
  }
});
`;

class Client {
  private readonly worker = new Worker(CLIENT_JS, { eval: true });
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  /** Resolves once the worker's thread runs. */
  readonly online = new Promise<void>((resolve) => this.worker.once('online', () => resolve()));
  constructor() {
    this.worker.on('message', ({ id, value, error }: { id: number; value?: unknown; error?: string }) => {
      const w = this.waiting.get(id);
      this.waiting.delete(id);
      if (error) w?.reject(new Error(error));
      else w?.resolve(value);
    });
  }
  call<T>(cmd: string, ...args: unknown[]): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, cmd, args });
    });
  }
  /** MB/s of payload echoed back (each byte crosses the path both ways). */
  throughput = (url: string, total = 64 * MiB) => this.call<number>('throughput', url, total);
  /** Round-trip times (ms) of `count` 32-byte messages, one at a time. */
  latencies = (url: string, count = 2000, warmup = 200) => this.call<number[]>('latencies', url, count, warmup);
  hold = (url: string, n: number) => this.call<number>('hold', url, n);
  release = () => this.call<number>('release');
  close = () => this.worker.terminate();
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** RSS growth of this process (the proxy; the client is in its worker) per console with `n` open, each proven live by an echo. */
async function memoryPerConsole(client: Client, url: string, n = 50): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((r) => setTimeout(r, 300));
  const before = process.memoryUsage().rss;
  await client.hold(url, n);
  gc?.();
  await new Promise((r) => setTimeout(r, 300));
  const after = process.memoryUsage().rss;
  await client.release();
  return (after - before) / n / 1024;
}

function ensureWebsockify(): void {
  if (spawnSync('sh', ['-c', 'command -v websockify']).status === 0) return;
  if (process.getuid?.() !== 0)
    throw new Error('websockify is missing: apt-get install websockify (the baseline of the console benchmark)');
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'websockify'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) throw new Error('apt-get install websockify failed');
}

export async function benchConsole(): Promise<BenchResult[]> {
  ensureWebsockify();
  const [lab] = await ensureLab(1);
  const echo = await startEcho(lab!);
  const ours = await startOurs(lab!, echo.port);
  const base = await startBaseline(lab!, echo.port);
  const threadsBefore = new Set(threadIds());
  const client = new Client();
  await client.online;
  const clientThreads = new Set(threadIds().filter((t) => !threadsBefore.has(t)));
  try {
    // warm both paths (SSH connection, TCP windows), then alternate runs
    await client.throughput(ours.url, 8 * MiB);
    await client.throughput(base.url, 8 * MiB);
    const tOurs: number[] = [];
    const tBase: number[] = [];
    const cpu = { ours: 0, base: 0 };
    const settle = () => new Promise((r) => setTimeout(r, 200)); // websockify reaps the connection's process
    for (let i = 0; i < ROUNDS; i++) {
      let before = ourCpuSeconds(clientThreads);
      tOurs.push(await client.throughput(ours.url));
      await settle();
      cpu.ours += ourCpuSeconds(clientThreads) - before;
      before = base.cpuSeconds();
      tBase.push(await client.throughput(base.url));
      await settle();
      cpu.base += base.cpuSeconds() - before;
    }
    const echoedMB = (ROUNDS * 64 * MiB) / 1e6;
    const lOurs = await client.latencies(ours.url);
    const lBase = await client.latencies(base.url);
    const perConsole = await memoryPerConsole(client, ours.url);
    return [
      result(`console throughput (echo, 64 KiB frames; best of ${ROUNDS})`, Math.max(...tOurs), 'MB/s', {
        name: 'websockify + ssh -L',
        value: Math.max(...tBase),
      }),
      result(`console throughput (echo, 64 KiB frames; median of ${ROUNDS})`, median(tOurs), 'MB/s', {
        name: 'websockify + ssh -L',
        value: median(tBase),
      }),
      result('console CPU time per MB echoed (proxy side)', (cpu.ours / echoedMB) * 1000, 'ms', {
        name: 'websockify + ssh -L',
        value: (cpu.base / echoedMB) * 1000,
      }),
      result('console round trip p50 (32 B)', percentile(lOurs, 50), 'ms', { name: 'websockify + ssh -L', value: percentile(lBase, 50) }),
      result('console round trip p99 (32 B)', percentile(lOurs, 99), 'ms', { name: 'websockify + ssh -L', value: percentile(lBase, 99) }),
      result('memory per open console (50 open)', perConsole, 'KiB'),
    ];
  } finally {
    await client.close();
    base.close();
    await ours.close();
    echo.child.stdin!.end();
    echo.child.kill('SIGTERM');
    await closeAll();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchConsole()
    .then((rows) => {
      for (const r of rows)
        console.log(
          `${r.name}: ${r.value} ${r.unit}${r.baselineValue !== null ? ` (baseline ${r.baselineValue} ${r.unit}, ratio ${r.ratio})` : ''}`,
        );
      process.exit(0);
    })
    .catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
}
