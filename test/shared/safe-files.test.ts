import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isClipmillError } from '../../src/shared/errors.js';
import { copyRegularFile, isInside, linkOrCopyRegularFile, resolveAllowed } from '../../src/shared/safe-files.js';
import { tempDir } from '../helpers.js';

test('resolveAllowed: regular files inside the allowed folders, links followed; everything else is TASK_INVALID', async (t) => {
  const dir = await tempDir(t);
  const inside = join(dir, 'root', 'scanned');
  await mkdir(inside, { recursive: true });
  await writeFile(join(inside, 'a.mp4'), 'a');
  await writeFile(join(dir, 'outside.mp4'), 'x');
  await symlink('a.mp4', join(inside, 'link.mp4'));
  await symlink(join(dir, 'outside.mp4'), join(inside, 'escape.mp4'));
  execFileSync('mkfifo', [join(inside, 'fifo.mp4')]);
  assert.equal(await resolveAllowed(join(inside, 'link.mp4'), [inside], 'voice'), join(inside, 'a.mp4'));
  const refused = async (p: string, re: RegExp) => assert.rejects(resolveAllowed(p, [inside], 'the input'), (e: unknown) => isClipmillError(e, 'TASK_INVALID') && re.test(e.message) && e.details.stage === 'claim');
  await refused(join(inside, 'escape.mp4'), /outside the places a task may read/);
  await refused(join(inside, '..', '..', 'outside.mp4'), /outside/);
  await refused('/etc/passwd', /outside/);
  await refused(join(inside, 'missing.mp4'), /missing/);
  await refused(join(inside, 'fifo.mp4'), /not a regular file \(a FIFO\)/);
  await refused(inside, /not a regular file \(a folder\)/);
  assert.equal(isInside('/a/b', '/a/b/c'), true);
  assert.equal(isInside('/a/b', '/a/bc'), false);
});

test('copyRegularFile copies, never opens a FIFO, and stops when aborted', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'src'), 'payload');
  await copyRegularFile(join(dir, 'src'), join(dir, 'dst'));
  assert.equal(await readFile(join(dir, 'dst'), 'utf8'), 'payload');
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  await assert.rejects(copyRegularFile(join(dir, 'fifo'), join(dir, 'dst2')), (e: unknown) => isClipmillError(e, 'TASK_INVALID'));
  await assert.rejects(copyRegularFile(join(dir, 'src'), join(dir, 'dst3'), AbortSignal.abort()), /abort/i);
});

test('linkOrCopyRegularFile links on one file system, copies across, and refuses what is not a regular file', async (t) => {
  const dir = await tempDir(t);
  const src = join(dir, 'src');
  await writeFile(src, 'payload');
  await writeFile(join(dir, 'dst'), 'an older file');
  await linkOrCopyRegularFile(src, join(dir, 'dst'));
  assert.equal((await stat(join(dir, 'dst'))).ino, (await stat(src)).ino, 'the same file, no byte copied');
  assert.equal(await readFile(join(dir, 'dst'), 'utf8'), 'payload');
  // Another file system (/dev/shm, a tmpfs, where the temp folder is not on it): EXDEV, so a copy.
  const other = (await stat('/dev/shm').catch(() => null))?.dev !== (await stat(dir)).dev ? await mkdtemp('/dev/shm/clipmill-test-').catch(() => null) : null;
  if (other) {
    t.after(() => rm(other, { recursive: true, force: true }));
    await linkOrCopyRegularFile(src, join(other, 'dst'));
    assert.notEqual((await stat(join(other, 'dst'))).ino, (await stat(src)).ino);
    assert.equal(await readFile(join(other, 'dst'), 'utf8'), 'payload');
  }
  // A link (its hard link would be a link too) and a FIFO are refused, nothing left behind.
  await symlink(src, join(dir, 'symlink'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  for (const bad of ['symlink', 'fifo']) {
    await assert.rejects(linkOrCopyRegularFile(join(dir, bad), join(dir, `${bad}.copy`)), (e: unknown) => isClipmillError(e, 'TASK_INVALID'));
    await assert.rejects(stat(join(dir, `${bad}.copy`)), { code: 'ENOENT' });
  }
  await assert.rejects(linkOrCopyRegularFile(src, join(dir, 'dst4'), AbortSignal.abort()), /abort/i);
});

test('readRegularFile: a FIFO, a link (to /dev/zero) and an oversized file are refused at once, never read', async (t) => {
  const { readRegularFile } = await import('../../src/shared/safe-files.js');
  const dir = await tempDir(t);
  await writeFile(join(dir, 'ok.json'), '{"a":1}');
  assert.equal(await readRegularFile(join(dir, 'ok.json')), '{"a":1}');
  execFileSync('mkfifo', [join(dir, 'fifo.json')]);
  await assert.rejects(readRegularFile(join(dir, 'fifo.json')), (e: NodeJS.ErrnoException) => e.code === 'EINVAL');
  await symlink('/dev/zero', join(dir, 'zero.json'));
  await assert.rejects(readRegularFile(join(dir, 'zero.json')), (e: NodeJS.ErrnoException) => e.code === 'ELOOP');
  await assert.rejects(readRegularFile(join(dir, 'ok.json'), 3), (e: NodeJS.ErrnoException) => e.code === 'EFBIG');
});
