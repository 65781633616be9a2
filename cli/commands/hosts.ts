// hostdeck host list|facts|import|remove, hostdeck vm list|power, hostdeck ssh-key
// list — the host layer from
// the command line (local administration: the database and SSH keys of this installation).
// Refusals are lib/errors' DomainErrors (cli/io prints one line, exit 2 or 1);
// operations are audited as the web UI and the API audit them (lib/operations).
import type { Command } from 'commander';
import { z } from 'zod';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { importHostDomains } from '@/lib/hosts/import';
import { refreshFacts } from '@/lib/hosts/onboarding';
import { POWER_ACTIONS } from '@/lib/hosts/power-rules';
import { powerAction } from '@/lib/hosts/power';
import { getHostByName, getVmByName, listHosts, listVms } from '@/lib/hosts/queries';
import { removeHost } from '@/lib/hosts/inventory';
import { listSshKeysForOnboarding } from '@/lib/hosts/ssh-keys';
import { cliAuditActor, printTable, UsageError, validate, withDatabase } from '@/cli/io';

export function registerHostCommands(program: Command): void {
  const host = program.command('host').description('hosts: list, facts, import, remove');
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
        const found = await getHostByName(name);
        const facts = await audited(operations.refreshFacts, { host: found }, cliAuditActor(), () => refreshFacts(found.id));
        console.log(JSON.stringify(facts, null, 2));
      });
    });
  host
    .command('import')
    .description("import a connected host's existing domains as VMs")
    .argument('<name>')
    .action(async (name: string) => {
      await withDatabase(async () => {
        const found = await getHostByName(name);
        const report = await audited(operations.importHost, { host: found }, cliAuditActor(), () => importHostDomains(found.id));
        for (const vm of report.imported) {
          console.log(
            `imported ${vm.name}${vm.differences.length ? ` (first deployment would change: ${vm.differences.join(', ')})` : ''}`,
          );
          for (const note of vm.unsupported) console.log(`  - ${note}`);
        }
        for (const skipped of report.skipped) console.log(`skipped ${skipped.name}: ${skipped.reason}`);
        if (report.imported.length + report.skipped.length === 0) console.log('nothing to import');
      });
    });

  host
    .command('remove')
    .description('take a host out of the inventory (its VMs keep running on it; nothing is sent to the host)')
    .argument('<name>')
    .action(async (name: string) => {
      await withDatabase(async () => {
        const found = await getHostByName(name);
        const removed = await audited(operations.removeHost, { host: found }, cliAuditActor(), () => removeHost(found.id));
        console.log(`removed ${removed.name} (${removed.vms} VM${removed.vms === 1 ? '' : 's'} keep running on the host)`);
      });
    });

  const sshKey = program.command('ssh-key').description("Hostdeck's SSH client keys");
  sshKey
    .command('list')
    .description('the keys with their authorized_keys line, the default first (generated if there is none yet)')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withDatabase(async () => {
        const keys = await listSshKeysForOnboarding();
        if (options.json) console.log(JSON.stringify(keys, null, 2));
        else
          for (const key of keys)
            console.log(`${key.name}${key.isDefault ? ' (default)' : ''} ${key.fingerprint}\n  ${key.authorizedKeysLine}`);
      });
    });

  const vm = program.command('vm').description('VMs: list, power');
  vm.command('list')
    .option('--host <name>', 'only this host')
    .option('--json', 'print JSON')
    .action(async (options: { host?: string; json?: boolean }) => {
      await withDatabase(async () => {
        const hostId = options.host ? (await getHostByName(options.host)).id : undefined;
        const { vms } = await listVms({ hostId, page: 1 });
        const rows = vms.map((v) => ({
          host: v.host.name,
          name: v.name,
          vcpus: v.vcpus,
          memoryMiB: v.memoryMiB,
          desired: v.desiredPower,
          live: v.liveState,
        }));
        if (options.json) console.log(JSON.stringify(rows, null, 2));
        else printTable(rows, ['host', 'name', 'vcpus', 'memoryMiB', 'desired', 'live']);
      });
    });
  vm.command('power')
    .description(`power action on a VM: ${POWER_ACTIONS.join(' | ')}`)
    .argument('<host/vm>', 'e.g. hv1/web1')
    .argument('<action>')
    .action(async (ref: string, action: string) => {
      const parsedAction = validate(z.enum(POWER_ACTIONS, { error: `action must be one of: ${POWER_ACTIONS.join(', ')}` }), action);
      const [hostName, vmName] = ref.split('/');
      if (!hostName || !vmName) throw new UsageError('name the VM as <host>/<vm>, e.g. hv1/web1');
      await withDatabase(async () => {
        const target = await getVmByName(await getHostByName(hostName), vmName);
        const result = await audited(operations.powerVm, { vm: target, power: parsedAction }, cliAuditActor(), () =>
          powerAction(target.id, parsedAction),
        );
        console.log(result.message);
      });
    });
}
