import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, formatLine } from '../../src/shared/log.js';

function sink() {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { out, lines };
}

test('the line format is the spec\'s: ISO time, LEVEL, component, quoted message', () => {
  const line = formatLine({ level: 30, time: Date.UTC(2025, 10, 10, 18, 3, 44, 512), component: 'main_worker', msg: 'Moved file raw/a b.mp4 → scanned/x.mp4' });
  assert.equal(line, '2025-11-10T18:03:44Z INFO main_worker "Moved file raw/a b.mp4 → scanned/x.mp4"\n');
});

test('bound fields follow as key=value, untrusted text stays on one line', () => {
  const line = formatLine({ level: 40, time: 0, component: 'render_worker', msg: 'Low disk space: 2.3GB remaining', task: 'abc', file: 'raw/evil\nname "q".mp4', err: { message: 'boom\nsecond line', code: 'IO' } });
  assert.equal(line.split('\n').length, 2, 'exactly one line');
  assert.match(line, /^1970-01-01T00:00:00Z WARN render_worker "Low disk space: 2\.3GB remaining" task=abc file="raw\/evil\\nname \\"q\\"\.mp4" code=IO err="boom\\nsecond line"\n$/);
});

test('child loggers carry their component; json format prints pino JSON', () => {
  const a = sink();
  createLogger({ format: 'line', level: 'info', out: a.out }).child({ component: 'crawl' }).info({ task: 't1' }, 'hello');
  assert.match(a.lines[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ INFO crawl "hello" task=t1$/);
  const b = sink();
  const log = createLogger({ format: 'json', level: 'info', out: b.out }).child({ component: 'crawl' });
  log.debug('hidden');
  log.warn({ task: 't2' }, 'careful');
  assert.equal(b.lines.length, 1);
  const rec = JSON.parse(b.lines[0]!) as Record<string, unknown>;
  assert.equal(rec.component, 'crawl');
  assert.equal(rec.msg, 'careful');
  assert.equal(rec.task, 't2');
  assert.equal(rec.level, 40);
});
