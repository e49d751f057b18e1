// The config schema beyond what config.test.ts pins: every problem is listed with the layer
// that set the value, types come from the schema for environment values, records check
// their keys.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigSchema, loadConfig, SCHEMA } from '../../../src/shared/config.js';
import { isClipmillError } from '../../../src/shared/errors.js';
import { tempDir } from '../../helpers.js';

function configError(fn: () => unknown): Error & { details?: Record<string, unknown> } {
  try {
    fn();
  } catch (err) {
    assert.ok(isClipmillError(err, 'CONFIG_INVALID'), `unexpected error ${String(err)}`);
    return err;
  }
  assert.fail('expected a config error');
}

test('every bad value is listed, each blamed on the layer that set it', async (t) => {
  const file = join(await tempDir(t), 'c.json');
  await writeFile(file, JSON.stringify({ render: { fps: 0 }, tasks: { maxAttempts: 1000 } }));
  const err = configError(() => loadConfig({ file, env: { CLIPMILL_LOG_LEVEL: 'loud' } }));
  assert.match(err.message, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: render\\.fps must be a number >= 1 and <= 240, got 0`));
  assert.match(err.message, /c\.json: tasks\.maxAttempts must be an integer >= 1 and <= 100, got 1000/);
  assert.match(err.message, /environment CLIPMILL_LOG_LEVEL: log\.level must be one of "trace", .*, got "loud"/);
  assert.deepEqual(err.details, { source: file, key: 'render.fps', expected: 'a number >= 1 and <= 240', given: 0 });
});

test('a bad value replaced by a later layer is not an error', async (t) => {
  const file = join(await tempDir(t), 'c.json');
  await writeFile(file, JSON.stringify({ render: { fps: 0 } }));
  assert.equal(loadConfig({ file, env: { CLIPMILL_RENDER_FPS: '25' } }).render.fps, 25);
});

test('environment values are read by the type of their key', () => {
  assert.equal(loadConfig({ env: { CLIPMILL_METRICS_PORT: '' } }).metrics.port, null);
  assert.equal(loadConfig({ env: { CLIPMILL_METRICS_PORT: 'null' } }).metrics.port, null);
  assert.equal(loadConfig({ env: { CLIPMILL_METRICS_PORT: '9100' } }).metrics.port, 9100);
  assert.equal(loadConfig({ env: { CLIPMILL_CRAWL_USER_AGENT: '' } }).crawl.userAgent, null);
  assert.equal(loadConfig({ env: { CLIPMILL_WATCH_USE_POLLING: 'On' } }).watch.usePolling, true);
  assert.deepEqual(loadConfig({ env: { CLIPMILL_TASKS_CATEGORIES: '{"fantasy":{"frame":true}}' } }).tasks.categories, { fantasy: { frame: true } });
  assert.match(configError(() => loadConfig({ env: { CLIPMILL_WATCH_USE_POLLING: 'maybe' } })).message, /CLIPMILL_WATCH_USE_POLLING: watch\.usePolling must be true or false/);
  assert.match(configError(() => loadConfig({ env: { CLIPMILL_RENDER_ENCODER_ARGS: '{' } })).message, /CLIPMILL_RENDER_ENCODER_ARGS: render\.encoderArgs must be a JSON object/);
  assert.match(configError(() => loadConfig({ env: { CLIPMILL_METRICS_PORT: '70000' } })).message, /environment CLIPMILL_METRICS_PORT: metrics\.port must be an integer >= 0 and <= 65535 or null, got 70000/);
  assert.equal(loadConfig({ env: { CLIPMILL_SHORTS_GENERATION_VIDEO_SECONDS: '10' } }).shorts.generationVideoSeconds, 10);
  assert.match(configError(() => loadConfig({ env: { CLIPMILL_SHORTS_GENERATION_VIDEO_SECONDS: '7' } })).message, /shorts\.generationVideoSeconds must be 5 or 10, got 7/);
});

test('record keys and list items are checked and named', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ tasks: { categories: { 'a/b': {} } } }, /tasks\.categories\.a\/b must be a category folder name, got "a\/b"/],
    [{ tasks: { categories: { fantasy: 'yes' } } }, /tasks\.categories\.fantasy must be an object such as/],
    [{ render: { encoderArgs: { 'Bad-Name': [] } } }, /render\.encoderArgs\.Bad-Name must be an encoder name of lowercase letters, digits and underscores/],
    [{ render: { encoderArgs: { libx264: ['-crf', 20] } } }, /render\.encoderArgs\.libx264\[1\] must be a string \(one ffmpeg argument\), got 20/],
    [{ render: { encoders: ['libx264', 'NVENC'] } }, /render\.encoders\[1\] must be an encoder name .*, got "NVENC"/],
    [{ render: 5 }, /overrides: render must be an object, got 5/],
    [{ node: { id: 'main-worker' } }, /node\.id must be 1-128 letters, .*not "main-worker", got "main-worker"/],
    [{ health: { leaseUpdateMs: 5000, leaseStaleMs: 8000 } }, /health\.leaseStaleMs must be at least twice health\.leaseUpdateMs \(5000\), got 8000/],
  ];
  for (const [overrides, re] of cases) assert.match(configError(() => loadConfig({ overrides: overrides as never, env: {} })).message, re);
});

test('the schema is the Config: SCHEMA lists the sections of ConfigSchema', () => {
  assert.deepEqual(Object.keys(SCHEMA), Object.keys(ConfigSchema.shape));
  for (const [s, keys] of Object.entries(SCHEMA)) assert.deepEqual(Object.keys(keys), Object.keys(ConfigSchema.shape[s as keyof typeof SCHEMA].shape));
});
