// The hostdeck command against a real PostgreSQL: users, tokens, exit codes;
// and the spec commands without any database.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/tests/helpers/db';
import { runHostdeck } from '@/tests/helpers/cli';
import { validateApiToken } from '@/lib/auth/tokens';
import { getDb } from '@/lib/db';

const db = useTestDatabase();

function hostdeck(args: string[], stdin?: string) {
  return runHostdeck(args, { env: { ...process.env, DATABASE_URL: db.url() }, stdin });
}

describe('hostdeck CLI', () => {
  it('prints help and exits 0; bad arguments exit 2 with a message', async () => {
    const help = await hostdeck(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('user');
    expect(help.stdout).toContain('token');
    const unknown = await hostdeck(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const missing = await hostdeck(['user', 'add', 'x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--role <role>' not specified");
    const badRole = await hostdeck(['user', 'add', 'zoe', '--role', 'king', '--password-stdin'], 'a long enough password');
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('role: Role must be one of');
    const badAction = await hostdeck(['vm', 'power', 'hv1/web1', 'explode']);
    expect(badAction.code).toBe(2);
    expect(badAction.stderr).toContain('action must be one of: start, shutdown, reboot, force-off, suspend, resume');
    const badRef = await hostdeck(['vm', 'power', 'web1', 'start']);
    expect(badRef.code).toBe(2);
    expect(badRef.stderr).toContain('name the VM as <host>/<vm>');
    const noHost = await hostdeck(['host', 'import', 'nowhere']);
    expect(noHost.code).toBe(2);
    expect(noHost.stderr).toContain('No host named "nowhere"');
  }, 90_000);

  it('adds users, refuses duplicates and short passwords, changes roles', async () => {
    const added = await hostdeck(['user', 'add', 'ops', '--role', 'operator', '--password-stdin'], 'a long enough password\n');
    expect(added.stderr).not.toContain('Error');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('Created ops (operator).');
    expect((await hostdeck(['user', 'add', 'ops', '--role', 'viewer', '--password-stdin'], 'a long enough password')).code).toBe(2);
    const short = await hostdeck(['user', 'add', 'kim', '--role', 'viewer', '--password-stdin'], 'short');
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('Password must be at least 12 characters');
    expect(await getDb().user.count({ where: { username: 'kim' } })).toBe(0);

    const generated = await hostdeck(['user', 'add', 'lee', '--role', 'viewer']);
    expect(generated.code).toBe(0);
    expect(generated.stdout).toMatch(/Password \(shown once.*\): \S{20,}/);
    expect((await getDb().user.findUniqueOrThrow({ where: { username: 'lee' } })).mustChangePassword).toBe(true);

    expect((await hostdeck(['user', 'set-role', 'lee', 'approver'])).code).toBe(0);
    const list = await hostdeck(['user', 'list', '--json']);
    expect(JSON.parse(list.stdout).map((u: { username: string; role: string }) => `${u.username}:${u.role}`)).toEqual([
      'lee:approver',
      'ops:operator',
    ]);
    expect((await hostdeck(['user', 'set-role', 'nobody', 'viewer'])).code).toBe(2);
    const audit = await getDb().auditEvent.findMany({ where: { via: 'cli' } });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['user.create', 'user.set-role']));
  }, 90_000);

  it('creates, lists and revokes tokens', async () => {
    const created = await hostdeck(['token', 'create', '--user', 'ops', '--name', 'ci', '--role', 'admin']);
    expect(created.code).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^hdk_\S+$/);
    const valid = await validateApiToken(secret);
    expect(valid?.role).toBe('operator');
    const list = JSON.parse((await hostdeck(['token', 'list', '--user', 'ops', '--json'])).stdout);
    expect(list).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain(secret);
    expect((await hostdeck(['token', 'revoke', 'not-a-uuid'])).code).toBe(2);
    expect((await hostdeck(['token', 'revoke', list[0].id])).code).toBe(0);
    expect(await validateApiToken(secret)).toBeNull();
  }, 60_000);
});

/** A TCP port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('hostdeck CLI without a database', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'hostdeck-cli-nodb-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('schema, render and plan work without the generated Prisma client, and never start a database', async () => {
    // The project as right after checkout: everything the CLI loads, but no lib/generated.
    const project = path.join(scratch, 'project');
    for (const entry of ['bin', 'cli', 'lib', 'package.json', 'tsconfig.json']) {
      cpSync(entry, path.join(project, entry), { recursive: true, filter: (source) => !source.startsWith(path.join('lib', 'generated')) });
    }
    symlinkSync(path.resolve('node_modules'), path.join(project, 'node_modules'));
    expect(existsSync(path.join(project, 'lib/generated'))).toBe(false);

    const spec = path.join(scratch, 'host.json');
    writeFileSync(spec, JSON.stringify({ ...JSON.parse(readFileSync('tests/golden/libvirt-host/spec.json', 'utf8')), vms: [] }));
    const dataDir = path.join(scratch, 'data');
    const env = {
      ...process.env,
      DATABASE_URL: `postgresql://hostdeck:x@127.0.0.1:${await closedPort()}/hostdeck`,
      HOSTDECK_DATA_DIR: dataDir,
    };
    const run = (args: string[]) => runHostdeck(args, { env, cwd: project });

    const schema = await run(['schema']);
    expect({ code: schema.code, stderr: schema.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(schema.stdout)).toMatchObject({ title: 'Hostdeck host with its VMs' });

    const out = path.join(scratch, 'not-yet', 'out');
    const render = await run(['render', '--spec', spec, '--out', out]);
    expect({ code: render.code, stderr: render.stderr }).toEqual({ code: 0, stderr: '' });
    expect(existsSync(path.join(out, 'manifest.json'))).toBe(true);

    const plan = await run(['plan', '--spec', spec, '--deployed', out]);
    expect({ code: plan.code, stderr: plan.stderr }).toEqual({ code: 0, stderr: '' });
    expect(plan.stdout).toContain('nothing to deploy');
    expect(existsSync(dataDir)).toBe(false);

    // The copy really lacks the client: a database command fails, in one line.
    const users = await run(['user', 'list']);
    expect(users.code).toBe(1);
    expect(users.stderr).toBe('hostdeck: the generated Prisma client (lib/generated/prisma) is missing: run `npm run generate`\n');
  }, 90_000);

  it('a database that cannot be reached is one line on stderr and exit 1, no stack trace', async () => {
    const port = await closedPort();
    const env = { ...process.env, DATABASE_URL: `postgresql://hostdeck:x@127.0.0.1:${port}/hostdeck` };
    for (const args of [['user', 'list'], ['migrate'], ['host', 'list']]) {
      const result = await runHostdeck(args, { env });
      expect(result.code).toBe(1);
      const errors = result.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('[hostdeck] '));
      expect(errors).toEqual([`hostdeck: connect ECONNREFUSED 127.0.0.1:${port}`]);
    }
  }, 90_000);
});
