// hostdeck host list|facts|import, hostdeck vm list|power — the host layer from
// the command line (local administration: the database and SSH keys of this installation).
import type { Command } from 'commander';
import { z } from 'zod';
import { audit } from '@/lib/auth/audit';
import { getDb } from '@/lib/db';
import { importHostDomains } from '@/lib/hosts/import';
import { OnboardingError, refreshFacts } from '@/lib/hosts/onboarding';
import { POWER_ACTIONS } from '@/lib/hosts/power-rules';
import { powerAction, PowerError } from '@/lib/hosts/power';
import { listHosts, listVms } from '@/lib/hosts/queries';
import { cliActor, printTable, UsageError, validate, withDatabase } from '@/cli/io';

async function hostByName(name: string) {
  const host = await getDb().host.findUnique({ where: { name } });
  if (!host) throw new UsageError(`No host named "${name}"`);
  return host;
}

async function operatorErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof OnboardingError || error instanceof PowerError) throw new UsageError(error.message);
    throw error;
  }
}

export function registerHostCommands(program: Command): void {
  const host = program.command('host').description('hosts: list, facts, import');
  host
    .command('list')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withDatabase(async () => {
        const { hosts } = await listHosts({ page: 1 });
        const rows = hosts.map(({ _count, ...h }) => ({ ...h, vms: _count.vms }));
        if (options.json) console.log(JSON.stringify(rows, null, 2));
        else printTable(rows, ['name', 'address', 'flavour', 'status', 'vms', 'lastSeenAt']);
      });
    });
  host
    .command('facts')
    .description("read a host's facts again over SSH")
    .argument('<name>')
    .action(async (name: string) => {
      await withDatabase(async () => {
        const found = await hostByName(name);
        const facts = await operatorErrors(() => refreshFacts(found.id));
        await audit({ action: 'host.refresh-facts', ...cliActor(), targetType: 'host', targetId: found.id });
        console.log(JSON.stringify(facts, null, 2));
      });
    });
  host
    .command('import')
    .description("import a connected host's existing domains as VMs")
    .argument('<name>')
    .action(async (name: string) => {
      await withDatabase(async () => {
        const found = await hostByName(name);
        const report = await operatorErrors(() => importHostDomains(found.id));
        await audit({ action: 'host.import', ...cliActor(), targetType: 'host', targetId: found.id, details: { imported: report.imported.map((v) => v.name) } });
        for (const vm of report.imported) {
          console.log(`imported ${vm.name}${vm.differences.length ? ` (first deployment would change: ${vm.differences.join(', ')})` : ''}`);
          for (const note of vm.unsupported) console.log(`  - ${note}`);
        }
        for (const skipped of report.skipped) console.log(`skipped ${skipped.name}: ${skipped.reason}`);
        if (report.imported.length + report.skipped.length === 0) console.log('nothing to import');
      });
    });

  const vm = program.command('vm').description('VMs: list, power');
  vm
    .command('list')
    .option('--host <name>', 'only this host')
    .option('--json', 'print JSON')
    .action(async (options: { host?: string; json?: boolean }) => {
      await withDatabase(async () => {
        const hostId = options.host ? (await hostByName(options.host)).id : undefined;
        const { vms } = await listVms({ hostId, page: 1 });
        const rows = vms.map((v) => ({ host: v.host.name, name: v.name, vcpus: v.vcpus, memoryMiB: v.memoryMiB, desired: v.desiredPower, live: v.liveState }));
        if (options.json) console.log(JSON.stringify(rows, null, 2));
        else printTable(rows, ['host', 'name', 'vcpus', 'memoryMiB', 'desired', 'live']);
      });
    });
  vm
    .command('power')
    .description(`power action on a VM: ${POWER_ACTIONS.join(' | ')}`)
    .argument('<host/vm>', 'e.g. hv1/web1')
    .argument('<action>')
    .action(async (ref: string, action: string) => {
      const parsedAction = validate(z.enum(POWER_ACTIONS, { error: `action must be one of: ${POWER_ACTIONS.join(', ')}` }), action);
      const [hostName, vmName] = ref.split('/');
      if (!hostName || !vmName) throw new UsageError('name the VM as <host>/<vm>, e.g. hv1/web1');
      await withDatabase(async () => {
        const found = await hostByName(hostName);
        const target = await getDb().vm.findUnique({ where: { hostId_name: { hostId: found.id, name: vmName } } });
        if (!target) throw new UsageError(`No VM named "${vmName}" on ${hostName}`);
        const result = await operatorErrors(() => powerAction(target.id, parsedAction));
        await audit({ action: 'vm.power', ...cliActor(), targetType: 'vm', targetId: target.id, details: { action: parsedAction, state: result.state } });
        console.log(result.message);
      });
    });
}
