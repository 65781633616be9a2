// The hostdeck command against a real PostgreSQL: users, tokens, exit codes.
import { describe, expect, it } from 'vitest';
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
    expect(JSON.parse(list.stdout).map((u: { username: string; role: string }) => `${u.username}:${u.role}`)).toEqual(['lee:approver', 'ops:operator']);
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
