// Security hardening seen from outside: headers and a nonce-based CSP that the
// pages live with (no violations, still hydrating), the body cap, "Origin: null",
// what /api/v1/health tells strangers, user-data hidden from viewers, paging.
import http from 'node:http';
import { expect, test, type Page } from '@playwright/test';
import { ADMIN, createTokenViaUi, createUserViaUi, firstLogin, loginAs } from './helpers';

const MiB = 1024 * 1024;
const SECRET = 'hdsecret-7f3c91e2';
const USER_DATA = `#cloud-config\n# ${SECRET}\nruncmd:\n  - echo hello\n`;

/** Records CSP violations (the DOM event and Chromium's console report) from before the first script runs. */
async function watchCsp(page: Page) {
  const console: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (execute|apply|load|connect)/i.test(m.text())) console.push(m.text());
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return async () => [...console, ...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp))];
}

test('pages and API answers carry the security headers, with a fresh nonce that Next.js puts on its scripts', async ({ request }) => {
  const first = await request.get('/login');
  const second = await request.get('/login');
  const api = await request.get('/api/v1/health');
  for (const response of [first, api]) {
    const h = response.headers();
    expect(h['content-security-policy']).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/]+={0,2}' 'strict-dynamic'/);
    expect(h['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(h['content-security-policy']).toContain("object-src 'none'");
    expect(h['content-security-policy']).toContain("base-uri 'self'");
    expect(h['content-security-policy']).toMatch(/connect-src 'self' ws:\/\//);
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['x-frame-options']).toBe('DENY');
    expect(h['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(h['strict-transport-security']).toBeUndefined(); // plain HTTP here
  }
  const nonceOf = (csp: string) => /'nonce-([^']+)'/.exec(csp)![1]!;
  const nonce = nonceOf(first.headers()['content-security-policy']!);
  expect(nonceOf(second.headers()['content-security-policy']!)).not.toBe(nonce);
  const html = await first.text();
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
});

test('login, dashboard, host and configuration pages load and hydrate without a CSP violation; injected inline code is blocked', async ({
  page,
}) => {
  const violations = await watchCsp(page);
  await page.goto('/login');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  expect(await violations()).toEqual([]);
  await loginAs(page, ADMIN.username, ADMIN.password); // the login form submits through client code: hydrated
  expect(await violations()).toEqual([]);

  const api = page.request;
  const origin = new URL(page.url()).origin;
  const host = await api.post('/api/v1/hosts', {
    headers: { Origin: origin },
    data: {
      spec: {
        name: 'csp-host',
        address: 'csp.example.net',
        flavour: 'libvirt',
        cpuVendor: 'intel',
        network: { bridges: [{ name: 'br0' }] },
      },
    },
  });
  expect(host.status()).toBe(201);
  const { id } = await host.json();
  const vm = await api.post(`/api/v1/hosts/${id}/vms`, {
    headers: { Origin: origin },
    data: { spec: { name: 'csp-vm', vcpus: 1, memoryMiB: 512, interfaces: [{ type: 'bridge', bridge: 'br0' }] } },
  });
  expect(vm.status()).toBe(201);

  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  const toggle = page.getByRole('button', { name: /^Theme:/ });
  await toggle.click();
  await expect(page.locator('html')).toHaveClass(/\blight\b/);
  await toggle.click();
  await expect(page.locator('html')).toHaveClass(/\bdark\b/);

  await page.goto(`/hosts/${id}`);
  await expect(page.getByRole('heading', { name: 'csp-host' })).toBeVisible();
  await page.goto(`/hosts/${id}/configuration`);
  // shiki's highlighted file (server-rendered) and the diff viewer (client, emotion styles with the nonce)
  const file = page.locator('[data-file="vms/csp-vm.xml"]');
  await expect(file.locator('pre.shiki')).toBeVisible();
  await file.getByText('Diff against the deployed revision').click();
  await expect(page.getByTestId('diff-vms/csp-vm.xml').getByText('Rendered (proposed)')).toBeVisible();
  expect(await violations()).toEqual([]);

  // The listener works and the policy is enforced: an injected inline handler does not run.
  await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<img src="/no-such-image.png" onerror="window.__xss = 1">'));
  await expect.poll(async () => (await violations()).length).toBeGreaterThan(0);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
});

test('a 64 MiB body is refused with 413 JSON while it is still arriving, and the server stays healthy', async ({
  page,
  request,
  baseURL,
}) => {
  const total = 64 * MiB;
  // Declared length: refused before a byte of the body is read.
  const declared = await request.post('/api/v1/hosts', {
    headers: { 'content-type': 'application/json' },
    data: Buffer.alloc(total, 0x20),
  });
  expect(declared.status()).toBe(413);
  expect((await declared.json()).error.code).toBe('payload_too_large');

  // Unknown length (chunked), authenticated so the route reads it: counted as it arrives.
  await loginAs(page, ADMIN.username, ADMIN.password);
  const token = await createTokenViaUi(page, 'body cap', 'operator');
  const url = new URL('/api/v1/hosts', baseURL);
  const result = await new Promise<{ status: number; body: string; sentAtAnswer: number }>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request(
      url,
      { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
      (res) => {
        answered = true;
        const sentAtAnswer = sent;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode!, body, sentAtAnswer });
        });
      },
    );
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
  expect(result.status).toBe(413);
  expect(JSON.parse(result.body).error.code).toBe('payload_too_large');
  expect(result.sentAtAnswer).toBeLessThan(total);

  const health = await request.get('/api/v1/health');
  expect(health.status()).toBe(200);
  const small = await request.get('/api/v1/hosts', { headers: { Authorization: `Bearer ${token}` } });
  expect(small.status()).toBe(200);
});

test('a write with "Origin: null" answers 403 JSON, for the API and for pages (server actions)', async ({ page }) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  for (const url of ['/api/v1/users', '/settings/users']) {
    const response = await page.request.post(url, {
      headers: { Origin: 'null', 'content-type': 'application/json' },
      data: { username: 'nullorigin', password: 'a long enough password', role: 'admin' },
    });
    expect(response.status(), url).toBe(403);
    expect(response.headers()['content-type'], url).toContain('application/json');
    expect((await response.json()).error.code, url).toBe('forbidden');
  }
  const users = await (await page.request.get('/api/v1/users?pageSize=200')).json();
  expect(users.users.map((u: { username: string }) => u.username)).not.toContain('nullorigin');
});

test('health tells strangers only that it is up; signed-in callers also see the version', async ({ page, request }) => {
  const stranger = await (await request.get('/api/v1/health')).json();
  expect(stranger).toEqual({ status: 'ok', database: 'ok' });
  await loginAs(page, ADMIN.username, ADMIN.password);
  const signedIn = await (await page.request.get('/api/v1/health')).json();
  expect(signedIn.version).toMatch(/^\d+\.\d+\.\d+/);
});

test('cloud-init user-data is redacted for viewers and viewer tokens, in the API and the configuration page; operators see it', async ({
  page,
  request,
  browser,
}) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  const origin = new URL(page.url()).origin;
  const admin = page.request;
  const host = await admin.post('/api/v1/hosts', {
    headers: { Origin: origin },
    data: {
      spec: {
        name: 'sec-host',
        address: 'sec.example.net',
        flavour: 'libvirt',
        cpuVendor: 'intel',
        network: { bridges: [{ name: 'br0' }] },
      },
    },
  });
  expect(host.status()).toBe(201);
  const hostId = (await host.json()).id;
  const vm = await admin.post(`/api/v1/hosts/${hostId}/vms`, {
    headers: { Origin: origin },
    data: {
      spec: {
        name: 'sec-vm',
        vcpus: 1,
        memoryMiB: 512,
        cloudInit: { userData: USER_DATA },
        interfaces: [{ type: 'bridge', bridge: 'br0' }],
      },
    },
  });
  expect(vm.status()).toBe(201);
  const vmId = (await vm.json()).id;
  const viewerToken = { Authorization: `Bearer ${await createTokenViaUi(page, 'sec viewer', 'viewer')}` };
  const operatorToken = { Authorization: `Bearer ${await createTokenViaUi(page, 'sec operator', 'operator')}` };
  const marker = `<redacted: ${Buffer.byteLength(USER_DATA)} bytes>`;

  // API, viewer token: the VM, the configuration, nothing carries the secret.
  const vmAsViewer = await request.get(`/api/v1/vms/${vmId}`, { headers: viewerToken });
  expect((await vmAsViewer.json()).vm.spec.cloudInit.userData).toBe(marker);
  const configAsViewer = await request.get(`/api/v1/hosts/${hostId}/configuration`, { headers: viewerToken });
  const configText = await configAsViewer.text();
  expect(configText).not.toContain(SECRET);
  const userDataFile = JSON.parse(configText).files.find((f: { path: string }) => f.path === 'cloud-init/sec-vm/user-data');
  expect(userDataFile).toMatchObject({ desired: marker, status: 'added' });
  const vmsAsViewer = await request.get(`/api/v1/hosts/${hostId}/vms`, { headers: viewerToken });
  expect(await vmsAsViewer.text()).not.toContain(SECRET);

  // API, operator token and admin session: the real thing.
  expect((await (await request.get(`/api/v1/vms/${vmId}`, { headers: operatorToken })).json()).vm.spec.cloudInit.userData).toBe(USER_DATA);
  const configAsAdmin = await (await admin.get(`/api/v1/hosts/${hostId}/configuration`)).json();
  expect(configAsAdmin.files.find((f: { path: string }) => f.path === 'cloud-init/sec-vm/user-data').desired).toBe(USER_DATA);

  // Configuration page: the operator-or-above sees it, a viewer sees the marker.
  await page.goto(`/hosts/${hostId}/configuration`);
  await expect(page.locator('[data-file="cloud-init/sec-vm/user-data"]')).toContainText(SECRET);
  await createUserViaUi(page, 'secviewer', 'viewer', 'initial viewer password');
  const context = await browser.newContext();
  const viewerPage = await context.newPage();
  await firstLogin(viewerPage, 'secviewer', 'initial viewer password', 'chosen viewer password');
  const pageResponse = await viewerPage.goto(`/hosts/${hostId}/configuration`);
  await expect(viewerPage.locator('[data-file="cloud-init/sec-vm/user-data"]')).toContainText('<redacted:');
  expect(await pageResponse!.text()).not.toContain(SECRET);
  expect(await viewerPage.content()).not.toContain(SECRET);
  await context.close();
});

test('API lists are paged: a page size over the maximum is refused, and nextPage walks the whole list', async ({ page }) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  const api = page.request;
  const tooBig = await api.get('/api/v1/users?pageSize=201');
  expect(tooBig.status()).toBe(400);
  expect(Object.keys((await tooBig.json()).error.fields)).toEqual(['pageSize']);
  expect((await api.get('/api/v1/hosts?pageSize=201')).status()).toBe(400);

  const origin = new URL(page.url()).origin;
  for (const name of ['pager1', 'pager2', 'pager3']) {
    const created = await api.post('/api/v1/users', {
      headers: { Origin: origin },
      data: { username: name, password: 'a long enough password', role: 'viewer' },
    });
    expect(created.status()).toBe(201);
  }
  const all = await (await api.get('/api/v1/users?pageSize=200')).json();
  expect(all).toMatchObject({ page: 1, pageSize: 200, nextPage: null });
  expect(all.total).toBe(all.users.length);

  const walked: string[] = [];
  let next: number | null = 1;
  while (next !== null) {
    const body = await (await api.get(`/api/v1/users?pageSize=2&page=${next}`)).json();
    expect(body.users.length).toBeLessThanOrEqual(2);
    expect(body.total).toBe(all.total);
    walked.push(...body.users.map((u: { username: string }) => u.username));
    next = body.nextPage;
  }
  expect(walked).toEqual(all.users.map((u: { username: string }) => u.username));
  expect(walked).toEqual(expect.arrayContaining(['pager1', 'pager2', 'pager3']));

  const hosts = await (await api.get('/api/v1/hosts?pageSize=1')).json();
  expect(hosts.pageSize).toBe(1);
  expect(hosts.hosts.length).toBeLessThanOrEqual(1);
  expect(hosts.nextPage).toBe(hosts.total > 1 ? 2 : null);
});
