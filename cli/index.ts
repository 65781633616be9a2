// The hostdeck command-line tool: users, tokens, hosts and VMs, migrations,
// serving, and the spec/render/plan commands.
//
// The command modules that need the database (user, token, host, vm) are
// imported only when their command is run: `schema`, `render` and `plan` never
// load lib/db or the generated Prisma client, so they work without a database
// and before `npm run generate` (tests/unit/cli-imports.test.ts checks this).
//
// Errors: one line on stderr, never a stack trace; exit 2 for bad arguments or
// input, 1 for anything else.
import { Command, CommanderError } from 'commander';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliInputError, reportCliError, registerSpecCommands } from '@/cli/commands/render';
import { exitCodeOf, oneLineMessage, withDatabase } from '@/cli/io';
import { HOSTDECK_VERSION } from '@/lib/version';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A group of commands whose module is imported when one of its commands runs. */
export type LazyCommandGroup = {
  /** The top-level command names the module registers, with their descriptions for `--help`. */
  commands: Record<string, string>;
  register: (program: Command) => Promise<void>;
};

export const LAZY_COMMAND_GROUPS: LazyCommandGroup[] = [
  {
    commands: { user: 'manage users' },
    register: async (program) => (await import('@/cli/commands/users')).registerUserCommands(program),
  },
  {
    commands: { token: 'manage API tokens' },
    register: async (program) => (await import('@/cli/commands/tokens')).registerTokenCommands(program),
  },
  {
    commands: { host: 'hosts: list, facts, import, remove', vm: 'VMs: list, power', 'ssh-key': "Hostdeck's SSH client keys" },
    register: async (program) => (await import('@/cli/commands/hosts')).registerHostCommands(program),
  },
  {
    commands: { change: 'changes: create, list, show, propose, approve, reject, deploy', deployment: 'deployments: show, log' },
    register: async (program) => (await import('@/cli/commands/changes')).registerChangeCommands(program),
  },
];

/** The command name in argv (`hostdeck [options] <command> …`, or `hostdeck help <command>`). */
function commandName(argv: string[]): string | undefined {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/**
 * The hostdeck program for these arguments: the module of the command being
 * run is loaded in full; the other database command groups are listed by name
 * and description only, for `--help` and "unknown command" suggestions.
 */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command('hostdeck')
    .description('Hostdeck: web control panel for KVM hypervisor hosts')
    .version(HOSTDECK_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const wanted = commandName(argv);
  for (const group of LAZY_COMMAND_GROUPS) {
    if (wanted !== undefined && Object.hasOwn(group.commands, wanted)) await group.register(program);
    else for (const [name, description] of Object.entries(group.commands)) program.command(name).description(description);
  }
  registerSpecCommands(program);

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
      const result = spawnSync(options.dev ? 'npx' : 'bash', options.dev ? ['--no-install', ...args] : args, {
        cwd: root,
        stdio: 'inherit',
      });
      process.exitCode = result.status ?? 1;
    });

  for (const command of program.commands) command.exitOverride();
  for (const command of program.commands.flatMap((c) => c.commands)) command.exitOverride();
  return program;
}

/** Prints an error as one line on stderr and returns the exit status (2 bad input, 1 otherwise). */
export function reportError(error: unknown): number {
  if (error instanceof CliInputError) {
    reportCliError(error);
    return error.exitCode;
  }
  const clientMissing =
    (error as { code?: unknown })?.code === 'ERR_MODULE_NOT_FOUND' && !existsSync(path.join(root, 'lib/generated/prisma/client.ts'));
  const message = clientMissing
    ? 'the generated Prisma client (lib/generated/prisma) is missing: run `npm run generate`'
    : oneLineMessage(error);
  console.error(`hostdeck: ${message}`);
  return exitCodeOf(error);
}

export async function run(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has printed its message already
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      return 2;
    }
    return reportError(error);
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  // Errors that escape the command (an event emitter's 'error', a stray rejection) are one line too.
  const fail = (error: unknown) => process.exit(reportError(error));
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  run(process.argv.slice(2)).then((code) => process.exit(code), fail);
}
