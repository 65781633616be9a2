// Login under attack, against a real PostgreSQL: parallel guesses are all counted
// and stop at the lock, attempts while locked are counted instead of audited one
// by one, every refusal looks the same, and odd client metadata never breaks login.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/tests/helpers/db';
import { getDb } from '@/lib/db';
import { createUser } from '@/lib/auth/users';
import { login, IP_FAILURES_BEFORE_LOCK, LOGIN_FAILED_MESSAGE, USER_FAILURES_BEFORE_LOCK } from '@/lib/auth/login';
import { audit } from '@/lib/auth/audit';
import { validateSession } from '@/lib/auth/sessions';

useTestDatabase();

const password = 'correct horse battery staple';
const refused = { ok: false, code: 'invalid', message: LOGIN_FAILED_MESSAGE };

const auditCount = () => getDb().auditEvent.count();
const userRow = (username: string) => getDb().user.findUniqueOrThrow({ where: { username } });
const addressRow = (ip: string) => getDb().loginThrottle.findUniqueOrThrow({ where: { key: `ip:${ip}` } });

/** Locks an account with wrong guesses, one at a time, each from its own address. */
async function lockAccount(username: string, subnet: string) {
  for (let i = 0; i < USER_FAILURES_BEFORE_LOCK; i++) await login({ username, password: `wrong guess ${i}`, ip: `${subnet}.${i}` });
  expect((await userRow(username)).lockedUntil!.getTime()).toBeGreaterThan(Date.now());
}

describe('parallel guesses', () => {
  it('against one account are all counted; the lock stops verification, even of the right password', async () => {
    const user = await createUser({ username: 'target', password, role: 'viewer' });
    const guesses = 20;
    const results = await Promise.all(
      Array.from({ length: guesses }, (_, i) => login({ username: 'target', password: `wrong guess ${i}`, ip: `10.20.0.${i + 1}` })),
    );
    expect(results.every((r) => !r.ok)).toBe(true);
    const row = await userRow('target');
    // Exactly the first USER_FAILURES_BEFORE_LOCK guesses were verified; the rest met the lock.
    expect(row.failedLoginCount).toBe(USER_FAILURES_BEFORE_LOCK);
    expect(row.lockedAttempts).toBe(guesses - USER_FAILURES_BEFORE_LOCK);
    expect(row.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
    const verified = await getDb().auditEvent.count({ where: { action: 'auth.login', outcome: 'failed', actorId: user.id } });
    expect(verified).toBe(USER_FAILURES_BEFORE_LOCK);
    expect(await getDb().auditEvent.count({ where: { action: 'auth.login.lock', targetType: 'user', targetId: user.id } })).toBe(1);

    expect(await login({ username: 'target', password, ip: '10.20.1.1' })).toEqual(refused);
    expect((await userRow('target')).lockedAttempts).toBe(guesses - USER_FAILURES_BEFORE_LOCK + 1);
  });

  it('from one address reach the address lock, which then refuses even a right password', async () => {
    const ip = '10.21.0.1';
    const guesses = IP_FAILURES_BEFORE_LOCK + 10;
    await Promise.all(Array.from({ length: guesses }, (_, i) => login({ username: `sprayed${i}`, password: 'x', ip })));
    const row = await addressRow(ip);
    expect(row.failures).toBe(IP_FAILURES_BEFORE_LOCK);
    expect(row.lockedAttempts).toBe(guesses - IP_FAILURES_BEFORE_LOCK);
    expect(row.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(await getDb().auditEvent.count({ where: { action: 'auth.login', outcome: 'failed', ip } })).toBe(IP_FAILURES_BEFORE_LOCK);

    await createUser({ username: 'nearby', password, role: 'viewer' });
    expect(await login({ username: 'nearby', password, ip })).toEqual(refused);
    expect((await login({ username: 'nearby', password, ip: '10.21.0.2' })).ok).toBe(true);
  });

  it('a right password among parallel wrong ones from one address is not counted as a failure', async () => {
    await createUser({ username: 'mixed', password, role: 'viewer' });
    const ip = '10.22.0.1';
    const results = await Promise.all([
      ...Array.from({ length: 3 }, (_, i) => login({ username: `nobody${i}`, password: 'x', ip })),
      login({ username: 'mixed', password, ip }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect((await addressRow(ip)).failures).toBe(3);
  });
});

describe('attempts while locked', () => {
  it("add to the account's lockedAttempts, not to the audit log; the count is audited once when the lock ends", async () => {
    const user = await createUser({ username: 'locked-out', password, role: 'viewer' });
    await lockAccount('locked-out', '10.23.0');
    const before = await auditCount();
    for (let i = 0; i < 10; i++) {
      expect(await login({ username: 'locked-out', password: i % 2 ? password : `still wrong ${i}`, ip: `10.23.1.${i}` })).toEqual(refused);
    }
    expect(await auditCount()).toBe(before);
    expect((await userRow('locked-out')).lockedAttempts).toBe(10);

    await getDb().user.update({ where: { id: user.id }, data: { lockedUntil: new Date(Date.now() - 1000) } });
    expect((await login({ username: 'locked-out', password, ip: '10.23.2.1' })).ok).toBe(true);
    const unlock = await getDb().auditEvent.findMany({ where: { action: 'auth.login.unlock', targetId: user.id } });
    expect(unlock).toHaveLength(1);
    expect(unlock[0]!.details).toMatchObject({ refused: 10 });
    const after = await userRow('locked-out');
    expect([after.failedLoginCount, after.lockedAttempts, after.lockedUntil]).toEqual([0, 0, null]);
  });

  it("add to the address's lockedAttempts, not to the audit log", async () => {
    const ip = '10.24.0.1';
    for (let i = 0; i < IP_FAILURES_BEFORE_LOCK; i++) await login({ username: `walker${i}`, password: 'x', ip });
    expect(await getDb().auditEvent.count({ where: { action: 'auth.login.lock', targetType: 'address', targetId: ip } })).toBe(1);
    const before = await auditCount();
    for (let i = 0; i < 7; i++) expect(await login({ username: `walker${i}`, password: 'x', ip })).toEqual(refused);
    expect(await auditCount()).toBe(before);
    expect((await addressRow(ip)).lockedAttempts).toBe(7);

    // When the lock has run out, the next attempt records how many were refused meanwhile.
    await getDb().loginThrottle.update({ where: { key: `ip:${ip}` }, data: { lockedUntil: new Date(Date.now() - 1000) } });
    await login({ username: 'walker0', password: 'x', ip });
    const unlock = await getDb().auditEvent.findMany({ where: { action: 'auth.login.unlock', targetType: 'address', targetId: ip } });
    expect(unlock.map((e) => e.details)).toEqual([expect.objectContaining({ refused: 7, reason: 'expired' })]);
    expect(await addressRow(ip)).toMatchObject({ failures: 1, lockedAttempts: 0, lockedUntil: null });
  });
});

describe('every refusal looks the same', () => {
  it('for a locked account, a locked address, an unknown user, a disabled user and a wrong password', async () => {
    await createUser({ username: 'locked-one', password, role: 'viewer' });
    await createUser({ username: 'disabled-one', password, role: 'viewer' });
    await createUser({ username: 'plain-one', password, role: 'viewer' });
    await getDb().user.update({ where: { username: 'disabled-one' }, data: { disabled: true } });
    await lockAccount('locked-one', '10.25.0');
    const lockedIp = '10.25.1.1';
    for (let i = 0; i < IP_FAILURES_BEFORE_LOCK; i++) await login({ username: `nobody${i}`, password: 'x', ip: lockedIp });

    let n = 0;
    const cases: Record<string, () => ReturnType<typeof login>> = {
      'locked account': () => login({ username: 'locked-one', password, ip: `10.25.2.${++n}` }),
      'locked address': () => login({ username: 'plain-one', password, ip: lockedIp }),
      'unknown user': () => login({ username: 'no-such-user', password, ip: `10.25.2.${++n}` }),
      'disabled user': () => login({ username: 'disabled-one', password, ip: `10.25.2.${++n}` }),
      'wrong password': () => login({ username: 'plain-one', password: 'not the password', ip: `10.25.2.${++n}` }),
    };
    const timings: Record<string, number[]> = {};
    // Several rounds, interleaved, so that load on the machine hits every case alike.
    for (let round = 0; round < 3; round++) {
      for (const [name, attempt] of Object.entries(cases)) {
        const started = performance.now();
        expect(await attempt(), name).toEqual(refused);
        timings[name] = [...(timings[name] ?? []), performance.now() - started];
      }
    }
    // Each answer costs one argon2 verification: none returns in a fraction of the
    // time of a wrong password (a refusal without it would be several times faster).
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const reference = median(timings['wrong password']!);
    for (const [name, values] of Object.entries(timings)) expect(median(values), name).toBeGreaterThan(reference / 3);
  });
});

describe('client metadata', () => {
  it('a very long address or user agent does not make login or the audit log fail', async () => {
    await createUser({ username: 'longfellow', password, role: 'viewer' });
    const result = await login({
      username: 'longfellow',
      password,
      ip: `2001:db8::${'f'.repeat(300)}`,
      userAgent: 'Mozilla/5.0 '.repeat(500),
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect((await validateSession(result.token))?.user.username).toBe('longfellow');
    const session = await getDb().session.findFirstOrThrow({ where: { user: { username: 'longfellow' } } });
    expect(session.ip!.length).toBeLessThanOrEqual(64);
    expect(session.userAgent!.length).toBeLessThanOrEqual(512);
    expect((await login({ username: 'longfellow', password: 'wrong', ip: 'x'.repeat(1000) })).ok).toBe(false);

    const long = 'q'.repeat(2000);
    await audit({ action: `test.${long}`, actorName: long, targetType: long, targetId: long, ip: long });
    expect(await getDb().auditEvent.count({ where: { action: { startsWith: 'test.q' } } })).toBe(1);
  });
});
