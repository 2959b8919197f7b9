/** A growable list of 32-bit integers in one typed array: no garbage per entry. */
export class IntList {
  /** The entries, valid up to `length`. */
  values: Int32Array<ArrayBuffer>;
  length = 0;

  constructor(capacity: number) {
    this.values = new Int32Array(Math.max(16, Math.ceil(capacity)));
  }

  push(value: number): void {
    if (this.length === this.values.length) this.reserve(this.length + 1);
    this.values[this.length++] = value;
  }

  /** Makes room for `size` entries in all. */
  reserve(size: number): void {
    if (size <= this.values.length) return;
    const bigger = new Int32Array(Math.max(size, this.values.length * 2));
    bigger.set(this.values);
    this.values = bigger;
  }
}
