/** `stepwise plan FILE` (placeholder while it is written). */
import type { RunArgs } from '../run-args.js';

export async function planCommand(_args: RunArgs): Promise<number> {
  return 0;
}
