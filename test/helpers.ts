// Shared test helpers: temp folders, the CLI as a child process, tiny generated media.
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { loadConfig, type Config, type DeepPartial } from '../src/shared/config.js';
import { resolveBinaries, type Binaries } from '../src/shared/media/ffmpeg.js';
import { packageRoot } from '../src/shared/package-root.js';

export const REPO = packageRoot();
export const CLI = join(REPO, 'bin', 'clipmill');

/** A temp folder removed after the test (pass `t` from node:test). */
export async function tempDir(t: { after(fn: () => Promise<void> | void): void }, prefix = 'clipmill-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Env for child processes: no CLIPMILL_* from the developer's shell, plus the given ones. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CLIPMILL_') && k !== 'FFMPEG_PATH' && k !== 'FFPROBE_PATH') env[k] = v;
  return { ...env, ...extra };
}

export async function cli(args: string[], env: Record<string, string> = {}, opts: { timeout?: number } = {}) {
  return execa(CLI, args, { env: cleanEnv(env), extendEnv: false, reject: false, timeout: opts.timeout ?? 120_000 });
}

export function testConfig(overrides: DeepPartial<Config> = {}): Config {
  return loadConfig({ env: {}, overrides });
}

let bins: Promise<Binaries> | undefined;
export function binaries(): Promise<Binaries> {
  bins ??= resolveBinaries(testConfig(), cleanEnv());
  return bins;
}

/** Writes an executable shell script (a fake ffmpeg, say). */
export async function writeScript(path: string, body: string): Promise<string> {
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

/** The entries of a folder of the root that readers see: dot-names (temporaries, the task ledger) left out. */
export async function visible(dir: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  return (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();
}

/** Every file below `dir` (absolute paths, sorted); [] when it does not exist. */
export async function walk(dir: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out.sort();
}

/**
 * A CLI daemon as a child process; waitFor(re) resolves with the match once its stderr (the
 * log) matches, and fails after `ms` with the log so far.
 */
export function startCli(args: string[], env: Record<string, string>) {
  const sub = execa(CLI, args, { env: cleanEnv(env), extendEnv: false, reject: false });
  let text = '';
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  sub.stderr?.on('data', (c: Buffer) => {
    text += c.toString();
    for (const w of [...waiters]) {
      const m = w.re.exec(text);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const waitFor = (re: RegExp, ms = 60_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const now = re.exec(text);
      if (now) return resolve(now);
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re} in:\n${text}`)), ms);
      waiters.push({ re, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  return { sub, waitFor, log: () => text };
}
