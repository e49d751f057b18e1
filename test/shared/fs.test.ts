// The file system atomics of DESIGN invariant 2: what a reader can see appears whole or not
// at all, under a dot-named temporary until the rename; moves never replace a file; a
// symbolic link moves as the link itself, never as what it points to.
import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { isClipmillError } from '../../src/shared/errors.js';
import {
  copyFileAtomic,
  exists,
  firstFreePath,
  freeName,
  fsyncPath,
  isExecutable,
  moveFile,
  removeIfExists,
  removeIfSameFile,
  renameNoReplace,
  sameContent,
  tempPathFor,
  writeFileAtomic,
  writeJsonAtomic,
  writeNewFileNoReplace,
  writeNewFileSynced,
} from '../../src/shared/fs.js';
import { tempDir } from '../helpers.js';

const read = (p: string) => readFile(p, 'utf8');
const isDuplicate = (dst: string) => (err: unknown) => isClipmillError(err, 'DUPLICATE') && err.message === `${dst} already exists` && err.details.destination === dst;

/**
 * A temp folder on another file system than the test's temp folders (/dev/shm, a tmpfs), for
 * the EXDEV paths; null (the test is skipped) where there is none.
 */
async function otherFsDir(t: TestContext): Promise<string | null> {
  const dir = await mkdtemp('/dev/shm/clipmill-test-').catch(() => null);
  if (!dir) return null;
  t.after(() => rm(dir, { recursive: true, force: true }));
  return (await stat(dir)).dev === (await stat(tmpdir())).dev ? null : dir;
}

test('tempPathFor: a dot-name beside the final path, random per call', () => {
  const p = tempPathFor('/r/scanned/x/clip.mp4');
  assert.equal(dirname(p), '/r/scanned/x');
  assert.match(basename(p), /^\.clip\.mp4\.tmp-[0-9a-f]{8}$/);
  assert.notEqual(tempPathFor('/r/a.json'), tempPathFor('/r/a.json'));
});

test('exists: lstat-based (a dangling link exists); only ENOENT means no', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'f'), 'x');
  await symlink(join(dir, 'nowhere'), join(dir, 'dangling'));
  assert.equal(await exists(join(dir, 'f')), true);
  assert.equal(await exists(dir), true);
  assert.equal(await exists(join(dir, 'dangling')), true);
  assert.equal(await exists(join(dir, 'missing')), false);
  // A path through a file is an error, not "absent": the caller must not act on it.
  await assert.rejects(exists(join(dir, 'f', 'below')), { code: 'ENOTDIR' });
});

test('writeNewFileSynced: creates a file that must not exist yet', async (t) => {
  const dir = await tempDir(t);
  const p = join(dir, 'new.txt');
  await writeNewFileSynced(p, 'first');
  assert.equal(await read(p), 'first');
  await assert.rejects(writeNewFileSynced(p, 'second'), { code: 'EEXIST' });
  assert.equal(await read(p), 'first', 'untouched');
  await writeNewFileSynced(join(dir, 'bytes.bin'), new Uint8Array([0, 1, 255]));
  assert.deepEqual([...(await readFile(join(dir, 'bytes.bin')))], [0, 1, 255]);
});

test('writeNewFileNoReplace: made whole with its mode, never over a file already there (DUPLICATE, the temp removed); removeIfSameFile removes only that file', async (t) => {
  const dir = await tempDir(t);
  const p = join(dir, 'sub', 'token.json');
  const id = await writeNewFileNoReplace(p, 'mine', { mode: 0o600 });
  assert.equal(await read(p), 'mine');
  assert.equal((await stat(p)).mode & 0o777, 0o600);
  await assert.rejects(writeNewFileNoReplace(p, 'theirs'), { code: 'DUPLICATE' });
  assert.equal(await read(p), 'mine', 'untouched');
  assert.deepEqual(await readdir(join(dir, 'sub')), ['token.json'], 'no temporary left');
  // Replaced by someone else meanwhile: not ours any more, kept.
  await writeFile(join(dir, 'theirs'), 'theirs');
  await rename(join(dir, 'theirs'), p);
  assert.equal(await removeIfSameFile(p, id), false);
  assert.equal(await read(p), 'theirs');
  const mine = await writeNewFileNoReplace(join(dir, 'a.json'), 'x');
  assert.equal(await removeIfSameFile(join(dir, 'a.json'), mine), true);
  assert.equal(await exists(join(dir, 'a.json')), false);
  assert.equal(await removeIfSameFile(join(dir, 'a.json'), mine), false, 'gone: nothing to do');
});

test('writeFileAtomic: makes the parent folders, replaces the file whole, leaves no temporary', async (t) => {
  const dir = await tempDir(t);
  const p = join(dir, 'a', 'b', 'file.json');
  await writeFileAtomic(p, 'one');
  assert.equal(await read(p), 'one');
  await writeFileAtomic(p, 'two');
  assert.equal(await read(p), 'two');
  assert.deepEqual(await readdir(dirname(p)), ['file.json']);
});

test('writeFileAtomic: concurrent writers leave one whole version, never a mix', async (t) => {
  const dir = await tempDir(t);
  const p = join(dir, 'file.txt');
  const versions = Array.from({ length: 12 }, (_, i) => String.fromCharCode(65 + i).repeat(200_000));
  await Promise.all(versions.map((v) => writeFileAtomic(p, v)));
  assert.ok(versions.includes(await read(p)));
  assert.deepEqual(await readdir(dir), ['file.txt']);
});

test('writeFileAtomic: a failed rename removes the temporary and throws', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'target', 'inside'), { recursive: true });
  await assert.rejects(writeFileAtomic(join(dir, 'target'), 'data'), (err: unknown) => isClipmillError(err, 'IO') && ['EISDIR', 'ENOTEMPTY'].includes(String(err.details.errno)) && err.message.includes(join(dir, 'target')));
  assert.deepEqual(await readdir(dir), ['target']);
  assert.deepEqual(await readdir(join(dir, 'target')), ['inside']);
});

test('writeJsonAtomic: two-space JSON and a final newline', async (t) => {
  const dir = await tempDir(t);
  await writeJsonAtomic(join(dir, 'x.json'), { a: 1, b: ['c'], d: null });
  assert.equal(await read(join(dir, 'x.json')), '{\n  "a": 1,\n  "b": [\n    "c"\n  ],\n  "d": null\n}\n');
});

test('copyFileAtomic: the same bytes at the destination, the source kept; a missing source leaves nothing', async (t) => {
  const dir = await tempDir(t);
  const src = join(dir, 'src.bin');
  await writeFile(src, Buffer.alloc(300_000, 7));
  await copyFileAtomic(src, join(dir, 'out', 'copy.bin'));
  assert.equal(await sameContent(src, join(dir, 'out', 'copy.bin')), true);
  assert.equal(await exists(src), true);
  assert.deepEqual(await readdir(join(dir, 'out')), ['copy.bin']);
  await assert.rejects(copyFileAtomic(join(dir, 'missing'), join(dir, 'out2', 'copy.bin')), { code: 'ENOENT' });
  assert.deepEqual(await readdir(join(dir, 'out2')), [], 'no temporary left');
});

test('sameContent: size first, then the bytes', async (t) => {
  const dir = await tempDir(t);
  const f = async (name: string, data: string | Buffer) => {
    await writeFile(join(dir, name), data);
    return join(dir, name);
  };
  const a = await f('a', Buffer.alloc(100_000, 1));
  assert.equal(await sameContent(a, await f('b', Buffer.alloc(100_000, 1))), true);
  const c = Buffer.alloc(100_000, 1);
  c[99_999] = 2;
  assert.equal(await sameContent(a, await f('c', c)), false, 'same size, last byte differs');
  assert.equal(await sameContent(a, await f('d', Buffer.alloc(100_001, 1))), false);
  assert.equal(await sameContent(await f('e1', ''), await f('e2', '')), true);
  await assert.rejects(sameContent(a, join(dir, 'missing')), { code: 'ENOENT' });
});

test('renameNoReplace: moves; an existing destination is DUPLICATE and both stay as they were', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a'), 'A');
  await renameNoReplace(join(dir, 'a'), join(dir, 'b'));
  assert.deepEqual(await readdir(dir), ['b']);
  assert.equal(await read(join(dir, 'b')), 'A');
  await writeFile(join(dir, 'c'), 'C');
  await assert.rejects(renameNoReplace(join(dir, 'c'), join(dir, 'b')), isDuplicate(join(dir, 'b')));
  assert.deepEqual([await read(join(dir, 'b')), await read(join(dir, 'c'))], ['A', 'C']);
  // Not even an empty file or a dangling link is replaced.
  await writeFile(join(dir, 'empty'), '');
  await assert.rejects(renameNoReplace(join(dir, 'c'), join(dir, 'empty')), isDuplicate(join(dir, 'empty')));
  await symlink(join(dir, 'nowhere'), join(dir, 'dangling'));
  await assert.rejects(renameNoReplace(join(dir, 'c'), join(dir, 'dangling')), isDuplicate(join(dir, 'dangling')));
  await assert.rejects(renameNoReplace(join(dir, 'missing'), join(dir, 'd')), { code: 'ENOENT' });
  assert.equal(await exists(join(dir, 'd')), false);
});

test('renameNoReplace: a folder (no hard links) moves by the check-then-rename fallback, never over another', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'task', 'sub'), { recursive: true });
  await writeFile(join(dir, 'task', 'metadata.json'), '{}');
  await renameNoReplace(join(dir, 'task'), join(dir, 'moved'));
  assert.deepEqual((await readdir(join(dir, 'moved'))).sort(), ['metadata.json', 'sub']);
  await mkdir(join(dir, 'other'));
  await assert.rejects(renameNoReplace(join(dir, 'other'), join(dir, 'moved')), isDuplicate(join(dir, 'moved')));
  assert.deepEqual((await readdir(dir)).sort(), ['moved', 'other']);
});

test('moveFile: makes the destination folders; a different file there is DUPLICATE, both kept', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.mp4'), 'video A');
  const dst = join(dir, 'scanned', 'x', 'a.mp4');
  await moveFile(join(dir, 'a.mp4'), dst);
  assert.equal(await read(dst), 'video A');
  assert.equal(await exists(join(dir, 'a.mp4')), false);
  await writeFile(join(dir, 'b.mp4'), 'video B');
  await assert.rejects(moveFile(join(dir, 'b.mp4'), dst), isDuplicate(dst));
  assert.deepEqual([await read(join(dir, 'b.mp4')), await read(dst)], ['video B', 'video A']);
});

test('moveFile: idempotent when the destination already holds the same bytes (a crash before the unlink)', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.mp4'), 'same bytes');
  await mkdir(join(dir, 'dst'));
  await writeFile(join(dir, 'dst', 'a.mp4'), 'same bytes');
  await moveFile(join(dir, 'a.mp4'), join(dir, 'dst', 'a.mp4'));
  assert.deepEqual(await readdir(dir), ['dst']);
  assert.equal(await read(join(dir, 'dst', 'a.mp4')), 'same bytes');
});

test('moveFile of a symbolic link moves the link itself; its target stays where it is', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'secret.txt'), 'outside the root');
  await mkdir(join(dir, 'raw'));
  await symlink(join(dir, 'secret.txt'), join(dir, 'raw', 'link.mp4'));
  await symlink(join(dir, 'nowhere'), join(dir, 'raw', 'dangling.mp4'));
  await moveFile(join(dir, 'raw', 'link.mp4'), join(dir, 'trash', 'link.mp4'));
  await moveFile(join(dir, 'raw', 'dangling.mp4'), join(dir, 'trash', 'dangling.mp4'));
  assert.deepEqual(await readdir(join(dir, 'raw')), []);
  for (const [name, target] of [['link.mp4', 'secret.txt'], ['dangling.mp4', 'nowhere']] as const) {
    assert.ok((await lstat(join(dir, 'trash', name))).isSymbolicLink(), name);
    assert.equal(await readlink(join(dir, 'trash', name)), join(dir, target));
  }
  assert.equal(await read(join(dir, 'secret.txt')), 'outside the root');
});

test('moveFile across file systems (EXDEV): copied whole, the source removed, no temporary left', async (t) => {
  const other = await otherFsDir(t);
  if (!other) return t.skip('no second file system (/dev/shm) here');
  const dir = await tempDir(t);
  const src = join(dir, 'big.bin');
  await writeFile(src, Buffer.alloc(500_000, 3));
  const dst = join(other, 'scanned', 'big.bin');
  await moveFile(src, dst);
  assert.equal(await exists(src), false);
  assert.deepEqual([...new Set(await readFile(dst))], [3]);
  assert.equal((await stat(dst)).size, 500_000);
  assert.deepEqual(await readdir(join(other, 'scanned')), ['big.bin']);
  // Across file systems too, a different file is never replaced.
  await writeFile(src, 'other bytes');
  await assert.rejects(moveFile(src, dst), isDuplicate(dst));
  assert.equal(await read(src), 'other bytes');
});

test('moveFile of a symbolic link across file systems recreates the link, never copies its target', async (t) => {
  const other = await otherFsDir(t);
  if (!other) return t.skip('no second file system (/dev/shm) here');
  const dir = await tempDir(t);
  await writeFile(join(dir, 'secret.txt'), 'outside the root');
  await symlink(join(dir, 'secret.txt'), join(dir, 'link.mp4'));
  await symlink('relative/nowhere', join(dir, 'dangling.mp4'));
  await moveFile(join(dir, 'link.mp4'), join(other, 'trash', 'link.mp4'));
  await moveFile(join(dir, 'dangling.mp4'), join(other, 'trash', 'dangling.mp4'));
  assert.deepEqual((await readdir(dir)).sort(), ['secret.txt']);
  assert.ok((await lstat(join(other, 'trash', 'link.mp4'))).isSymbolicLink());
  assert.equal(await readlink(join(other, 'trash', 'link.mp4')), join(dir, 'secret.txt'));
  assert.equal(await readlink(join(other, 'trash', 'dangling.mp4')), 'relative/nowhere');
});

test('freeName: name, then "name (2)", "name (3)"…, with every companion free too', async (t) => {
  const dir = await tempDir(t);
  assert.equal(await freeName(dir, 'a.mp4'), 'a.mp4');
  await writeFile(join(dir, 'a.mp4'), '');
  assert.equal(await freeName(dir, 'a.mp4'), 'a (2).mp4');
  await writeFile(join(dir, 'a (2).mp4'), '');
  assert.equal(await freeName(dir, 'a.mp4'), 'a (3).mp4');
  // A companion of a candidate taken (a reason file left behind): that candidate is not free.
  await writeFile(join(dir, 'b.mp4.reason.json'), '');
  assert.equal(await freeName(dir, 'b.mp4'), 'b.mp4', 'no companions asked for');
  assert.equal(await freeName(dir, 'b.mp4', [(n) => `${n}.reason.json`]), 'b (2).mp4');
  // Only the last extension is kept apart; a leading dot or no dot: all stem.
  await writeFile(join(dir, 'c.tar.gz'), '');
  assert.equal(await freeName(dir, 'c.tar.gz'), 'c.tar (2).gz');
  await writeFile(join(dir, 'README'), '');
  assert.equal(await freeName(dir, 'README'), 'README (2)');
  await writeFile(join(dir, '.hidden'), '');
  assert.equal(await freeName(dir, '.hidden'), '.hidden (2)');
  assert.equal(await freeName(join(dir, 'missing-folder'), 'a.mp4'), 'a.mp4');
});

test('firstFreePath: base, then base.2, base.3, …', async (t) => {
  const dir = await tempDir(t);
  const base = join(dir, 'task');
  assert.equal(await firstFreePath(base), base);
  await mkdir(base);
  assert.equal(await firstFreePath(base), `${base}.2`);
  await writeFile(`${base}.2`, '');
  await symlink(join(dir, 'nowhere'), `${base}.3`);
  assert.equal(await firstFreePath(base), `${base}.4`, 'a dangling link takes its name too');
});

test('isExecutable: a regular file with an execute bit (links followed); not a folder or a missing path', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'tool'), '#!/bin/sh\n');
  assert.equal(await isExecutable(join(dir, 'tool')), false, 'mode 644');
  await chmod(join(dir, 'tool'), 0o755);
  assert.equal(await isExecutable(join(dir, 'tool')), true);
  await symlink(join(dir, 'tool'), join(dir, 'link'));
  assert.equal(await isExecutable(join(dir, 'link')), true);
  assert.equal(await isExecutable(dir), false);
  assert.equal(await isExecutable(join(dir, 'missing')), false);
});

test('removeIfExists: a folder with its contents, a missing path quietly, a link without its target', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'scratch', 'deep'), { recursive: true });
  await writeFile(join(dir, 'scratch', 'deep', 'f'), 'x');
  await removeIfExists(join(dir, 'scratch'));
  await removeIfExists(join(dir, 'scratch'));
  await mkdir(join(dir, 'target'));
  await writeFile(join(dir, 'target', 'keep'), 'x');
  await symlink(join(dir, 'target'), join(dir, 'link'));
  await removeIfExists(join(dir, 'link'));
  assert.deepEqual(await readdir(dir), ['target']);
  assert.deepEqual(await readdir(join(dir, 'target')), ['keep']);
});

test('fsyncPath: files and folders; a missing path is an error', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'f'), 'x');
  await fsyncPath(join(dir, 'f'));
  await fsyncPath(dir);
  await assert.rejects(fsyncPath(join(dir, 'missing')), { code: 'ENOENT' });
});

test('fitName keeps names within NAME_MAX bytes, distinct and cut at a character boundary; writeFileAtomic names the path it could not write', async (t) => {
  const { fitName, writeFileAtomic } = await import('../../src/shared/fs.js');
  assert.equal(fitName('short.mp4'), 'short.mp4');
  const long = `${'é'.repeat(200)}.mp4`;
  const a = fitName(long);
  assert.ok(Buffer.byteLength(a) <= 255);
  assert.match(a, /^é+~[0-9a-f]{8}$/);
  assert.notEqual(fitName(`${'é'.repeat(200)}.mov`), a, 'distinct long names stay distinct');
  const dir = await tempDir(t);
  await writeFile(join(dir, 'file'), '');
  await assert.rejects(writeFileAtomic(join(dir, 'file', 'x.json'), '{}'), (e: unknown) => isClipmillError(e, 'IO') && /^EEXIST|^ENOTDIR/.test(String(e.details.errno)) && e.message.startsWith(`cannot write ${join(dir, 'file', 'x.json')}: E`));
});
