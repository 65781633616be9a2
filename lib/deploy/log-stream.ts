// lib/deploy/log-stream — a deployment's log over HTTP: the whole text, or
// server-sent events while it runs. Events: `log` (id = the chunk's id, data
// {step, text}), `state` (status, progress, steps, error, finishedAt; sent when
// it changes) and `end` (the deployment ended and every chunk was sent; the
// stream then closes). A client that reconnects sends Last-Event-ID (browsers'
// EventSource do so by themselves) and gets only the chunks after it. The
// database is read every STREAM_POLL_MS; a comment line every 15 s keeps
// proxies from closing an idle stream.
import { getDb } from '@/lib/db';
import { forEachChunkAfter, fullLog, parseLogCursor } from '@/lib/deploy/log';
import { stepsOf } from '@/lib/deploy/steps';

const STREAM_POLL_MS = 400;
const HEARTBEAT_MS = 15_000;
const FINISHED = new Set(['succeeded', 'failed', 'interrupted', 'rolled_back', 'cancelled']);

function event(name: string, data: unknown, id?: string): string {
  return `${id ? `id: ${id}\n` : ''}event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

async function readState(deploymentId: string) {
  const row = await getDb().deployment.findUnique({
    where: { id: deploymentId },
    select: { status: true, progress: true, steps: true, error: true, finishedAt: true },
  });
  return row ? { ...row, steps: stepsOf(row.steps) } : null;
}

export async function deploymentLogResponse(
  deploymentId: string,
  options: { stream: boolean; after: string | null; signal: AbortSignal },
): Promise<Response> {
  if (!options.stream)
    return new Response(await fullLog(deploymentId), {
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });

  let cursor = parseLogCursor(options.after);
  const encoder = new TextEncoder();
  let stopped = false;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        if (!stopped) controller.enqueue(encoder.encode(text));
      };
      const stop = () => {
        if (stopped) return;
        stopped = true;
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      options.signal.addEventListener('abort', stop, { once: true });
      send('retry: 2000\n\n');
      let lastState = '';
      let lastBeat = Date.now();
      try {
        while (!stopped) {
          // State first, then chunks: a finished state read before the last chunks guarantees they are all sent before `end`.
          const state = await readState(deploymentId);
          if (!state) break;
          cursor = await forEachChunkAfter(deploymentId, cursor, (chunk) =>
            send(event('log', { step: chunk.step, text: chunk.text }, chunk.id)),
          );
          const stateText = JSON.stringify(state);
          if (stateText !== lastState) {
            lastState = stateText;
            send(event('state', state));
          }
          if (FINISHED.has(state.status)) {
            send(event('end', { status: state.status }));
            break;
          }
          if (Date.now() - lastBeat > HEARTBEAT_MS) {
            send(': keep-alive\n\n');
            lastBeat = Date.now();
          }
          await new Promise((resolve) => setTimeout(resolve, STREAM_POLL_MS));
        }
      } catch {
        // The database went away mid-stream: the client reconnects and resumes from its last id.
      }
      stop();
    },
    cancel() {
      stopped = true;
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    },
  });
}
