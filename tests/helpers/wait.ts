// waitFor: wait for a condition, not for a fixed time. Tests poll what they
// wait for with a deadline, so they are as fast as the machine allows and fail
// with a message naming what never happened, instead of sleeping a guess.

export type WaitOptions = {
  /** give up (and throw) after this long */
  timeoutMs: number;
  /** pause between two checks; default 50 ms */
  intervalMs?: number;
  /** what is awaited, for the error message: "sshd to accept connections" */
  what: string;
};

/**
 * Calls `condition` until it returns a truthy value and returns that value;
 * throws once `timeoutMs` has passed without one. An error thrown by
 * `condition` is not retried: it ends the wait.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeoutMs, intervalMs = 50, what }: WaitOptions,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
