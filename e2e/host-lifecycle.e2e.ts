// A host's whole life without the host page's onboarding panel: onboarded through
// the API alone (the SSH key line, then the host key read and pinned against a
// real lab host), removed by an admin (its VMs keep running on the lab host;
// operators are refused), removed from its page with a confirmation; and the host
// editor's bond and bridge rows, with an error shown at the cell it names.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ensureLab, labVirsh, type LabHost } from '../tests/helpers/lab';
import { ADMIN, bearer, bondedNixosHost, createTokenViaUi, fillHostForm, loginAs } from './helpers';

test.describe.configure({ mode: 'serial' });
test.setTimeout(180_000);

let lab: LabHost;

test.beforeAll(async () => {
  lab = (await ensureLab(1))[0]!;
});

const running = async () =>
  (await labVirsh(lab, ['list', '--state-running', '--name']))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

test('onboard a lab host through the API only, then remove it as admin: its VMs keep running', async ({ page, request }) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  const admin = bearer(await createTokenViaUi(page, 'lifecycle admin', 'admin'));
  const operator = bearer(await createTokenViaUi(page, 'lifecycle operator', 'operator'));

  // Hostdeck's key line, the default key first; installed on the host as an operator would.
  const keys = await request.get('/api/v1/ssh-keys', { headers: operator });
  expect(keys.status()).toBe(200);
  const [first] = (await keys.json()).keys as { isDefault: boolean; authorizedKeysLine: string; fingerprint: string }[];
  expect(first?.isDefault).toBe(true);
  expect(first!.authorizedKeysLine).toMatch(/^ssh-ed25519 \S+ hostdeck$/);
  fs.appendFileSync(path.join('.data/lab/hosts', lab.name, 'sshd/authorized_keys'), `${first!.authorizedKeysLine}\n`);

  const spec = { name: 'api-lab', address: lab.address, sshPort: lab.port, sshUser: lab.user, flavour: 'libvirt', cpuVendor: 'intel' };
  const created = await request.post('/api/v1/hosts', { headers: operator, data: { spec } });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };

  const offered = await request.get(`/api/v1/hosts/${id}/host-key`, { headers: operator });
  expect(offered.status()).toBe(200);
  const { fingerprint } = (await offered.json()) as { fingerprint: string };
  expect(fingerprint).toBe(lab.hostKeyFingerprint);
  const pinned = await request.post(`/api/v1/hosts/${id}/host-key`, { headers: operator, data: { fingerprint } });
  expect(pinned.status()).toBe(200);
  expect(await pinned.json()).toEqual({ pinned: true, factsError: null });

  const imported = await request.post(`/api/v1/hosts/${id}/import`, { headers: operator });
  expect(imported.status()).toBe(200);
  const names = ((await imported.json()).imported as { name: string }[]).map((v) => v.name);
  expect(names.length).toBeGreaterThan(0);
  // At least one imported VM runs on the host before the removal.
  if (!(await running()).some((n) => names.includes(n))) await labVirsh(lab, ['start', names[0]!]);
  const runningBefore = (await running()).filter((n) => names.includes(n));
  expect(runningBefore.length).toBeGreaterThan(0);

  const refused = await request.delete(`/api/v1/hosts/${id}`, { headers: operator });
  expect(refused.status()).toBe(403);
  expect((await request.get(`/api/v1/hosts/${id}`, { headers: operator })).status()).toBe(200);

  const removed = await request.delete(`/api/v1/hosts/${id}`, { headers: admin });
  expect(removed.status()).toBe(200);
  expect(await removed.json()).toEqual({ id, name: 'api-lab', vms: names.length });
  expect((await request.get(`/api/v1/hosts/${id}`, { headers: admin })).status()).toBe(404);
  const list = await (await request.get('/api/v1/hosts?q=api-lab', { headers: admin })).json();
  expect(list.hosts).toEqual([]);
  // Nothing was sent to the host: the VMs that ran still run.
  expect(await running()).toEqual(expect.arrayContaining(runningBefore));

  const audit = await (await request.get('/api/v1/audit?action=host.remove', { headers: admin })).json();
  const entries = audit.events.filter((e: { targetId: string }) => e.targetId === id);
  expect(entries.map((e: { outcome: string; details: unknown }) => [e.outcome, e.details])).toEqual([
    ['ok', expect.objectContaining({ name: 'api-lab', vms: names.length, via: 'token' })],
  ]);
});

test('an admin removes a host from its page after confirming', async ({ page }) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  const origin = new URL(page.url()).origin;
  const created = await page.request.post('/api/v1/hosts', {
    headers: { Origin: origin },
    data: { spec: { name: 'doomed', address: '192.0.2.77', flavour: 'libvirt', cpuVendor: 'amd' } },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  await page.goto(`/hosts/${id}`);
  await page.getByRole('button', { name: 'Remove host' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Remove doomed' });
  await expect(dialog).toContainText('its VMs keep running there');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole('button', { name: 'Remove host' }).click();
  await page.getByRole('button', { name: 'Remove doomed' }).click();
  await expect(page).toHaveURL(/\/hosts$/);
  await expect(page.getByRole('link', { name: 'doomed' })).toHaveCount(0);
  expect((await page.request.get(`/api/v1/hosts/${id}`)).status()).toBe(404);
});

test('the host editor: a bond and a bridge over it as rows; a bad MAC is shown at its cell', async ({ page }) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  await page.goto('/hosts/new');
  await fillHostForm(page, { name: 'rows1', address: '192.0.2.30', ...bondedNixosHost('52:54:00:zz:00:02') });
  const bridgeMac = page.getByLabel('Fixed MAC of network.bridges 1');
  await page.getByLabel('STP of network.bridges 1').selectOption('on');
  await page.getByLabel('IPv4 DHCP of network.bridges 1').selectOption('no');
  await page.getByLabel('Static IPv4 of network.bridges 1').fill('192.0.2.31/24');
  await page.getByLabel('Static IPv6 of network.bridges 1').fill('2001:db8::31/64');
  await page.getByRole('button', { name: 'Add host' }).click();

  // The error sits right under the MAC cell of that bridge, and only there.
  const macError = page.locator('[data-issue-path="network.bridges[0].macAddress"]');
  await expect(macError).toBeVisible();
  await expect(bridgeMac).toHaveAttribute('aria-invalid', 'true');
  await expect(bridgeMac.locator('xpath=following-sibling::p[1]')).toHaveAttribute('data-issue-path', 'network.bridges[0].macAddress');
  await expect(page.getByTestId('spec-issues')).toHaveCount(0);
  await expect(page).toHaveURL(/\/hosts\/new$/);

  await bridgeMac.fill('52:54:00:aa:00:02');
  await page.getByRole('button', { name: 'Add host' }).click();
  await expect(page.getByRole('heading', { name: 'rows1' })).toBeVisible();
  await expect(page.getByText('br0 over bond0')).toBeVisible();
  await expect(page.getByText('bond0 (802.3ad: eno1+eno2)')).toBeVisible();

  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await expect(page).toHaveURL(/\/edit$/);
  await page.reload();
  await expect(page.getByLabel('Members of network.bonds 1')).toHaveValue('eno1, eno2');
  await expect(page.getByLabel('Mode of network.bonds 1')).toHaveValue('802.3ad');
  await expect(page.getByLabel('Uplink of network.bridges 1')).toHaveValue('bond');
  await expect(page.getByLabel('Uplink name of network.bridges 1')).toHaveValue('bond0');
  await expect(bridgeMac).toHaveValue('52:54:00:aa:00:02');
  await expect(page.getByLabel('STP of network.bridges 1')).toHaveValue('on');
  await expect(page.getByLabel('IPv4 DHCP of network.bridges 1')).toHaveValue('no');
  await expect(page.getByLabel('Static IPv4 of network.bridges 1')).toHaveValue('192.0.2.31/24');
  await expect(page.getByLabel('Static IPv6 of network.bridges 1')).toHaveValue('2001:db8::31/64');

  // An uplink naming a bond that does not exist is reported at the uplink name cell.
  await page.getByLabel('Uplink name of network.bridges 1').fill('bond9');
  await page.getByRole('button', { name: 'Save host' }).click();
  await expect(page.locator('[data-issue-path="network.bridges[0].uplink.name"]')).toBeVisible();
});
