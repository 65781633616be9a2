// The pure parts of the security hardening: the body cap's stream counter, the
// CSP builder and the redaction of cloud-init user-data.
import { describe, expect, it } from 'vitest';
import { BodyTooLargeError, DEFAULT_MAX_BODY_BYTES, declaredLengthExceeds, maxBodyBytes, readLimited } from '@/lib/security/body-limit';
import { contentSecurityPolicy, HSTS_VALUE, newNonce, securityHeaders } from '@/lib/security/headers';
import { canReadSecrets, isUserDataFile, redactedMarker, redactFileContent, redactVmSpec, REDACTED_PATTERN } from '@/lib/security/redact';
import { MAX_PAGE_SIZE, nextPage, pageOf, pageWindow } from '@/lib/api/paging';
import { redactFiles } from '@/lib/hosts/configuration';

/** A stream of `count` chunks of `size` bytes that records how many chunks were pulled. */
function chunkStream(count: number, size: number) {
  const state = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.pulled === count) return controller.close();
        state.pulled += 1;
        controller.enqueue(new Uint8Array(size).fill(120));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

describe('body limit', () => {
  it('reads a body within the cap whole, byte for byte', async () => {
    const { stream } = chunkStream(4, 256);
    const bytes = await readLimited(stream, 1024);
    expect(bytes.byteLength).toBe(1024);
    expect(bytes.every((b) => b === 120)).toBe(true);
  });

  it('stops at the first chunk past the cap without reading the rest', async () => {
    const { stream, state } = chunkStream(1000, 1024);
    await expect(readLimited(stream, 10 * 1024)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(state.pulled).toBe(11);
  });

  it('leaves the stream uncancelled (the server drains it after answering 413)', async () => {
    const { stream } = chunkStream(5, 10);
    await expect(readLimited(stream, 15)).rejects.toThrow(/larger than the limit of 15 bytes/);
    expect(stream.locked).toBe(false);
    const rest = await readLimited(stream, 1000);
    expect(rest.byteLength).toBe(30);
  });

  it('treats no body as empty', async () => {
    expect((await readLimited(null, 1)).byteLength).toBe(0);
  });

  it('refuses a declared Content-Length over the cap', () => {
    expect(declaredLengthExceeds('1048577', DEFAULT_MAX_BODY_BYTES)).toBe(true);
    expect(declaredLengthExceeds('1048576', DEFAULT_MAX_BODY_BYTES)).toBe(false);
    expect(declaredLengthExceeds(undefined, 10)).toBe(false);
    expect(declaredLengthExceeds('nonsense', 10)).toBe(true);
  });

  it('takes the cap from HOSTDECK_MAX_BODY_BYTES, 1 MiB by default, and rejects nonsense', () => {
    expect(maxBodyBytes({})).toBe(1024 * 1024);
    expect(maxBodyBytes({ HOSTDECK_MAX_BODY_BYTES: '4096' })).toBe(4096);
    expect(() => maxBodyBytes({ HOSTDECK_MAX_BODY_BYTES: '1mb' })).toThrow(/positive whole number/);
    expect(() => maxBodyBytes({ HOSTDECK_MAX_BODY_BYTES: '0' })).toThrow(/positive whole number/);
  });
});

describe('Content-Security-Policy', () => {
  const directives = (csp: string) =>
    new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name!, values]),
    );

  it('allows scripts only with the nonce (strict-dynamic), nothing framed, no plugins', () => {
    const nonce = newNonce();
    const d = directives(contentSecurityPolicy({ nonce, host: '127.0.0.1:3000' }));
    expect(d.get('script-src')).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'"]);
    expect(d.get('style-src')).toEqual(["'self'", `'nonce-${nonce}'`]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'self'"]);
    expect(d.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:3000', 'wss://127.0.0.1:3000']);
    expect(d.has('upgrade-insecure-requests')).toBe(false);
    expect([...d.values()].flat()).not.toContain("'unsafe-eval'");
  });

  it('gives a fresh, base64 nonce each time', () => {
    const a = newNonce();
    expect(a).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(newNonce()).not.toBe(a);
  });

  it('over HTTPS: wss only, upgrade-insecure-requests, HSTS', () => {
    const headers = securityHeaders({ nonce: newNonce(), secure: true, host: 'deck.example:443' });
    expect(directives(headers['Content-Security-Policy']!).get('connect-src')).toEqual(["'self'", 'wss://deck.example:443']);
    expect(headers['Content-Security-Policy']).toContain('upgrade-insecure-requests');
    expect(headers['Strict-Transport-Security']).toBe(HSTS_VALUE);
    expect(securityHeaders({ nonce: newNonce(), secure: false })['Strict-Transport-Security']).toBeUndefined();
  });

  it('does not let a forged Host header add directives', () => {
    const csp = contentSecurityPolicy({ nonce: newNonce(), host: "evil; script-src 'unsafe-inline'" });
    expect(directives(csp).get('connect-src')).toEqual(["'self'"]);
    expect(csp).not.toContain('unsafe-inline;');
    expect(csp.match(/script-src/g)).toHaveLength(1);
  });

  it('refuses a nonce that could break out of the header', () => {
    expect(() => contentSecurityPolicy({ nonce: "x' 'unsafe-inline" })).toThrow();
  });

  it('sets nosniff, DENY framing and a referrer policy that keeps Origin on same-origin posts', () => {
    const h = securityHeaders({ nonce: newNonce() });
    expect(h['X-Content-Type-Options']).toBe('nosniff');
    expect(h['X-Frame-Options']).toBe('DENY');
    expect(h['Referrer-Policy']).toBe('strict-origin-when-cross-origin');
  });
});

describe('redaction of cloud-init user-data', () => {
  const secret = '#cloud-config\npassword: hunter2\n';
  const spec = { name: 'web1', vcpus: 2, cloudInit: { userData: secret } };

  it('replaces user-data in a VM spec by its size, leaving the rest', () => {
    const redacted = redactVmSpec(spec);
    expect(redacted.cloudInit.userData).toBe(`<redacted: ${Buffer.byteLength(secret)} bytes>`);
    expect(redacted.cloudInit.userData).toMatch(REDACTED_PATTERN);
    expect(redacted).toMatchObject({ name: 'web1', vcpus: 2 });
    expect(JSON.stringify(redacted)).not.toContain('hunter2');
    expect(spec.cloudInit.userData).toBe(secret); // not mutated
  });

  it('leaves specs without user-data as they are', () => {
    const plain = { name: 'db1' };
    expect(redactVmSpec(plain)).toBe(plain);
    expect(redactVmSpec(null)).toBe(null);
  });

  it('counts bytes, not characters', () => {
    expect(redactedMarker('é')).toBe('<redacted: 2 bytes>');
  });

  it('redacts the rendered user-data file only, on both sides of a comparison, keeping its status', () => {
    expect(isUserDataFile('cloud-init/web1/user-data')).toBe(true);
    expect(isUserDataFile('cloud-init/web1/meta-data')).toBe(false);
    expect(isUserDataFile('vms/web1.xml')).toBe(false);
    expect(redactFileContent('vms/web1.xml', '<domain/>')).toBe('<domain/>');
    const files = redactFiles([
      { path: 'cloud-init/web1/user-data', desired: secret, deployed: '#cloud-config\n', status: 'changed' },
      { path: 'cloud-init/web1/meta-data', desired: 'instance-id: x\n', deployed: null, status: 'added' },
    ]);
    expect(files[0]).toEqual({
      path: 'cloud-init/web1/user-data',
      desired: redactedMarker(secret),
      deployed: redactedMarker('#cloud-config\n'),
      status: 'changed',
    });
    expect(files[1]!.desired).toBe('instance-id: x\n');
  });

  it('lets operators and above read secrets, not viewers', () => {
    expect(canReadSecrets('viewer')).toBe(false);
    expect(canReadSecrets('operator')).toBe(true);
    expect(canReadSecrets('admin')).toBe(true);
  });
});

describe('paging', () => {
  it('clamps page size to the maximum and pages from 1', () => {
    expect(pageWindow({ pageSize: 10_000 })).toMatchObject({ page: 1, pageSize: MAX_PAGE_SIZE, skip: 0 });
    expect(pageWindow({ page: 3, pageSize: 20 })).toMatchObject({ page: 3, pageSize: 20, skip: 40, take: 20 });
    expect(pageWindow({ page: -1, pageSize: 0 })).toMatchObject({ page: 1, pageSize: 1 });
  });

  it('pages a list with nextPage until the last page', () => {
    const items = Array.from({ length: 5 }, (_, i) => i);
    expect(pageOf(items, { page: 1, pageSize: 2 })).toEqual({ items: [0, 1], total: 5, page: 1, pageSize: 2, nextPage: 2 });
    expect(pageOf(items, { page: 3, pageSize: 2 })).toEqual({ items: [4], total: 5, page: 3, pageSize: 2, nextPage: null });
    expect(nextPage(4, 2, 2)).toBe(null);
  });
});
