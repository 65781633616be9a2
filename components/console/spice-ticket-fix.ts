// spice-html5 0.2.1 encrypts the SPICE ticket with RSA-OAEP but does not pad
// the result to the key size: when the encrypted number happens to start with
// a zero byte (about 1 login in 256 per channel, ~0.7 % of four-channel
// sessions seen here), it sends one byte short, left-aligned, and QEMU answers
// "data too large for modulus" → "Permission denied". The fix, applied once
// after the library loads, wraps SpiceConn.prototype.send_ticket (shared by the
// main, display, inputs and cursor channels) to left-pad the ciphertext with
// zeros to the modulus length, as RSA (PKCS#1 I2OSP) requires. No copy of the
// library is patched; upstream's rsa_encrypt is untouched.

/** The ciphertext left-padded with zero bytes to `length` (I2OSP). Longer input is returned as is. */
export function padToKeySize(bytes: readonly number[], length: number): number[] {
  if (bytes.length >= length) return [...bytes];
  return [...new Array<number>(length - bytes.length).fill(0), ...bytes];
}

type SpiceConnProto = {
  send_ticket: (this: SpiceConnThis, ticket: number[] | null) => unknown;
  __hostdeckTicketPadding?: true;
};
type SpiceConnThis = { reply_link?: { pub_key?: { n?: { bitLength(): number } } } };

/** Installs the padding on the prototype shared by every channel of `SpiceMainConn` (idempotent). */
export function installSpiceTicketFix(SpiceMainConn: { prototype: object }): void {
  const base = Object.getPrototypeOf(SpiceMainConn.prototype) as SpiceConnProto | null;
  if (!base || typeof base.send_ticket !== 'function')
    throw new Error('spice-html5 changed: SpiceConn.prototype.send_ticket not found; review components/console/spice-ticket-fix.ts');
  if (base.__hostdeckTicketPadding) return;
  const original = base.send_ticket;
  base.send_ticket = function (this: SpiceConnThis, ticket) {
    const bits = this.reply_link?.pub_key?.n?.bitLength();
    return original.call(this, ticket && bits ? padToKeySize(ticket, (bits + 7) >> 3) : ticket);
  };
  base.__hostdeckTicketPadding = true;
}
