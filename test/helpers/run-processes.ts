/**
 * Finds a run's processes without matching names: by pids the steps wrote to files, or by
 * the run id every step carries in its environment (`STEPWISE_RUN_ID`). A name such as
 * `sleep 60` can belong to anyone on a shared machine; a run id cannot.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { killPids, procInfo } from './proc-state.js';

/** Live pids (zombies excluded) whose environment has `STEPWISE_RUN_ID=runId`; only those running `comm` when given. */
export function pidsOfRun(runId: string, comm?: string): number[] {
  const needle = Buffer.from(`STEPWISE_RUN_ID=${runId}\0`);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`).includes(needle)) continue;
      const info = procInfo(Number(entry));
      if (info && (comm === undefined || info.comm === comm)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** Kills whatever a run left running (test cleanup after a SIGKILLed runner), by run id. */
export function killRunProcesses(runId: string): void {
  killPids(pidsOfRun(runId));
}

/** The pids a step wrote to `file`, one per line (empty until it exists). */
export function readPids(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => /^\d+$/.test(line.trim()))
    .map(Number);
}

/** Records of a run's journal (`STATE/runs/RUN_ID/journal.jsonl`), a torn last line left out. */
export function journalRecords(stateDir: string, runId: string): Array<Record<string, unknown>> {
  const text = readFileSync(join(stateDir, 'runs', runId, 'journal.jsonl'), 'utf8');
  const records: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a torn last line
    }
  }
  return records;
}

/** The status of the journal's last `run.finished`, if it has one. */
export function journaledStatus(stateDir: string, runId: string): unknown {
  return journalRecords(stateDir, runId)
    .filter((r) => r.type === 'run.finished')
    .at(-1)?.status;
}

/** The one run id under `STATE/runs` (fails loudly when there is not exactly one). */
export function onlyRunId(stateDir: string): string {
  const ids = readdirSync(join(stateDir, 'runs'));
  if (ids.length !== 1) throw new Error(`expected one run in ${stateDir}, found ${ids.length}: ${ids.join(', ')}`);
  return ids[0] as string;
}

/** Polls until `file` exists (a step's marker); false once the attempts run out. No timing assertion. */
export async function fileAppears(file: string, attempts = 600, everyMs = 50): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (existsSync(file)) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return existsSync(file);
}
