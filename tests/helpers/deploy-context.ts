// tests/helpers/deploy-context — a DeployContext (lib/deploy/strategy) for
// tests and benchmarks of the deploy strategies without the runner: steps are
// recorded with their outcome and time, the log is collected as text, the
// revision comes straight from a render.
import type { DeployContext, DeployRevision } from '@/lib/deploy/strategy';
import type { RenderedHost } from '@/lib/render';
import type { SshTarget } from '@/lib/ssh';

export type RecordedStep = { name: string; outcome: 'ok' | 'failed'; error?: string; ms: number };

export type TestDeployContext = DeployContext & {
  steps: RecordedStep[];
  /** Everything logged, in order. */
  logText(): string;
  /** Log text of one step. */
  stepLog(name: string): string;
  /** Cancel the deployment (the next step refuses to start). */
  cancel(reason?: string): void;
};

let counter = 0;

/** A revision as the runner would hand it over, made from a render. */
export function revisionOf(rendered: RenderedHost, id = `rev-${rendered.hash.slice(0, 12)}`): DeployRevision {
  return { id, hash: rendered.hash, files: rendered.files, manifest: rendered.manifest };
}

export function testDeployContext(input: {
  target: SshTarget;
  revision: DeployRevision;
  previous?: DeployRevision | null;
  hostName?: string;
  libvirtUri?: string;
  flavour?: 'nixos' | 'libvirt';
  /** Also print the log as it comes (for benchmarks and debugging). */
  echo?: boolean;
}): TestDeployContext {
  const abort = new AbortController();
  const logs: { step: string | null; text: string }[] = [];
  const steps: RecordedStep[] = [];
  let current: string | null = null;
  const id = `test-deploy-${process.pid}-${++counter}`;
  return {
    deploymentId: id,
    host: {
      id: `test-host-${input.hostName ?? input.target.id}`,
      name: input.hostName ?? input.target.id,
      flavour: input.flavour ?? 'libvirt',
      libvirtUri: input.libvirtUri ?? 'qemu:///system',
    },
    target: input.target,
    revision: input.revision,
    previous: input.previous ?? null,
    signal: abort.signal,
    steps,
    async step<T>(name: string, run: () => Promise<T>): Promise<T> {
      if (abort.signal.aborted) throw new Error(`cancelled before step ${name}`);
      const started = performance.now();
      current = name;
      try {
        const value = await run();
        steps.push({ name, outcome: 'ok', ms: performance.now() - started });
        return value;
      } catch (error) {
        steps.push({
          name,
          outcome: 'failed',
          error: error instanceof Error ? error.message : String(error),
          ms: performance.now() - started,
        });
        throw error;
      } finally {
        current = null;
      }
    },
    async log(text: string): Promise<void> {
      logs.push({ step: current, text });
      if (input.echo) for (const line of text.split('\n').filter(Boolean)) process.stderr.write(`  [${current ?? '-'}] ${line}\n`);
    },
    async recordGenerations(): Promise<void> {},
    logText: () => logs.map((entry) => entry.text).join(''),
    stepLog: (name: string) =>
      logs
        .filter((entry) => entry.step === name)
        .map((entry) => entry.text)
        .join(''),
    cancel: (reason = 'cancelled') => abort.abort(new Error(reason)),
  };
}
