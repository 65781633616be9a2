// The operator's path with a real lab host (OpenSSH sshd + libvirtd + QEMU):
// add the host, install Hostdeck's key, compare and confirm the host key, see
// facts, import the existing VMs, start and force off a VM and see the state change.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ensureLab, sshArgs, type LabHost } from '../tests/helpers/lab';
import { ADMIN, fillHostForm, loginAs } from './helpers';

test.describe.configure({ mode: 'serial' });
test.setTimeout(180_000);

let lab: LabHost;
const onLab = (...argv: string[]) => execFileSync('ssh', [...sshArgs(lab), ...argv], { encoding: 'utf8' });

test.beforeAll(async () => {
  lab = (await ensureLab(2))[1]!;
  if (onLab('virsh', 'domstate', 'lab-vm-2').trim() !== 'shut off') onLab('virsh', 'destroy', 'lab-vm-2');
});

test('add a lab host, trust its key, see its facts, import and power its VMs', async ({ page }) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  await page.goto('/hosts/new');
  await fillHostForm(page, { name: 'lab-two', address: lab.address, sshUser: lab.user });
  await page.getByRole('button', { name: 'Add host' }).click();
  await expect(page.getByRole('heading', { name: 'lab-two' })).toBeVisible();

  // What the operator does on the host: append Hostdeck's key line to authorized_keys.
  const line = (await page.getByTestId('authorized-keys-line').textContent())!.trim();
  expect(line).toMatch(/^ssh-ed25519 \S+ hostdeck$/);
  fs.appendFileSync(path.join('.data/lab/hosts', lab.name, 'sshd/authorized_keys'), `${line}\n`);

  await page.getByRole('button', { name: '2. Read the host key' }).click();
  await expect(page.getByTestId('offered-fingerprint')).toHaveText(lab.hostKeyFingerprint);
  await page.getByRole('button', { name: 'The fingerprints match: trust and connect' }).click();
  await expect(page.getByTestId('host-status')).toHaveText('online', { timeout: 30_000 });
  await expect(page.getByTestId('pinned-fingerprint')).toHaveText(lab.hostKeyFingerprint);
  const kernel = onLab('uname', '-r').trim();
  await expect(page.getByTestId('host-facts')).toContainText(kernel);
  await expect(page.getByTestId('host-facts')).toContainText('lab-vm-1, lab-vm-2');

  await page.getByRole('button', { name: /Import 2 existing VMs/ }).click();
  await expect(page.getByTestId('import-report')).toContainText('Imported 2 VMs');
  await expect(page.getByTestId('host-vms')).toContainText('lab-vm-1');
  await expect(page.getByTestId('host-vms')).toContainText('lab-vm-2');

  await page.getByTestId('host-vms').getByRole('link', { name: 'lab-vm-2' }).click();
  await expect(page.getByTestId('vm-live-state')).toHaveText('shut off', { timeout: 30_000 });
  await page.getByTestId('power-start').click();
  await expect(page.getByTestId('vm-live-state')).toHaveText('running', { timeout: 30_000 });
  expect(onLab('virsh', 'domstate', 'lab-vm-2').trim()).toBe('running');

  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByTestId('power-force-off').click();
  await expect(page.getByTestId('vm-live-state')).toHaveText('shut off', { timeout: 30_000 });
  expect(onLab('virsh', 'domstate', 'lab-vm-2').trim()).toBe('shut off');

  // The domains as found are the deployed baseline: the plan compares the spec with what runs.
  await page.goto('/deployments');
  await expect(page.getByTestId('deployments-table')).toContainText('lab-two');
  await expect(page.getByTestId('deployments-table')).toContainText('import (as found)');

  await page.goto('/audit?action=vm.power');
  await expect(page.getByTestId('audit-table')).toContainText('vm.power');
});
