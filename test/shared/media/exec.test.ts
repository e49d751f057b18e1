import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limitChildMemory, mediaCommand } from '../../../src/shared/media/exec.js';

test('mediaCommand: prlimit then env, never a shell; no limit means the binary itself', (t) => {
  t.after(() => limitChildMemory(0));
  assert.equal(limitChildMemory(0), true);
  assert.deepEqual(mediaCommand('/usr/bin/ffmpeg', ['-i', "a b'.mp4"]), ['/usr/bin/ffmpeg', ['-i', "a b'.mp4"]]);
  assert.equal(limitChildMemory(512), true, 'prlimit (util-linux) is installed');
  const [file, args] = mediaCommand('/usr/bin/ffmpeg', ['-i', "a b'.mp4"]);
  assert.match(file, /\/prlimit$/);
  assert.deepEqual(args, [`--as=${512 * 1024 * 1024}`, '--', 'env', 'MALLOC_ARENA_MAX=2', '/usr/bin/ffmpeg', '-i', "a b'.mp4"]);
});

test('startsUnderLimit: ffprobe starts under the default limit; under 20 MB it cannot even load, and says why', async (t) => {
  const { startsUnderLimit } = await import('../../../src/shared/media/exec.js');
  const { binaries } = await import('../../helpers.js');
  t.after(() => limitChildMemory(0));
  const { ffprobe } = await binaries();
  limitChildMemory(4096);
  assert.equal(await startsUnderLimit(ffprobe.path), null);
  limitChildMemory(20);
  assert.ok(await startsUnderLimit(ffprobe.path));
});
