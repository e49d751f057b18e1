// The progress of `clipmill render`: the numbers, the bar redrawn in place on a terminal, and
// plain lines at most every interval elsewhere (a fake clock).
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { clock, progressBar, progressLine, progressNumbers, progressReporter, progressText } from '../../../src/cli/render/progress.js';

function sink() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, chunks };
}

test('clock, percentage, speed and ETA', () => {
  assert.deepEqual([clock(0), clock(65), clock(3723), clock(-3)], ['0:00', '1:05', '1:02:03', '0:00']);
  assert.deepEqual(progressNumbers({ done: 5, total: 20, elapsed: 2 }), { percent: 25, speed: 2.5, eta: 6 });
  assert.deepEqual(progressNumbers({ done: 0, total: 20, elapsed: 2 }), { percent: 0, speed: null, eta: null });
  assert.equal(progressNumbers({ done: 25, total: 20, elapsed: 5 }).percent, 100, 'ffmpeg may report past the end');
  assert.equal(progressText({ done: 5, total: 20, elapsed: 2 }), ' 25%  5.0/20.0 s  2.50x  ETA 0:06');
  assert.equal(progressText({ done: 0, total: 300, elapsed: 1 }), '  0%  0/300 s  --  ETA --');
  assert.equal(progressLine({ done: 5, total: 20, elapsed: 2 }), 'Rendering: 25% (5.0/20.0 s, 2.50x realtime, ETA 0:06)');
  assert.equal(progressLine({ done: 0, total: 20, elapsed: 0 }), 'Rendering: 0% (0.0/20.0 s, speed unknown, ETA unknown)');
});

test('the bar fits the terminal width and fills with the percentage', () => {
  const half = progressBar({ done: 10, total: 20, elapsed: 5 }, 80);
  assert.ok(half.length <= 80, half);
  const bar = /^\[([=> ]+)\]/.exec(half)![1]!;
  assert.equal(bar.length, 40);
  assert.equal(bar.indexOf('>'), 19);
  assert.match(progressBar({ done: 20, total: 20, elapsed: 5 }, 80), /^\[=+\] 100%/);
  assert.match(progressBar({ done: 0, total: 20, elapsed: 5 }, 80), /^\[ +\]   0%/);
  assert.match(progressBar({ done: 1, total: 20, elapsed: 5 }, 30), /^\[[=> ]{10}\]/, 'at least 10 cells on a narrow terminal');
});

test('on a terminal: the bar redrawn in place (throttled), drawn at 100% and ended with a newline', () => {
  const { stream, chunks } = sink();
  let now = 0;
  const r = progressReporter(stream, 10, { tty: true, columns: 80, now: () => now });
  now = 1000;
  r.update(2);
  now = 1050;
  r.update(3); // within 100 ms of the last redraw: skipped
  now = 1200;
  r.update(4);
  r.end(true);
  assert.equal(chunks.length, 4);
  for (const c of chunks.slice(0, 3)) assert.match(c, /^\r\[.*\x1b\[K$/);
  assert.match(chunks[0]!, / 20%  2\.0\/10\.0 s  2\.00x/);
  assert.match(chunks[1]!, / 40%  4\.0\/10\.0 s/);
  assert.match(chunks[2]!, /100%  10\.0\/10\.0 s/);
  assert.equal(chunks[3], '\n');
});

test('elsewhere: a plain line every interval at most, none for a short render, nothing to end', () => {
  const { stream, chunks } = sink();
  let now = 0;
  const r = progressReporter(stream, 100, { tty: false, now: () => now });
  for (let t = 1; t <= 25; t++) {
    now = t * 1000;
    r.update(t * 2);
  }
  r.end(true);
  assert.deepEqual(chunks, ['Rendering: 20% (20/100 s, 2.00x realtime, ETA 0:40)\n', 'Rendering: 40% (40/100 s, 2.00x realtime, ETA 0:30)\n']);
  const quiet = sink();
  const q = progressReporter(quiet.stream, 2, { tty: false, now: () => 500 });
  q.update(1);
  q.end(false);
  assert.deepEqual(quiet.chunks, []);
});
