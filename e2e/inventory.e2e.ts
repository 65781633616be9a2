// Hosts and VMs in the browser: forms with errors naming their fields, identity
// kept on edits, and the configuration view an approver reads.
import { expect, test } from '@playwright/test';
import { ADMIN, bondedNixosHost, createUserViaUi, fillHostForm, firstLogin, loginAs } from './helpers';

test.describe.configure({ mode: 'serial' });

test('an operator adds a NixOS host; bad input is reported at the field, nothing is saved', async ({ page }) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  await page.goto('/hosts');
  await page.getByRole('link', { name: 'Add host' }).click();
  await fillHostForm(page, { name: 'HV 1', address: 'not an address!', sshPort: '70000' });
  await page.getByRole('button', { name: 'Add pool' }).click();
  await page.getByLabel('Name of storagePools 1').fill('default');
  await page.getByLabel('Folder of storagePools 1').fill('relative/dir');
  await page.getByRole('button', { name: 'Add host' }).click();
  await expect(page.locator('[data-issue-path="name"]')).toBeVisible();
  await expect(page.locator('[data-issue-path="address"]')).toContainText('DNS name');
  await expect(page.locator('[data-issue-path="sshPort"]')).toBeVisible();
  await expect(page.locator('[data-rows="storagePools"]')).toContainText('storagePools[0].path');
  await expect(page).toHaveURL(/\/hosts\/new$/);

  await fillHostForm(page, { name: 'hv1', address: '192.0.2.10', sshPort: '22', ...bondedNixosHost('52:54:00:aa:00:2') });
  await page.getByLabel('Folder of storagePools 1').fill('/var/lib/libvirt/images');
  await page.getByRole('button', { name: 'Add host' }).click();
  await expect(page.locator('[data-issue-path="network.bridges[0].macAddress"]')).toBeVisible();
  await page.getByLabel('Fixed MAC of network.bridges 1').fill('52:54:00:aa:00:02');
  await page.getByRole('button', { name: 'Add host' }).click();
  await expect(page.getByRole('heading', { name: 'hv1' })).toBeVisible();
  await expect(page.getByText('br0 over bond0')).toBeVisible();
});

test('a VM gets its UUID and MAC once; the configuration view shows the plan, highlighted files and the diff', async ({ page }) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  await page.goto('/hosts');
  await page.getByRole('link', { name: 'hv1' }).click();
  await page.getByRole('link', { name: 'Add VM' }).click();
  await page.getByLabel('Name', { exact: true }).fill('web1');
  await page.getByLabel('Memory (MiB)').fill('8');
  await page.getByRole('button', { name: 'Add interface' }).click();
  await page.getByLabel('Bridge / NIC / network of interfaces 1').fill('br9');
  await page.getByRole('button', { name: 'Add VM' }).click();
  await expect(page.locator('[data-issue-path="memoryMiB"]')).toContainText('at least 16 MiB');
  await expect(page.locator('[data-rows="interfaces"]')).toContainText('interfaces[0].bridge');

  await page.getByLabel('Memory (MiB)').fill('2048');
  await page.getByLabel('Bridge / NIC / network of interfaces 1').fill('br0');
  await page.getByLabel('Description', { exact: true }).fill('Front end "web" ${danger} </description><x/>');
  await page.getByRole('button', { name: 'Add VM' }).click();
  await expect(page.getByRole('heading', { name: 'web1' })).toBeVisible();
  const uuid = (await page.locator('code').first().textContent())!;
  expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
  const mac = (await page.getByText(/^52:54:00:/).textContent())!.split(' ')[0]!;

  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page.getByLabel('MAC of interfaces 1')).toHaveValue(mac);
  await page.getByLabel('vCPUs').fill('4');
  await page.getByRole('button', { name: 'Save VM' }).click();
  await expect(page.getByText('4 vCPUs')).toBeVisible();
  await expect(page.locator('code').first()).toHaveText(uuid);
  await expect(page.getByText(mac)).toBeVisible();

  await page.getByRole('link', { name: 'hv1' }).click();
  await page.getByRole('link', { name: 'Configuration' }).click();
  const plan = page.getByTestId('plan-summary');
  await expect(plan).toContainText('1 added');
  await expect(page.locator('[data-plan-vm="web1"]')).toContainText('added');
  const xml = page.locator('[data-file="vms/web1.xml"]');
  await expect(xml).toContainText('added');
  await expect(xml.locator('pre.shiki')).toContainText(`<uuid>${uuid}</uuid>`);
  await expect(xml.locator('pre.shiki')).toContainText('&lt;/description&gt;&lt;x/&gt;');
  const nix = page.locator('[data-file="default.nix"]');
  await nix.getByText('Diff against the deployed revision').click();
  await expect(nix.getByText('Rendered (proposed)')).toBeVisible();
  await expect(nix.getByTestId('diff-default.nix')).toContainText('virtualisation.libvirtd');
});

test('a viewer reads hosts and configuration but cannot add or edit', async ({ page, browser }) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  await createUserViaUi(page, 'vera', 'viewer', 'initial password 4');
  const viewer = await browser.newPage();
  await firstLogin(viewer, 'vera', 'initial password 4', 'vera chose this one');
  await viewer.goto('/hosts');
  await expect(viewer.getByTestId('hosts-table')).toContainText('hv1');
  await expect(viewer.getByRole('link', { name: 'Add host' })).toHaveCount(0);
  await viewer.getByRole('link', { name: 'hv1' }).click();
  await expect(viewer.getByRole('link', { name: 'Add VM' })).toHaveCount(0);
  await expect(viewer.getByRole('link', { name: 'Edit' })).toHaveCount(0);
  await viewer.getByRole('link', { name: 'Configuration' }).click();
  await expect(viewer.getByTestId('plan-summary')).toBeVisible();
  await viewer.goto('/hosts/new');
  await expect(viewer).toHaveURL(/\/forbidden\?need=operator/);
  await viewer.close();
});
