// Sign-in journeys in a real browser against the real app: first run, login,
// wrong password, lockout, role gating of a page and of an action, logout, tokens.
import { expect, test } from '@playwright/test';
import { ADMIN, createUserViaUi, firstLogin, login, loginAs } from './helpers';

/** The one answer to every refused login (lib/auth/login.ts LOGIN_FAILED_MESSAGE). */
const REFUSED = 'Sign-in failed: wrong username or password, or too many attempts (then wait a few minutes).';

test.describe.configure({ mode: 'serial' });

test('login: wrong password is refused with the neutral message, the right one signs in, logout ends the session', async ({ page }) => {
  await login(page, ADMIN.username, 'not the password at all');
  await expect(page.getByTestId('form-error')).toHaveText(REFUSED);
  await expect(page).toHaveURL(/\/login/);

  await login(page, ADMIN.username, ADMIN.password);
  await expect(page.getByTestId('current-user')).toHaveText('admin');
  for (const section of ['Hosts', 'Virtual machines', 'Changes', 'Deployments', 'Audit log', 'Settings']) {
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: section })).toBeVisible();
  }

  await page.getByTestId('user-menu').click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/hosts');
  await expect(page).toHaveURL(/\/login\?next=%2Fhosts/);
});

test('lockout: repeated failures lock the account, even against the right password', async ({ page, browser }) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  await createUserViaUi(page, 'mallory', 'viewer', 'initial password 1');

  const other = await browser.newPage();
  for (let i = 0; i < 5; i++) {
    await login(other, 'mallory', `wrong password ${i}`);
    await expect(other.getByTestId('form-error')).toHaveText(REFUSED);
  }
  // Locked: even the right password gets the same answer as a wrong one.
  await login(other, 'mallory', 'initial password 1');
  await expect(other.getByTestId('form-error')).toHaveText(REFUSED);
  await other.close();

  await page.goto('/settings/users');
  await expect(page.locator('tr[data-username="mallory"]')).toContainText('locked');
  await page.goto('/audit?action=auth.login.lock');
  await expect(page.getByTestId('audit-table')).toContainText('mallory');
});

test('roles: a viewer cannot open admin pages, and an action re-checks the role on the server', async ({ page, browser }) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  await createUserViaUi(page, 'victor', 'viewer', 'initial password 2');
  await createUserViaUi(page, 'olga', 'admin', 'initial password 3');

  const viewer = await browser.newPage();
  await firstLogin(viewer, 'victor', 'initial password 2', 'victor chose this one');
  await expect(viewer.getByTestId('current-role')).toHaveText('viewer');
  await expect(viewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' })).toHaveCount(0);
  await viewer.goto('/settings/users');
  await expect(viewer).toHaveURL(/\/forbidden\?need=admin/);
  await expect(viewer.getByText('It needs the admin role or higher.')).toBeVisible();
  await viewer.goto('/audit');
  await expect(viewer).toHaveURL(/\/forbidden\?need=approver/);
  await viewer.close();

  // olga opens the users page as admin, then loses the role while the page is open:
  // her next action is refused by the server.
  const olga = await browser.newPage();
  await firstLogin(olga, 'olga', 'initial password 3', 'olga chose this one');
  await olga.goto('/settings/users');
  // Her page must have finished loading (and hydrating) as an admin's page
  // before she is demoted, or its own late requests already see the new role.
  await olga.waitForLoadState('networkidle');
  await expect(olga.getByLabel('Role of victor')).toBeEnabled();
  await page.goto('/settings/users');
  await page.getByLabel('Role of olga').selectOption('operator');
  await expect(page.getByLabel('Role of olga')).toHaveValue('operator');
  await page.waitForLoadState('networkidle');
  await olga.getByLabel('Role of victor').selectOption('admin');
  await expect(olga.getByTestId('form-error')).toHaveText('This needs the admin role; you are operator.');
  await page.reload();
  await expect(page.getByLabel('Role of victor')).toHaveValue('viewer');
  await olga.close();
});

test('API tokens: created once-visible, used as Bearer, read-only when viewer, dead when revoked', async ({ page, request }) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  await page.goto('/settings/tokens');
  await page.getByLabel('Name').fill('ci pipeline');
  await page.getByLabel('Role ceiling').selectOption('viewer');
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = (await page.getByTestId('new-token-secret').textContent())!.trim();
  expect(secret).toMatch(/^hdk_/);

  const auth = { Authorization: `Bearer ${secret}` };
  const me = await request.get('/api/v1/me', { headers: auth });
  expect(me.status()).toBe(200);
  expect(await me.json()).toMatchObject({ user: { username: 'admin', role: 'admin' }, effectiveRole: 'viewer', via: 'token' });

  const write = await request.post('/api/v1/users', {
    headers: auth,
    data: { username: 'zed', password: 'long enough password', role: 'viewer' },
  });
  expect(write.status()).toBe(403);
  expect((await write.json()).error.code).toBe('forbidden');

  await page.reload();
  await expect(page.locator('tr[data-token-name="ci pipeline"]')).not.toContainText('never');
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Revoke ci pipeline' }).click();
  await expect(page.locator('tr[data-token-name="ci pipeline"]')).toContainText('revoked');

  const after = await request.get('/api/v1/me', { headers: auth });
  expect(after.status()).toBe(401);
  expect((await after.json()).error.code).toBe('unauthenticated');

  await page.goto('/audit?action=token.');
  await expect(page.getByTestId('audit-table')).toContainText('token.revoke');
  await expect(page.getByTestId('audit-table')).toContainText('token.create');
});
