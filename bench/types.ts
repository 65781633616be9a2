// One figure of `npm run bench`: ratio = value / baselineValue when a baseline
// was measured in the same run (these machines are noisy; absolute numbers are not).
export type BenchResult = {
  name: string;
  value: number;
  unit: string;
  baseline: string | null;
  baselineValue: number | null;
  ratio: number | null;
  at: string;
};

export function result(name: string, value: number, unit: string, baseline?: { name: string; value: number }): BenchResult {
  return {
    name,
    value: round(value),
    unit,
    baseline: baseline?.name ?? null,
    baselineValue: baseline ? round(baseline.value) : null,
    ratio: baseline && baseline.value > 0 ? round(value / baseline.value) : null,
    at: new Date().toISOString(),
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
