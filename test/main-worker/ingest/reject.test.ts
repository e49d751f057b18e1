// Rejects: the file goes to trash/invalid/<its path under raw/>, beside <name>.reason.json
// with the code, the message, where it came from and what ffprobe saw; never over anything.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { rejectFile } from '../../../src/main-worker/ingest/reject.js';
import { ClipmillError } from '../../../src/shared/errors.js';
import type { ReasonFile } from '../../../src/shared/ingest-files.js';
import { walk } from '../../helpers.js';
import { ingestEnv } from './env.js';

const text = (s: string) => (p: string) => writeFile(p, s);

async function reason(path: string): Promise<ReasonFile> {
  return JSON.parse(await readFile(`${path}.reason.json`, 'utf8')) as ReasonFile;
}

test('a rejected file: moved as it is, its reason beside it (code, message, raw path, probe, other facts), a warning logged', async (t) => {
  const env = await ingestEnv(t);
  const file = await env.raw('video/c/a clip.mp4', text('bytes'));
  const probe = { format: 'mov,mp4', duration: 0.2 };
  const err = new ClipmillError('TOO_SHORT', 'the clip lasts 0.20 s, less than ingest.minClipSeconds (0.5 s)', { details: { probe, limit: 0.5 } });
  const dest = await rejectFile(env.ctx, file.path, file.rel, 'raw/video/c/a clip.mp4', err);
  assert.equal(dest, join(env.layout.trashInvalid, 'video/c/a clip.mp4'));
  assert.equal(await readFile(dest, 'utf8'), 'bytes');
  assert.deepEqual(await walk(env.layout.raw), []);
  const r = await reason(dest);
  assert.ok(!Number.isNaN(Date.parse(r.rejected_at)), r.rejected_at);
  assert.deepEqual({ ...r, rejected_at: '' }, {
    code: 'TOO_SHORT',
    message: 'the clip lasts 0.20 s, less than ingest.minClipSeconds (0.5 s)',
    raw_path: 'raw/video/c/a clip.mp4',
    rejected_at: '',
    probe,
    details: { limit: 0.5 },
  });
  assert.match(env.log(), /Rejected file raw\/video\/c\/a clip\.mp4 → trash\/invalid\/video\/c\/a clip\.mp4: the clip lasts 0\.20 s/);
});

test('an error from outside the catalog is an IO reject without facts; a probe that is not an object is left out', async (t) => {
  const env = await ingestEnv(t);
  const a = await env.raw('music/c/a.mp3', text('a'));
  const destA = await rejectFile(env.ctx, a.path, a.rel, 'raw/music/c/a.mp3', new Error('EACCES: permission denied'));
  assert.deepEqual({ ...(await reason(destA)), rejected_at: '' }, { code: 'IO', message: 'EACCES: permission denied', raw_path: 'raw/music/c/a.mp3', rejected_at: '', probe: null, details: {} });
  const b = await env.raw('music/c/b.mp3', text('b'));
  const destB = await rejectFile(env.ctx, b.path, b.rel, 'raw/music/c/b.mp3', new ClipmillError('PROBE_FAILED', 'moov atom not found', { details: { probe: ['not', 'facts'], file: 'x' } }));
  const r = await reason(destB);
  assert.deepEqual([r.code, r.probe, r.details], ['PROBE_FAILED', null, { file: 'x' }]);
});

test('a name taken in trash/invalid (by a file or by a reason) gets the next free one: nothing is overwritten', async (t) => {
  const env = await ingestEnv(t);
  const err = new ClipmillError('RAW_EMPTY', 'the file is empty (0 bytes)');
  const first = await env.raw('video/c/x.mp4', text('1'));
  assert.equal(await rejectFile(env.ctx, first.path, first.rel, 'raw/video/c/x.mp4', err), join(env.layout.trashInvalid, 'video/c/x.mp4'));
  const second = await env.raw('video/c/x.mp4', text('2'));
  assert.equal(await rejectFile(env.ctx, second.path, second.rel, 'raw/video/c/x.mp4', err), join(env.layout.trashInvalid, 'video/c/x (2).mp4'));
  // An operator's own file named like the next reason: that name is skipped too.
  await writeFile(join(env.layout.trashInvalid, 'video/c/x (3).mp4.reason.json'), 'mine');
  const third = await env.raw('video/c/x.mp4', text('3'));
  assert.equal(await rejectFile(env.ctx, third.path, third.rel, 'raw/video/c/x.mp4', err), join(env.layout.trashInvalid, 'video/c/x (4).mp4'));
  assert.equal(await readFile(join(env.layout.trashInvalid, 'video/c/x (3).mp4.reason.json'), 'utf8'), 'mine');
  assert.deepEqual(await Promise.all(['x.mp4', 'x (2).mp4', 'x (4).mp4'].map((n) => readFile(join(env.layout.trashInvalid, 'video/c', n), 'utf8'))), ['1', '2', '3']);
});

test('the reason is written before the file moves: a file that cannot be moved stays, its reason is an orphan', async (t) => {
  const env = await ingestEnv(t);
  const gone = join(env.layout.raw, 'video/c/gone.mp4');
  await assert.rejects(rejectFile(env.ctx, gone, 'video/c/gone.mp4', 'raw/video/c/gone.mp4', new Error('x')), { code: 'ENOENT' });
  assert.deepEqual(await readdir(join(env.layout.trashInvalid, 'video/c')), ['gone.mp4.reason.json']);
  // The next try takes the following name; the orphan stays, harmless.
  const back = await env.raw('video/c/gone.mp4', text('here now'));
  assert.equal(await rejectFile(env.ctx, back.path, back.rel, 'raw/video/c/gone.mp4', new Error('x')), join(env.layout.trashInvalid, 'video/c/gone (2).mp4'));
});
