// lib/deploy/strategies/libvirt — deploying a revision to any Linux host with
// libvirt, in two SSH round trips:
//
//   upload  one SFTP session: reads the host's record of the files it has
//           (DEPLOY_DIR/files.json), uploads each domain XML and cloud-init
//           file whose content differs (temp file + fsync + rename each, in
//           parallel), the action file, and the new record last;
//   apply   one run of the fixed script lib/hosts/scripts/deploy-libvirt.sh
//           (`sh -c SCRIPT` with arguments only; the action file is data):
//           checks everything first, then shuts down (forced after
//           HOSTDECK_DEPLOY_SHUTDOWN_TIMEOUT_S, default 60 s) and removes,
//           creates missing disks from base images, builds seed ISOs,
//           defines new and changed domains, sets autostart, starts; and
//           prints each domain's dominfo and inactive XML;
//   verify  in TypeScript, from that output: each domain, normalised, equals
//           the deployed XML, power state and autostart as wanted, removed
//           VMs gone. A domain whose definition was changed on the host
//           outside Hostdeck (so the script saw no change to define) is
//           defined again by a second run of the script — the only case with
//           a third round trip — and checked again.
//
// A running VM is never restarted: a changed definition applies at its next
// boot. A failure stops the script where it is and leaves what was done in
// place (the runner records the deployment as failed with this log; a
// rollback redeploys an earlier revision). Disks are deleted only for removed
// VMs with deleteDisks, and only inside a storage pool; every path is
// resolved on the host (realpath, inside-pool.sh) before it is used.
// Recording the deployed revision is the runner's job.
import { randomBytes } from 'node:crypto';
import type { DeployContext, DeployStrategy } from '@/lib/deploy/strategy';
import { hostScript, insidePoolFunction } from '@/lib/hosts/scripts';
import { SEED_DIR } from '@/lib/render';
import { LIBVIRT_URIS } from '@/lib/spec';
import { exec, type SshPool, withSftpSession } from '@/lib/ssh';
import {
  ACTIONS_FILE,
  actionFileText,
  actionLines,
  type ApplyReport,
  DEPLOY_DIR,
  deployFiles,
  fileMode,
  filesToUpload,
  logLines,
  parseApplyOutput,
  shutdownTimeoutSeconds,
  UPLOADED_RECORD_FILE,
  uploadedRecord,
  type VerifyProblem,
  verifyDeployment,
} from './libvirt-actions';

export const LIBVIRT_STEPS = ['upload', 'apply', 'verify'] as const;

export type LibvirtStrategyOptions = {
  /** SSH pool to use (default: the process-wide pool). */
  pool?: SshPool;
  /** Called once per SSH round trip (an SFTP session or an exec), for benchmarks and tests. */
  onRoundTrip?: (kind: 'sftp' | 'exec', what: string) => void;
  /** Seconds an ACPI shutdown may take before the domain is forced off; default HOSTDECK_DEPLOY_SHUTDOWN_TIMEOUT_S or 60, read at each run. */
  shutdownTimeoutS?: number;
};

/** A deployment step failed; the message is for the operator (which VM, what). */
export class LibvirtDeployError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LibvirtDeployError';
  }
}

/** The text of lib/hosts/scripts/deploy-libvirt.sh as sent (inside_pool first). */
export function deployScript(): string {
  return insidePoolFunction() + hostScript('deploy-libvirt.sh');
}

const UPLOAD_CONCURRENCY = 16;

function listed(paths: readonly string[]): string {
  return paths.length <= 12 ? paths.join(', ') : `${paths.slice(0, 12).join(', ')} and ${paths.length - 12} more`;
}

export function createLibvirtStrategy(options: LibvirtStrategyOptions = {}): DeployStrategy {
  const { pool } = options;
  const count = (kind: 'sftp' | 'exec', what: string) => options.onRoundTrip?.(kind, what);

  async function runScript(ctx: DeployContext, timeoutS: number, force: readonly string[]): Promise<ApplyReport> {
    const manifest = ctx.revision.manifest;
    const mark = randomBytes(8).toString('hex');
    const copies = manifest.vms.reduce((n, vm) => n + (vm.remove ? 0 : vm.disks.filter((disk) => disk.baseImage).length), 0);
    const timeoutMs = 180_000 + manifest.vms.length * 2_000 + (timeoutS + 60) * 1_000 + copies * 900_000;
    count('exec', 'deploy-libvirt.sh');
    const result = await exec(
      ctx.target,
      [
        'sh',
        '-c',
        deployScript(),
        'hostdeck-deploy',
        ctx.host.libvirtUri,
        DEPLOY_DIR,
        `${DEPLOY_DIR}/${ACTIONS_FILE}`,
        String(timeoutS),
        SEED_DIR,
        mark,
        ...force,
      ],
      { pool, timeoutMs, signal: ctx.signal, maxOutputBytes: 256 * 1024 * 1024 },
    );
    const report = parseApplyOutput(result.stdout, mark);
    const lines = logLines(report);
    if (lines.length > 0) await ctx.log(`${lines.join('\n')}\n`);
    if (report.failure) {
      const where = report.failure.vm ? `${report.failure.vm}: ` : '';
      await ctx.log(`failed: ${where}${report.failure.text}\n`);
      throw new LibvirtDeployError(`${ctx.host.name}: ${where}${report.failure.text}`);
    }
    if (result.code !== 0 || !report.applied || !report.complete) {
      const detail = result.stderr.trim().split('\n').slice(-5).join(' ').slice(0, 2000);
      throw new LibvirtDeployError(
        `${ctx.host.name}: the deploy script stopped ${result.code === null ? `by signal ${result.signal}` : `with exit code ${result.code}`}${detail ? `: ${detail}` : ''}`,
      );
    }
    return report;
  }

  function summary(problems: readonly VerifyProblem[]): string {
    return problems.map((p) => `${p.vm} ${p.problem}`).join('; ');
  }

  return {
    steps: LIBVIRT_STEPS,
    async run(ctx: DeployContext): Promise<void> {
      if (!(LIBVIRT_URIS as readonly string[]).includes(ctx.host.libvirtUri))
        throw new LibvirtDeployError(`${ctx.host.name}: refused libvirt URI ${ctx.host.libvirtUri} (only ${LIBVIRT_URIS.join(' or ')})`);
      const timeoutS = options.shutdownTimeoutS ?? shutdownTimeoutSeconds();
      const { manifest } = ctx.revision;
      const files = deployFiles(ctx.revision.files);
      // Checked before anything reaches the host.
      const actions = actionFileText(actionLines(manifest));

      await ctx.step('upload', async () => {
        const bytes = files.reduce((n, file) => n + Buffer.byteLength(file.content, 'utf8'), 0);
        count('sftp', 'upload');
        const uploaded = await withSftpSession(
          ctx.target,
          async (session) => {
            const record = await session.readFile(`${DEPLOY_DIR}/${UPLOADED_RECORD_FILE}`);
            const changed = filesToUpload(files, record ? record.toString('utf8') : null);
            // The record goes first and comes back last, so it never describes a half-done upload.
            if (changed.length > 0) await session.remove(`${DEPLOY_DIR}/${UPLOADED_RECORD_FILE}`);
            await session.writeFiles(
              [
                ...changed.map((file) => ({ path: `${DEPLOY_DIR}/${file.path}`, content: file.content, mode: fileMode(file.path) })),
                { path: `${DEPLOY_DIR}/${ACTIONS_FILE}`, content: actions, mode: 0o600 },
              ],
              { concurrency: UPLOAD_CONCURRENCY, folderMode: 0o700 },
            );
            if (changed.length > 0 || record === null)
              await session.writeFiles([
                { path: `${DEPLOY_DIR}/${UPLOADED_RECORD_FILE}`, content: uploadedRecord(ctx.revision.id, files), mode: 0o600 },
              ]);
            return changed.map((file) => file.path);
          },
          { pool, timeoutMs: 60_000 + Math.ceil(bytes / 100) },
        );
        await ctx.log(
          uploaded.length > 0
            ? `uploaded ${uploaded.length} of ${files.length} file(s) to ${DEPLOY_DIR} in one SFTP session: ${listed(uploaded)}\n`
            : files.length > 0
              ? `${DEPLOY_DIR} already holds all ${files.length} file(s) of the revision; uploaded the action file\n`
              : `uploaded the action file to ${DEPLOY_DIR}\n`,
        );
      });

      const report = await ctx.step('apply', () => runScript(ctx, timeoutS, []));

      await ctx.step('verify', async () => {
        let problems = verifyDeployment(manifest, files, report);
        const drifted = problems.filter((p) => p.definition.length > 0 && !report.defined.has(p.vm));
        if (drifted.length > 0) {
          await ctx.log(
            `${drifted.map((p) => `${p.vm}: its definition on the host was changed outside Hostdeck (${p.definition.join(', ')}); defining it again`).join('\n')}\n`,
          );
          const again = await runScript(
            ctx,
            timeoutS,
            drifted.map((p) => p.vm),
          );
          problems = verifyDeployment(manifest, files, again);
        }
        if (problems.length > 0) {
          await ctx.log(`${problems.map((p) => `${p.vm}: ${p.problem}`).join('\n')}\n`);
          throw new LibvirtDeployError(`${ctx.host.name}: after the deployment ${summary(problems)}`);
        }
        const deployed = manifest.vms.filter((vm) => !vm.remove).length;
        const removed = manifest.vms.length - deployed;
        await ctx.log(
          `verified ${deployed} domain(s): definitions as deployed, power state and autostart as wanted${removed > 0 ? `; ${removed} removed VM(s) absent` : ''}\n`,
        );
      });
    },
  };
}

/** The libvirt strategy with the process-wide SSH pool. */
export const libvirtStrategy: DeployStrategy = createLibvirtStrategy();
