// lib/spec/primitives — the small value types every spec is built from.
//
// Owns: what an identifier, a path, a MAC, a UUID and a piece of free text may
// contain, with messages an operator understands, and the generators for the
// identity values (UUID and MAC are generated once, stored, never changed).
//
// Two kinds of strings:
// - identifiers (names of VMs, bridges, pools, volumes, users, ...) are
//   restricted to characters that are safe as libvirt names, Nix attribute
//   names, systemd unit names and DNS labels — they are never free text;
// - free text (descriptions, tags, cloud-init user-data) accepts any text
//   except NUL and unpaired UTF-16 surrogates (which are not text). Renderers
//   escape it wherever it goes.
// Paths sit in between: absolute, canonical, no control characters, but may
// contain spaces, quotes and other punctuation, so renderers must quote them.
//
// Browser-safe: uses only the Web Crypto global, no Node modules.
import { z } from 'zod';

/** VM names: lowercase DNS label; also a valid libvirt name, Nix attribute name and systemd unit name part. */
export const VM_NAME_PATTERN = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const vmName = z.string().regex(VM_NAME_PATTERN, {
  error: 'must be 1-63 characters: lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen',
});

/** A host's name in Hostdeck: same rules as a VM name (it names files and folders). */
export const hostName = vmName;

/** Network interface names on a host (NICs, bonds, bridges): Linux allows at most 15 characters. */
export const ifName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,14}$/, {
  error: 'must be 1-15 characters: letters, digits, "_", "." and "-", starting with a letter',
});

/** libvirt object names we refer to: storage pools, libvirt networks, base images. */
export const objectName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/, {
  error: 'must be 1-64 characters: letters, digits, "_", ".", "+" and "-", starting with a letter or digit',
});

/** Storage volume names (files inside a pool). */
export const volumeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}$/, {
  error: 'must be 1-128 characters: letters, digits, "_", ".", "+" and "-", starting with a letter or digit',
});

/** Unix user names (for SSH). */
export const unixUser = z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, {
  error: 'must be a Unix user name: 1-32 lowercase letters, digits, "_" or "-", not starting with a digit or "-"',
});

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Whether a string is an absolute, canonical path without control characters. */
export function isCanonicalAbsolutePath(value: string): boolean {
  if (!value.startsWith('/') || value.length < 2) return false;
  if (value.endsWith('/')) return false;
  if (CONTROL_CHARS.test(value)) return false;
  if (!value.isWellFormed()) return false;
  return value
    .slice(1)
    .split('/')
    .every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/** Absolute file or directory path on a host. */
export const absolutePath = z.string().max(4096, { error: 'must be at most 4096 characters' }).refine(isCanonicalAbsolutePath, {
  error:
    'must be an absolute path like /var/lib/libvirt/images/disk.qcow2: starting with "/", no empty, "." or ".." parts, no trailing "/", no control characters',
});

/**
 * System folders no pool, disk or base image may lie in: devices, kernel and
 * process views, configuration, boot files and root's home. A path here would
 * let a spec read or overwrite the host itself.
 */
export const FORBIDDEN_FOLDERS = ['/dev', '/etc', '/proc', '/sys', '/boot', '/root'] as const;

/** Whether `path` is `folder` or lies below it (both canonical absolute paths; "/" contains everything). */
export function isPathInside(path: string, folder: string): boolean {
  if (folder === '/') return path.startsWith('/');
  return path === folder || path.startsWith(`${folder}/`);
}

/** Why `path` must not be used on a host (it is, or lies in, a system folder, or is "/"), or null. */
export function forbiddenFolderProblem(path: string): string | null {
  if (path === '/') return 'the root folder "/" holds the whole system';
  const folder = FORBIDDEN_FOLDERS.find((candidate) => isPathInside(path, candidate));
  return folder ? `${folder} is a system folder (not allowed: ${FORBIDDEN_FOLDERS.join(', ')})` : null;
}

/** A MAC address as stored: lowercase, colon separated, unicast. */
export const macAddress = z
  .string()
  .regex(/^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/, {
    error: 'must be a MAC address in lowercase like 52:54:00:12:ab:cd',
  })
  .refine((mac) => (parseInt(mac.slice(0, 2), 16) & 1) === 0, {
    error: 'must be a unicast MAC address (the lowest bit of the first byte must be 0)',
  });

/** Whether a path segment or argument has the shape of a UUID (any case), before it reaches a uuid column. */
export function looksLikeUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** A UUID as stored: lowercase, hyphenated. */
export const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
    error: 'must be a UUID in lowercase like 3f2c6d1e-8a4b-4c2d-9e0f-1a2b3c4d5e6f',
  })
  .refine((value) => value !== '00000000-0000-0000-0000-000000000000', { error: 'must not be the nil UUID' });

/**
 * Free text: anything but NUL (which no file format we write can carry) and
 * unpaired surrogates (which are not text and cannot be written as UTF-8).
 */
export function freeText(maxLength: number, what = 'text') {
  return z
    .string()
    .max(maxLength, { error: `${what} must be at most ${maxLength} characters` })
    .refine((value) => !value.includes('\u0000'), { error: `${what} must not contain NUL characters` })
    .refine((value) => value.isWellFormed(), {
      error: `${what} contains an invalid Unicode character (an unpaired surrogate)`,
    });
}

/** A whole number of some unit; "is required" when missing. */
export function wholeNumber(unit: string) {
  return z.int({ error: (issue) => (issue.input === undefined ? 'is required' : `must be a whole number of ${unit}`) });
}

/** A new random UUID (version 4), lowercase. Generate once per VM and store it. */
export function newUuid(): string {
  return globalThis.crypto.randomUUID().toLowerCase();
}

/** A new random MAC address with QEMU/KVM's locally administered prefix 52:54:00. Generate once per interface and store it. */
export function newMac(): string {
  const bytes = new Uint8Array(3);
  globalThis.crypto.getRandomValues(bytes);
  return ['52', '54', '00', ...Array.from(bytes, (b) => b.toString(16).padStart(2, '0'))].join(':');
}
