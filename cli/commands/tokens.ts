// hostdeck token create|list|revoke
import type { Command } from 'commander';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { findUserOrThrow } from '@/lib/auth/users';
import { createApiToken, listApiTokens, revokeApiTokenOrThrow } from '@/lib/auth/tokens';
import { createTokenInputSchema } from '@/lib/auth/account-input';
import { z } from 'zod';
import { cliAuditActor, printTable, validate, withDatabase } from '@/cli/io';

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('manage API tokens');

  token
    .command('create')
    .description('create an API token for a user and print it (shown once)')
    .requiredOption('--user <username>', 'owner of the token')
    .requiredOption('--name <name>', 'what the token is for')
    .option('--role <role>', 'role ceiling (never above the user)', 'viewer')
    .option('--expires-days <days>', 'expire after this many days')
    .action(async (options: { user: string; name: string; role: string; expiresDays?: string }) => {
      const input = validate(createTokenInputSchema, { name: options.name, role: options.role, expiresInDays: options.expiresDays });
      await withDatabase(async () => {
        const owner = await findUserOrThrow(options.user);
        const created = await audited(operations.createToken, { owner, name: input.name }, cliAuditActor(), () =>
          createApiToken(owner.id, input),
        );
        console.error(
          `Token "${created.token.name}" for ${owner.username} with role ${created.token.role}. Store it now; it is not shown again:`,
        );
        console.log(created.secret);
      });
    });

  token
    .command('list')
    .description('list API tokens (all users, or one)')
    .option('--user <username>')
    .option('--json', 'print JSON')
    .action(async (options: { user?: string; json?: boolean }) => {
      await withDatabase(async () => {
        const owner = options.user ? await findUserOrThrow(options.user) : undefined;
        const tokens = await listApiTokens(owner?.id);
        if (options.json) console.log(JSON.stringify(tokens, null, 2));
        else printTable(tokens, ['id', 'username', 'name', 'prefix', 'role', 'lastUsedAt', 'expiresAt', 'revokedAt']);
      });
    });

  token
    .command('revoke')
    .description('revoke an API token by id')
    .argument('<id>')
    .action(async (id: string) => {
      validate(z.uuid('Not a valid token id'), id);
      await withDatabase(async () => {
        const revoked = await audited(operations.revokeToken, { tokenId: id }, cliAuditActor(), () =>
          revokeApiTokenOrThrow(id, { id: '', role: 'admin' }),
        );
        console.log(`Token "${revoked.name}" revoked.`);
      });
    });
}
