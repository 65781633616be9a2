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

/** What fillHostForm types into the host form; a field left out is left as it is. */
export type HostFormInput = {
  name: string;
  address: string;
  sshPort?: string;
  sshUser?: string;
  flavour?: 'nixos' | 'libvirt';
  /** Physical NICs, comma-separated. */
  nics?: string;
  /** A new bond row (the form's first). */
  bond?: { name: string; members: string; mode: string; mac: string };
  /** A new bridge row (the form's first) over a bond. */
  bridge?: { name: string; uplinkBond: string; mac: string };
};

/** A NixOS host whose NICs eno1 and eno2 form bond0 (802.3ad), with the bridge br0 over it; the bridge's MAC as given. */
export function bondedNixosHost(bridgeMac: string): Omit<HostFormInput, 'name' | 'address'> {
  return {
    flavour: 'nixos',
    nics: 'eno1, eno2',
    bond: { name: 'bond0', members: 'eno1, eno2', mode: '802.3ad', mac: '52:54:00:aa:00:01' },
    bridge: { name: 'br0', uplinkBond: 'bond0', mac: bridgeMac },
  };
}

/** Fills the host form (/hosts/new or a host's edit page) without submitting it. */
export async function fillHostForm(page: Page, host: HostFormInput) {
  await page.getByLabel('Name', { exact: true }).fill(host.name);
  await page.getByLabel('Address').fill(host.address);
  if (host.sshPort !== undefined) await page.getByLabel('SSH port').fill(host.sshPort);
  if (host.sshUser !== undefined) await page.getByLabel('SSH user').fill(host.sshUser);
  if (host.flavour) await page.getByLabel('Flavour').selectOption(host.flavour);
  if (host.nics !== undefined) await page.getByLabel('Physical NICs').fill(host.nics);
  if (host.bond) {
    await page.getByRole('button', { name: 'Add bond' }).click();
    await page.getByLabel('Name of network.bonds 1').fill(host.bond.name);
    await page.getByLabel('Members of network.bonds 1').fill(host.bond.members);
    await page.getByLabel('Mode of network.bonds 1').selectOption(host.bond.mode);
    await page.getByLabel('Fixed MAC of network.bonds 1').fill(host.bond.mac);
  }
  if (host.bridge) {
    await page.getByRole('button', { name: 'Add bridge' }).click();
    await page.getByLabel('Name of network.bridges 1').fill(host.bridge.name);
    await page.getByLabel('Uplink of network.bridges 1').selectOption('bond');
    await page.getByLabel('Uplink name of network.bridges 1').fill(host.bridge.uplinkBond);
    await page.getByLabel('Fixed MAC of network.bridges 1').fill(host.bridge.mac);
  }
}
