// npm run bench: runs every benchmark, prints a table and writes bench/results.json.
// Usage: npm run bench [-- name-filter]   (e.g. `npm run bench -- startup`)
import fs from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import type { BenchResult } from '@/bench/types';
import { benchStartup } from '@/bench/startup';
import { benchRender } from '@/bench/render';
import { benchDashboard } from '@/bench/dashboard';
import { benchFleet } from '@/bench/fleet';
import { benchConsole } from '@/bench/console';
import { benchDeploy } from '@/bench/deploy';

const suites: Record<string, () => Promise<BenchResult[]>> = {
  startup: benchStartup,
  render: benchRender,
  dashboard: benchDashboard,
  fleet: benchFleet,
  console: benchConsole,
  deploy: benchDeploy,
};

async function main() {
  const filter = process.argv[2];
  for (const step of [['scripts/install-test-deps.sh', 'bench'], ['scripts/build-if-stale.sh']]) {
    const run = spawnSync('bash', step, { stdio: 'inherit' });
    if (run.status !== 0) process.exit(run.status ?? 1);
  }
  const results: BenchResult[] = [];
  for (const [name, run] of Object.entries(suites)) {
    if (filter && !name.includes(filter)) continue;
    console.error(`[bench] ${name}…`);
    results.push(...(await run()));
  }
  const rows = results.map((r) => [
    r.name,
    `${r.value} ${r.unit}`,
    r.baseline ?? '—',
    r.baselineValue === null ? '—' : `${r.baselineValue} ${r.unit}`,
    r.ratio === null ? '—' : `${r.ratio}×`,
  ]);
  const header = ['figure', 'ours', 'baseline', 'baseline value', 'ratio'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
  await fs.writeFile('bench/results.json', `${JSON.stringify(results, null, 2)}\n`);
  console.error('[bench] wrote bench/results.json');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
