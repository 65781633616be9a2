// The shape of environment variables as read by Hostdeck's functions, so callers
// and tests can pass a plain object (Next's types make NODE_ENV mandatory in
// NodeJS.ProcessEnv, which a test's {} is not).
export type Env = Readonly<Record<string, string | undefined>>;
