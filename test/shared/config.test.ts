import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { envName, loadConfig, SCHEMA } from '../../src/shared/config.js';
import { isClipmillError } from '../../src/shared/errors.js';
import { REPO, tempDir } from '../helpers.js';

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isClipmillError(err, 'CONFIG_INVALID') || isClipmillError(err, 'CONFIG_UNREADABLE'), `unexpected error ${String(err)}`);
    return (err as Error).message;
  }
  assert.fail('expected a config error');
}

test('defaults load, validate and are deeply frozen', () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.render.resolution, '1920x1080');
  assert.equal(c.tasks.variationsPerVoice, 1);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.render) && Object.isFrozen(c.render.encoders) && Object.isFrozen(c.render.encoderArgs.libx264));
  assert.throws(() => {
    (c.render as { fps: number }).fps = 1;
  }, TypeError);
});

test('config/default.json and the schema hold the same keys', async () => {
  const defaults = JSON.parse(await readFile(join(REPO, 'config', 'default.json'), 'utf8')) as Record<string, Record<string, unknown>>;
  const fromFile = Object.entries(defaults).flatMap(([s, keys]) => Object.keys(keys).map((k) => `${s}.${k}`)).sort();
  const fromSchema = Object.entries(SCHEMA).flatMap(([s, keys]) => Object.keys(keys).map((k) => `${s}.${k}`)).sort();
  assert.deepEqual(fromFile, fromSchema);
});

test('docs/config.md documents every key', async () => {
  const doc = await readFile(join(REPO, 'docs', 'config.md'), 'utf8');
  for (const [s, keys] of Object.entries(SCHEMA)) for (const k of Object.keys(keys)) assert.match(doc, new RegExp(`^### ${s}\\.${k}$`, 'm'), `docs/config.md lacks "### ${s}.${k}"`);
});

test('a user file is merged over the defaults; encoderArgs merge per encoder', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'c.json');
  await writeFile(file, JSON.stringify({ render: { fps: 25, encoderArgs: { libx264: ['-preset', 'slow'] } }, tasks: { variationsPerVoice: 3 } }));
  const c = loadConfig({ file, env: {} });
  assert.equal(c.render.fps, 25);
  assert.equal(c.tasks.variationsPerVoice, 3);
  assert.deepEqual(c.render.encoderArgs.libx264, ['-preset', 'slow']);
  assert.ok(c.render.encoderArgs.h264_nvenc, 'other encoders keep their defaults');
  assert.equal(c.render.resolution, '1920x1080');
});

test('an unknown key is an error naming it and the file', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'c.json');
  await writeFile(file, JSON.stringify({ render: { fsp: 25 } }));
  const msg = configError(() => loadConfig({ file, env: {} }));
  assert.match(msg, /unknown key "render\.fsp"/);
  assert.ok(msg.includes(file));
  await writeFile(file, JSON.stringify({ rendr: {} }));
  assert.match(configError(() => loadConfig({ file, env: {} })), /unknown key "rendr"/);
});

test('a bad value names the key, what was expected and what was given', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ render: { fps: 'thirty' } }, /render\.fps must be a number >= 1 and <= 240, got "thirty"/],
    [{ render: { resolution: '1920*1080' } }, /render\.resolution must be "WIDTHxHEIGHT" such as "1920x1080", got "1920\*1080"/],
    [{ render: { resolution: '161x90' } }, /render\.resolution must be even width and height/],
    [{ tasks: { maxAttempts: 0 } }, /tasks\.maxAttempts must be an integer >= 1 and <= 100, got 0/],
    [{ tasks: { variationsPerVoice: 1.5 } }, /tasks\.variationsPerVoice must be an integer/],
    [{ render: { fit: 'stretch' } }, /render\.fit must be one of "pad", "crop", got "stretch"/],
    [{ render: { encoders: [] } }, /render\.encoders must be a list of at least 1/],
    [{ render: { encoderArgs: { libx264: '-crf 20' } } }, /render\.encoderArgs\.libx264 must be a list of strings/],
    [{ log: { format: 'xml' } }, /log\.format must be one of "line", "json", got "xml"/],
    [{ ingest: { voiceMinSeconds: 10, voiceMaxSeconds: 5 } }, /ingest\.voiceMaxSeconds must be greater than ingest\.voiceMinSeconds/],
    [{ tasks: { categories: { fantasy: { frame: 'yes' } } } }, /tasks\.categories\.fantasy\.frame must be true or false, got "yes"/],
    [{ tasks: { categories: { fantasy: { logos: 'x.png' } } } }, /unknown key "tasks\.categories\.fantasy\.logos" \(known: logo, frame, priority\)/],
  ];
  for (const [overrides, re] of cases) assert.match(configError(() => loadConfig({ overrides: overrides as never, env: {} })), re);
});

test('a file that is not JSON, or missing, is a clear error', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'c.json');
  await writeFile(file, '{ render: ');
  assert.match(configError(() => loadConfig({ file, env: {} })), /is not valid JSON/);
  assert.match(configError(() => loadConfig({ file: join(dir, 'nope.json'), env: {} })), /cannot read config file .*nope\.json/);
});

test('environment overrides win over the file and are validated', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'c.json');
  await writeFile(file, JSON.stringify({ render: { fps: 25 } }));
  const c = loadConfig({ file, env: { CLIPMILL_RENDER_FPS: '50', CLIPMILL_INGEST_STABLE_MS: '250', CLIPMILL_RENDER_ENCODERS: 'libx264, h264_nvenc', CLIPMILL_LOG_FORMAT: 'json', CLIPMILL_ROOT: '/x' } });
  assert.equal(c.render.fps, 50);
  assert.equal(c.ingest.stableMs, 250);
  assert.deepEqual(c.render.encoders, ['libx264', 'h264_nvenc']);
  assert.equal(c.log.format, 'json');
  assert.match(configError(() => loadConfig({ env: { CLIPMILL_RENDER_FPS: 'fast' } })), /CLIPMILL_RENDER_FPS: render\.fps must be a number, got "fast"/);
  assert.match(configError(() => loadConfig({ env: { CLIPMILL_RENDER_FSP: '5' } })), /CLIPMILL_RENDER_FSP is not a clipmill setting/);
  assert.equal(envName('ingest', 'stableMs'), 'CLIPMILL_INGEST_STABLE_MS');
});
