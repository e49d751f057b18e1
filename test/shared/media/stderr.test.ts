import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ffmpegErrorLines, machineFailureIn } from '../../../src/shared/media/stderr.js';

test('ffmpegErrorLines drops component prefixes and blank lines', () => {
  assert.deepEqual(ffmpegErrorLines('[h264_nvenc @ 0x55d0a1b2c3d0] Cannot load libcuda.so.1\n\n  Conversion failed!  \n'), ['Cannot load libcuda.so.1', 'Conversion failed!']);
});

test('machineFailureIn: ENOSPC, EDQUOT, EIO and ENOMEM from ffmpeg\'s words; a bad input is not the machine\'s', () => {
  const enospc = machineFailureIn('[mp3 @ 0x5555] Error writing trailer of /r/scanned/x.mp3: No space left on device\n');
  assert.deepEqual(enospc, { code: 'IO', errno: 'ENOSPC', line: 'Error writing trailer of /r/scanned/x.mp3: No space left on device' });
  assert.equal(machineFailureIn('av_interleaved_write_frame(): Disk quota exceeded')?.errno, 'EDQUOT');
  assert.equal(machineFailureIn('Error reading /mnt/share/a.mp4: Input/output error')?.errno, 'EIO');
  assert.equal(machineFailureIn('[h264 @ 0x1] Cannot allocate memory')?.code, 'OUT_OF_MEMORY');
  assert.equal(machineFailureIn('[h264 @ 0x1] Invalid data found when processing input\nConversion failed!'), null);
  assert.equal(machineFailureIn(''), null);
});
