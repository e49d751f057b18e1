// Shared test helpers: temp folders, the CLI as a child process, tiny generated media.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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

/** Writes an executable shell script (fake ffmpegs: see fake-ffmpeg.ts). */
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

/** The sha256 of a file's bytes, in hex. */
export async function sha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/**
 * Invariant 1, "exactly once": the bytes of every raw file (`raw`: its raw path -> sha256) are
 * in exactly one of the `kept` files (what scanned/ and trash/invalid/ hold). Raw files with
 * equal bytes (copies of one fixture) must be kept exactly as many times as they were dropped.
 */
export async function assertKeptOnce(raw: Map<string, string>, kept: string[]): Promise<void> {
  const dropped = new Map<string, number>();
  for (const h of raw.values()) dropped.set(h, (dropped.get(h) ?? 0) + 1);
  const found = new Map<string, string[]>();
  for (const p of kept) {
    const h = await sha256(p);
    if (dropped.has(h)) found.set(h, [...(found.get(h) ?? []), p]);
  }
  for (const [rel, h] of raw) {
    const places = found.get(h) ?? [];
    assert.equal(places.length, dropped.get(h), `${JSON.stringify(rel)} is kept exactly once (raw files with the same bytes: ${dropped.get(h)}), found at: ${JSON.stringify(places)}`);
  }
}

/**
 * Polls `check` every 50 ms until it returns something truthy, and returns that; fails after
 * `ms` saying what was awaited. For waiting on results (files, folders) instead of log lines.
 */
export async function waitUntil<T>(what: string, check: () => Promise<T> | T, ms = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}
