// hostdeck user add|list|set-role|reset-password|disable|enable — audited as the
// web UI and the API audit the same operations (lib/operations); refusals are
// DomainErrors, one line and exit 2 (cli/io).
import type { Command } from 'commander';
import { randomSecret } from '@/lib/auth/crypto';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { createUser, findUserOrThrow, listUsers, resetPassword, setUserDisabled, setUserRole } from '@/lib/auth/users';
import { createUserInputSchema, passwordSchema, roleSchema } from '@/lib/auth/account-input';
import { cliAuditActor, printTable, readStdin, validate, withDatabase } from '@/cli/io';

async function passwordFrom(options: { passwordStdin?: boolean }): Promise<{ password: string; generated: boolean }> {
  if (options.passwordStdin) return { password: validate(passwordSchema, await readStdin()), generated: false };
  return { password: randomSecret(18), generated: true };
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
        const created = await audited(operations.createUser, input, cliAuditActor(), () =>
          createUser({ ...input, mustChangePassword: generated }),
        );
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
        const found = await findUserOrThrow(username);
        await audited(operations.setUserRole, { user: found, role: parsedRole }, cliAuditActor(), () => setUserRole(found.id, parsedRole));
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
        const found = await findUserOrThrow(username);
        const revoked = await audited(operations.resetPassword, { user: found }, cliAuditActor(), () =>
          resetPassword(found.id, password, generated),
        );
        console.log(
          `Password of ${found.username} reset; ${revoked.sessionsEnded} session(s) ended, ${revoked.tokensRevoked} API token(s) revoked.`,
        );
        if (generated) console.log(`New password (shown once; they must change it at next login): ${password}`);
      });
    });

  for (const disabled of [true, false]) {
    user
      .command(disabled ? 'disable' : 'enable')
      .description(
        disabled
          ? 'disable a user: no sign-in, sessions ended, API tokens refused (not the last enabled admin)'
          : 'enable a disabled user again',
      )
      .argument('<username>')
      .action(async (username: string) => {
        await withDatabase(async () => {
          const found = await findUserOrThrow(username);
          const result = await audited(operations.setUserDisabled, { user: found, disabled }, cliAuditActor(), () =>
            setUserDisabled(found.id, disabled),
          );
          console.log(
            disabled ? `${found.username} is disabled; ${result.sessionsEnded} session(s) ended.` : `${found.username} is enabled.`,
          );
        });
      });
  }
}
