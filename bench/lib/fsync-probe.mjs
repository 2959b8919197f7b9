/**
 * The cost of one journal boundary on this disk, without stepwise: append a ~200-byte JSON
 * line to a file and fdatasync it, N times. Prints the median and mean per append+sync in ms.
 *
 * usage: node fsync-probe.mjs DIR [N]
 */
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const n = Number(process.argv[3] ?? 200);
const file = join(dir, `fsync-probe-${process.pid}.jsonl`);
const fd = openSync(file, 'ax', 0o600);
const line = `${JSON.stringify({ type: 'step.started', time: new Date().toISOString(), runId: '20261126T231500Z-7f3a', stepId: 's1', phase: 'run', attempt: 1, host: 'local', pad: 'x'.repeat(60) })}\n`;
const times = [];
try {
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    writeSync(fd, line);
    fdatasyncSync(fd);
    times.push(performance.now() - t);
  }
} finally {
  closeSync(fd);
  rmSync(file, { force: true });
}
times.sort((a, b) => a - b);
const mean = times.reduce((a, b) => a + b, 0) / n;
console.log(JSON.stringify({ n, medianMs: times[n >> 1], meanMs: mean, p90Ms: times[Math.floor(n * 0.9)] }));
