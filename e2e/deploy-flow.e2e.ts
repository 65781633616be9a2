// The product's central promise, in the browser, against a real lab host
// (lab3: OpenSSH sshd + libvirtd + QEMU): an operator creates a VM and
// proposes the change; an approver (a second person) approves it; the
// operator deploys and watches the log stream to the end; the VM runs in
// libvirt with Hostdeck's UUID. Editing its memory gives a plan that says a
// restart is needed and a one-line diff; after that deploys, rolling back
// to the first revision puts the earlier definition back on the host.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, expect, type Page, test } from '@playwright/test';
import { ensureLab, sshArgs, type LabHost } from '../tests/helpers/lab';
import { diffText } from '../lib/libvirt/diff-text';
import { ADMIN, firstLogin, loginAs } from './helpers';

test.describe.configure({ mode: 'serial' });
test.setTimeout(300_000);

const VM = 'flow-vm';
let lab: LabHost;
const onLab = (command: string) => execFileSync('ssh', [...sshArgs(lab), command], { encoding: 'utf8' }).trim();
const liveMemoryKiB = () => /<memory unit='KiB'>(\d+)<\/memory>/.exec(onLab(`virsh dumpxml --inactive ${VM}`))?.[1];

test.beforeAll(async () => {
  lab = (await ensureLab(3))[2]!;
  onLab(`virsh destroy ${VM} >/dev/null 2>&1; virsh undefine ${VM} >/dev/null 2>&1; true`);
});

test.afterAll(() => {
  onLab(`virsh destroy ${VM} >/dev/null 2>&1; virsh undefine ${VM} >/dev/null 2>&1; true`);
});

async function signedIn(browser: Browser, username: string, role: string, admin: Page): Promise<Page> {
  const initial = `initial password of ${username}`;
  const created = await admin.request.post('/api/v1/users', {
    headers: { Origin: new URL(admin.url()).origin },
    data: { username, password: initial, role },
  });
  expect(created.status()).toBe(201);
  const page = await (await browser.newContext()).newPage();
  await firstLogin(page, username, initial, `chosen password of ${username}`);
  return page;
}

/** Opens the host's open change from the changes list. */
async function openChange(page: Page, title: string): Promise<string> {
  await page.goto('/changes');
  await page.getByTestId('changes-table').getByRole('link', { name: title }).first().click();
  await expect(page).toHaveURL(/\/changes\/[0-9a-f-]{36}$/);
  return page.url().split('/').pop()!;
}

async function deployAndWatch(operator: Page): Promise<void> {
  await operator.getByTestId('change-deploy').click();
  await expect(operator).toHaveURL(/\/deployments\/[0-9a-f-]{36}$/);
  await expect(operator.getByTestId('deployment-status')).toHaveText('succeeded', { timeout: 180_000 });
  // The log streamed to its end: the first step's header and the last line.
  await expect(operator.getByTestId('deployment-log')).toContainText('── upload');
  await expect(operator.getByTestId('deployment-log')).toContainText('Deployed revision');
  await expect(operator.getByTestId('deployment-progress')).toHaveAttribute('aria-valuenow', '100');
}

test('create, propose, approve by another person, deploy, edit, roll back', async ({ page: admin, browser }) => {
  await loginAs(admin, ADMIN.username, ADMIN.password);
  const origin = new URL(admin.url()).origin;
  const api = admin.request;

  // The host, onboarded through the API (the browser path of onboarding is e2e/lab-host.e2e.ts).
  const host = await api.post('/api/v1/hosts', {
    headers: { Origin: origin },
    data: {
      spec: {
        name: 'lab-three',
        address: lab.address,
        sshPort: lab.port,
        sshUser: lab.user,
        flavour: 'libvirt',
        cpuVendor: 'intel',
        storagePools: [{ name: 'default', path: '/var/lib/libvirt/images' }],
      },
    },
  });
  expect(host.status()).toBe(201);
  const hostId = (await host.json()).id as string;
  const keys = await (await api.get('/api/v1/ssh-keys')).json();
  fs.appendFileSync(path.join('.data/lab/hosts', lab.name, 'sshd/authorized_keys'), `${keys.keys[0].authorizedKeysLine}\n`);
  const offered = await (await api.get(`/api/v1/hosts/${hostId}/host-key`)).json();
  expect(offered.fingerprint).toBe(lab.hostKeyFingerprint);
  const pinned = await api.post(`/api/v1/hosts/${hostId}/host-key`, {
    headers: { Origin: origin },
    data: { fingerprint: offered.fingerprint },
  });
  expect((await pinned.json()).factsError).toBeNull();

  const olga = await signedIn(browser, 'flow-operator', 'operator', admin);
  const abe = await signedIn(browser, 'flow-approver', 'approver', admin);

  // Olga defines the VM: nothing reaches the host; the host's change is a draft.
  await olga.goto(`/hosts/${hostId}/vms/new`);
  await olga.getByLabel('Name', { exact: true }).fill(VM);
  await olga.getByLabel('Memory (MiB)').fill('64');
  await olga.getByRole('button', { name: 'Add VM' }).click();
  await expect(olga.getByRole('heading', { name: VM })).toBeVisible();
  const vmPage = olga.url();
  const uuid = (await olga.locator('code').first().textContent())!.trim();
  expect(onLab(`virsh list --all --name`)).not.toContain(VM);

  const changeId = await openChange(olga, 'Update lab-three');
  await expect(olga.getByTestId('change-status')).toHaveText('draft');
  await expect(olga.getByTestId('plan-summary')).toContainText('1 added');
  await olga.getByTestId('change-propose').click();
  await expect(olga.getByTestId('change-status')).toHaveText('proposed');
  await expect(olga.getByTestId('change-approve')).toHaveCount(0); // an operator, and the author

  // Abe, a second person with the approver role, approves.
  await abe.goto(`/changes/${changeId}`);
  await abe.getByTestId('change-approve-note').fill('looks right');
  await abe.getByTestId('change-approve').click();
  await expect(abe.getByTestId('change-status')).toHaveText('approved');

  await olga.reload();
  await deployAndWatch(olga);
  expect(onLab(`virsh domuuid ${VM}`)).toBe(uuid);
  expect(onLab(`virsh domstate ${VM}`)).toBe('running');
  expect(liveMemoryKiB()).toBe(String(64 * 1024));

  // Edit the memory: a restart is needed (the VM runs), and the diff is one line.
  await olga.goto(`${vmPage}/edit`);
  await olga.getByLabel('Memory (MiB)').fill('96');
  await olga.getByRole('button', { name: 'Save VM' }).click();
  await expect(olga).toHaveURL(vmPage); // saved: back on the VM's page
  const editId = await openChange(olga, 'Update lab-three');
  expect(editId).not.toBe(changeId);
  await expect(olga.getByTestId('restart-warning')).toBeVisible();
  await expect(olga.getByTestId(`diff-vms/${VM}.xml`)).toContainText(String(96 * 1024));
  const detail = (await (await olga.request.get(`/api/v1/changes/${editId}`)).json()).change;
  const file = detail.files.find((f: { path: string }) => f.path === `vms/${VM}.xml`);
  const before = diffText(file.path, file.deployed).split('\n');
  const after = diffText(file.path, file.desired).split('\n');
  const removed = before.filter((line) => !after.includes(line));
  const added = after.filter((line) => !before.includes(line));
  expect(removed).toHaveLength(1);
  expect(added).toHaveLength(1);
  expect(removed[0]).toMatch(new RegExp(`<memory unit=.KiB.>${64 * 1024}</memory>`));
  expect(added[0]).toMatch(new RegExp(`<memory unit=.KiB.>${96 * 1024}</memory>`));

  await olga.getByTestId('change-propose').click();
  await abe.goto(`/changes/${editId}`);
  await abe.getByTestId('change-approve').click();
  await expect(abe.getByTestId('change-status')).toHaveText('approved');
  await olga.reload();
  await deployAndWatch(olga);
  expect(liveMemoryKiB()).toBe(String(96 * 1024));
  expect(onLab(`virsh domstate ${VM}`)).toBe('running'); // never restarted by Hostdeck

  // Roll back to the first revision: a change like any other.
  const revisions = (await (await olga.request.get(`/api/v1/hosts/${hostId}/revisions`)).json()).revisions;
  expect(revisions).toHaveLength(2);
  const first = revisions[1].revisionId as string;
  await olga.goto(`/hosts/${hostId}/history`);
  await olga.getByTestId(`rollback-${first}`).click();
  await olga.getByTestId('rollback-confirm').click();
  await expect(olga).toHaveURL(/\/changes\/[0-9a-f-]{36}$/);
  const rollbackId = olga.url().split('/').pop()!;
  await olga.getByTestId('change-propose').click();
  await expect(olga.getByTestId('change-status')).toHaveText('proposed');
  await abe.goto(`/changes/${rollbackId}`);
  await abe.getByTestId('change-approve').click();
  await expect(abe.getByTestId('change-status')).toHaveText('approved');
  await olga.reload();
  await deployAndWatch(olga);
  expect(liveMemoryKiB()).toBe(String(64 * 1024));
  expect(onLab(`virsh domuuid ${VM}`)).toBe(uuid);
});
