// Console limits from the environment (see README, Configuration):
// HOSTDECK_CONSOLE_IDLE_MS — a console without input from the browser for this
// long is closed (default 30 min); HOSTDECK_CONSOLE_MAX_PER_USER — consoles one
// user may have open at once in one app process (default 8).
export type ConsoleLimits = { idleMs: number; maxPerUser: number };

function positiveInt(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, got "${value}"`);
  return n;
}

export function consoleLimits(env: Record<string, string | undefined> = process.env): ConsoleLimits {
  return {
    idleMs: positiveInt(env.HOSTDECK_CONSOLE_IDLE_MS, 30 * 60_000, 'HOSTDECK_CONSOLE_IDLE_MS'),
    maxPerUser: positiveInt(env.HOSTDECK_CONSOLE_MAX_PER_USER, 8, 'HOSTDECK_CONSOLE_MAX_PER_USER'),
  };
}
