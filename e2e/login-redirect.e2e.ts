// After signing in, the login form follows `next` only to a path of this app:
// a tab or newline in it (which browsers strip, turning "/\t/evil.example"
// into "//evil.example") must not send the user to another site.
import { expect, test } from '@playwright/test';
import { ADMIN } from './helpers';

test('login: `next` with a tab or newline stays on the app; a good path with its query is kept', async ({ browser, baseURL }) => {
  const cases = [
    { next: '/\t/evil.example/', landsOn: '/' },
    { next: '/\n/evil.example/', landsOn: '/' },
    { next: '/hosts?sort=name', landsOn: '/hosts?sort=name' },
  ];
  for (const { next, landsOn } of cases) {
    const context = await browser.newContext({ baseURL });
    const offsite: string[] = [];
    // Nothing here resolves evil.example: answer it, so a redirect there would be seen, not a DNS error.
    await context.route(
      (url) => url.hostname === 'evil.example',
      (route) => {
        offsite.push(route.request().url());
        return route.fulfill({ contentType: 'text/html', body: '<h1>offsite</h1>' });
      },
    );
    const page = await context.newPage();
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('current-user')).toHaveText(ADMIN.username);
    const url = new URL(page.url());
    expect(url.origin).toBe(new URL(baseURL!).origin);
    expect(url.pathname + url.search).toBe(landsOn);
    expect(offsite).toEqual([]);
    await context.close();
  }
});
