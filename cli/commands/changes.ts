// hostdeck change create|list|show|propose|approve|reject|deploy, hostdeck
// deployment show|log [--follow] — the review-and-deploy flow from the command
// line, for pipelines. Writes act as a Hostdeck user (`--as <username>`), with
// that user's role and the same rules as the web UI and the API (four-eyes:
// the author cannot approve); they are audited like the API's (lib/operations).
// `deployment log --follow` prints the log as it grows and exits when the
// deployment ends: 0 when it succeeded, 1 otherwise.
import type { Command } from 'commander';
import { z } from 'zod';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { findUserOrThrow } from '@/lib/auth/users';
import { DomainError } from '@/lib/errors';
import { getHostByName } from '@/lib/hosts/queries';
import { approveChange, createChange, proposeChange, rejectChange, type ChangeActor } from '@/lib/changes/service';
import { deployChange } from '@/lib/deploy/request';
import { getChangeDetail, getDeployment, isFinished, listChanges } from '@/lib/deploy/queries';
import { forEachChunkAfter } from '@/lib/deploy/log';
import { cliAuditActor, printTable, validate, withDatabase } from '@/cli/io';
import { CHANGE_STATUSES } from '@/lib/changes/rules';

const FOLLOW_POLL_MS = 500;

async function actingUser(username: string | undefined): Promise<ChangeActor> {
  if (!username) throw new DomainError('invalid_input', 'Say which Hostdeck user acts: --as <username>');
  const user = await findUserOrThrow(username);
  if (user.disabled) throw new DomainError('forbidden', `${user.username} is disabled`);
  return { id: user.id, username: user.username, role: user.role };
}

function auditActorFor(user: ChangeActor) {
  return { ...cliAuditActor(), user: { id: user.id, username: user.username } };
}

export function registerChangeCommands(program: Command): void {
  const change = program.command('change').description('changes: create, list, show, propose, approve, reject, deploy');
  change
    .command('create')
    .description("make the host's desired state its open change")
    .argument('<host>', 'host name')
    .requiredOption('--title <title>', 'what the change does')
    .option('--description <text>', 'more detail for the reviewer')
    .requiredOption('--as <username>', 'the Hostdeck user making the change')
    .action(async (hostName: string, options: { title: string; description?: string; as?: string }) => {
      await withDatabase(async () => {
        const user = await actingUser(options.as);
        const host = await getHostByName(hostName);
        const { id } = await audited(operations.createChange, { hostId: host.id, title: options.title }, auditActorFor(user), () =>
          createChange(host.id, { title: options.title, description: options.description }, user),
        );
        console.log(id);
      });
    });
  change
    .command('list')
    .option('--status <status>', 'only changes in this state')
    .option('--json', 'print JSON')
    .action(async (options: { status?: string; json?: boolean }) => {
      await withDatabase(async () => {
        const status = options.status === undefined ? undefined : validate(z.enum(CHANGE_STATUSES), options.status);
        const { changes } = await listChanges({ status });
        const rows = changes.map((c) => ({
          id: c.id,
          host: c.host.name,
          status: c.status,
          kind: c.kind,
          title: c.title,
          author: c.author?.username,
        }));
        if (options.json) console.log(JSON.stringify(rows, null, 2));
        else printTable(rows, ['id', 'host', 'status', 'kind', 'title', 'author']);
      });
    });
  change
    .command('show')
    .argument('<id>')
    .action(async (id: string) => {
      await withDatabase(async () => {
        const detail = await getChangeDetail(id, { id: '', role: 'viewer', revealSecrets: false });
        const { files, ...rest } = detail;
        console.log(JSON.stringify({ ...rest, files: files.map((f) => ({ path: f.path, status: f.status })) }, null, 2));
      });
    });
  for (const [name, run, description] of [
    ['propose', proposeChange, 'propose a draft for review'],
    ['approve', (id: string, user: ChangeActor) => approveChange(id, user), 'approve a proposed change (not your own)'],
  ] as const) {
    change
      .command(name)
      .description(description)
      .argument('<id>')
      .requiredOption('--as <username>', 'the Hostdeck user')
      .action(async (id: string, options: { as?: string }) => {
        await withDatabase(async () => {
          const user = await actingUser(options.as);
          await audited(operations.changeAction, { changeId: id, action: name }, auditActorFor(user), () => run(id, user));
          console.log(`${name === 'propose' ? 'proposed' : 'approved'} ${id}`);
        });
      });
  }
  change
    .command('reject')
    .argument('<id>')
    .requiredOption('--reason <text>', 'why')
    .requiredOption('--as <username>', 'the Hostdeck user')
    .action(async (id: string, options: { reason: string; as?: string }) => {
      await withDatabase(async () => {
        const user = await actingUser(options.as);
        await audited(operations.changeAction, { changeId: id, action: 'reject', note: options.reason }, auditActorFor(user), () =>
          rejectChange(id, user, options.reason),
        );
        console.log(`rejected ${id}`);
      });
    });
  change
    .command('deploy')
    .description('deploy an approved change (queued; the app server runs it); prints the deployment id')
    .argument('<id>')
    .requiredOption('--as <username>', 'the Hostdeck user')
    .action(async (id: string, options: { as?: string }) => {
      await withDatabase(async () => {
        const user = await actingUser(options.as);
        const { deploymentId } = await audited(operations.deployChange, { changeId: id }, auditActorFor(user), () =>
          deployChange(id, user),
        );
        console.log(deploymentId);
      });
    });

  const deployment = program.command('deployment').description('deployments: show, log');
  deployment
    .command('show')
    .argument('<id>')
    .action(async (id: string) => {
      await withDatabase(async () => console.log(JSON.stringify({ deployment: await getDeployment(id) }, null, 2)));
    });
  deployment
    .command('log')
    .argument('<id>')
    .option('--follow', 'keep printing until the deployment ends; exit 0 only if it succeeded')
    .action(async (id: string, options: { follow?: boolean }) => {
      await withDatabase(async () => {
        let cursor: string | null = null;
        for (;;) {
          const { status } = await getDeployment(id);
          cursor = await forEachChunkAfter(id, cursor, (chunk) => process.stdout.write(chunk.text));
          if (!options.follow) return;
          if (isFinished(status)) {
            if (status !== 'succeeded') process.exitCode = 1;
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
        }
      });
    });
}
