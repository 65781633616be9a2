// lib/ssh/exec.ts — run one command on a host over the pooled connection.
//
// Takes an argument vector, never a command string: every element is quoted
// by shellQuote, so no input can change what the remote shell runs. One
// time limit covers waiting for a channel, connecting and running; when it
// runs out the remote process is sent SIGKILL, the channel is closed and the
// call rejects with CommandTimeoutError. A connection that breaks while the
// command runs gives HostUnreachableError('connection-lost').

import type { ClientChannel } from 'ssh2';
import { killChannel, openSessionChannel } from './channel';
import { CommandFailedError, CommandTimeoutError, HostUnreachableError, SshError } from './errors';
import { defaultPool, type Lease, type SshPool } from './pool';
import { buildCommand } from './quote';
import type { SshTarget } from './types';

export type ExecOptions = {
  /** Limit for the whole call (queue + connect + run). Default 60 s. */
  timeoutMs?: number;
  /** Written to the command's standard input, which is then closed. Without it stdin is closed at once. */
  stdin?: string | Buffer;
  /** Reject with CommandFailedError unless the command exits 0. */
  check?: boolean;
  /** Fail (and kill the command) when stdout + stderr exceed this many bytes. Default 64 MiB. */
  maxOutputBytes?: number;
  /** Cancel from outside: behaves like a timeout but rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The pool to use; default: the process-wide pool. */
  pool?: SshPool;
};

export type ExecResult = {
  stdout: string;
  stderr: string;
  /** Exit code; null when the command was ended by a signal. */
  code: number | null;
  /** Signal name (e.g. 'KILL') when the command was ended by one. */
  signal: string | null;
  /** Raw standard output, for binary output. */
  stdoutBuffer: Buffer;
  durationMs: number;
};

/** How long to wait for the server to confirm a killed channel closed before its slot is reused. */
const CLOSE_GRACE_MS = 5_000;

export function exec(target: SshTarget, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  let command: string;
  try {
    command = buildCommand(argv);
  } catch (e) {
    return Promise.reject(e);
  }
  const program = argv[0] ?? '';
  const hostId = target.id;
  const pool = options.pool ?? defaultPool();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxOutput = options.maxOutputBytes ?? 64 * 1024 * 1024;
  const started = Date.now();

  return new Promise<ExecResult>((resolve, reject) => {
    let phase: 'queued' | 'connecting' | 'running' = 'queued';
    let finished = false;
    /** Set while a channel is open: kills it (used on timeout / abort / overflow). */
    let kill: (() => void) | null = null;
    const waitAbort = new AbortController();

    const finish = (err: unknown, result?: ExecResult) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onExternalAbort);
      if (err) reject(err);
      else resolve(result!);
    };
    const stop = (err: unknown) => {
      if (finished) return;
      if (kill) kill();
      else waitAbort.abort(err);
      finish(err);
    };
    const timer = setTimeout(() => stop(new CommandTimeoutError(program, timeoutMs, phase, { hostId })), timeoutMs);
    const onExternalAbort = () => stop(options.signal!.reason ?? new SshError('aborted', { hostId }));
    if (options.signal?.aborted) {
      onExternalAbort();
      return;
    }
    options.signal?.addEventListener('abort', onExternalAbort, { once: true });

    /** Runs with a leased session slot; resolves when the slot may be reused. */
    const run = async (lease: Lease): Promise<void> => {
      if (finished) return;
      phase = 'running';
      let ch: ClientChannel;
      try {
        ch = await openSessionChannel<ClientChannel>(
          lease,
          `a channel for "${program}"`,
          (cb) => lease.client.exec(command, cb),
          () => finished,
        );
      } catch (e) {
        finish(e);
        return;
      }
      lease.channelOpened();
      await new Promise<void>((channelDone) => {
        let closed = false;
        const onClosed = () => {
          if (closed) return;
          closed = true;
          lease.channelClosed();
          channelDone();
        };
        kill = () => {
          killChannel(ch);
          // free the slot even if the server never confirms the close
          setTimeout(onClosed, CLOSE_GRACE_MS).unref();
        };
        if (finished) {
          // timed out / aborted while the channel was being opened
          ch.on('close', onClosed);
          kill();
          return;
        }
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let bytes = 0;
        const take = (list: Buffer[]) => (chunk: Buffer) => {
          if (finished) return;
          bytes += chunk.length;
          if (bytes > maxOutput) {
            stop(new SshError(`output of "${program}" on ${hostId} exceeded ${maxOutput} bytes; command killed`, { hostId }));
            return;
          }
          list.push(chunk);
        };
        ch.on('data', take(out));
        ch.stderr.on('data', take(errOut));
        ch.on('error', () => {
          /* surfaced through 'close' */
        });
        // ssh2 passes the exit status to 'close' (code, or null + signal name). An 'exit'
        // listener would be too late: this code runs a tick after the channel opened, and a
        // quick command's exit-status may already have been handled in the same read.
        ch.on('close', (c?: number | null, s?: string) => {
          onClosed();
          if (finished) return;
          const code = typeof c === 'number' ? c : null;
          const sig = typeof s === 'string' ? s.replace(/^SIG/, '') : null;
          if (code === null && sig === null) {
            finish(
              lease.connection.lost
                ? lostError(lease, program)
                : new SshError(`"${program}" on ${hostId}: channel closed without an exit status`, { hostId }),
            );
            return;
          }
          const stdoutBuffer = Buffer.concat(out);
          const result: ExecResult = {
            stdout: stdoutBuffer.toString('utf8'),
            stderr: Buffer.concat(errOut).toString('utf8'),
            code,
            signal: sig,
            stdoutBuffer,
            durationMs: Date.now() - started,
          };
          if (options.check && result.code !== 0) finish(new CommandFailedError(program, result, { hostId }));
          else finish(null, result);
        });
        if (options.stdin !== undefined) ch.end(options.stdin);
        else ch.end();
      });
    };

    pool
      .withSession(target, { signal: waitAbort.signal, onConnecting: () => (phase = 'connecting') }, run)
      .catch((e: unknown) => finish(e));
  });
}

function lostError(lease: Lease, program: string): SshError {
  const t = lease.target;
  const cause = lease.connection.lostError;
  return new HostUnreachableError(
    'connection-lost',
    `connection to ${t.address}:${t.port} was lost while "${program}" ran${cause ? ` (${cause.message})` : ''}`,
    { hostId: t.id, cause: cause ?? undefined },
  );
}
