/** Kept only until the last two importers move to `src/runbook/durations.ts`, which holds the one formatDuration. */
export { formatDuration } from '../runbook/durations.js';
