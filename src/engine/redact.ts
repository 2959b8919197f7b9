/** Masks secret values as `***` wherever they appear, also inside longer text (SPEC §4). */
export class Redactor {
  private readonly secrets: string[];
  /**
   * Each secret's UTF-8 bytes, to look for it in output without decoding it. Undefined for a
   * secret with a UTF-16 surrogate: one half of a pair can match inside decoded text though
   * no byte sequence of it exists, so such a secret is always looked for in text.
   */
  private readonly needles: Array<Buffer | undefined>;

  constructor(values: Iterable<string>) {
    // Longest first, so a secret that contains another is masked whole.
    this.secrets = [...new Set([...values].filter((v) => v.length > 0))].sort((a, b) => b.length - a.length);
    this.needles = this.secrets.map((s) => (/[\uD800-\uDFFF]/.test(s) ? undefined : Buffer.from(s, 'utf8')));
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

  /**
   * Valid UTF-8 bytes with every secret replaced by `***`, exactly as {@link mask} does on
   * their text; the same buffer when no secret occurs (the common case costs a byte search).
   */
  maskBytes(bytes: Buffer): Buffer {
    if (!this.needles.some((needle) => needle === undefined || bytes.includes(needle))) return bytes;
    const text = bytes.toString('utf8');
    const masked = this.mask(text);
    return masked === text ? bytes : Buffer.from(masked, 'utf8');
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
