import { formatLocation, type SourceLocation } from './location.js';

/** Base of every error stepwise raises on purpose; anything else is a bug and may show a stack. */
export class StepwiseError extends Error {
  override name = 'StepwiseError';
  /** Shown under the message: what the operator can do about it. */
  readonly hint: string | undefined;

  constructor(message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
  }
}

/** One problem found in a runbook, params or inventory file, with where it is. */
export interface Diagnostic {
  location: SourceLocation;
  /** JSON-ish path of the offending key, e.g. `steps[2].retry.attempts`. */
  path: string;
  message: string;
}

/** Formats a diagnostic as `FILE:LINE:COL path: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${formatLocation(d.location)} ${d.path ? `${d.path}: ` : ''}${d.message}`;
}

/** The runbook (or params, or inventory) is invalid; nothing was executed. Exit code 2. */
export class ValidationError extends StepwiseError {
  override name = 'ValidationError';
  constructor(readonly diagnostics: Diagnostic[], options: { hint?: string } = {}) {
    super(diagnostics.map(formatDiagnostic).join('\n'), options);
  }
}

/** Wrong command-line use (unknown run id, bad option value). Exit code 2. */
export class UsageError extends StepwiseError {
  override name = 'UsageError';
}

/** The run's lock is held by another live run. Exit code 75. */
export class LockHeldError extends StepwiseError {
  override name = 'LockHeldError';
}

/** A host could not be reached, refused us, or failed host-key checking: not a command's exit code. */
export class TransportError extends StepwiseError {
  override name = 'TransportError';
  constructor(
    readonly host: string,
    readonly reason: 'unreachable' | 'refused' | 'auth' | 'host-key' | 'connection-lost' | 'other',
    message: string,
    options: { cause?: unknown; hint?: string } = {},
  ) {
    super(message, options);
  }
}
