// Pure parts of the consoles: reading virsh domdisplay, the spice-html5 ticket
// padding (proved against spice-html5's own RSA code and Node's OAEP
// decryption), keysyms for pasted text, close messages, limits, ticket shapes.
import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { parseDomdisplay } from '@/lib/console/display';
import { consoleLimits } from '@/lib/console/config';
import { consoleUrl, ticketShapeOk, vmHasConsole } from '@/lib/console/tickets';
import { truncateReason } from '@/lib/console/session';
import { installSpiceTicketFix, padToKeySize } from '@/components/console/spice-ticket-fix';
import { closeMessage, keysymOf } from '@/components/console/connect';
// spice-html5's own ticket encryption (the code the browser runs); its jsbn asks `navigator` which browser it is
vi.hoisted(() => {
  const g = globalThis as { navigator?: unknown };
  g.navigator ??= { appName: 'Netscape' };
});
import { create_rsa_from_mb, rsa_encrypt } from '@spice-project/spice-html5/src/ticket.js';

describe('parseDomdisplay', () => {
  it('reads VNC display numbers as ports 5900+N and SPICE ports as they are', () => {
    expect(parseDomdisplay('vnc://127.0.0.1:0\n\n', 'vnc')).toEqual({ host: '127.0.0.1', port: 5900 });
    expect(parseDomdisplay('vnc://localhost:3\n', 'vnc')).toEqual({ host: '127.0.0.1', port: 5903 });
    expect(parseDomdisplay('spice://127.0.0.1:5901\n', 'spice')).toEqual({ host: '127.0.0.1', port: 5901 });
    expect(parseDomdisplay('spice://[::1]:5930?tls-port=5931\n', 'spice')).toEqual({ host: '127.0.0.1', port: 5930 });
    expect(parseDomdisplay('spice://192.0.2.4:5901\n', 'spice')).toEqual({ host: '192.0.2.4', port: 5901 });
  });

  it('finds no display in anything else', () => {
    expect(parseDomdisplay('', 'vnc')).toBeNull();
    expect(parseDomdisplay('spice://127.0.0.1:5901', 'vnc')).toBeNull();
    expect(parseDomdisplay('spice://127.0.0.1?tls-port=5902', 'spice')).toBeNull();
    expect(parseDomdisplay('vnc://127.0.0.1:70000', 'vnc')).toBeNull();
  });
});

describe('spice-html5 ticket padding', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024, publicExponent: 65537 });
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const rsa = create_rsa_from_mb(spki.buffer, 0);
  const keyBytes = 128;
  const decrypts = (bytes: number[]) => {
    try {
      return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(bytes)).toString(
        'latin1',
      );
    } catch {
      return null;
    }
  };
  /** What SpiceLinkAuthTicket puts on the wire: the bytes left-aligned in a 128-byte field, zero-filled. */
  const onTheWire = (bytes: number[]) => [...bytes, ...new Array(Math.max(0, keyBytes - bytes.length)).fill(0)];

  it('short ciphertexts fail unpadded and decrypt once padded; full-length ones are unchanged', () => {
    let short = 0;
    let full = 0;
    for (let i = 0; short < 3 && i < 20_000; i++) {
      const enc: number[] = rsa_encrypt(rsa, '\0');
      if (enc.length < keyBytes) {
        short++;
        expect(decrypts(onTheWire(enc))).toBeNull(); // the bug: QEMU's "data too large for modulus"
        expect(decrypts(padToKeySize(enc, keyBytes))).toBe('\0');
      } else if (full < 20) {
        full++;
        expect(padToKeySize(enc, keyBytes)).toEqual(enc);
        expect(decrypts(enc)).toBe('\0');
      }
    }
    expect(short).toBe(3);
  });

  it('installs on the prototype every channel shares, once, and pads what send_ticket receives', () => {
    const sent: (number[] | null)[] = [];
    function SpiceConn() {}
    SpiceConn.prototype.send_ticket = (ticket: number[] | null) => {
      sent.push(ticket);
    };
    function SpiceMainConn() {}
    SpiceMainConn.prototype = Object.create(SpiceConn.prototype);
    installSpiceTicketFix(SpiceMainConn);
    installSpiceTicketFix(SpiceMainConn);
    const channel = Object.create(SpiceMainConn.prototype) as { reply_link: unknown; send_ticket(t: number[] | null): void };
    channel.reply_link = { pub_key: { n: { bitLength: () => 1024 } } };
    channel.send_ticket([1, 2, 3]);
    expect(sent[0]).toHaveLength(128);
    expect(sent[0]!.slice(-3)).toEqual([1, 2, 3]);
    expect(sent[0]!.slice(0, 125).every((b) => b === 0)).toBe(true);
    expect(() => installSpiceTicketFix(function Nothing() {})).toThrow(/send_ticket not found/);
  });
});

describe('viewer helpers', () => {
  it('types text as X keysyms', () => {
    expect(keysymOf('a')).toBe(0x61);
    expect(keysymOf('é')).toBe(0xe9);
    expect(keysymOf('€')).toBe(0x010020ac);
    expect(keysymOf('\n')).toBe(0xff0d);
    expect(keysymOf('\t')).toBe(0xff09);
    expect(keysymOf('\x07')).toBeNull();
  });

  it('says why a console closed', () => {
    expect(closeMessage({ code: 4503, reason: 'Lost the SSH connection to lab6' }, 'x')).toEqual({
      message: 'Lost the SSH connection to lab6',
      error: true,
    });
    expect(closeMessage({ code: 1000, reason: '' }, 'x')).toEqual({ message: 'Disconnected', error: false });
    expect(closeMessage({ code: 1006, reason: '' }, 'x').message).toContain('lost');
    expect(closeMessage(null, 'fallback')).toEqual({ message: 'fallback', error: true });
  });

  it('keeps close reasons within 123 bytes of UTF-8', () => {
    expect(truncateReason('short')).toBe('short');
    const long = truncateReason('é'.repeat(200));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(123);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('tickets and limits', () => {
  it('accepts only the shape of a 32-byte base64url ticket', () => {
    expect(ticketShapeOk('A'.repeat(43))).toBe(true);
    expect(ticketShapeOk('A'.repeat(42))).toBe(false);
    expect(ticketShapeOk(`${'A'.repeat(42)}=`)).toBe(false);
    expect(ticketShapeOk(null)).toBe(false);
  });

  it('puts type, VM and ticket in the socket path and nothing about the host', () => {
    const url = consoleUrl('0b6a5f36-1111-4222-8333-944455556666', 'spice', 'T'.repeat(43));
    expect(url).toBe(`/console?type=spice&vm=0b6a5f36-1111-4222-8333-944455556666&ticket=${'T'.repeat(43)}`);
  });

  it("knows which consoles a VM's spec has, with the spec's defaults", () => {
    expect(vmHasConsole({}, 'vnc')).toBe(true);
    expect(vmHasConsole({}, 'spice')).toBe(false);
    expect(vmHasConsole({}, 'serial')).toBe(true);
    expect(vmHasConsole({ graphics: { vnc: false, spice: true }, serialConsole: false }, 'vnc')).toBe(false);
    expect(vmHasConsole({ graphics: { vnc: false, spice: true }, serialConsole: false }, 'spice')).toBe(true);
    expect(vmHasConsole({ graphics: { vnc: false, spice: true }, serialConsole: false }, 'serial')).toBe(false);
  });

  it('reads idle time and per-user limit from the environment, refusing nonsense', () => {
    expect(consoleLimits({})).toEqual({ idleMs: 30 * 60_000, maxPerUser: 8 });
    expect(consoleLimits({ HOSTDECK_CONSOLE_IDLE_MS: '5000', HOSTDECK_CONSOLE_MAX_PER_USER: '2' })).toEqual({
      idleMs: 5000,
      maxPerUser: 2,
    });
    expect(() => consoleLimits({ HOSTDECK_CONSOLE_MAX_PER_USER: '0' })).toThrow(/positive whole number/);
  });
});
