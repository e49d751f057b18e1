import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import type { FSWatcher } from 'chokidar';
import type { MainContext } from '../../src/main-worker/context.js';
import { daemonLoop, type DaemonHost } from '../../src/main-worker/daemon-loop.js';
import type { watchRaw } from '../../src/main-worker/watch.js';
import { Layout } from '../../src/shared/layout.js';
import { createLogger } from '../../src/shared/log.js';
import { testConfig } from '../helpers.js';

/** A watcher stand-in: change() plays a file system event; closed says whether close() ran. */
function fakeWatch() {
  const state = { change: () => {}, closed: false };
  const watch: typeof watchRaw = (_dir, _config, _log, onChange) => {
    state.change = onChange;
    return { close: async () => void (state.closed = true) } as unknown as FSWatcher;
  };
  return { state, watch };
}

function setup(scanIntervalMs: number) {
  const lines: string[] = [];
  const log = createLogger({ format: 'line', level: 'info', out: { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream });
  const ctx: MainContext = { config: testConfig({ ingest: { scanIntervalMs }, health: { checkIntervalMs: 60_000 } }), layout: new Layout('/farm'), log, bins: null as never };
  const events: string[] = [];
  const host: DaemonHost & { failScan: boolean } = {
    failScan: false,
    start: async () => void events.push('start'),
    scan: async () => {
      events.push('scan');
      if (host.failScan) throw new Error('raw/ is gone');
    },
    health: async () => void events.push('health'),
    nextDueIn: () => Number.POSITIVE_INFINITY,
  };
  return { ctx, host, events, lines };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(5);
  }
}

test('the daemon scans at start, on a watcher event, and every scanIntervalMs; it stops when told', async () => {
  const s = setup(60_000);
  const w = fakeWatch();
  const ac = new AbortController();
  const loop = daemonLoop(s.ctx, s.host, ac.signal, w.watch);
  await until(() => s.events.filter((e) => e === 'scan').length === 1);
  assert.deepEqual(s.events.slice(0, 3), ['start', 'scan', 'health']);
  w.state.change();
  await until(() => s.events.filter((e) => e === 'scan').length === 2);
  ac.abort();
  await loop;
  assert.equal(w.state.closed, true);
  assert.match(s.lines.join(''), /Main worker watching \/farm\/raw/);

  const fast = setup(100);
  const w2 = fakeWatch();
  const ac2 = new AbortController();
  const loop2 = daemonLoop(fast.ctx, fast.host, ac2.signal, w2.watch);
  await until(() => fast.events.filter((e) => e === 'scan').length >= 3);
  ac2.abort();
  await loop2;
});

test('a failed scan is logged and the loop goes on; a failed start closes the watcher and is thrown', async () => {
  const s = setup(100);
  s.host.failScan = true;
  const w = fakeWatch();
  const ac = new AbortController();
  const loop = daemonLoop(s.ctx, s.host, ac.signal, w.watch);
  await until(() => s.events.filter((e) => e === 'scan').length >= 2);
  ac.abort();
  await loop;
  assert.match(s.lines.join(''), /Scan of raw\/ failed: raw\/ is gone/);

  const f = setup(100);
  f.host.start = async () => {
    throw new Error('another main worker holds the root');
  };
  const w2 = fakeWatch();
  await assert.rejects(daemonLoop(f.ctx, f.host, new AbortController().signal, w2.watch), /another main worker/);
  assert.equal(w2.state.closed, true);
  assert.deepEqual(f.events, []);
});
