// A DeployContext for running a deployment strategy in a test without the
// runner and its database: steps, log and generations are kept in memory for
// the test to read. Revisions come straight from lib/render.
import type { DeployContext, DeployHost, DeployRevision } from '@/lib/deploy/strategy';
import type { RenderedHost } from '@/lib/render';
import type { SshTarget } from '@/lib/ssh';

export type TestStep = { name: string; status: 'running' | 'done' | 'failed' };

export type TestDeployment = {
  ctx: DeployContext;
  steps: TestStep[];
  /** Every recordGenerations call, in order. */
  generations: [number | null, number | null][];
  /** Everything logged, each step's part after a `── step` line. */
  log(): string;
  /** Abort the context's signal (as a cancel would). */
  abort(): void;
};

let counter = 0;

export function deployRevision(rendered: RenderedHost): DeployRevision {
  return { id: `rev-${rendered.hash.slice(0, 12)}`, hash: rendered.hash, files: rendered.files, manifest: rendered.manifest };
}

export function testDeployment(options: {
  target: SshTarget;
  host: DeployHost;
  revision: DeployRevision;
  previous?: DeployRevision | null;
}): TestDeployment {
  const steps: TestStep[] = [];
  const generations: [number | null, number | null][] = [];
  const chunks: string[] = [];
  const abort = new AbortController();
  const ctx: DeployContext = {
    deploymentId: `test-deployment-${process.pid}-${++counter}`,
    host: options.host,
    target: options.target,
    revision: options.revision,
    previous: options.previous ?? null,
    signal: abort.signal,
    async step(name, run) {
      if (abort.signal.aborted) throw new Error(`cancelled before step ${name}`);
      const step: TestStep = { name, status: 'running' };
      steps.push(step);
      chunks.push(`── ${name}\n`);
      try {
        const result = await run();
        step.status = 'done';
        return result;
      } catch (error) {
        step.status = 'failed';
        throw error;
      }
    },
    async log(text) {
      chunks.push(text.endsWith('\n') ? text : `${text}\n`);
    },
    async recordGenerations(before, after) {
      generations.push([before, after]);
    },
  };
  return { ctx, steps, generations, log: () => chunks.join(''), abort: () => abort.abort(new Error('cancelled')) };
}
