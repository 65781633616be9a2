// lib/ssh/errors.ts — the typed errors of the SSH layer.
//
// Every failure that leaves lib/ssh/ is one of these classes, so callers can
// tell "the host key changed" from "the host is down" from "the command took
// too long" without parsing messages. Messages never contain key material,
// stdin, or whole command lines (only the program name), since they end up in
// logs and on pages.

import type { ErrorCode } from '@/lib/errors';

export class SshError extends Error {
  /** Id of the target (pool key) the error belongs to, when known. */
  readonly hostId?: string;
  constructor(message: string, options: { hostId?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hostId = options.hostId;
  }
}

/** The host presented a key whose fingerprint differs from the pinned one. Nothing was sent after the key exchange. */
export class HostKeyMismatchError extends SshError {
  readonly expected: string;
  readonly actual: string;
  constructor(expected: string, actual: string, options: { hostId?: string } = {}) {
    super(
      `host key mismatch${options.hostId ? ` for ${options.hostId}` : ''}: expected ${expected}, got ${actual}; ` +
        'refusing to connect (the key changed, or someone is in between)',
      options,
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/** The target has no pinned fingerprint and the pool requires one (confirm the key with probeHostKey first). */
export class HostKeyNotPinnedError extends SshError {
  readonly actual: string;
  constructor(actual: string, options: { hostId?: string } = {}) {
    super(
      `host key not pinned${options.hostId ? ` for ${options.hostId}` : ''}: the host offers ${actual}; confirm and pin it first`,
      options,
    );
    this.actual = actual;
  }
}

/** Could not reach the host's sshd, or the connection broke while in use. */
export class HostUnreachableError extends SshError {
  /** Short machine-friendly reason: 'refused', 'timeout', 'no-route', 'dns', 'reset', 'connection-lost', 'handshake', 'closed', ... */
  readonly reason: string;
  /** The system error code (ECONNREFUSED, ...) when there was one. */
  readonly code?: string;
  constructor(reason: string, detail: string, options: { hostId?: string; cause?: unknown; code?: string } = {}) {
    super(`host unreachable${options.hostId ? ` (${options.hostId})` : ''}: ${reason}${detail ? ` — ${detail}` : ''}`, options);
    this.reason = reason;
    this.code = options.code;
  }
}

/** The server rejected our key (or user). */
export class AuthFailedError extends SshError {
  readonly user: string;
  constructor(user: string, options: { hostId?: string; cause?: unknown } = {}) {
    super(`authentication failed for user "${user}"${options.hostId ? ` on ${options.hostId}` : ''} (key not accepted)`, options);
    this.user = user;
  }
}

/** A command did not finish within its time limit; its channel was killed. */
export class CommandTimeoutError extends SshError {
  readonly timeoutMs: number;
  /** Where the time ran out: waiting for a free channel, connecting, or running. */
  readonly phase: 'queued' | 'connecting' | 'running';
  /** The program (argv[0]) only. */
  readonly program: string;
  constructor(program: string, timeoutMs: number, phase: 'queued' | 'connecting' | 'running', options: { hostId?: string } = {}) {
    super(`command "${program}" timed out after ${timeoutMs} ms (${phase})${options.hostId ? ` on ${options.hostId}` : ''}`, options);
    this.timeoutMs = timeoutMs;
    this.phase = phase;
    this.program = program;
  }
}

/** exec(..., { check: true }) and the command exited non-zero (or by a signal). */
export class CommandFailedError extends SshError {
  readonly program: string;
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  constructor(
    program: string,
    result: { code: number | null; signal: string | null; stdout: string; stderr: string },
    options: { hostId?: string } = {},
  ) {
    const why = result.code !== null ? `exit code ${result.code}` : `signal ${result.signal ?? 'unknown'}`;
    const first = result.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 500);
    super(`command "${program}" failed (${why})${options.hostId ? ` on ${options.hostId}` : ''}${first ? `: ${first}` : ''}`, options);
    this.program = program;
    this.code = result.code;
    this.signal = result.signal;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
  }
}

/** A private or public key could not be parsed (or needs a passphrase). */
export class InvalidKeyError extends SshError {}

/** The pool was closed while the operation waited. */
export class PoolClosedError extends SshError {
  constructor(options: { hostId?: string } = {}) {
    super('SSH connection pool closed', options);
  }
}

/**
 * The code (lib/errors) an SSH failure is reported with once it leaves the host
 * layer: a changed or unpinned host key is host_key_changed, anything else
 * (down, refused, key not accepted, timed out, failed) host_unreachable.
 */
export function sshErrorCode(error: SshError): ErrorCode {
  return error instanceof HostKeyMismatchError || error instanceof HostKeyNotPinnedError ? 'host_key_changed' : 'host_unreachable';
}
