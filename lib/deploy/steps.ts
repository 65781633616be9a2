// lib/deploy/steps — a deployment's named steps and their states (pure). The
// runner stores the list in Deployment.steps and rewrites it as steps start and
// end (a handful of small entries; the log itself is append-only chunks).
export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export type DeploymentStep = { name: string; status: StepStatus; startedAt: string | null; finishedAt: string | null };

export function initialSteps(names: readonly string[]): DeploymentStep[] {
  return names.map((name) => ({ name, status: 'pending', startedAt: null, finishedAt: null }));
}

export function markStep(steps: readonly DeploymentStep[], name: string, status: StepStatus, at: Date): DeploymentStep[] {
  const iso = at.toISOString();
  return steps.map((step) =>
    step.name !== name
      ? step
      : status === 'running'
        ? { ...step, status, startedAt: iso, finishedAt: null }
        : { ...step, status, startedAt: step.startedAt ?? iso, finishedAt: iso },
  );
}

/** Steps never started when the deployment ended are skipped. */
export function closeSteps(steps: readonly DeploymentStep[], at: Date): DeploymentStep[] {
  return steps.map((step) =>
    step.status === 'pending'
      ? { ...step, status: 'skipped' }
      : step.status === 'running'
        ? { ...step, status: 'failed', finishedAt: at.toISOString() }
        : step,
  );
}

/** Percentage of steps finished (done or skipped). */
export function progressOf(steps: readonly DeploymentStep[]): number {
  if (steps.length === 0) return 0;
  const finished = steps.filter((step) => step.status === 'done' || step.status === 'skipped').length;
  return Math.round((finished / steps.length) * 100);
}

/** The stored column, read defensively (older rows may hold anything). */
export function stepsOf(value: unknown): DeploymentStep[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (step): step is DeploymentStep => typeof step === 'object' && step !== null && typeof (step as { name?: unknown }).name === 'string',
  );
}
