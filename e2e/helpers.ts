// Shared steps of the browser tests.
import fs from 'node:fs';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';

export const ADMIN = { username: 'admin', password: 'admin password for e2e' };

export function setupToken(): string {
  return fs.readFileSync(path.join('.data/e2e', 'setup-token'), 'utf8').trim();
}

export async function login(page: Page, username: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function loginAs(page: Page, username: string, password: string) {
  await login(page, username, password);
  await expect(page.getByTestId('current-user')).toHaveText(username);
}

/** Creates a user through the admin UI (the page must be signed in as admin). */
export async function createUserViaUi(page: Page, username: string, role: string, password: string) {
  await page.goto('/settings/users');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Initial password').fill(password);
  await page.getByLabel('Role', { exact: true }).selectOption(role);
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByText(`User ${username} created.`)).toBeVisible();
}

/** Signs in a fresh user whose password an admin set, and picks their own. */
export async function firstLogin(page: Page, username: string, initial: string, chosen: string) {
  await login(page, username, initial);
  await expect(page).toHaveURL(/\/settings\?must-change=1/);
  await page.getByLabel('Current password').fill(initial);
  await page.getByLabel('New password', { exact: true }).fill(chosen);
  await page.getByLabel('Repeat new password').fill(chosen);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Password changed.')).toBeVisible();
}

/** Creates an API token through the tokens page (the page must be signed in) and returns its secret. */
export async function createTokenViaUi(page: Page, name: string, role: string): Promise<string> {
  await page.goto('/settings/tokens');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Role ceiling').selectOption(role);
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByTestId('new-token')).toContainText(name);
  return (await page.getByTestId('new-token-secret').textContent())!.trim();
}

/** Request headers that authenticate with an API token. */
export function bearer(secret: string): { Authorization: string } {
  return { Authorization: `Bearer ${secret}` };
}
