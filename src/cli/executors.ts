/**
 * Chooses an executor per target. The SSH transport is imported only when the runbook
 * has remote targets, so local runs never pay for it.
 */
import type { Runbook, Target } from '../runbook/model.js';
import type { Executor, ExecutorProvider } from '../targets/executor.js';
import { LocalExecutor } from '../targets/local-executor.js';

export interface Executors {
  provider: ExecutorProvider;
  close(): Promise<void>;
}

export async function createExecutors(runbook: Runbook, runId: string): Promise<Executors> {
  const local = new LocalExecutor({ runId });
  let remote: Executor | undefined;
  if (runbook.targets.hosts.size > 0) {
    const { SshExecutor } = await import('../targets/ssh-executor.js');
    remote = new SshExecutor({ runId });
  }
  return {
    provider: (target: Target) => {
      if (target.kind === 'local') return local;
      if (!remote) throw new Error(`no SSH transport for ${target.name}`);
      return remote;
    },
    close: async () => {
      await Promise.allSettled([local.close(), remote?.close?.()]);
    },
  };
}
