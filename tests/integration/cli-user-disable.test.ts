// hostdeck user disable|enable against a real PostgreSQL: the user's sessions end
// and tokens stop at once, the last enabled admin is kept, each run is audited via 'cli'.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/tests/helpers/db';
import { runHostdeck } from '@/tests/helpers/cli';
import { createUser } from '@/lib/auth/users';
import { createSession, validateSession } from '@/lib/auth/sessions';
import { createApiToken, validateApiToken } from '@/lib/auth/tokens';
import { getDb } from '@/lib/db';

const db = useTestDatabase();
const password = 'a long enough password';

function hostdeck(args: string[]) {
  return runHostdeck(args, { env: { ...process.env, DATABASE_URL: db.url() } });
}

describe('hostdeck user disable|enable', () => {
  it('disables a user (sessions ended, tokens refused), enables them again, keeps the last admin, audits via cli', async () => {
    const admin = await createUser({ username: 'root', password, role: 'admin' });
    const ops = await createUser({ username: 'ops', password, role: 'operator' });
    const session = await createSession(ops.id, {});
    const { secret } = await createApiToken(ops.id, { name: 'ci', role: 'operator' });

    const disabled = await hostdeck(['user', 'disable', 'ops']);
    expect(disabled.stderr).not.toContain('Error');
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toContain('ops is disabled; 1 session(s) ended.');
    expect((await getDb().user.findUniqueOrThrow({ where: { id: ops.id } })).disabled).toBe(true);
    expect(await validateSession(session.token)).toBeNull();
    expect(await validateApiToken(secret)).toBeNull();

    const enabled = await hostdeck(['user', 'enable', 'ops']);
    expect(enabled.code).toBe(0);
    expect(enabled.stdout).toContain('ops is enabled.');
    expect((await validateApiToken(secret))?.user.username).toBe('ops');

    const last = await hostdeck(['user', 'disable', 'root']);
    expect(last.code).toBe(2);
    expect(last.stderr).toContain('last enabled admin');
    expect((await getDb().user.findUniqueOrThrow({ where: { id: admin.id } })).disabled).toBe(false);

    const nobody = await hostdeck(['user', 'enable', 'nobody']);
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain('No user named "nobody"');

    const audit = await getDb().auditEvent.findMany({ where: { via: 'cli', targetId: ops.id }, orderBy: { at: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['user.disable', 'user.enable']);
    expect(audit[0]!.actorName).toMatch(/^cli:/);
  }, 120_000);
});
