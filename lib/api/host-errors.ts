// Maps the host layer's errors to API errors: what the operator must fix is a 409
// with its message; the rest stays a 500.
import { ApiError } from '@/lib/api/errors';
import { OnboardingError } from '@/lib/hosts/onboarding';
import { PowerError } from '@/lib/hosts/power';

export async function asApiError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof OnboardingError || error instanceof PowerError) throw new ApiError(409, 'conflict', error.message);
    throw error;
  }
}
