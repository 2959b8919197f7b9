import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SshExecutor } from '../../src/targets/ssh-executor.js';
import { sshdAvailable, sshRequest, startSshd, type RunningSshd } from '../helpers/sshd.js';

const suite = sshdAvailable() ? describe : describe.skip;

suite('SshExecutor: running scripts', () => {
  let sshd: RunningSshd;
  let executor: SshExecutor;
  beforeAll(async () => {
    sshd = await startSshd({ hosts: 1 });
    executor = new SshExecutor({ runId: 'exec-test' });
  });
  afterAll(async () => {
    await executor?.close();
    await sshd?.stop();
  });
  const host = () => sshd.hosts[0]!;

  it('streams stdout and stderr and returns the exit code', async () => {
    const { request, output } = sshRequest(host(), 'echo out\necho err >&2\nexit 7\n');
    const result = await executor.exec(request);
    expect(result).toMatchObject({ exitCode: 7, signal: null, outputs: {} });
    expect(output.stdout()).toBe('out\n');
    expect(output.stderr()).toBe('err\n');
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('delivers the script and env values verbatim: quotes, $(...), backticks, newlines', async () => {
    const nasty = `it's "double" $(touch /tmp/pwned-ssh) \`id\` \\ $HOME\nsecond line\n\ttab ${'é'}`;
    const script = [
      `printf '%s|' "$V1"`,
      `printf '%s|' "$V2"`,
      "cat <<'EOF'",
      '$(not run) `nor this` "q" \'q\' \\n',
      'EOF',
      'printf "%s\\n" "$(echo sub)"',
    ].join('\n');
    const { request, output } = sshRequest(host(), script, { env: { V1: nasty, V2: '' } });
    const result = await executor.exec(request);
    expect(output.stderr()).toBe('');
    expect(result.exitCode).toBe(0);
    expect(output.stdout()).toBe(`${nasty}||$(not run) \`nor this\` "q" 'q' \\n\nsub\n`);
  });

  it('returns key=value lines written to $STEPWISE_OUTPUT', async () => {
    const script = 'echo "a=1" >> "$STEPWISE_OUTPUT"\necho >> "$STEPWISE_OUTPUT"\necho "b=x=y" >> "$STEPWISE_OUTPUT"\necho "c=" >> "$STEPWISE_OUTPUT"\necho "noequals" >> "$STEPWISE_OUTPUT"';
    const result = await executor.exec(sshRequest(host(), script).request);
    expect(result.outputs).toEqual({ a: '1', b: 'x=y', c: '' });
  });

  it('runs in the login home by default and in cwd when given (also ~/)', async () => {
    const home = sshRequest(host(), 'pwd');
    await executor.exec(home.request);
    expect(home.output.stdout()).toBe(`/home/${sshd.user}\n`);
    const tmp = sshRequest(host(), 'pwd', { cwd: '/tmp' });
    await executor.exec(tmp.request);
    expect(tmp.output.stdout()).toBe('/tmp\n');
    await executor.exec(sshRequest(host(), 'mkdir -p sub').request);
    const tilde = sshRequest(host(), 'pwd', { cwd: '~/sub' });
    await executor.exec(tilde.request);
    expect(tilde.output.stdout()).toBe(`/home/${sshd.user}/sub\n`);
  });

  it('a missing, unusable or non-directory cwd is a start error naming the cause and the host, also in the output', async () => {
    const cases: [string, string][] = [
      ['/no/such/dir', 'working directory /no/such/dir does not exist on web-1'],
      ['/etc/hostname', 'working directory /etc/hostname is not a directory on web-1'],
      ['/root', 'working directory /root cannot be entered (permission denied) on web-1'],
    ];
    for (const [cwd, why] of cases) {
      const { request, output } = sshRequest(host(), 'echo never', { cwd });
      const result = await executor.exec(request);
      expect(result).toMatchObject({ exitCode: null, signal: null, startError: why, outputs: {} });
      expect(output.stdout()).toBe('');
      expect(output.stderr()).toBe(`stepwise: ${why}\n`);
    }
  });

  it('runs bash with -e and pipefail, sh with -e, and other interpreters with the file', async () => {
    const bash = await executor.exec(sshRequest(host(), 'false | true\necho not reached').request);
    expect(bash.exitCode).toBe(1);
    const sh = sshRequest(host(), 'echo "$0" | grep -c stepwise >/dev/null && echo sh-ok\nfalse\necho not reached', { shell: 'sh' });
    expect((await executor.exec(sh.request)).exitCode).toBe(1);
    expect(sh.output.stdout()).toBe('sh-ok\n');
    const perl = sshRequest(host(), 'print "perl ", 6 * 7, "\\n"; exit 3;', { shell: 'perl' });
    expect((await executor.exec(perl.request)).exitCode).toBe(3);
    expect(perl.output.stdout()).toBe('perl 42\n');
  });

  it('gives the step /dev/null as stdin and default signal dispositions', async () => {
    const { request, output } = sshRequest(host(), 'cat\necho "after cat"\ngrep SigIgn /proc/self/status');
    const result = await executor.exec(request);
    expect(result.exitCode).toBe(0);
    expect(output.stdout()).toBe('after cat\nSigIgn:\t0000000000000000\n');
  });

  it('applies the step env (even PATH) to the step only', async () => {
    const { request, output } = sshRequest(host(), 'echo "$PATH"\n/usr/bin/id -un', { env: { PATH: '/nowhere' } });
    const result = await executor.exec(request);
    expect(output.stderr()).toBe('');
    expect(result.exitCode).toBe(0);
    expect(output.stdout()).toBe(`/nowhere\n${sshd.user}\n`);
  });

  it('a shell missing on the host is a start error naming it and the host', async () => {
    const { request, output } = sshRequest(host(), 'true', { shell: 'no-such-shell -x' });
    const result = await executor.exec(request);
    expect(result).toMatchObject({ exitCode: null, signal: null });
    expect(result.startError).toMatch(/^shell "no-such-shell -x" not found on web-1 \(PATH=.*\/usr\/bin.*\)$/);
    expect(output.stderr()).toBe(`stepwise: ${result.startError}\n`);
    // The next step on the same host is not disturbed.
    const next = sshRequest(host(), 'echo fine');
    expect((await executor.exec(next.request)).exitCode).toBe(0);
    expect(next.output.stdout()).toBe('fine\n');
  });

  it('streams large output in many chunks without losing bytes', async () => {
    let bytes = 0;
    let chunks = 0;
    const { request } = sshRequest(host(), 'head -c 20000000 /dev/zero\necho done >&2', {
      onOutput: (stream, chunk) => { if (stream === 'stdout') { bytes += chunk.length; chunks += 1; } },
    });
    const result = await executor.exec(request);
    expect(result.exitCode).toBe(0);
    expect(bytes).toBe(20_000_000);
    expect(chunks).toBeGreaterThan(1);
  });

  it('never shows a secret in any process command line, locally or remotely', async () => {
    const secret = `s3cr3t-${randomBytes(8).toString('hex')}`;
    const go = `/tmp/stepwise-go-${randomBytes(4).toString('hex')}`;
    const seen: string[] = [];
    let scanned = false;
    const { request } = sshRequest(host(), `echo "secret ${secret} in script"\nwhile [ ! -e ${go} ]; do sleep 0.05; done\necho "$TOKEN" | wc -c`, {
      env: { TOKEN: secret },
      onOutput: (stream, chunk) => {
        if (stream !== 'stdout' || !chunk.toString().includes('in script')) return;
        for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
          try {
            const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
            if (cmdline.includes(secret)) seen.push(cmdline.replace(/\0/g, ' '));
          } catch { /* the process ended meanwhile */ }
        }
        scanned = true;
        writeFileSync(go, '');
      },
    });
    try {
      const result = await executor.exec(request);
      expect(result.exitCode).toBe(0);
    } finally {
      rmSync(go, { force: true });
    }
    expect(scanned).toBe(true);
    expect(seen).toEqual([]);
  });

  it('keeps no script or outputs with a secret after the step, and no directory after the run', async () => {
    const own = new SshExecutor({ runId: 'files-test' });
    const secret = `s3cr3t-${randomBytes(8).toString('hex')}`;
    const { request, output } = sshRequest(host(), `# ${secret}\necho "token=${secret}" >> "$STEPWISE_OUTPUT"\necho "$STEPWISE_OUTPUT"`);
    const result = await own.exec(request);
    expect(result.outputs).toEqual({ token: secret });
    // The supervisor's private directory (0700, the test user's): read here, as root.
    const dir = dirname(output.stdout().trim());
    expect(basename(dir)).toMatch(/^stepwise\./);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isFile()) expect(readFileSync(path, 'utf8')).not.toContain(secret);
    }
    await own.close();
    expect(existsSync(dir)).toBe(false);
  });

  it('runs a host\'s steps one after the other through one supervisor; concurrent ones get their own, reused later', async () => {
    const own = new SshExecutor({ runId: 'one-supervisor' });
    // The step's parent is its runner, whose parent is the supervisor.
    const script = 'cut -d" " -f4 /proc/$PPID/stat';
    const supervisorOf = async (): Promise<string> => {
      const { request, output } = sshRequest(host(), script);
      expect((await own.exec(request)).exitCode).toBe(0);
      return output.stdout().trim();
    };
    const sequential = [];
    for (let i = 0; i < 5; i++) sequential.push(await supervisorOf());
    expect(new Set(sequential).size).toBe(1);
    expect(Number(sequential[0])).toBeGreaterThan(1);
    const concurrent = await Promise.all([0, 1, 2].map(() => supervisorOf()));
    expect(new Set(concurrent).size).toBeLessThanOrEqual(3);
    const known = new Set([...sequential, ...concurrent]);
    const later = [];
    for (let i = 0; i < 5; i++) later.push(await supervisorOf());
    for (const pid of later) expect(known.has(pid)).toBe(true);
    await own.close();
  });
});
