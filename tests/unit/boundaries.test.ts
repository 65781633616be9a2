// The layer rules of scripts/check-boundaries.ts: each rule reports a tree
// that breaks it, a tree that keeps them passes, and the project itself keeps them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkBoundaries } from '@/scripts/check-boundaries';
import { REPO_ROOT } from '@/tests/helpers/lab';

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hostdeck-boundaries-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

const base = {
  'lib/db.ts': "import pg from 'pg';\nexport const db = pg;\n",
  'lib/spec/vm.ts': "import { z } from 'zod';\nexport const vm = z.string();\n",
  'lib/hosts/queries.ts': "import { db } from '@/lib/db';\nexport const listHosts = () => db;\n",
  'lib/actions/hosts.ts': "'use server';\nimport { db } from '@/lib/db';\nexport async function save() { return db; }\n",
  'lib/format.ts': 'export const label = (s: string) => s.toUpperCase();\n',
};

describe('boundaries', () => {
  it('passes a tree that keeps every rule (server actions and type-only imports are allowed in client code)', () => {
    const root = tree({
      ...base,
      'app/page.tsx': "import { listHosts } from '@/lib/hosts/queries';\nexport default function Page() { return listHosts(); }\n",
      'components/form.tsx':
        "'use client';\nimport { save } from '@/lib/actions/hosts';\nimport type { Db } from '@/lib/db';\nimport { label } from '../lib/format';\nexport const Form = () => [save, label];\n",
    });
    expect(checkBoundaries(root)).toEqual([]);
  });

  it('reports a page that imports the database', () => {
    const root = tree({ ...base, 'app/page.tsx': "import { db } from '@/lib/db';\nexport default db;\n" });
    expect(checkBoundaries(root)).toEqual([expect.objectContaining({ file: 'app/page.tsx', specifier: '@/lib/db' })]);
  });

  it('reports lib/spec importing anything but zod, and the renderer importing SSH', () => {
    const root = tree({
      ...base,
      'lib/spec/host.ts': "import { label } from '../format';\nexport const h = label;\n",
      'lib/ssh/exec.ts': "import { Client } from 'ssh2';\nexport const exec = Client;\n",
      'lib/render/xml.ts': "import { exec } from '@/lib/ssh/exec';\nexport const r = exec;\n",
    });
    const found = checkBoundaries(root).map((v) => `${v.file} ${v.specifier}`);
    expect(found).toEqual(['lib/render/xml.ts @/lib/ssh/exec', 'lib/spec/host.ts ../format']);
  });

  it('reports a client component that reaches a server module through a chain of imports', () => {
    const root = tree({
      ...base,
      'lib/helpers.ts': "import fs from 'node:fs';\nexport const read = fs.readFileSync;\n",
      'lib/middle.ts': "export { read } from './helpers';\n",
      'components/view.tsx': "'use client';\nimport { read } from '@/lib/middle';\nexport const View = () => read;\n",
    });
    const [violation, ...rest] = checkBoundaries(root);
    expect(rest).toEqual([]);
    expect(violation).toMatchObject({ file: 'components/view.tsx', specifier: '@/lib/middle' });
    expect(violation?.rule).toContain('lib/helpers.ts imports node:fs');
  });

  it('holds for this project', () => {
    expect(checkBoundaries(REPO_ROOT)).toEqual([]);
  });

  it('names every browser test *.e2e.ts, so Playwright runs it (a *.spec.ts would be skipped silently)', () => {
    const files = fs.readdirSync(path.join(REPO_ROOT, 'e2e')).filter((name) => name.endsWith('.ts'));
    const stray = files.filter((name) => !/\.e2e\.ts$|\.setup\.ts$|^helpers\.ts$|^global-teardown\.ts$/.test(name));
    expect(stray).toEqual([]);
    expect(files.filter((name) => name.endsWith('.e2e.ts')).length).toBeGreaterThan(0);
  });
});
