/**
 * When a running local step ends, and what ends with it (SPEC §3.6; the rule of which
 * processes are the step's is in process-tree.ts).
 *
 * - The result is decided when the shell exits, never by its output pipes.
 * - Timeout or cancel (the request's AbortSignal): every process of the step's session is
 *   ended, every process group of it (TERM, grace, KILL).
 * - Normal exit: the step's processes still running are leftovers, and are ended too — all
 *   of the session, not only the shell's group, so `timeout 60 cmd &` or a job-control job
 *   does not outlive the step any more than `cmd &` does. But a process forked just before
 *   the shell exited may be on its way to setsid() (`setsid daemon >/dev/null 2>&1 &`): it
 *   still counts as the step's until it gets there. So leftovers are ended only after a
 *   settle time (`settleMs`, 1 s by default — a thousand times what fork, exec and setsid
 *   take on a busy machine), once more if one of them is the `setsid` program itself caught
 *   just before its call. The session is watched meanwhile, so a step that leaves nothing
 *   behind, or only daemons, ends as soon as they are gone. Ending them is by process
 *   group (see process-tree.ts), so a process that made it to setsid() is never hit.
 *   This bounds the race; it cannot remove it: no one can tell a process that will call
 *   setsid() in two seconds from one that never will.
 * - Output still arriving after the shell exited is forwarded until the step's processes
 *   are gone and the pipes close, at most `drainMs` after the exit (or a moment after the
 *   last leftover was ended); then the pipes are cut and the log says so.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import type { ExecRequest } from './executor.js';
import { OutputPipes } from './output-pipes.js';
import { endSession, sessionMembers, type SessionEnd, type SessionMember } from './process-tree.js';

/** How long a step's processes get to settle, and its output to drain, after the shell exits. */
export interface EndTimings {
  settleMs: number;
  drainMs: number;
  /** End the step at once (its start could not be recorded). */
  endAtOnce?: boolean;
}

/** How the step ended. */
export interface StepEnd {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Output was cut: processes outside the step still held its pipes. */
  outputCut: boolean;
  /** Processes the script left running that were ended after it exited. */
  leftoversEnded: number;
  /** The first error thrown by `onOutput` (the step was ended because of it). */
  outputError?: unknown;
}

/** What is used of the started shell (execa's subprocess, or node's ChildProcess). */
export interface StartedShell {
  pid?: number | undefined;
  stdout: Readable | null;
  stderr: Readable | null;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
}

type Exit = { code: number | null; signal: NodeJS.Signals | null };

/**
 * While a step has run less than this, its session is looked for only among the processes
 * created since it started (process-tree.ts: bornAfter), at its end and when it is ended:
 * going round the whole pid space in 2 s takes over 16,000 new processes or threads a
 * second. Later, the whole process table is read (about 40 µs a process on an idle virtual
 * machine, so some tens of milliseconds for a thousand; more under load).
 */
const RECENT_SCAN_MS = 2000;

/** After the last of the step's processes was ended, output already written is still read. */
const AFTER_KILL_DRAIN_MS = 200;

/** Watches a started step to its end; `pipes` is handed back for the executor to destroy later if cut. */
export async function superviseStep(child: StartedShell, request: ExecRequest, timings: EndTimings): Promise<{ end: StepEnd; pipes: OutputPipes }> {
  const sid = child.pid as number;
  const spawnedAt = performance.now();
  let shellGone = false;
  let ending: Promise<SessionEnd> | undefined;
  let markEnded: () => void = () => undefined;
  const sessionEnded = new Promise<void>((resolve) => (markEnded = resolve));
  const endAll = () => {
    if (!ending) {
      ending = endSession(sid, request.killGraceMs, { leaderGone: () => shellGone, recentOnly: () => performance.now() - spawnedAt < RECENT_SCAN_MS });
      void ending.then(markEnded);
    }
    return ending;
  };
  const onAbort = () => void endAll();

  const pipes = new OutputPipes({ stdout: child.stdout, stderr: child.stderr }, request.onOutput, () => void endAll());
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      shellGone = true;
      resolve({ code, signal });
    });
  });
  if (request.signal.aborted || timings.endAtOnce) onAbort();
  else request.signal.addEventListener('abort', onAbort, { once: true });

  try {
    const exit = await waitForExit(exited, sessionEnded);
    const exitedAt = performance.now();
    let leftoversEnded = 0;
    if (!ending) {
      const recentOnly = exitedAt - spawnedAt < RECENT_SCAN_MS;
      const left = await settle(sid, timings.settleMs, recentOnly, () => ending !== undefined);
      if (left.length > 0 && !ending) {
        const ended = await endAll();
        leftoversEnded = ended.processes;
        if (leftoversEnded > 0) {
          pipes.notice(
            `ended ${leftoversEnded} process(es) the script left running: a step's processes end with it ` +
              '(start a service in its own session: setsid cmd >/dev/null 2>&1 &)',
          );
        }
      }
    }
    if (ending) await ending;
    const wait = Math.max(exitedAt + timings.drainMs - performance.now(), AFTER_KILL_DRAIN_MS);
    const outputCut = !(await pipes.closedWithin(wait));
    if (outputCut) {
      pipes.notice(
        `stopped reading the step's output ${Math.round((performance.now() - exitedAt) / 100) / 10}s after its script exited: ` +
          'a process outside the step (started with setsid) still holds its stdout/stderr; redirect a service\'s output ' +
          '(setsid cmd >/dev/null 2>&1 &)',
      );
      pipes.cutOff();
    }
    return {
      end: { exitCode: exit.code, signal: exit.signal, outputCut, leftoversEnded, ...(pipes.failure !== undefined ? { outputError: pipes.failure } : {}) },
      pipes,
    };
  } finally {
    request.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * The shell's exit. Once the whole session has been ended the exit comes at once; if it
 * does not (a shell stuck in the kernel), the step is reported as killed rather than
 * waited on forever.
 */
async function waitForExit(exited: Promise<Exit>, sessionEnded: Promise<void>): Promise<Exit> {
  const stuck = sessionEnded.then(() => Promise.race([exited, sleep(1000, undefined, { ref: false }).then((): Exit => ({ code: null, signal: 'SIGKILL' }))]));
  return Promise.race([exited, stuck]);
}

/** Waits until the session is empty or the settle time is over; returns who is still there. */
async function settle(sid: number, settleMs: number, recentOnly: boolean, stop: () => boolean): Promise<SessionMember[]> {
  let deadline = performance.now() + settleMs;
  let extended = false;
  for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
    const members = sessionMembers(sid, { leaderGone: true, recentOnly });
    if (members.length === 0 || stop()) return [];
    const now = performance.now();
    if (now >= deadline) {
      // The setsid program between its exec and its setsid() call is a daemon on its way out.
      if (extended || !members.some((m) => m.comm === 'setsid')) return members;
      extended = true;
      deadline = now + settleMs;
    }
    await sleep(Math.min(pause, Math.max(1, deadline - now)));
  }
}
