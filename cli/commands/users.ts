// hostdeck user add|list|set-role|reset-password|disable|enable
import type { Command } from 'commander';
import { randomSecret } from '@/lib/auth/crypto';
import { audit } from '@/lib/auth/audit';
import { createUser, findUser, listUsers, resetPassword, setUserDisabled, setUserRole, UserError } from '@/lib/auth/users';
import { createUserInputSchema, passwordSchema, roleSchema } from '@/lib/auth/account-input';
import { cliActor, printTable, readStdin, UsageError, validate, withDatabase } from '@/cli/io';

async function passwordFrom(options: { passwordStdin?: boolean }): Promise<{ password: string; generated: boolean }> {
  if (options.passwordStdin) return { password: validate(passwordSchema, await readStdin()), generated: false };
  return { password: randomSecret(18), generated: true };
}

function asUsageError(error: unknown): never {
  if (error instanceof UserError) throw new UsageError(error.field ? `${error.field}: ${error.message}` : error.message);
  throw error;
}

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('manage users');

  user
    .command('add')
    .description('create a user (prints a generated password unless --password-stdin)')
    .argument('<username>')
    .requiredOption('--role <role>', 'viewer | operator | approver | admin')
    .option('--display-name <name>', 'shown in the UI')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (username: string, options: { role: string; displayName?: string; passwordStdin?: boolean }) => {
      const { password, generated } = await passwordFrom(options);
      const input = validate(createUserInputSchema, { username, role: options.role, displayName: options.displayName, password });
      await withDatabase(async () => {
        const created = await createUser({ ...input, mustChangePassword: generated }).catch(asUsageError);
        await audit({ action: 'user.create', ...cliActor(), targetType: 'user', targetId: created.id, details: { username: created.username, role: created.role } });
        console.log(`Created ${created.username} (${created.role}).`);
        if (generated) console.log(`Password (shown once; they must change it at first login): ${password}`);
      });
    });

  user
    .command('list')
    .description('list users')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withDatabase(async () => {
        const users = await listUsers();
        if (options.json) console.log(JSON.stringify(users, null, 2));
        else printTable(users, ['username', 'role', 'disabled', 'lastLoginAt', 'createdAt']);
      });
    });

  user
    .command('set-role')
    .description("change a user's role")
    .argument('<username>')
    .argument('<role>', 'viewer | operator | approver | admin')
    .action(async (username: string, role: string) => {
      const parsedRole = validate(roleSchema, role);
      await withDatabase(async () => {
        const found = await findUser(username);
        if (!found) throw new UsageError(`No user named "${username}"`);
        await setUserRole(found.id, parsedRole).catch(asUsageError);
        await audit({ action: 'user.set-role', ...cliActor(), targetType: 'user', targetId: found.id, details: { username: found.username, role: parsedRole } });
        console.log(`${found.username} is now ${parsedRole}.`);
      });
    });

  user
    .command('reset-password')
    .description("reset a user's password, unlock the account, end its sessions and revoke its API tokens")
    .argument('<username>')
    .option('--password-stdin', 'read the new password from standard input')
    .action(async (username: string, options: { passwordStdin?: boolean }) => {
      const { password, generated } = await passwordFrom(options);
      await withDatabase(async () => {
        const found = await findUser(username);
        if (!found) throw new UsageError(`No user named "${username}"`);
        const revoked = await resetPassword(found.id, password, generated).catch(asUsageError);
        await audit({ action: 'user.reset-password', ...cliActor(), targetType: 'user', targetId: found.id, details: { username: found.username, ...revoked } });
        console.log(`Password of ${found.username} reset; ${revoked.sessionsEnded} session(s) ended, ${revoked.tokensRevoked} API token(s) revoked.`);
        if (generated) console.log(`New password (shown once; they must change it at next login): ${password}`);
      });
    });

  for (const disabled of [true, false]) {
    user
      .command(disabled ? 'disable' : 'enable')
      .description(disabled ? 'disable a user: no sign-in, sessions ended, API tokens refused (not the last enabled admin)' : 'enable a disabled user again')
      .argument('<username>')
      .action(async (username: string) => {
        await withDatabase(async () => {
          const found = await findUser(username);
          if (!found) throw new UsageError(`No user named "${username}"`);
          const result = await setUserDisabled(found.id, disabled).catch(asUsageError);
          await audit({ action: disabled ? 'user.disable' : 'user.enable', ...cliActor(), targetType: 'user', targetId: found.id, details: { username: found.username, sessionsEnded: result.sessionsEnded } });
          console.log(disabled ? `${found.username} is disabled; ${result.sessionsEnded} session(s) ended.` : `${found.username} is enabled.`);
        });
      });
  }
}
