// Users, sessions and tokens from outside: a user whose password an admin set
// can do nothing else until they change it, and a disabled user's session and
// token stop at once (API PATCH), until an admin enables them again (UI button).
import { expect, test } from '@playwright/test';
import { ADMIN, loginAs, login } from './helpers';

test('must-change users are held at the password form; disabling a user stops their session and token at once', async ({
  page,
  browser,
  request,
}) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  const origin = new URL(page.url()).origin;
  const created = await page.request.post('/api/v1/users', {
    headers: { Origin: origin },
    data: { username: 'dorothy', password: 'initial password 9', role: 'operator' },
  });
  expect(created.status()).toBe(201);
  const userId = (await created.json()).user.id as string;

  // Signed in with the password the admin set: every other page, action and API call waits for the change.
  const dorothy = await browser.newPage();
  await login(dorothy, 'dorothy', 'initial password 9');
  await expect(dorothy).toHaveURL(/\/settings\?must-change=1/);
  await dorothy.goto('/hosts');
  await expect(dorothy).toHaveURL(/\/settings\?must-change=1/);
  const held = await dorothy.request.get('/api/v1/me');
  expect(held.status()).toBe(403);
  expect((await held.json()).error.code).toBe('password_change_required');

  await dorothy.getByLabel('Current password').fill('initial password 9');
  await dorothy.getByLabel('New password', { exact: true }).fill('dorothy chose this one');
  await dorothy.getByLabel('Repeat new password').fill('dorothy chose this one');
  await dorothy.getByRole('button', { name: 'Change password' }).click();
  await expect(dorothy.getByText('Password changed.')).toBeVisible();
  expect((await dorothy.request.get('/api/v1/me')).status()).toBe(200);

  await dorothy.goto('/settings/tokens');
  await dorothy.getByLabel('Name').fill('dorothy ci');
  await dorothy.getByLabel('Role ceiling').selectOption('operator');
  await dorothy.getByRole('button', { name: 'Create token' }).click();
  const auth = { Authorization: `Bearer ${(await dorothy.getByTestId('new-token-secret').textContent())!.trim()}` };
  expect((await request.get('/api/v1/me', { headers: auth })).status()).toBe(200);

  // The admin sees her token with its owner.
  await page.goto('/settings/tokens');
  await expect(page.getByTestId('other-tokens-table').locator('tr[data-token-name="dorothy ci"]')).toContainText('dorothy');

  // Disabled over the API: her token and her browser session stop at once.
  const disabled = await page.request.patch(`/api/v1/users/${userId}`, { headers: { Origin: origin }, data: { disabled: true } });
  expect(disabled.status()).toBe(200);
  expect((await disabled.json()).user.disabled).toBe(true);
  const refused = await request.get('/api/v1/me', { headers: auth });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.code).toBe('unauthenticated');
  await dorothy.goto('/hosts');
  await expect(dorothy).toHaveURL(/\/login\?next=%2Fhosts/);
  await login(dorothy, 'dorothy', 'dorothy chose this one');
  await expect(dorothy.getByTestId('form-error')).toBeVisible();
  await expect(dorothy).toHaveURL(/\/login/);

  // An admin cannot disable themselves over the API.
  const me = (await (await page.request.get('/api/v1/me')).json()).user.id as string;
  const self = await page.request.patch(`/api/v1/users/${me}`, { headers: { Origin: origin }, data: { disabled: true } });
  expect(self.status()).toBe(409);

  // Enabled again from the users page: the token works again.
  await page.goto('/settings/users');
  await expect(page.locator('tr[data-username="dorothy"]')).toContainText('disabled');
  await page.getByRole('button', { name: 'Enable dorothy' }).click();
  await expect(page.getByRole('button', { name: 'Disable dorothy' })).toBeVisible();
  expect((await request.get('/api/v1/me', { headers: auth })).status()).toBe(200);
  await dorothy.close();

  await page.goto('/audit?action=user.');
  await expect(page.getByTestId('audit-table')).toContainText('user.disable');
  await expect(page.getByTestId('audit-table')).toContainText('user.enable');
});
