/**
 * Output slots of one supervisor session. A slot is a pair of fifos with their framers on
 * the remote host; a step borrows one for its stdout and stderr and gives it back when it
 * ends. A slot whose fifo a process outside the step (a daemon) still holds is retired:
 * whatever that process writes later must never be read as the next step's output.
 */
export class SlotPool {
  private readonly busy = new Set<number>();
  private readonly retired = new Set<number>();

  /** The lowest slot that is neither in use nor retired (so few slots exist on the host). */
  take(): number {
    let slot = 0;
    while (this.busy.has(slot) || this.retired.has(slot)) slot++;
    this.busy.add(slot);
    return slot;
  }

  /** The step that had `slot` is over and nothing else holds its fifos. */
  free(slot: number): void {
    this.busy.delete(slot);
  }

  /** The step that had `slot` is over but its fifos are still held: never hand it out again. */
  retire(slot: number): void {
    this.busy.delete(slot);
    this.retired.add(slot);
  }
}
