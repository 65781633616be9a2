// One audited operation, whichever entry point runs it. A web action, an API
// route and a CLI command that do the same thing call
//   audited(operations.x, input, actor, () => lib call)
// with the same operation (lib/operations.ts), so the audit entry has the same
// action, target and detail keys from all of them: the operation's own keys,
// on success the keys its result adds, on failure `error` (the message, cut to
// 500 characters), plus the credential the actor used (`via`, and `tokenId`
// when an API token acted). A DomainError that refuses the caller (forbidden,
// unauthenticated, password_change_required) is audited as denied, anything
// else as failed; the error is then thrown on for the entry point to map.
import { audit, type AuditVia } from '@/lib/auth/audit';
import { DomainError, messageOf } from '@/lib/errors';
import type { Prisma } from '@/lib/db';

export type AuditDetails = Record<string, Prisma.InputJsonValue | null>;

/** Who runs an operation, and how. */
export type AuditActor = {
  /** The signed-in user or the API token's user; none for the CLI (then `name`). */
  user?: { id: string; username: string } | null;
  /** The actor's name when there is no user, e.g. `cli:<login>`. */
  name?: string;
  via: AuditVia;
  ip?: string | null;
  /** The credential used, recorded in the details: `{via: 'session'|'token'|'cli', tokenId?}`. */
  credential: AuditDetails;
};

/** An operation as the audit log records it. Define each once, in lib/operations.ts. */
export type Operation<I, R> = {
  action: string | ((input: I) => string);
  targetType: string;
  /** The target's id: from the input, or (a creation) from the result. */
  targetId: (input: I, result?: R) => string | undefined;
  /** Detail keys known before the operation runs. */
  details: (input: I) => AuditDetails;
  /** Detail keys the result adds on success. */
  result?: (result: R) => AuditDetails;
  /** Whether a result (not an error) is audited at all; e.g. a save refused by validation is not. Default: always. */
  when?: (result: R) => boolean;
};

export function defineOperation<I, R = unknown>(op: Operation<I, R>): Operation<I, R> {
  return op;
}

const DENIED: readonly string[] = ['forbidden', 'unauthenticated', 'password_change_required'];

/** Runs `run` and writes one audit entry for it (ok, denied or failed); rethrows its error. */
export async function audited<I, R>(op: Operation<I, R>, input: I, actor: AuditActor, run: () => Promise<R>): Promise<R> {
  const base = {
    action: typeof op.action === 'function' ? op.action(input) : op.action,
    actor: actor.user ?? null,
    ...(actor.name ? { actorName: actor.name } : {}),
    via: actor.via,
    ip: actor.ip ?? null,
    targetType: op.targetType,
  };
  let result: R;
  try {
    result = await run();
  } catch (error) {
    const denied = error instanceof DomainError && DENIED.includes(error.code);
    await audit({
      ...base,
      targetId: op.targetId(input),
      outcome: denied ? 'denied' : 'failed',
      details: { ...op.details(input), error: messageOf(error), ...actor.credential },
    });
    throw error;
  }
  if (op.when && !op.when(result)) return result;
  await audit({
    ...base,
    targetId: op.targetId(input, result),
    details: { ...op.details(input), ...op.result?.(result), ...actor.credential },
  });
  return result;
}
