// Secrets viewers do not see. Cloud-init user-data often carries passwords,
// keys or tokens: viewers (and viewer tokens) get a marker with its size in its
// place, in the VM spec and in the rendered cloud-init/<vm>/user-data file;
// operators and above see it as it is.
import { hasRole, type Role } from '@/lib/auth/roles';

export const REDACTED_PATTERN = /^<redacted: \d+ bytes>$/;

export function redactedMarker(secret: string): string {
  return `<redacted: ${new TextEncoder().encode(secret).byteLength} bytes>`;
}

/** Operators and above may read secrets; viewers may not. Pass the effective role (a token's ceiling counts). */
export function canReadSecrets(role: Role): boolean {
  return hasRole(role, 'operator');
}

/** A rendered file that holds a VM's user-data (cloud-init NoCloud seed, see lib/render/layout). */
export function isUserDataFile(path: string): boolean {
  return /^cloud-init\/[^/]+\/user-data$/.test(path);
}

/** The VM spec with cloudInit.userData replaced by its marker; anything else is returned as it is. */
export function redactVmSpec<T>(spec: T): T {
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return spec;
  const cloudInit = (spec as { cloudInit?: unknown }).cloudInit;
  if (!cloudInit || typeof cloudInit !== 'object') return spec;
  const userData = (cloudInit as { userData?: unknown }).userData;
  if (typeof userData !== 'string') return spec;
  return { ...spec, cloudInit: { ...cloudInit, userData: redactedMarker(userData) } };
}

/** A file's content, or its marker when the file holds user-data. */
export function redactFileContent(path: string, content: string): string;
export function redactFileContent(path: string, content: string | null): string | null;
export function redactFileContent(path: string, content: string | null): string | null {
  return content !== null && isUserDataFile(path) ? redactedMarker(content) : content;
}
