// lib/libvirt/xml-text — fitting free text into XML 1.0.
//
// Owns: the one mapping applied to free text before it becomes XML character
// data. XML 1.0 cannot carry most C0 control characters at all (not even as
// character references), a raw CR is turned into LF by every XML parser, and
// U+FFFE/U+FFFF are not XML characters. So, deterministically:
//   CR LF and lone CR      → LF
//   other C0 controls, DEL → the matching Control Pictures symbol (U+2400 block)
//   U+FFFE, U+FFFF         → U+FFFD
// Tab and LF pass unchanged. Escaping of `<`, `&`, `>` is the XML library's
// job — with one correction, forXmlBuilder() below.

export function xmlText(value: string): string {
  return value
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) =>
      c === '\u007f' ? '\u2421' : String.fromCharCode(0x2400 + c.charCodeAt(0)),
    )
    .replace(/[\ufffe\uffff]/g, '\ufffd');
}

/**
 * xmlbuilder2 escapes `&` only when it does not already start an entity or a
 * character reference (`&amp;`, `&lt;`, `&#65;`, `&foo;` pass through as
 * markup), so text such as "&lt;" would be read back as "<" and "&foo;" would
 * make the document invalid. Every value handed to xmlbuilder2 goes through
 * this first: after it, every `&` starts `&amp;`, which xmlbuilder2 leaves
 * alone, and the text reads back exactly.
 */
export function forXmlBuilder(value: string): string {
  return value.replaceAll('&', '&amp;');
}
