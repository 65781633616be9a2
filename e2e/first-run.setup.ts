// First run, before every other browser test: a new installation sends the
// operator to /setup, which needs the one-time token the server printed.
import { expect, test } from '@playwright/test';
import { ADMIN, setupToken } from './helpers';

test('first run: a new installation sends the operator to setup, which needs the printed token', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/setup$/);
  await page.getByLabel('Setup token').fill('not-the-token');
  await page.getByLabel('Admin username').fill(ADMIN.username);
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Repeat password').fill('different');
  await page.getByRole('button', { name: 'Create admin and sign in' }).click();
  await expect(page.locator('[data-field-error="password"]')).toHaveText('Password must be at least 12 characters');
  await expect(page.locator('[data-field-error="confirmPassword"]')).toHaveText('Passwords do not match');

  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByLabel('Repeat password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create admin and sign in' }).click();
  await expect(page.locator('[data-field-error="token"]')).toContainText('setup token is wrong');

  await page.getByLabel('Setup token').fill(setupToken());
  await page.getByRole('button', { name: 'Create admin and sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await expect(page.getByTestId('current-user')).toHaveText('admin');
  await expect(page.getByTestId('current-role')).toHaveText('admin');
  await expect(page.getByRole('heading', { name: 'Add your first host' })).toBeVisible();

  // The token is single-use: setup is closed now.
  await page.context().clearCookies();
  await page.goto(`/setup?token=${setupToken()}`);
  await expect(page).toHaveURL(/\/login$/);
});
