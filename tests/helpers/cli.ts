// Runs the hostdeck command as a user would (bin/hostdeck.mjs in a child process)
// and returns its exit code and output.
import { execFile } from 'node:child_process';

export type CliResult = { code: number; stdout: string; stderr: string };

/** `cwd`: the project folder whose bin/hostdeck.mjs runs (default: this one). */
export function runHostdeck(args: string[], options: { env: NodeJS.ProcessEnv; stdin?: string; cwd?: string }): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['bin/hostdeck.mjs', ...args],
      { env: options.env, cwd: options.cwd },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
    child.stdin!.end(options.stdin ?? '');
  });
}
