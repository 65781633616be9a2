// Pure parts of signing in: where the login form may redirect to (`next`), which
// X-Forwarded-For entry is the client behind our proxies, and audit fields that
// never overflow their columns.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { safeNext } from '@/lib/auth/safe-next';
import {
  clientIpFromForwardedFor,
  normalizeIp,
  protoFromForwardedProto,
  proxyTrustFromEnv,
  stampRequest,
  type ProxyTrust,
} from '@/lib/server/request-headers';
import { clientIp, CLIENT_IP_HEADER, CLIENT_PROTO_HEADER } from '@/lib/auth/request-meta';
import { AUDIT_FIELD_LIMITS, auditRow } from '@/lib/auth/audit';

describe('safeNext', () => {
  it.each([
    ['/\t/evil.example', 'a tab, which browsers strip into //evil.example'],
    ['/\n/evil', 'a newline'],
    ['/\r\n/evil', 'a carriage return'],
    ['/hosts\t', 'a tab anywhere'],
    ['//evil', 'a protocol-relative URL'],
    ['/\\evil', 'a backslash after the slash'],
    ['/hosts\\..\\..\\evil', 'a backslash anywhere'],
    ['\\\\evil', 'backslashes only'],
    ['https://evil', 'an absolute URL'],
    ['javascript:alert(1)', 'a javascript: URL'],
    ['%2F%2Fevil', 'an encoded //'],
    ['/%2F%2Fevil', 'an encoded // after the slash'],
    ['/%5Cevil', 'an encoded backslash'],
    ['/%252F%252Fevil', 'a doubly encoded //'],
    ['/%09/evil.example', 'an encoded tab'],
    ['/..//evil', 'a path that normalises to //evil'],
    ['/./\\evil', 'a dot segment before a backslash'],
    ['hosts', 'a relative path'],
    ['', 'nothing'],
  ])('refuses %j (%s)', (next) => {
    expect(safeNext(next)).toBe('/');
  });

  it('refuses a missing or very long value', () => {
    expect(safeNext(undefined)).toBe('/');
    expect(safeNext(null)).toBe('/');
    expect(safeNext(`/${'a'.repeat(5000)}`)).toBe('/');
  });

  it.each([
    ['/', '/'],
    ['/hosts', '/hosts'],
    ['/hosts?status=up&sort=name', '/hosts?status=up&sort=name'],
    ['/vms/abc?tab=console#screen', '/vms/abc?tab=console#screen'],
    ['/audit?action=auth.login&next=%2F%2Fevil', '/audit?action=auth.login&next=%2F%2Fevil'],
    ['/hosts/../vms', '/vms'],
  ])('keeps the own path %j', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});

describe('client address from X-Forwarded-For', () => {
  it('takes the entry the nearest proxy appended, with one trusted hop', () => {
    expect(clientIpFromForwardedFor('203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientIpFromForwardedFor('198.51.100.1, 203.0.113.7', 1)).toBe('203.0.113.7');
  });

  it('ignores spoofed entries on the left', () => {
    const spoofed = '10.0.0.1, 127.0.0.1, ::1, 203.0.113.7';
    expect(clientIpFromForwardedFor(spoofed, 1)).toBe('203.0.113.7');
    expect(clientIpFromForwardedFor(['1.1.1.1, 2.2.2.2', '203.0.113.7'], 1)).toBe('203.0.113.7');
  });

  it('skips the proxies of ours with more trusted hops', () => {
    // client → proxy A (appends client) → proxy B (appends A) → app
    expect(clientIpFromForwardedFor('6.6.6.6, 203.0.113.7, 192.0.2.10', 2)).toBe('203.0.113.7');
    expect(clientIpFromForwardedFor('6.6.6.6, 203.0.113.7, 192.0.2.10, 192.0.2.11', 3)).toBe('203.0.113.7');
  });

  it('gives up (the socket address is used) when there are fewer entries than trusted hops', () => {
    expect(clientIpFromForwardedFor('203.0.113.7', 2)).toBeNull();
    expect(clientIpFromForwardedFor(undefined, 1)).toBeNull();
    expect(clientIpFromForwardedFor('', 1)).toBeNull();
  });

  it('refuses anything but an IP address', () => {
    for (const garbage of [
      'unknown',
      'evil.example',
      '203.0.113.7; DROP TABLE',
      '<script>',
      '999.1.1.1',
      '1.2.3',
      'fe80::1%eth0',
      '_hidden',
      '203.0.113.7,',
    ]) {
      expect(clientIpFromForwardedFor(`198.51.100.1, ${garbage}`, 1), garbage).toBeNull();
    }
  });

  it('refuses very long values without splitting them in full', () => {
    expect(clientIpFromForwardedFor(`198.51.100.1, ${'1'.repeat(10_000)}`, 1)).toBeNull();
    expect(clientIpFromForwardedFor(`${'9.9.9.9, '.repeat(2000)}203.0.113.7`, 1)).toBe('203.0.113.7');
    expect(clientIpFromForwardedFor(`${'a'.repeat(100_000)}, 203.0.113.7`, 1)).toBe('203.0.113.7');
  });

  it('normalises ports, brackets and IPv4-mapped IPv6', () => {
    expect(normalizeIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeIp('[2001:DB8::1]:443')).toBe('2001:db8::1');
    expect(normalizeIp('2001:db8::1')).toBe('2001:db8::1');
    expect(normalizeIp('192.0.2.1:5000')).toBe('192.0.2.1');
    expect(normalizeIp('')).toBeNull();
    expect(normalizeIp(undefined)).toBeNull();
  });

  it('reads the scheme from the rightmost X-Forwarded-Proto entry, http or https only', () => {
    expect(protoFromForwardedProto('https')).toBe('https');
    expect(protoFromForwardedProto('http, https')).toBe('https');
    expect(protoFromForwardedProto('https, gopher')).toBeNull();
    expect(protoFromForwardedProto(undefined)).toBeNull();
  });

  it('reads HOSTDECK_TRUST_PROXY and HOSTDECK_TRUSTED_HOPS, refusing a bad hop count', () => {
    expect(proxyTrustFromEnv({})).toEqual({ trustProxy: false, trustedHops: 1 });
    expect(proxyTrustFromEnv({ HOSTDECK_TRUST_PROXY: '1' })).toEqual({ trustProxy: true, trustedHops: 1 });
    expect(proxyTrustFromEnv({ HOSTDECK_TRUST_PROXY: '1', HOSTDECK_TRUSTED_HOPS: '2' })).toEqual({ trustProxy: true, trustedHops: 2 });
    for (const bad of ['0', '-1', 'two', '1.5', '100']) {
      expect(() => proxyTrustFromEnv({ HOSTDECK_TRUST_PROXY: '1', HOSTDECK_TRUSTED_HOPS: bad }), bad).toThrow(/HOSTDECK_TRUSTED_HOPS/);
    }
  });

  it('the app side never hands on more than 64 characters', () => {
    const headers = new Headers({ [CLIENT_IP_HEADER]: 'x'.repeat(500) });
    expect(clientIp(headers)).toHaveLength(64);
    expect(clientIp(new Headers())).toBeNull();
  });
});

/** What a real Node HTTP server stamps on a request sent with `headers`. */
async function stamped(trust: ProxyTrust, headers: Record<string, string>): Promise<{ ip: string; proto: string }> {
  const server = http.createServer((req, res) => {
    stampRequest(req, trust);
    res.end(JSON.stringify({ ip: req.headers[CLIENT_IP_HEADER], proto: req.headers[CLIENT_PROTO_HEADER] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/`, { headers });
    return (await response.json()) as { ip: string; proto: string };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('stampRequest on a real HTTP server', () => {
  const spoof = { 'x-forwarded-for': '6.6.6.6, 203.0.113.7', 'x-forwarded-proto': 'https', [CLIENT_IP_HEADER]: '6.6.6.6' };

  it('without a trusted proxy uses the socket address and replaces a forged client-ip header', async () => {
    expect(await stamped({ trustProxy: false, trustedHops: 1 }, spoof)).toEqual({ ip: '127.0.0.1', proto: 'http' });
  });

  it('behind one proxy takes the entry it appended, not the spoofed leftmost one', async () => {
    expect(await stamped({ trustProxy: true, trustedHops: 1 }, spoof)).toEqual({ ip: '203.0.113.7', proto: 'https' });
  });

  it('falls back to the socket address for garbage or a very long entry', async () => {
    expect((await stamped({ trustProxy: true, trustedHops: 1 }, { 'x-forwarded-for': 'not-an-address' })).ip).toBe('127.0.0.1');
    expect((await stamped({ trustProxy: true, trustedHops: 1 }, { 'x-forwarded-for': `1.2.3.4${'0'.repeat(5000)}` })).ip).toBe('127.0.0.1');
  });
});

describe('audit rows', () => {
  it('cut every bounded text field to its column length', () => {
    const long = 'z'.repeat(1000);
    const row = auditRow({
      action: long,
      actorName: long,
      via: long as never,
      targetType: long,
      targetId: long,
      ip: long,
      outcome: long as never,
    });
    for (const [field, max] of Object.entries(AUDIT_FIELD_LIMITS)) {
      expect((row as Record<string, unknown>)[field], field).toBe('z'.repeat(max));
    }
    expect(auditRow({ action: 'auth.login' })).toMatchObject({
      action: 'auth.login',
      via: 'web',
      outcome: 'ok',
      ip: null,
      actorName: null,
    });
  });
});
