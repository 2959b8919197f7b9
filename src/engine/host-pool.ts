/**
 * Runs the hosts of one batch with at most `limit` of them in flight (`forks`): a pool, not
 * sub-batches, so a slow host never holds back a free slot. Hosts are announced before they
 * start, and only hosts that then start are announced: the journal names exactly the hosts
 * the step started on, which is where its rollback must run (SPEC §3.3).
 */

/** One batch for the pool. */
export interface PoolRun<T, R> {
  items: readonly T[];
  /** Most items in flight at once (at least 1). */
  limit: number;
  /**
   * Told, and awaited, before the items it names start (made durable there). Items whose
   * start falls in the same turn of the event loop are announced together.
   */
  announce: (items: T[]) => void | Promise<void>;
  run: (item: T) => Promise<R>;
  /** The result of an item announced when a stop came before it could start (it is not run). */
  unstarted: (item: T) => R;
  /** Asked before each start: true starts nothing more (items already running finish). */
  stopped: () => boolean;
}

/** An item that started, and how it ended. */
export interface PoolResult<T, R> {
  item: T;
  result: R;
}

/** Runs the batch; resolves when every started item ended, with their results in start order. */
export async function runPool<T, R>(pool: PoolRun<T, R>): Promise<Array<PoolResult<T, R>>> {
  const results: Array<PoolResult<T, R>> = [];
  const announce = coalesce(pool.announce);
  let next = 0;
  let broken = false;
  const slot = async (): Promise<void> => {
    while (next < pool.items.length && !broken && !pool.stopped()) {
      const index = next++;
      const item = pool.items[index] as T;
      await announce(item);
      // A stop while the start was being recorded: the item is in the record, so it gets a result that says it never ran.
      results[index] = { item, result: pool.stopped() ? pool.unstarted(item) : await pool.run(item) };
    }
  };
  const guarded = async (): Promise<void> => {
    try {
      await slot();
    } catch (error) {
      // A bug, not a failing host: start nothing more, let the running ones end, then report it.
      broken = true;
      throw error;
    }
  };
  const slots = Math.max(1, Math.min(pool.limit, pool.items.length));
  const ended = await Promise.allSettled(Array.from({ length: slots }, guarded));
  const failure = ended.find((e): e is PromiseRejectedResult => e.status === 'rejected');
  if (failure) throw failure.reason;
  // Items a stop kept from starting leave holes; what is left is in start order.
  return results.filter((r): r is PoolResult<T, R> => r !== undefined);
}

/**
 * Collects the items announced within one microtask turn and hands them over in one call:
 * the first slots of a batch all start together, so their start is one journal record.
 */
function coalesce<T>(announce: (items: T[]) => void | Promise<void>): (item: T) => Promise<void> {
  let pending: { items: T[]; done: Promise<void> } | undefined;
  return (item) => {
    if (pending) {
      pending.items.push(item);
      return pending.done;
    }
    const group: { items: T[]; done: Promise<void> } = { items: [item], done: Promise.resolve() };
    group.done = Promise.resolve().then(() => {
      pending = undefined;
      return announce(group.items);
    });
    pending = group;
    return group.done;
  };
}
