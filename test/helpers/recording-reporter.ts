/** Collects engine events for assertions. */
import type { EngineEvent } from '../../src/engine/events.js';

export class RecordingSink {
  readonly events: EngineEvent[] = [];
  readonly onEvent = (event: EngineEvent): void => {
    this.events.push(event);
  };

  /** Compact `type:stepId:status` strings, easy to compare as a sequence. */
  get trail(): string[] {
    return this.events
      .filter((e) => e.type !== 'step.output' && e.type !== 'run.notice')
      .map((e) => {
        const step = 'stepId' in e ? `:${e.stepId}` : '';
        const status = 'status' in e ? `:${e.status}` : '';
        return `${e.type}${step}${status}`;
      });
  }

  of<T extends EngineEvent['type']>(type: T): Array<Extract<EngineEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
  }
}
