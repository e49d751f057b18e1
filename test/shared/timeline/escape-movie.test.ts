// Filter escaping at the edges of a value (spaces and tabs the parsers would trim), then for
// real: the movie source opens images whose paths hold quotes, brackets, separators,
// backslashes, Unicode and spaces at their ends, through filterValue. escape.test.ts has the
// two levels character by character.
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { filterValue, graphValue, optionValue } from '../../../src/shared/timeline/escape.js';
import { binaries, tempDir } from '../../helpers.js';

test('spaces and tabs at the ends survive both parsers; inside a value they need nothing', () => {
  assert.equal(optionValue('a b'), 'a b');
  assert.equal(optionValue(' a b '), '\\ a b\\ ');
  assert.equal(optionValue('\t a'), '\\\t\\ a');
  assert.equal(graphValue('x  '), 'x\\ \\ ');
  assert.equal(filterValue(' x'), '\\\\ x');
  assert.equal(filterValue('x '), 'x\\\\\\ ');
});

test('hostile paths reach a filter byte for byte (movie source)', async (t) => {
  const dir = await tempDir(t);
  const { ffmpeg } = await binaries();
  const png = join(dir, 'src.png');
  await execa(ffmpeg.path, ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=0x808080:s=8x8', '-frames:v', '1', png]);
  const names = ["it's [a]; b,c:d=e\\f ✓.png", ' leading and trailing .png ', '\ttab.png', "''\\\\'.png", 'x%20y$(z).png'];
  for (const name of names) {
    const path = join(dir, name);
    await copyFile(png, path);
    const r = await execa(ffmpeg.path, ['-v', 'error', '-filter_complex', `movie=filename=${filterValue(path)},format=gray`, '-frames:v', '1', '-f', 'rawvideo', '-'], { encoding: 'buffer', reject: false });
    assert.equal(r.exitCode, 0, `${JSON.stringify(name)}: ${Buffer.from(r.stderr).toString()}`);
    assert.equal(r.stdout.length, 64, JSON.stringify(name));
  }
});
