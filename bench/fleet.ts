// bench/fleet.ts — live state of every VM on a fleet of N lab hosts (N = 1, 5, 20).
//
// Hostdeck's way: one `virsh list --all` per host, all hosts at once, over
// the pooled SSH connections (lib/ssh). Figures: warm pool (connections
// already open, the dashboard's steady state) and cold pool (connect + run).
// Baselines measured in the same run against the same hosts and command:
//   - `ansible all -m command -a "virsh list --all"` with forks = N,
//     pipelining on and its SSH ControlPersist connections already warm
//     (Ansible at its fastest);
//   - a sequential `ssh host virsh list --all` loop (a shell script's way).
// ratio = ours / baseline (below 1: Hostdeck is faster). Sizes can be set with
// HOSTDECK_BENCH_FLEET_SIZES=1,5,20. The lab hosts (scripts/lab.sh) stay up afterwards.

import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SshPool, exec, type SshTarget } from '@/lib/ssh';
import { median, result, type BenchResult } from '@/bench/types';
import { ensureLab, labTarget, sshArgs, type LabHost } from '@/tests/helpers/lab';

const execFileP = promisify(execFile);

const COMMAND = ['virsh', 'list', '--all'];

type Domain = { name: string; state: string };

/** Parse `virsh list --all` into domains (name, state). */
export function parseVirshList(out: string): Domain[] {
  const domains: Domain[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+|-)\s+(\S+)\s+(.+?)\s*$/.exec(line);
    if (m) domains.push({ name: m[2]!, state: m[3]! });
  }
  return domains;
}

function checkFleet(outputs: string[], n: number): void {
  if (outputs.length !== n) throw new Error(`expected ${n} answers, got ${outputs.length}`);
  for (const out of outputs) {
    const doms = parseVirshList(out);
    if (!doms.some((d) => d.name === 'lab-vm-1' && d.state === 'running')) throw new Error(`unexpected virsh output:\n${out}`);
  }
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function repeat(times: number, fn: () => Promise<number>): Promise<number[]> {
  const values: number[] = [];
  for (let i = 0; i < times; i++) values.push(await fn());
  return values;
}

/** One round: every host's domains through the pool, all hosts in parallel. */
async function poolRound(pool: SshPool, targets: SshTarget[]): Promise<void> {
  const results = await Promise.all(targets.map((t) => exec(t, COMMAND, { pool, check: true, timeoutMs: 60_000 })));
  checkFleet(
    results.map((r) => r.stdout),
    targets.length,
  );
}

/** One round of the shell-script way: a new OpenSSH connection per host, one after the other. */
async function sshLoopRound(hosts: LabHost[]): Promise<void> {
  const outputs: string[] = [];
  for (const h of hosts) outputs.push((await execFileP('ssh', [...sshArgs(h), ...COMMAND])).stdout);
  checkFleet(outputs, hosts.length);
}

type Ansible = { round(): Promise<void>; close(): Promise<void> };

async function ansibleRunner(hosts: LabHost[]): Promise<Ansible> {
  const dir = await mkdtemp(join(tmpdir(), 'hostdeck-bench-ansible-'));
  const inventory = join(dir, 'inventory.ini');
  await writeFile(
    inventory,
    `${hosts
      .map(
        (h) =>
          `${h.name} ansible_host=${h.address} ansible_port=${h.port} ansible_user=${h.user} ansible_ssh_private_key_file=${h.keyFile} ` +
          `ansible_python_interpreter=/usr/bin/python3 ansible_ssh_common_args='-o UserKnownHostsFile=${h.knownHostsFile} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes'`,
      )
      .join('\n')}\n`,
  );
  const controlDir = join(dir, 'cp');
  const env = {
    ...process.env,
    ANSIBLE_HOME: join(dir, 'home'),
    ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
    ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir,
    ANSIBLE_PIPELINING: 'True',
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_DEPRECATION_WARNINGS: 'False',
  };
  const round = async () => {
    const { stdout } = await execFileP(
      'ansible',
      ['all', '-i', inventory, '-f', String(hosts.length), '-m', 'command', '-a', COMMAND.join(' ')],
      {
        env,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    // "lab1 | CHANGED | rc=0 >>" followed by the output, per host
    const parts = stdout.split(/^\S+ \| CHANGED \| rc=0 >>$/m).slice(1);
    checkFleet(parts, hosts.length);
  };
  const close = async () => {
    // stop the ControlPersist masters Ansible left behind
    const sockets = await readdir(controlDir).catch(() => [] as string[]);
    await Promise.all(
      sockets.map((s) => execFileP('ssh', ['-o', `ControlPath=${join(controlDir, s)}`, '-O', 'exit', 'x']).catch(() => undefined)),
    );
    await rm(dir, { recursive: true, force: true });
  };
  return { round, close };
}

function ansibleAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn('ansible', ['--version'], { stdio: 'ignore' });
    p.on('error', () => resolve(false));
    p.on('exit', (code) => resolve(code === 0));
  });
}

export async function benchFleet(): Promise<BenchResult[]> {
  const sizes = (process.env.HOSTDECK_BENCH_FLEET_SIZES ?? '1,5,20')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  const lab = await ensureLab(Math.max(...sizes));
  const haveAnsible = await ansibleAvailable();
  const out: BenchResult[] = [];
  for (const n of sizes) {
    const hosts = lab.slice(0, n);
    const targets = await Promise.all(hosts.map((h) => labTarget(h, `bench-${h.name}`)));
    const label = `fleet live state (virsh list --all), ${n} host${n === 1 ? '' : 's'}`;

    // Hostdeck, warm: connections open (as in the running app)
    const pool = new SshPool();
    await poolRound(pool, targets);
    const warm = median(await repeat(10, () => timed(() => poolRound(pool, targets))));
    await pool.closeAll();

    // Hostdeck, cold: connect to every host, then run
    const cold = median(
      await repeat(3, async () => {
        const p = new SshPool();
        const ms = await timed(() => poolRound(p, targets));
        await p.closeAll();
        return ms;
      }),
    );

    const loop = median(await repeat(3, () => timed(() => sshLoopRound(hosts))));
    const loopBaseline = { name: 'sequential `ssh host virsh list --all` loop', value: loop };

    if (haveAnsible) {
      const ansible = await ansibleRunner(hosts);
      try {
        await ansible.round(); // warm-up: ControlPersist connections, Python caches
        const ans = median(await repeat(3, () => timed(() => ansible.round())));
        out.push(
          result(`${label}: pooled SSH, warm, vs Ansible`, warm, 'ms', {
            name: `ansible -m command (forks ${n}, pipelining, warm ControlPersist)`,
            value: ans,
          }),
        );
      } finally {
        await ansible.close();
      }
    }
    out.push(result(`${label}: pooled SSH, warm, vs ssh loop`, warm, 'ms', loopBaseline));
    out.push(result(`${label}: pooled SSH, cold (connect + run), vs ssh loop`, cold, 'ms', loopBaseline));
    console.error(`[bench] fleet ${n}: warm ${warm.toFixed(1)} ms, cold ${cold.toFixed(1)} ms, ssh loop ${loop.toFixed(1)} ms`);
  }
  return out;
}
