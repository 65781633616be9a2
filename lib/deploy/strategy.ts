// lib/deploy/strategy — the interface between the deployment runner
// (lib/deploy/runner.ts: job, lock, steps, log, statuses) and the two ways a
// revision reaches a host (lib/deploy/strategies/libvirt.ts for any Linux host
// with libvirt, lib/deploy/strategies/nixos.ts for NixOS hosts).
//
// A strategy declares its step names up front (the progress bar counts them)
// and runs them through `ctx.step`, which records each step's start, end and
// outcome, writes what the step logs as append-only chunks, and checks for a
// cancel request before the step starts (the safe points). A strategy throws to
// fail the deployment; the runner records the error and the failed step.
import type { RenderedFile, RenderManifest } from '@/lib/render';
import type { SshTarget } from '@/lib/ssh';

export type DeployRevision = {
  id: string;
  hash: string;
  files: RenderedFile[];
  manifest: RenderManifest;
};

export type DeployHost = {
  id: string;
  name: string;
  flavour: 'nixos' | 'libvirt';
  /** qemu:///system or qemu:///session (lib/hosts/safety checked it). */
  libvirtUri: string;
};

export interface DeployContext {
  deploymentId: string;
  host: DeployHost;
  /** How to reach the host over the shared SSH pool (host key pinned). */
  target: SshTarget;
  /** What to deploy. */
  revision: DeployRevision;
  /** What is deployed now (null on a host never deployed). A rollback deploys an earlier revision the same way. */
  previous: DeployRevision | null;
  /** Run one named step (one of the strategy's `steps`): checks for a cancel first, records start/end/failure. */
  step<T>(name: string, run: () => Promise<T>): Promise<T>;
  /** Append text to the running step's log (kept as chunks, streamed to the page). Never log secrets. */
  log(text: string): Promise<void>;
  /** Aborted when the deployment is cancelled or the process shuts down; pass to long waits. */
  signal: AbortSignal;
  /** NixOS: the system generation before and after the switch. */
  recordGenerations(before: number | null, after: number | null): Promise<void>;
}

export interface DeployStrategy {
  /** Step names in order, e.g. ['upload', 'apply', 'verify']. */
  readonly steps: readonly string[];
  run(ctx: DeployContext): Promise<void>;
}

/**
 * The host switched itself back to the previous generation (NixOS magic
 * rollback: the confirmation did not arrive in time). The runner records the
 * deployment as rolled_back, not as deployed.
 */
export class SwitchedBackError extends Error {
  constructor(
    message: string,
    readonly generationBefore: number | null,
    readonly generationAfter: number | null,
  ) {
    super(message);
    this.name = 'SwitchedBackError';
  }
}
