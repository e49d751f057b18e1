// The raw/ watcher: a hint that something changed (the periodic rescan stays the truth). It
// calls back on a new file, ignores the names ingest never takes, never follows a symlink, and
// logs its errors instead of throwing them.
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FSWatcher } from 'chokidar';
import { watchRaw } from '../../src/main-worker/watch.js';
import { createLogger } from '../../src/shared/log.js';
import { tempDir, testConfig, waitUntil } from '../helpers.js';

async function started(t: Parameters<typeof tempDir>[0], usePolling = false) {
  const dir = await tempDir(t);
  const raw = join(dir, 'raw');
  const outside = join(dir, 'outside');
  await mkdir(join(raw, 'video', 'c'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(outside, 'old.mp4'), 'x');
  const lines: string[] = [];
  const log = createLogger({ format: 'line', level: 'info', out: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
  let calls = 0;
  const watcher: FSWatcher = watchRaw(raw, testConfig({ watch: { usePolling, pollingIntervalMs: 100 } }), log, () => calls++);
  t.after(() => watcher.close());
  // What chokidar reported, in order (the callback itself gets no arguments).
  const seen: string[] = [];
  watcher.on('all', (event, path) => seen.push(`${event} ${path.slice(raw.length + 1)}`));
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return { raw, outside, watcher, lines, seen, calls: () => calls };
}

test('a new file in raw/ calls back; ignored names (dot-files, partial downloads) do not', async (t) => {
  const w = await started(t);
  assert.equal(w.calls(), 0, 'files already there are not reported (ignoreInitial)');
  await writeFile(join(w.raw, 'video', 'c', '.hidden.mp4'), 'x');
  await writeFile(join(w.raw, 'video', 'c', 'clip.mp4.part'), 'x');
  await writeFile(join(w.raw, 'video', 'c', 'clip.mp4'), 'x');
  await waitUntil('the new file reported', () => w.seen.includes('add video/c/clip.mp4'));
  assert.ok(w.calls() >= 1);
  assert.deepEqual(w.seen.filter((s) => /hidden|\.part/.test(s)), []);
  const watched = w.watcher.getWatched()[join(w.raw, 'video', 'c')] ?? [];
  assert.deepEqual(watched.filter((n) => n !== 'clip.mp4'), [], 'ignored names are not even watched');
});

test('a symlink in raw/ is reported as itself and never followed', async (t) => {
  const w = await started(t);
  assert.equal(w.watcher.options.followSymlinks, false);
  await symlink(w.outside, join(w.raw, 'video', 'c', 'linked'));
  await writeFile(join(w.raw, 'video', 'c', 'after-link.mp4'), 'x');
  await waitUntil('the file after the link reported', () => w.seen.includes('add video/c/after-link.mp4'));
  // A change inside the linked folder, then a sentinel in raw/: by the sentinel's report, the
  // change would have been reported too, had the link been followed.
  await writeFile(join(w.outside, 'new.mp4'), 'x');
  await writeFile(join(w.raw, 'video', 'c', 'sentinel.mp4'), 'x');
  await waitUntil('the sentinel reported', () => w.seen.includes('add video/c/sentinel.mp4'));
  assert.deepEqual(w.seen.filter((s) => /old\.mp4|new\.mp4/.test(s)), [], 'nothing from behind the link');
  assert.equal(w.watcher.getWatched()[join(w.raw, 'video', 'c', 'linked')], undefined, 'the linked folder is not watched');
});

test('watch.usePolling: the polling backend at watch.pollingIntervalMs, and it reports new files too', async (t) => {
  const w = await started(t, true);
  assert.deepEqual([w.watcher.options.backend, w.watcher.options.pollingInterval], ['polling', 100]);
  await writeFile(join(w.raw, 'video', 'c', 'polled.mp4'), 'x');
  await waitUntil('the polled file reported', () => w.seen.includes('add video/c/polled.mp4'));
  assert.ok(w.calls() >= 1);
});

test('a watcher error is logged as a warning, and the watcher goes on', async (t) => {
  const w = await started(t);
  w.watcher.emit('error', new Error('inotify watch limit reached'));
  assert.match(w.lines.join(''), new RegExp(`Watcher error on ${w.raw.replaceAll('.', '\\.')} \\(the periodic rescan continues\\): inotify watch limit reached`));
  assert.equal(w.calls(), 0, 'an error is not a change');
  await writeFile(join(w.raw, 'video', 'c', 'later.mp4'), 'x');
  await waitUntil('a file after the error reported', () => w.seen.includes('add video/c/later.mp4'));
});
