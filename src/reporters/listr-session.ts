/**
 * Draws one running step (or rollback) with listr2's default renderer, for as long as it
 * runs: spinner, title with attempt and elapsed time, the last output lines, and one
 * subtask per host for group steps. The frame is cleared when the item ends; the reporter
 * then prints a permanent result line. Only the running item is ever redrawn, so a long
 * runbook never grows a frame taller than the terminal (log-update cannot erase lines
 * that have scrolled away).
 */
import { DefaultRenderer, Listr, ListrLogger, ProcessOutput, type ListrDefaultRendererOptions, type ListrTask, type ListrTaskWrapper } from 'listr2';
import type { HostProgress, LiveItem } from './listr-item.js';
import { hostTitle, itemOutput, itemTitle } from './listr-format.js';
import type { Style } from './terminal-style.js';

/** The default renderer, allowed on whatever stream the CLI chose: the CLI only picks this view for a terminal. */
class LiveRenderer extends DefaultRenderer {
  static override nonTTY = true;
}

type Wrapper = ListrTaskWrapper<unknown, typeof LiveRenderer, typeof LiveRenderer>;

/** What drawing one item needs. */
export interface SessionConfig {
  /** The terminal to draw on. */
  stream: NodeJS.WriteStream;
  /** Writes to it from elsewhere are held while drawing and shown after the frame. */
  errorStream: NodeJS.WriteStream;
  style: Style;
  /** How often titles and output are pushed to listr2 (ms): the redraw throttle. */
  refreshMs: number;
  /** Output lines shown under a running item. */
  liveLines: number;
}

const identity = (text?: string): string => text ?? '';

/** Every level of the renderer's palette without colour (listr2's own palette follows `NO_COLOR` only). */
function colourless(): ListrDefaultRendererOptions['color'] {
  const levels = ['SKIPPED_WITH_COLLAPSE', 'SKIPPED_WITHOUT_COLLAPSE', 'OUTPUT', 'OUTPUT_WITH_BOTTOMBAR', 'PENDING', 'COMPLETED', 'COMPLETED_WITH_FAILED_SUBTASKS', 'COMPLETED_WITH_SISTER_TASKS_FAILED', 'RETRY', 'ROLLING_BACK', 'ROLLED_BACK', 'FAILED', 'FAILED_WITH_SUBTASKS', 'WAITING', 'PAUSED'];
  return Object.fromEntries(levels.map((level) => [level, identity])) as ListrDefaultRendererOptions['color'];
}

/** Keeps a task's title and output in step with the item, at most once per tick. */
function sync(task: Wrapper, title: () => string, output: () => string): () => void {
  let lastTitle = '';
  let lastOutput = '';
  return () => {
    const nextTitle = title();
    if (nextTitle !== lastTitle) task.title = lastTitle = nextTitle;
    const nextOutput = output();
    if (nextOutput !== lastOutput) task.output = lastOutput = nextOutput;
  };
}

/**
 * Leaves the task in the state the engine reported, so the last frame before it is
 * cleared never flashes a tick for a failure. Drawing stopped for a prompt reads as paused.
 */
function settle(task: Wrapper, status: string | undefined, title: string): void {
  if (status === undefined || status === 'skipped') task.skip(title);
  else if (status !== 'succeeded' && status !== 'alreadyDone') throw new Error(title);
}

function hostTask(item: LiveItem, host: HostProgress, style: Style, tickers: Set<() => void>, liveLines: number): ListrTask<unknown, typeof LiveRenderer> {
  return {
    title: hostTitle(item, host, style),
    rendererOptions: { outputBar: true },
    task: async (_ctx, task: Wrapper) => {
      const tick = sync(task, () => hostTitle(item, host, style), () => itemOutput(host.tail.text, host.retryNote, style, liveLines));
      tickers.add(tick);
      tick();
      await host.done;
      tickers.delete(tick);
      const result = item.result?.targets.find((t) => t.target === host.name);
      settle(task, result?.status ?? (host.passed ? 'succeeded' : undefined), task.title);
    },
  };
}

/** Draws the item until it finishes or its drawing is stopped; resolves once the frame is cleared. */
export async function drawItem(item: LiveItem, config: SessionConfig): Promise<void> {
  const { style } = config;
  const tickers = new Set<() => void>();
  const timer = setInterval(() => {
    for (const tick of tickers) tick();
  }, config.refreshMs);
  const root: ListrTask<unknown, typeof LiveRenderer> = {
    title: itemTitle(item, style),
    rendererOptions: { outputBar: true },
    task: async (_ctx, task: Wrapper) => {
      const tick = sync(task, () => itemTitle(item, style), () => itemOutput(item.tail.text, item.retryNote, style, config.liveLines, item.init.description));
      tickers.add(tick);
      tick();
      if (item.hosts.size === 0) {
        await item.untilStopped;
        tickers.delete(tick);
        return settle(task, item.result?.status, task.title);
      }
      return task.newListr(
        [...item.hosts.values()].map((host) => hostTask(item, host, style, tickers, config.liveLines)),
        { concurrent: true, exitOnError: false },
      );
    },
  };
  const list = new Listr<unknown, typeof LiveRenderer, typeof LiveRenderer>([root], {
    renderer: LiveRenderer,
    fallbackRenderer: LiveRenderer,
    rendererOptions: {
      clearOutput: true,
      formatOutput: 'truncate',
      collapseSubtasks: false,
      removeEmptyLines: false,
      logger: new ListrLogger({ useIcons: true, toStderr: [], processOutput: new ProcessOutput(config.stream, config.errorStream, { leaveEmptyLine: false }) }),
      ...(style.color ? {} : { color: colourless() }),
    },
    exitOnError: false,
    registerSignalListeners: false,
    collectErrors: false,
  });
  try {
    await list.run();
  } finally {
    clearInterval(timer);
  }
}
