// The users API's refusals as HTTP errors: a missing user 404, a role above the
// caller's own 403 (audited as denied, with the token's id when a token asked),
// the last admin or a duplicate name 409, anything else invalid 400.
import { ApiError } from '@/lib/api/errors';
import { principalDetails, type Principal } from '@/lib/api/principal';
import { audit } from '@/lib/auth/audit';
import { UserError } from '@/lib/auth/users';
import type { Prisma } from '@/lib/db';

const STATUS = { not_found: [404, 'not_found'], forbidden: [403, 'forbidden'], conflict: [409, 'conflict'], invalid: [400, 'invalid_input'] } as const;

export async function userApiError(
  error: unknown,
  attempt: { action: string; principal: Principal; ip: string | null; targetId?: string; details?: Record<string, Prisma.InputJsonValue> },
): Promise<unknown> {
  if (!(error instanceof UserError)) return error;
  const [status, code] = STATUS[error.code];
  if (error.code === 'forbidden' || error.code === 'conflict') {
    await audit({
      action: attempt.action,
      actor: attempt.principal.user,
      via: 'api',
      ip: attempt.ip,
      outcome: error.code === 'forbidden' ? 'denied' : 'failed',
      targetType: 'user',
      targetId: attempt.targetId,
      details: { ...attempt.details, reason: error.message, ...principalDetails(attempt.principal) },
    });
  }
  return new ApiError(status, code, error.message, error.field ? { [error.field]: [error.message] } : undefined);
}
