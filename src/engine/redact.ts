/** Masks secret values as `***` wherever they appear, also inside longer text (SPEC §4). */
export class Redactor {
  private readonly secrets: string[];

  constructor(values: Iterable<string>) {
    // Longest first, so a secret that contains another is masked whole.
    this.secrets = [...new Set([...values].filter((v) => v.length > 0))].sort((a, b) => b.length - a.length);
  }

  get active(): boolean {
    return this.secrets.length > 0;
  }

  /** The text with every secret replaced by `***`. */
  mask(text: string): string {
    let out = text;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.replaceAll(secret, '***');
    return out;
  }

  /** A copy of a string map with values masked. */
  maskRecord<T extends string | number | boolean>(record: Record<string, T>): Record<string, T | string> {
    if (!this.active) return record;
    const out: Record<string, T | string> = {};
    for (const [key, value] of Object.entries(record)) out[key] = typeof value === 'string' ? this.mask(value) : value;
    return out;
  }
}

/** The redactor of a run: top-level secrets and every `secret: true` param. */
export function redactorFor(secretParams: Array<{ name: string; secret: boolean }>, params: Record<string, string | number | boolean>, secrets: Record<string, string>): Redactor {
  const values = secretParams.filter((p) => p.secret && params[p.name] !== undefined).map((p) => String(params[p.name]));
  return new Redactor([...Object.values(secrets), ...values]);
}
