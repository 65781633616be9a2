// The hostdeck command-line tool: users, tokens, migrations, serving, and the
// spec/render/plan commands. Bad arguments exit 2 with a message.
import { Command, CommanderError } from 'commander';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerUserCommands } from '@/cli/commands/users';
import { registerTokenCommands } from '@/cli/commands/tokens';
import { registerSpecCommands } from '@/cli/commands/render';
import { registerHostCommands } from '@/cli/commands/hosts';
import { UsageError, withDatabase } from '@/cli/io';
import { HOSTDECK_VERSION } from '@/lib/version';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function buildProgram(): Command {
  const program = new Command('hostdeck')
    .description('Hostdeck: web control panel for KVM hypervisor hosts')
    .version(HOSTDECK_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  registerUserCommands(program);
  registerTokenCommands(program);
  registerSpecCommands(program);
  registerHostCommands(program);

  program
    .command('migrate')
    .description('apply database migrations (embedded database unless DATABASE_URL is set)')
    .action(async () => {
      await withDatabase(async () => console.log('Database is up to date.'));
    });

  program
    .command('serve')
    .description('run the web app (builds it first when needed)')
    .option('--dev', 'development mode with hot reload')
    .action((options: { dev?: boolean }) => {
      const args = options.dev ? ['tsx', 'server.ts', '--dev'] : ['scripts/start.sh'];
      const result = spawnSync(options.dev ? 'npx' : 'bash', options.dev ? ['--no-install', ...args] : args, { cwd: root, stdio: 'inherit' });
      process.exitCode = result.status ?? 1;
    });

  for (const command of program.commands) command.exitOverride();
  for (const command of program.commands.flatMap((c) => c.commands)) command.exitOverride();
  return program;
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return 2;
    }
    if (error instanceof UsageError) {
      console.error(`hostdeck: ${error.message}`);
      return 2;
    }
    console.error(`hostdeck: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  run(process.argv.slice(2)).then((code) => process.exit(code));
}
