// lib/hosts/scripts — the fixed shell scripts Hostdeck runs on hosts, kept as
// .sh files beside this loader so shellcheck reads them (scripts/test.sh).
//
// Owns: loading them as text, once, for `sh -c SCRIPT NAME ARGS…` (lib/ssh
// exec; host data only ever as positional arguments). The leading comment
// block of each file (shebang, header) is documentation and is not sent;
// the script text from its first other line on is sent as it is.
//
// Read from disk rather than imported: the three runtimes (the Next build —
// Turbopack —, tsx for the CLI, server.ts and jobs, and Vitest) share no way
// to import a text file. Turbopack's `new URL('./x.sh', import.meta.url)`
// becomes a public asset URL, not a file, and a `turbopack.rules` text import
// would need loader hooks in tsx and Vitest too. So the folder is this
// module's own under tsx and Vitest, and under the Next build, where this
// code runs from .next/, the same folder below the working directory: the
// server always runs from the repository root (scripts/start.sh cd's there;
// bin/hostdeck.mjs runs the CLI from its own checkout through tsx).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FORBIDDEN_FOLDERS } from '@/lib/spec';

const FOLDER_IN_REPO = path.join('lib', 'hosts', 'scripts');

function scriptsFolder(): string {
  const candidates: string[] = [];
  try {
    candidates.push(path.dirname(fileURLToPath(import.meta.url)));
  } catch {
    // Not a file: URL (bundled); fall through to the working directory.
  }
  if (process.env.HOSTDECK_ROOT) candidates.push(path.join(process.env.HOSTDECK_ROOT, FOLDER_IN_REPO));
  candidates.push(path.join(process.cwd(), FOLDER_IN_REPO));
  const found = candidates.find((folder) => fs.existsSync(path.join(folder, 'facts.sh')));
  if (!found) throw new Error(`the host scripts (${FOLDER_IN_REPO}/*.sh) are not found; start Hostdeck from its repository root`);
  return found;
}

let folder: string | undefined;
const cache = new Map<string, string>();

/** The text of lib/hosts/scripts/NAME to send, without its leading comment block. */
export function hostScript(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    folder ??= scriptsFolder();
    const lines = fs.readFileSync(path.join(folder, name), 'utf8').split('\n');
    const start = lines.findIndex((line) => !line.startsWith('#'));
    text = lines.slice(start < 0 ? lines.length : start).join('\n');
    cache.set(name, text);
  }
  return text;
}

/**
 * The shell function `inside_pool ROOT PATH` (inside-pool.sh), for scripts
 * that handle disk paths. Its list of system folders must be lib/spec's.
 */
export function insidePoolFunction(): string {
  const text = hostScript('inside-pool.sh');
  if (!text.includes(`for f in ${FORBIDDEN_FOLDERS.join(' ')}; do`)) {
    throw new Error(`${FOLDER_IN_REPO}/inside-pool.sh does not list the system folders of lib/spec (${FORBIDDEN_FOLDERS.join(' ')})`);
  }
  return text;
}
