// lib/deploy/strategies/nixos — a revision reaches a NixOS host through its
// own configuration: the module and XML files in /etc/nixos/hostdeck, then
// `nixos-rebuild switch`, with deploy-rs's "magic rollback" armed on the host.
//
// Steps:
// - check-import: /etc/nixos/configuration.nix must import ./hostdeck (else
//   NixosImportMissingError names the one line to add); nothing is changed.
// - upload: the revision's files (default.nix, vms/*.xml, cloud-init/*) and
//   manifest.json go into a new sibling folder /etc/nixos/.hostdeck.<hash>-<random>,
//   then /etc/nixos/hostdeck — a symlink — is pointed at it in one rename
//   (nixos-host.sh swap), so nixos-rebuild never reads half an upload. The
//   previous folder is kept until the next upload, to go back to.
// - dry-activate: `nixos-rebuild dry-activate` (nixosDryActivate), its output logged.
// - switch: the system generation before, the switch-back watcher armed
//   (nixos-arm-rollback.sh: detached on the host, it switches back to that
//   generation unless the confirmation arrives in time, so also when the
//   activation cuts Hostdeck off), `nixos-rebuild switch` (its exit status kept on
//   the host), the generation after; ctx.recordGenerations(before, after).
// - confirm: a FRESH SSH connection (a new pool, not the shared one) must reach
//   the host within the confirm timeout and rename the canary file; otherwise
//   the watcher switches back on its own, Hostdeck waits (bounded) for its
//   verdict and throws SwitchedBackError. One rename on the host decides between
//   a late confirmation and the watcher's timeout, so both cannot win.
// A failure after the upload and before the switch points /etc/nixos/hostdeck
// back at the previous folder; a failed `nixos-rebuild switch` is switched back
// by the watcher at once. Commands that need root run directly for root (or a
// user who owns the Nix profiles), else with `sudo -n` (the operator's setup).
// Command names are fixed strings; host data travels as quoted arguments.
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { DeployContext, DeployRevision, DeployStrategy } from '@/lib/deploy/strategy';
import { SwitchedBackError } from '@/lib/deploy/strategy';
import { DomainError, messageOf } from '@/lib/errors';
import { hostScript } from '@/lib/hosts/scripts';
import { MANIFEST_FILE, manifestJson, NIX_MODULE_FILE, NIXOS_MODULE_DIR } from '@/lib/render';
import { exec, type ExecResult, SshError, SshPool, type SshTarget, writeFileAtomic } from '@/lib/ssh';

export const NIXOS_STEPS = ['check-import', 'upload', 'dry-activate', 'switch', 'confirm'] as const;
/** The host's configuration, which must import Hostdeck's module once. */
export const NIXOS_CONFIGURATION = '/etc/nixos/configuration.nix';
/** The line an operator adds to configuration.nix once. */
export const NIXOS_IMPORT_LINE = 'imports = [ ./hostdeck ];';
export const SYSTEM_PROFILE = '/nix/var/nix/profiles/system';
/** Per deployment on the host: the canary, the activation's exit status, the watcher's log and verdict. */
export const SWITCH_BACK_DIR = '/var/lib/hostdeck/nixos-rollback';
export const CONFIRM_TIMEOUT_ENV = 'HOSTDECK_NIXOS_CONFIRM_TIMEOUT_S';
const DEFAULT_CONFIRM_TIMEOUT_S = 30;
const DEFAULT_ACTIVATION_TIMEOUT_S = 30 * 60;
const DEFAULT_SWITCH_BACK_WAIT_S = 5 * 60;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export type NixosStrategyOptions = {
  /** Time for the confirmation after the activation finished; default $HOSTDECK_NIXOS_CONFIRM_TIMEOUT_S, else 30 s. */
  confirmTimeoutS?: number;
  /** How long `nixos-rebuild switch` (and dry-activate) may take; default 30 min. */
  activationTimeoutS?: number;
  /** After a failed confirmation, how long to wait for the host's verdict; default 5 min. */
  switchBackWaitS?: number;
  /** Connect limit of each fresh connection (capped by the time left); default 10 s. */
  connectTimeoutMs?: number;
  /** Pause between two tries over a fresh connection (confirmation, verdict); default 500 ms. */
  retryIntervalMs?: number;
  /** For tests: run right before the confirmation (e.g. stop the host's sshd) and after it failed (start it again). */
  hooks?: {
    beforeConfirm?: () => Promise<void> | void;
    afterConfirmFailed?: () => Promise<void> | void;
  };
};

type Settings = Required<Omit<NixosStrategyOptions, 'hooks'>> & { hooks: NonNullable<NixosStrategyOptions['hooks']> };

/** configuration.nix does not import ./hostdeck: the message shows the line to add. */
export class NixosImportMissingError extends DomainError {
  constructor(hostName: string) {
    super(
      'conflict',
      `${NIXOS_CONFIGURATION} on ${hostName} does not import Hostdeck's module, so nixos-rebuild would not apply it. ` +
        `Add this line to it once (or add ./hostdeck to its existing imports list), then deploy again:\n  ${NIXOS_IMPORT_LINE}`,
      { details: { line: NIXOS_IMPORT_LINE, file: NIXOS_CONFIGURATION } },
    );
  }
}

/** Whether a configuration.nix imports ./hostdeck (or /etc/nixos/hostdeck), outside comments. */
export function importsHostdeck(configurationNix: string): boolean {
  const code = configurationNix
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('\n');
  return /(^|[\s[(])(\.\/hostdeck|\/etc\/nixos\/hostdeck)(\/default\.nix)?(?=[\s\]);]|$)/m.test(code);
}

/** `system-42-link` (the target of /nix/var/nix/profiles/system) or `42` → 42; anything else → null. */
export function parseGeneration(text: string): number | null {
  const match = /^(?:.*\/)?(?:system-)?(\d+)(?:-link)?$/.exec(text.trim());
  return match ? Number(match[1]) : null;
}

function positiveSeconds(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 24 * 3600)
    throw new RangeError(`${what} must be a whole number of seconds, 1..86400; got ${value}`);
  return value;
}

function settingsOf(options: NixosStrategyOptions): Settings {
  const fromEnv = process.env[CONFIRM_TIMEOUT_ENV];
  const confirm = options.confirmTimeoutS ?? (fromEnv ? Number(fromEnv) : DEFAULT_CONFIRM_TIMEOUT_S);
  return {
    confirmTimeoutS: positiveSeconds(confirm, options.confirmTimeoutS === undefined && fromEnv ? CONFIRM_TIMEOUT_ENV : 'confirmTimeoutS'),
    activationTimeoutS: positiveSeconds(options.activationTimeoutS ?? DEFAULT_ACTIVATION_TIMEOUT_S, 'activationTimeoutS'),
    switchBackWaitS: positiveSeconds(options.switchBackWaitS ?? DEFAULT_SWITCH_BACK_WAIT_S, 'switchBackWaitS'),
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    retryIntervalMs: options.retryIntervalMs ?? 500,
    hooks: options.hooks ?? {},
  };
}

// ------------------------------------------------------------ host side --

function hostCommand(command: string, ...args: string[]): string[] {
  return ['sh', '-c', hostScript('nixos-host.sh'), 'hostdeck-nixos', command, ...args];
}

function outputOf(result: ExecResult): string {
  return `${result.stdout}${result.stderr}`.trimEnd();
}

function tail(text: string, lines = 20): string {
  const all = text.trimEnd().split('\n');
  return (all.length > lines ? ['…', ...all.slice(-lines)] : all).join('\n');
}

type HostOptions = { pool?: SshPool; timeoutMs?: number; signal?: AbortSignal };

/** The host's current system generation (the number in /nix/var/nix/profiles/system's target), or null without one. */
export async function readSystemGeneration(target: SshTarget, options: HostOptions = {}): Promise<number | null> {
  const result = await exec(target, hostCommand('generation'), { check: true, timeoutMs: 30_000, ...options });
  return result.stdout.trim() === '' ? null : parseGeneration(result.stdout);
}

/**
 * `nixos-rebuild dry-activate` on the host, against what /etc/nixos holds now
 * (the uploaded module once `upload` ran): what the switch would start,
 * restart or stop. Output and errors together; throws when it fails.
 */
export async function nixosDryActivate(target: SshTarget, options: HostOptions = {}): Promise<string> {
  const result = await exec(target, hostCommand('dry-activate'), { timeoutMs: DEFAULT_ACTIVATION_TIMEOUT_S * 1000, ...options });
  if (result.code !== 0) {
    throw new Error(`nixos-rebuild dry-activate failed on ${target.id} (exit ${result.code ?? result.signal}):\n${tail(outputOf(result))}`);
  }
  return outputOf(result);
}

/** Fails unless configuration.nix imports ./hostdeck. */
export async function checkNixosImport(target: SshTarget, hostName: string, options: HostOptions = {}): Promise<void> {
  const result = await exec(target, ['cat', '--', NIXOS_CONFIGURATION], { timeoutMs: 30_000, ...options });
  if (result.code !== 0) {
    throw new DomainError(
      'conflict',
      `${NIXOS_CONFIGURATION} cannot be read on ${hostName} (${result.stderr.trim() || `exit ${result.code}`}). ` +
        `Hostdeck deploys to NixOS hosts configured there; it needs this line in it:\n  ${NIXOS_IMPORT_LINE}`,
      { details: { line: NIXOS_IMPORT_LINE, file: NIXOS_CONFIGURATION } },
    );
  }
  if (!importsHostdeck(result.stdout)) throw new NixosImportMissingError(hostName);
}

type Upload = { name: string; previous: string };

const SAFE_FILE_PATH = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

/** The files of the module folder: the revision's files plus manifest.json. */
export function moduleFiles(revision: DeployRevision): { path: string; content: string }[] {
  const files = revision.files.filter((file) => file.path !== MANIFEST_FILE);
  if (!files.some((file) => file.path === NIX_MODULE_FILE)) {
    throw new Error(`revision ${revision.hash.slice(0, 12)} has no ${NIX_MODULE_FILE}: it was not rendered for a NixOS host`);
  }
  for (const file of files) {
    if (!SAFE_FILE_PATH.test(file.path) || file.path.split('/').includes('..')) {
      throw new Error(`revision ${revision.hash.slice(0, 12)} holds a file with an unexpected path: ${JSON.stringify(file.path)}`);
    }
  }
  return [...files, { path: MANIFEST_FILE, content: manifestJson(revision.manifest) }];
}

async function uploadModule(ctx: DeployContext): Promise<Upload> {
  const { target } = ctx;
  const files = moduleFiles(ctx.revision);
  const hashPart = /^[0-9a-f]{12}/.exec(ctx.revision.hash)?.[0] ?? '0';
  const name = `.hostdeck.${hashPart}-${randomBytes(6).toString('hex')}`;
  const parent = posix.dirname(NIXOS_MODULE_DIR);
  const stage = posix.join(parent, name);
  const dirs = [...new Set([stage, ...files.map((file) => posix.dirname(posix.join(stage, file.path)))])].sort();
  try {
    await exec(target, ['mkdir', '-p', '--', ...dirs], { check: true, timeoutMs: 60_000, signal: ctx.signal });
    for (const file of files) {
      await writeFileAtomic(target, posix.join(stage, file.path), file.content, 0o644, { timeoutMs: 120_000 });
    }
  } catch (error) {
    await exec(target, ['rm', '-rf', '--', stage], { timeoutMs: 30_000 }).catch(() => undefined);
    throw error;
  }
  await ctx.log(`uploaded ${files.length} files to ${stage}`);
  const swapped = await exec(target, hostCommand('swap', NIXOS_MODULE_DIR, name), { check: true, timeoutMs: 60_000 });
  const previous = /^previous=(.*)$/m.exec(swapped.stdout)?.[1]?.trim() ?? '';
  await ctx.log(`${NIXOS_MODULE_DIR} now points at ${name}${previous ? ` (before: ${previous})` : ' (it did not exist before)'}`);
  return { name, previous };
}

async function restoreModule(ctx: DeployContext, upload: Upload): Promise<void> {
  try {
    const result = await exec(ctx.target, hostCommand('restore', NIXOS_MODULE_DIR, upload.previous, upload.name), {
      check: true,
      timeoutMs: 30_000,
    });
    if (result.stdout.startsWith('restored=')) {
      await ctx.log(
        `${NIXOS_MODULE_DIR} ${upload.previous ? `points at ${upload.previous} again` : 'removed again'}, as before this deployment`,
      );
    }
  } catch (error) {
    await ctx.log(`could not point ${NIXOS_MODULE_DIR} back at the previous upload: ${messageOf(error)}`).catch(() => undefined);
  }
}

// --------------------------------------------------- fresh connections --

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `argv` over a new SSH connection of its own (never the shared pool's), closed afterwards. */
async function execFresh(target: SshTarget, argv: string[], timeoutMs: number, connectTimeoutMs: number): Promise<ExecResult> {
  const pool = new SshPool({ connectTimeoutMs: Math.max(500, Math.min(connectTimeoutMs, timeoutMs)), maxChannelsPerConnection: 2 });
  try {
    return await exec(target, argv, { pool, timeoutMs });
  } finally {
    await pool.closeAll().catch(() => undefined);
  }
}

type Confirmation = { confirmed: true; afterMs: number } | { confirmed: false; reason: string };

/** Confirms over fresh connections until `windowMs` has passed. */
async function confirmFresh(target: SshTarget, dir: string, windowMs: number, settings: Settings): Promise<Confirmation> {
  const started = Date.now();
  const deadline = started + windowMs;
  let last = 'no connection was tried';
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    try {
      // A try started in time may finish a little later: the host decides (one rename).
      const result = await execFresh(target, hostCommand('confirm', dir), Math.max(left, 5_000), settings.connectTimeoutMs);
      if (result.code === 0) return { confirmed: true, afterMs: Date.now() - started };
      if (result.code === 4) last = 'the activation had not finished';
      else return { confirmed: false, reason: result.stdout.trim() || `the confirmation exited ${result.code}` };
    } catch (error) {
      last = messageOf(error);
    }
    await sleep(Math.min(settings.retryIntervalMs, deadline - Date.now()));
  }
  return { confirmed: false, reason: `no fresh SSH connection could confirm within ${Math.round(windowMs / 1000)} s (last: ${last})` };
}

type Verdict =
  | { kind: 'confirmed' }
  | { kind: 'switched-back'; generation: number | null; from: number | null }
  | { kind: 'nothing-to-switch-back' }
  | { kind: 'switch-back-failed'; reason: string }
  | { kind: 'unknown'; reason: string };

/** Waits (bounded) for the watcher's verdict in DIR/result, over fresh connections while the host answers. */
async function waitForVerdict(
  target: SshTarget,
  dir: string,
  settings: Settings,
  signal: AbortSignal | undefined,
): Promise<{ verdict: Verdict; log: string }> {
  const deadline = Date.now() + settings.switchBackWaitS * 1000;
  let last = 'the host had not decided yet';
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    try {
      const result = await execFresh(target, hostCommand('result', dir), Math.max(left, 5_000), settings.connectTimeoutMs);
      if (result.code === 0) {
        const [head = '', log = ''] = result.stdout.split('\n@@log\n');
        return { verdict: parseVerdict(head.trim()), log: log.trimEnd() };
      }
      last = result.code === 3 ? 'the host had not decided yet' : outputOf(result) || `exit ${result.code}`;
    } catch (error) {
      last = messageOf(error);
    }
    await sleep(Math.min(settings.retryIntervalMs, deadline - Date.now()), signal);
  }
  return { verdict: { kind: 'unknown', reason: last }, log: '' };
}

/** The first line of the watcher's DIR/result. */
export function parseVerdict(line: string): Verdict {
  if (line === 'confirmed') return { kind: 'confirmed' };
  if (line === 'nothing-to-switch-back') return { kind: 'nothing-to-switch-back' };
  const back = /^switched-back (\d+)(?: from (\d*))?$/.exec(line);
  if (back) return { kind: 'switched-back', generation: Number(back[1]), from: back[2] ? Number(back[2]) : null };
  if (line.startsWith('switch-back-failed')) return { kind: 'switch-back-failed', reason: line.replace(/^switch-back-failed\s*/, '') };
  return { kind: 'unknown', reason: `unexpected verdict ${JSON.stringify(line)}` };
}

// ------------------------------------------------------------ strategy --

type Switched = {
  before: number;
  after: number | null;
  dir: string;
  /** nixos-rebuild switch returned (else the connection ended while it ran). */
  returned: boolean;
};

async function switchSystem(ctx: DeployContext, upload: Upload, settings: Settings): Promise<Switched> {
  const { target } = ctx;
  const before = await readSystemGeneration(target);
  if (before === null) {
    throw new Error(
      `${SYSTEM_PROFILE} does not exist on ${ctx.host.name}: is it a NixOS host? Without a generation to go back to, Hostdeck does not switch`,
    );
  }
  await ctx.log(`system generation before the switch: ${before}`);

  const dir = `${SWITCH_BACK_DIR}/${randomBytes(12).toString('hex')}`;
  const watcher = hostScript('nixos-arm-rollback.sh');
  const armed = await exec(
    target,
    [
      'sh',
      '-c',
      watcher,
      'hostdeck-nixos-rollback',
      watcher,
      'arm',
      dir,
      String(before),
      String(settings.confirmTimeoutS),
      String(settings.activationTimeoutS),
      NIXOS_MODULE_DIR,
      upload.previous,
      upload.name,
    ],
    { timeoutMs: 60_000 },
  );
  if (armed.code !== 0) throw new Error(`could not arm the switch-back on ${ctx.host.name}: ${outputOf(armed) || `exit ${armed.code}`}`);
  await ctx.log(
    `switch-back armed on the host (${armed.stdout.trim()}, ${dir}): without a confirmation within ${settings.confirmTimeoutS} s ` +
      `of the activation, the host switches back to generation ${before} by itself`,
  );

  let result: ExecResult | null = null;
  let cutOff: string | null = null;
  try {
    // No abort signal: on the host the switch goes on whatever happens to this connection.
    result = await exec(target, hostCommand('switch', dir), { timeoutMs: (settings.activationTimeoutS + 60) * 1000 });
  } catch (error) {
    if (!(error instanceof SshError)) throw error;
    cutOff = messageOf(error);
  }
  if (result) await ctx.log(outputOf(result) || '(nixos-rebuild printed nothing)');
  if (result && result.code !== 0) {
    await ctx.log(`nixos-rebuild switch failed (exit ${result.code ?? result.signal}); the watcher switches back if the profile changed`);
    const { verdict, log } = await waitForVerdict(target, dir, settings, ctx.signal);
    if (log) await ctx.log(`switch-back watcher:\n${log}`);
    const failure = `nixos-rebuild switch failed (exit ${result.code ?? result.signal}): ${tail(outputOf(result), 5)}`;
    if (verdict.kind === 'switched-back') {
      throw new SwitchedBackError(`${failure}; the host switched back to generation ${before}`, before, verdict.from);
    }
    throw new Error(
      verdict.kind === 'nothing-to-switch-back'
        ? `${failure}; the system is still generation ${before}`
        : `${failure}; ${describeVerdict(verdict, before, dir)}`,
    );
  }
  let after: number | null = null;
  if (result) {
    try {
      after = await readSystemGeneration(target);
      await ctx.log(
        after === before
          ? `system generation after the switch: ${after} (the system did not change)`
          : `system generation after the switch: ${after}`,
      );
    } catch (error) {
      if (!(error instanceof SshError)) throw error;
      cutOff = messageOf(error);
      await ctx.log(`the connection ended after nixos-rebuild switch (${cutOff}); the confirmation will tell`);
    }
  } else {
    await ctx.log(`the connection ended during nixos-rebuild switch (${cutOff}); it goes on on the host, the confirmation will tell`);
  }
  await ctx.recordGenerations(before, after);
  return { before, after, dir, returned: result !== null };
}

function describeVerdict(verdict: Verdict, before: number, dir: string): string {
  switch (verdict.kind) {
    case 'switch-back-failed':
      return `the host's switch back to generation ${before} failed (${verdict.reason}); see ${dir}/log on the host`;
    case 'unknown':
      return `the host was armed to switch back to generation ${before} by itself, but Hostdeck could not read its verdict (${verdict.reason}); see ${dir}/log on the host`;
    case 'nothing-to-switch-back':
      return `the system profile stayed at generation ${before}: nothing was switched back`;
    case 'confirmed':
      return 'the host recorded a confirmation';
    case 'switched-back':
      return `the host switched back to generation ${verdict.generation}`;
  }
}

async function confirmSwitch(ctx: DeployContext, switched: Switched, settings: Settings): Promise<void> {
  const { target } = ctx;
  const { before, dir } = switched;
  await settings.hooks.beforeConfirm?.();
  // Cut off during the switch: Hostdeck does not know when the activation ends, so it may take that long too.
  const windowS = settings.confirmTimeoutS + (switched.returned ? 0 : settings.activationTimeoutS);
  const confirmation = await confirmFresh(target, dir, windowS * 1000, settings);
  if (confirmation.confirmed) {
    let after = switched.after;
    if (after === null) {
      after = parseGeneration((await execFresh(target, hostCommand('generation'), 30_000, settings.connectTimeoutMs)).stdout);
      await ctx.recordGenerations(before, after);
    }
    await ctx.log(
      `confirmed over a fresh SSH connection after ${confirmation.afterMs} ms: generation ${after} stays, the switch-back is disarmed`,
    );
    return;
  }
  await settings.hooks.afterConfirmFailed?.();
  await ctx.log(`not confirmed: ${confirmation.reason}. The host switches back to generation ${before} by itself; waiting for its verdict`);
  const { verdict, log } = await waitForVerdict(target, dir, settings, ctx.signal);
  if (log) await ctx.log(`switch-back watcher:\n${log}`);
  const newer = switched.after ?? (verdict.kind === 'switched-back' ? verdict.from : null);
  if (verdict.kind === 'switched-back') {
    throw new SwitchedBackError(
      `the host did not confirm generation ${newer ?? '?'} within ${settings.confirmTimeoutS} s (${confirmation.reason}); ` +
        `it switched back to generation ${verdict.generation ?? before} by itself`,
      before,
      newer,
    );
  }
  if (verdict.kind === 'confirmed') {
    // The confirmation reached the host after all (its answer was lost on the way back).
    await ctx.log(`the host recorded the confirmation after all: generation ${newer} stays`);
    return;
  }
  throw new Error(`not confirmed (${confirmation.reason}); ${describeVerdict(verdict, before, dir)}`);
}

async function revoke(target: SshTarget, dir: string, settings: Settings): Promise<void> {
  await execFresh(target, hostCommand('revoke', dir), 30_000, settings.connectTimeoutMs).catch(() => undefined);
}

/** The NixOS strategy with its own settings (tests use short timeouts and hooks). */
export function createNixosStrategy(options: NixosStrategyOptions = {}): DeployStrategy {
  return {
    steps: NIXOS_STEPS,
    async run(ctx: DeployContext): Promise<void> {
      const settings = settingsOf(options);
      await ctx.step('check-import', () => checkNixosImport(ctx.target, ctx.host.name, { signal: ctx.signal }));
      const upload = await ctx.step('upload', () => uploadModule(ctx));
      let switched: Switched | null = null;
      try {
        await ctx.step('dry-activate', async () => {
          await ctx.log(await nixosDryActivate(ctx.target, { signal: ctx.signal, timeoutMs: settings.activationTimeoutS * 1000 }));
        });
        switched = await ctx.step('switch', () => switchSystem(ctx, upload, settings));
      } catch (error) {
        // Not switched (or switched back by the watcher, which restores the module itself).
        if (!(error instanceof SwitchedBackError)) await restoreModule(ctx, upload);
        throw error;
      }
      const done = switched;
      let confirming = false;
      try {
        await ctx.step('confirm', () => {
          confirming = true;
          return confirmSwitch(ctx, done, settings);
        });
      } catch (error) {
        // Stopped before the confirmation was tried (a cancel at the step boundary): switch back now.
        if (!confirming) await revoke(ctx.target, done.dir, settings);
        throw error;
      }
    },
  };
}

/** The NixOS strategy (confirm timeout from HOSTDECK_NIXOS_CONFIRM_TIMEOUT_S, default 30 s). */
export const nixosStrategy: DeployStrategy = createNixosStrategy();
