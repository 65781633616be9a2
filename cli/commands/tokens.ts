// hostdeck token create|list|revoke
import type { Command } from 'commander';
import { audit } from '@/lib/auth/audit';
import { findUser } from '@/lib/auth/users';
import { createApiToken, listApiTokens, revokeApiToken, TokenError } from '@/lib/auth/tokens';
import { createTokenInputSchema } from '@/lib/auth/account-input';
import { z } from 'zod';
import { cliActor, printTable, UsageError, validate, withDatabase } from '@/cli/io';

async function userOrFail(username: string) {
  const user = await findUser(username);
  if (!user) throw new UsageError(`No user named "${username}"`);
  return user;
}

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
        const owner = await userOrFail(options.user);
        const created = await createApiToken(owner.id, input).catch((error: unknown) => {
          if (error instanceof TokenError) throw new UsageError(error.message);
          throw error;
        });
        await audit({ action: 'token.create', ...cliActor(), targetType: 'token', targetId: created.token.id, details: { name: created.token.name, role: created.token.role, owner: owner.username } });
        console.error(`Token "${created.token.name}" for ${owner.username} with role ${created.token.role}. Store it now; it is not shown again:`);
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
        const owner = options.user ? await userOrFail(options.user) : undefined;
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
        const revoked = await revokeApiToken(id, { id: '', role: 'admin' });
        if (!revoked) throw new UsageError(`No token with id ${id}`);
        await audit({ action: 'token.revoke', ...cliActor(), targetType: 'token', targetId: revoked.id, details: { name: revoked.name } });
        console.log(`Token "${revoked.name}" revoked.`);
      });
    });
}
