/**
 * One CPU profile (`node --cpu-prof`, 100 µs sampling) of a stepwise command, summarised:
 * self time by module (node internals, each package, each stepwise file, GC, idle) and the
 * top functions by self time. Idle is the event loop waiting for a child process.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fmtMs } from './report.mjs';

/** Which bucket a call frame's self time goes to. */
function moduleOf(url, name, root) {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const nm = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (nm) return `pkg ${nm[1]}`;
  if (url.startsWith('node:internal/modules') || url.startsWith('node:internal/vm')) return 'node: module loader';
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/').slice(0, 2).join('/')}`;
  const path = url.replace(/^file:\/\//, '');
  if (path.startsWith(root)) return `stepwise ${relative(root, path)}`;
  return path;
}

/** Self time (ms) per node id, from samples and timeDeltas. */
function selfTimes(profile) {
  const self = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = (timeDeltas[i + 1] ?? 0) / 1000;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + dt);
  }
  return self;
}

/** The bucket of a frame for inclusive time: a package, or a stepwise source folder. */
function groupOf(url, root) {
  if (!url) return undefined;
  const nm = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (nm) return `pkg ${nm[1]}`;
  const path = url.replace(/^file:\/\//, '');
  if (path.startsWith(root)) return `stepwise ${relative(root, path).split('/').slice(0, 2).join('/')}/`;
  return undefined;
}

/**
 * Inclusive time per group: a sample counts for every group that has a frame on its
 * stack (so a package's import, including the loader work it triggers, is charged to it).
 */
function inclusiveTimes(profile, self, root) {
  const parent = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const groupsOf = new Map();
  const groups = (id) => {
    if (groupsOf.has(id)) return groupsOf.get(id);
    const up = parent.has(id) ? groups(parent.get(id)) : new Set();
    const g = groupOf(byId.get(id).callFrame.url, root);
    const set = g && !up.has(g) ? new Set([...up, g]) : up;
    groupsOf.set(id, set);
    return set;
  };
  const total = new Map();
  for (const [id, t] of self) for (const g of groups(id)) total.set(g, (total.get(g) ?? 0) + t);
  return total;
}

/** Profiles `args` of the CLI once; returns Markdown and keeps the .cpuprofile in `keepDir`. */
export function profileCommand(ctx, args, { label, keepDir, keepName }) {
  const dir = mkdtempSync(join(ctx.scratch, 'prof-'));
  try {
    execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir, ctx.cli, ...args], {
      cwd: ctx.scratch, env: { ...process.env, NO_COLOR: '1' }, stdio: 'ignore',
    });
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) return `### Profile: ${label}\n\nno profile written\n`;
    copyFileSync(join(dir, file), join(keepDir, keepName));
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const self = selfTimes(profile);
    const total = (profile.endTime - profile.startTime) / 1000;
    const byModule = new Map();
    const byFunction = new Map();
    for (const node of profile.nodes) {
      const t = self.get(node.id) ?? 0;
      if (!t) continue;
      const { functionName, url, lineNumber } = node.callFrame;
      const mod = moduleOf(url, functionName, ctx.root);
      byModule.set(mod, (byModule.get(mod) ?? 0) + t);
      const fn = `${functionName || '(anonymous)'} — ${mod}${url ? `:${lineNumber + 1}` : ''}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
    }
    const inclusive = inclusiveTimes(profile, self, ctx.root);
    const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);
    const lines = [
      `### Profile: ${label}`, '',
      `\`node --cpu-prof --cpu-prof-interval 100 ${relative(ctx.root, ctx.cli)} ${args.map((a) => (a.startsWith(ctx.scratch) ? relative(ctx.scratch, a) : a)).join(' ')}\`: ${fmtMs(total)} profiled (from V8 start-up of the main module to exit). Kept as \`bench/results/${keepName}\` (open in Chrome DevTools → Performance).`, '',
      '| self time by module | ms | % |', '|---|---:|---:|',
      ...top(byModule, 18).map(([k, v]) => `| ${k} | ${v.toFixed(1)} | ${((100 * v) / total).toFixed(1)} |`), '',
      '| inclusive time (a frame of it on the stack) | ms | % |', '|---|---:|---:|',
      ...top(inclusive, 16).map(([k, v]) => `| ${k} | ${v.toFixed(1)} | ${((100 * v) / total).toFixed(1)} |`), '',
      '| top functions by self time | ms |', '|---|---:|',
      ...top(byFunction, 25).map(([k, v]) => `| ${k.replace(/\|/g, '/')} | ${v.toFixed(1)} |`), '',
    ];
    return lines.join('\n');
  } catch (error) {
    return `### Profile: ${label}\n\nfailed: ${error.message.split('\n')[0]}\n`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
