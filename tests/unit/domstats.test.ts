// Parsing `virsh domstats --raw --state --cpu-total --balloon --block --interface`
// as libvirt 9.0 prints it (output captured on a lab host: a running domain with
// a qcow2 disk and two NICs, the lab's diskless running and shut-off guests, and
// the disk domain paused), the live-state script's sections, and the power rules.
import { describe, expect, it } from 'vitest';
import { isActiveState, liveStateFromCode, parseDomstats, parseLiveOutput, virshMessage, vmCpuPercent } from '@/lib/hosts/live';
import { allowedPowerActions, POWER_ACTIONS, powerRefusal } from '@/lib/hosts/power-rules';
import { powerCommand } from '@/lib/hosts/power';

const RUNNING_AND_SHUT_OFF = `Domain: 'hd-capture'
  state.state=1
  state.reason=1
  cpu.time=5390000000
  cpu.user=110000000
  cpu.system=5280000000
  cpu.cache.monitor.count=0
  cpu.haltpoll.success.time=0
  cpu.haltpoll.fail.time=0
  balloon.current=65536
  balloon.maximum=65536
  balloon.last-update=0
  balloon.rss=40392
  net.count=2
  net.0.name=vnet1
  net.0.rx.bytes=90
  net.0.rx.pkts=1
  net.0.rx.errs=0
  net.0.rx.drop=0
  net.0.tx.bytes=0
  net.0.tx.pkts=0
  net.0.tx.errs=0
  net.0.tx.drop=0
  net.1.name=vnet2
  net.1.rx.bytes=90
  net.1.rx.pkts=1
  net.1.rx.errs=0
  net.1.rx.drop=0
  net.1.tx.bytes=0
  net.1.tx.pkts=0
  net.1.tx.errs=0
  net.1.tx.drop=0
  block.count=1
  block.0.name=vda
  block.0.path=/var/lib/libvirt/images/hd-capture.qcow2
  block.0.backingIndex=1
  block.0.rd.reqs=0
  block.0.rd.bytes=0
  block.0.rd.times=0
  block.0.wr.reqs=0
  block.0.wr.bytes=0
  block.0.wr.times=0
  block.0.fl.reqs=0
  block.0.fl.times=0
  block.0.allocation=0
  block.0.capacity=16777216
  block.0.physical=200704

Domain: 'lab-vm-1'
  state.state=1
  state.reason=1
  cpu.time=8140000000
  cpu.user=200000000
  cpu.system=7940000000
  cpu.cache.monitor.count=0
  cpu.haltpoll.success.time=0
  cpu.haltpoll.fail.time=10328
  balloon.current=65536
  balloon.maximum=65536
  balloon.rss=51920
  net.count=1
  net.0.name=vnet0
  net.0.rx.bytes=110
  net.0.rx.pkts=1
  net.0.rx.errs=0
  net.0.rx.drop=2
  net.0.tx.bytes=0
  net.0.tx.pkts=0
  net.0.tx.errs=0
  net.0.tx.drop=0
  block.count=0

Domain: 'lab-vm-2'
  state.state=5
  state.reason=0
  cpu.time=240000000
  cpu.user=160000000
  cpu.system=80000000
  balloon.current=65536
  balloon.maximum=65536
  block.count=0

`;

// The same domain after `virsh suspend` (abridged: only the fields the parser reads, plus a few).
const PAUSED = `Domain: 'hd-capture'
  state.state=3
  state.reason=1
  cpu.time=5540000000
  cpu.user=110000000
  cpu.system=5430000000
  balloon.current=65536
  balloon.maximum=65536
  balloon.last-update=0
  balloon.rss=40392
  net.count=2
  net.0.name=vnet1
  net.0.rx.bytes=180
  net.0.tx.bytes=0
  net.1.name=vnet2
  net.1.rx.bytes=176
  net.1.tx.bytes=0
  block.count=1
  block.0.name=vda
  block.0.path=/var/lib/libvirt/images/hd-capture.qcow2
  block.0.rd.reqs=1
  block.0.rd.bytes=512
  block.0.wr.reqs=0
  block.0.wr.bytes=0

`;

describe('parseDomstats', () => {
  it('reads running and shut-off domains as libvirt 9.0 prints them', () => {
    const stats = parseDomstats(RUNNING_AND_SHUT_OFF);
    expect(stats.map((s) => [s.name, s.state])).toEqual([
      ['hd-capture', 'running'],
      ['lab-vm-1', 'running'],
      ['lab-vm-2', 'shut_off'],
    ]);
    expect(stats[0]).toEqual({
      name: 'hd-capture',
      state: 'running',
      stateCode: 1,
      stateReason: 1,
      cpuTimeNs: 5390000000n,
      memoryKiB: 65536,
      memoryMaxKiB: 65536,
      memoryUsedKiB: 40392, // no guest balloon stats: the QEMU process's RSS
      diskReadBytes: 0n,
      diskWriteBytes: 0n,
      netRxBytes: 180n, // two NICs summed
      netTxBytes: 0n,
    });
    expect(stats[1]).toMatchObject({
      cpuTimeNs: 8140000000n,
      memoryUsedKiB: 51920,
      diskReadBytes: null,
      diskWriteBytes: null,
      netRxBytes: 110n,
    });
    expect(stats[2]).toMatchObject({
      stateCode: 5,
      stateReason: 0,
      memoryKiB: 65536,
      memoryUsedKiB: null,
      diskReadBytes: null,
      netRxBytes: null,
      netTxBytes: null,
    });
  });

  it('reads a paused domain and sums its disk reads', () => {
    const [s] = parseDomstats(PAUSED);
    expect(s).toMatchObject({
      name: 'hd-capture',
      state: 'paused',
      cpuTimeNs: 5540000000n,
      diskReadBytes: 512n,
      diskWriteBytes: 0n,
      netRxBytes: 356n,
    });
  });

  it('uses the guest-reported memory when the balloon driver reports it', () => {
    const [s] = parseDomstats(
      "Domain: 'g'\n  state.state=1\n  balloon.current=2097152\n  balloon.available=2000000\n  balloon.unused=1500000\n  balloon.rss=2100000\n",
    );
    expect(s!.memoryUsedKiB).toBe(500000);
  });

  it('keeps odd names whole, ignores noise, and reads nothing from empty output', () => {
    const [s] = parseDomstats("noise before\nDomain: 'it's a name = x'\n  state.state=7\n  garbage line\n  cpu.time=notanumber\n");
    expect(s).toMatchObject({ name: "it's a name = x", state: 'pmsuspended', cpuTimeNs: null });
    expect(parseDomstats('')).toEqual([]);
    expect(parseDomstats('\n\n')).toEqual([]);
  });

  it('maps every libvirt state number', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, null].map(liveStateFromCode)).toEqual([
      'other',
      'running',
      'running',
      'paused',
      'running',
      'shut_off',
      'crashed',
      'pmsuspended',
      'unknown',
      'unknown',
    ]);
    expect(isActiveState('running') && isActiveState('paused') && !isActiveState('shut_off') && !isActiveState('unknown')).toBe(true);
  });
});

describe('parseLiveOutput', () => {
  const script = (domstats: string, exit = 0) =>
    `@@hostdeck:stat\ncpu  284797 2115 188472 152332 1136 0 1603 724 126 0\n@@hostdeck:meminfo\nMemTotal:       24684084 kB\nMemAvailable:   22234612 kB\n@@hostdeck:domstats\n${domstats}@@hostdeck:virsh-exit\n${exit}\n@@hostdeck:end\n`;

  it('reads the host counters and the domains', () => {
    const out = parseLiveOutput(script(RUNNING_AND_SHUT_OFF));
    expect(out.cpu).toEqual({ total: 284797 + 2115 + 188472 + 152332 + 1136 + 0 + 1603 + 724, busy: 284797 + 2115 + 188472 + 1603 + 724 });
    expect(out.memTotalKiB).toBe(24684084);
    expect(out.memAvailableKiB).toBe(22234612);
    expect(out.domains).toHaveLength(3);
    expect(out.virshError).toBeNull();
  });

  it('reports a failing virsh and a cut-off answer', () => {
    const out = parseLiveOutput(
      script(
        "error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\n",
        1,
      ),
    );
    expect(out.domains).toEqual([]);
    expect(out.virshError).toBe(
      "failed to connect to the hypervisor: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory",
    );
    expect(() => parseLiveOutput(script(RUNNING_AND_SHUT_OFF).replace('@@hostdeck:end\n', ''))).toThrow(/cut off/);
  });
});

describe('vmCpuPercent', () => {
  const t0 = new Date('2025-01-01T00:00:00Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);
  it('is the CPU time used per wall time and vCPU', () => {
    expect(vmCpuPercent({ cpuTimeNs: 1_000_000_000n, at: t0 }, { cpuTimeNs: 6_000_000_000n, at: at(10_000) }, 1)).toBe(50);
    expect(vmCpuPercent({ cpuTimeNs: 1_000_000_000n, at: t0 }, { cpuTimeNs: 6_000_000_000n, at: at(10_000) }, 2)).toBe(25);
    expect(vmCpuPercent({ cpuTimeNs: 0n, at: t0 }, { cpuTimeNs: 30_000_000_000n, at: at(10_000) }, 1)).toBe(100);
  });
  it('is empty without a usable previous sample (none, restarted VM, too old)', () => {
    expect(vmCpuPercent(undefined, { cpuTimeNs: 1n, at: t0 }, 1)).toBeNull();
    expect(vmCpuPercent({ cpuTimeNs: 9_000_000_000n, at: t0 }, { cpuTimeNs: 1_000_000_000n, at: at(10_000) }, 1)).toBeNull();
    expect(vmCpuPercent({ cpuTimeNs: 0n, at: t0 }, { cpuTimeNs: 1n, at: at(60 * 60_000) }, 1)).toBeNull();
  });
});

describe('virshMessage', () => {
  it('joins virsh error lines', () => {
    expect(virshMessage("error: Failed to start domain 'x'\nerror: Requested operation is not valid: domain is already active\n")).toBe(
      "Failed to start domain 'x': Requested operation is not valid: domain is already active",
    );
  });
});

describe('power rules', () => {
  it('offers the actions that make sense in each state', () => {
    expect(allowedPowerActions('running')).toEqual(['shutdown', 'reboot', 'force-off', 'suspend']);
    expect(allowedPowerActions('shut_off')).toEqual(['start']);
    expect(allowedPowerActions('paused')).toEqual(['force-off', 'resume']);
    expect(allowedPowerActions('unknown')).toEqual([...POWER_ACTIONS]);
  });
  it('says clearly why an action does not apply', () => {
    expect(powerRefusal('web1', 'running', 'start')).toBe('web1 is already running');
    expect(powerRefusal('web1', 'shut_off', 'force-off')).toBe('web1 is already off');
    expect(powerRefusal('web1', 'shut_off', 'shutdown')).toBe('web1 is not running (it is shut off)');
    expect(powerRefusal('web1', 'running', 'suspend')).toBeNull();
  });
  it('builds argument vectors addressing the domain by UUID', () => {
    const u = '0284199f-b0de-4a81-96b2-bd8afc200dbd';
    expect(powerCommand('start', u, 'shut_off')).toEqual(['start', u]);
    expect(powerCommand('shutdown', u, 'running')).toEqual(['shutdown', u, '--mode', 'acpi']);
    expect(powerCommand('reboot', u, 'running')).toEqual(['reboot', u, '--mode', 'acpi']);
    expect(powerCommand('force-off', u, 'running')).toEqual(['destroy', u]);
    expect(powerCommand('suspend', u, 'running')).toEqual(['suspend', u]);
    expect(powerCommand('resume', u, 'paused')).toEqual(['resume', u]);
    expect(powerCommand('resume', u, 'pmsuspended')).toEqual(['dompmwakeup', u]);
  });
});
