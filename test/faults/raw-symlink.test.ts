// Fault: symbolic links in raw/ (issue "faults", item 6). The watcher never follows them, and
// each link, to a file or to a folder, goes to trash/invalid as the link itself (RAW_SYMLINK).
import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, readFile, readlink, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { FIXTURES } from '../media.js';
import { cli, startCli, tempDir, walk } from '../helpers.js';

const ENV = { CLIPMILL_INGEST_STABLE_MS: '0', CLIPMILL_INGEST_SCAN_INTERVAL_MS: '200' };

/** inotify watches held by a process (one "inotify wd:" line per watch in its fdinfo). */
async function inotifyWatches(pid: number): Promise<number> {
  let n = 0;
  for (const fd of await readdir(`/proc/${pid}/fdinfo`).catch(() => [] as string[])) {
    const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8').catch(() => '');
    n += info.split('\n').filter((l) => l.startsWith('inotify wd:')).length;
  }
  return n;
}

test('symlinks in raw/ (to a file, to /usr, dangling) are moved to trash/invalid as links, with RAW_SYMLINK; nothing is read through them', async (t) => {
  const root = join(await tempDir(t), 'root');
  await cli(['init', root]);
  await mkdir(join(root, 'raw/video/c'), { recursive: true });
  await FIXTURES.clip(join(root, 'raw/video/c/good.mp4'), 1.5);
  await symlink('/etc/hostname', join(root, 'raw/video/c/link.mp4'));
  await symlink('/usr', join(root, 'raw/video/evil'));
  await symlink('/nowhere/at/all', join(root, 'raw/video/c/dangling.mp4'));
  const r = await cli(['main-worker', '--once', '--root', root], ENV);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(await walk(join(root, 'raw')), [], 'every raw entry accounted for');
  for (const [rel, target] of [['video/c/link.mp4', '/etc/hostname'], ['video/evil', '/usr'], ['video/c/dangling.mp4', '/nowhere/at/all']] as const) {
    const moved = join(root, 'trash/invalid', rel);
    assert.ok((await lstat(moved)).isSymbolicLink(), `${rel} moved as the link itself`);
    assert.equal(await readlink(moved), target);
    const reason = JSON.parse(await readFile(`${moved}.reason.json`, 'utf8')) as { code: string; raw_path: string; details: { target: string } };
    assert.deepEqual([reason.code, reason.raw_path, reason.details.target], ['RAW_SYMLINK', `raw/${rel}`, target]);
  }
  assert.equal((await walk(join(root, 'scanned/video/c'))).filter((p) => p.endsWith('.mp4')).length, 1, 'the good clip is filed');
});

test('the daemon\'s watcher does not descend into a linked folder', async (t) => {
  const root = join(await tempDir(t), 'root');
  await cli(['init', root]);
  const daemon = startCli(['main-worker', '--root', root], { ...ENV, CLIPMILL_INGEST_SCAN_INTERVAL_MS: '60000' });
  t.after(() => daemon.sub.kill('SIGKILL'));
  await daemon.waitFor(/Main worker watching/);
  const before = await inotifyWatches(daemon.sub.pid!);
  await symlink('/usr', join(root, 'raw/video/evil'));
  // The event wakes a scan, which rejects the link.
  for (let i = 0; i < 100 && !(await lstat(join(root, 'trash/invalid/video/evil')).catch(() => null)); i++) await sleep(100);
  assert.ok((await lstat(join(root, 'trash/invalid/video/evil'))).isSymbolicLink());
  const after = await inotifyWatches(daemon.sub.pid!);
  assert.ok(after - before < 10, `inotify watches went from ${before} to ${after}`);
  daemon.sub.kill('SIGTERM');
  const exit = await daemon.sub;
  assert.equal(exit.exitCode, 0);
});
