/**
 * One step over an established master: one `ssh` process, one round trip. Output streams
 * straight to the caller; the trailer on stderr carries the exit status and outputs.
 * Aborting closes ssh's stdin, which the remote wrapper takes as "kill the step's process
 * group"; if the link is dead and nothing answers, the local ssh is killed after the grace.
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import type { ExecRequest, ExecResult } from './executor.js';
import type { Host } from '../runbook/model.js';
import { sessionArgs, sshArgs } from './ssh-args.js';
import { classifySshStderr, effectiveAddress, transportError } from './ssh-errors.js';
import { parseOutputs, TrailerReader, type Trailer } from './ssh-trailer.js';
import { buildPayload, REMOTE_BOOTSTRAP } from './ssh-wrapper.js';

/** Extra wait, beyond the kill grace, for the remote to report before we cut the local ssh. */
const REPORT_MARGIN_MS = 3000;
/** How much of ssh's stderr tail we keep to explain a lost connection. */
const STDERR_TAIL = 4096;

/** Runs `request` on `host` through the master at `socket`. */
export async function runSession(host: Host, socket: string, request: ExecRequest, startedAt: number): Promise<ExecResult> {
  const marker = `::stepwise-trailer-${randomBytes(16).toString('hex')}::`;
  let callbackError: unknown;
  const emit = (stream: 'stdout' | 'stderr', chunk: Buffer): void => {
    try {
      request.onOutput(stream, chunk);
    } catch (error) {
      callbackError ??= error;
    }
  };
  let tail = Buffer.alloc(0);
  const reader = new TrailerReader(marker, (chunk) => {
    tail = Buffer.concat([tail, chunk.subarray(-STDERR_TAIL)]).subarray(-STDERR_TAIL);
    emit('stderr', chunk);
  });

  const child = execa('ssh', sessionArgs(host, socket, REMOTE_BOOTSTRAP), {
    buffer: false, reject: false, stdin: 'pipe', stdout: 'pipe', stderr: 'pipe',
    // Own process group: a terminal Ctrl-C must reach the engine, which aborts (and then
    // runs compensation over SSH), not kill ssh behind its back. If stepwise itself dies,
    // the closed stdin pipe still tells the remote wrapper to kill the step.
    detached: true,
  });
  child.stdout.on('data', (chunk: Buffer) => emit('stdout', chunk));
  child.stderr.on('data', (chunk: Buffer) => reader.push(chunk));
  // ssh may exit before reading all of stdin (e.g. a dead master); that is reported below.
  child.stdin.on('error', () => undefined);
  child.stdin.write(buildPayload({
    script: request.script, shell: request.shell, env: request.env, cwd: request.cwd,
    killGraceMs: request.killGraceMs, marker,
  }));

  let aborted = false;
  let forceKill: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    aborted = true;
    // EOF is the kill switch: the wrapper TERMs the process group, then KILLs after the grace.
    child.stdin.end();
    forceKill = setTimeout(() => child.kill('SIGKILL'), request.killGraceMs + REPORT_MARGIN_MS);
  };
  if (request.signal.aborted) onAbort();
  else request.signal.addEventListener('abort', onAbort, { once: true });

  try {
    const result = await child;
    reader.end();
    if (callbackError !== undefined) throw callbackError;
    const durationMs = performance.now() - startedAt;
    const trailer = reader.trailer();
    if (trailer !== undefined) return fromTrailer(trailer, durationMs);
    if (aborted) return { exitCode: null, signal: 'SIGKILL', outputs: {}, durationMs };
    const stderr = tail.toString('utf8');
    const reason = classifySshStderr(stderr);
    const lost = result.exitCode === 255 || result.signal !== undefined;
    const message = stderr.trim() || `ssh exited with ${result.signal ?? `status ${result.exitCode}`} before the remote step reported`;
    const address = await effectiveAddress(host, sshArgs(host, socket));
    throw transportError(host, address, message, reason !== 'other' ? reason : lost ? 'connection-lost' : 'other');
  } finally {
    request.signal.removeEventListener('abort', onAbort);
    if (forceKill !== undefined) clearTimeout(forceKill);
    child.stdin.destroy();
  }
}

function fromTrailer(trailer: Trailer, durationMs: number): ExecResult {
  const outputs = parseOutputs(trailer.outputs);
  if (!trailer.killed) return { exitCode: trailer.status, signal: null, outputs, durationMs };
  return { exitCode: null, signal: signalName(trailer.status - 128) ?? 'SIGTERM', outputs, durationMs };
}

function signalName(num: number): NodeJS.Signals | undefined {
  const entry = Object.entries(constants.signals).find(([, n]) => n === num);
  return entry?.[0] as NodeJS.Signals | undefined;
}
