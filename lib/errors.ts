// The one error model of Hostdeck. Everything in lib/ that refuses an operation
// for a reason the operator can act on throws a DomainError: a code from the
// closed set below, a message written for the operator (shown as is by the web
// UI, the API and the CLI), and, when one input field is at fault, its name.
// Each entry point maps it once: the API route wrapper (lib/api/endpoint.ts:
// status + {"error": {code, message, fields?}}), the server-action client
// (lib/actions/safe-action.ts: serverError, or the field's validation error) and
// the CLI (cli/io.ts: one line, exit 2 for a refused request, 1 otherwise).
// Anything else thrown is a bug or an outage: logged, and shown as "internal".
//
// This module imports nothing, so every layer (lib/spec and lib/ssh included) may use it.

/** The codes clients see; the HTTP status of each is fixed here. */
export const ERROR_STATUS = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  password_change_required: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  host_key_changed: 409,
  host_unsafe_config: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  host_unreachable: 502,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export type DomainErrorOptions = {
  /** The one input field at fault (a form shows the message under it; the API lists it in `fields`). */
  field?: string;
  /** Several fields and their messages (validation of a whole document). */
  fields?: Record<string, string[]>;
  /** Machine-readable extras for logs and audit entries; never shown as the message. */
  details?: Record<string, unknown>;
  cause?: unknown;
};

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly fields?: Record<string, string[]>;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.field !== undefined) this.field = options.field;
    if (options.fields !== undefined) this.fields = options.fields;
    if (options.details !== undefined) this.details = options.details;
  }

  /** The HTTP status of this error's code. */
  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** The fields and their messages, for the API's `fields`: `fields`, or the one `field` with this message. */
  fieldMessages(): Record<string, string[]> | undefined {
    return this.fields ?? (this.field ? { [this.field]: [this.message] } : undefined);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** `No such <what>` (404). */
export function notFound(what: string, options?: DomainErrorOptions): DomainError {
  return new DomainError('not_found', `No such ${what}`, options);
}

/** Refusals the caller caused (4xx) as opposed to the server or a host failing (5xx). */
export function isClientError(error: DomainError): boolean {
  return error.status < 500;
}

/** The message of any thrown value, for logs and audit details (cut to `max` characters). */
export function messageOf(error: unknown, max = 500): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > max ? message.slice(0, max) : message;
}
