// What every command shares: argument parsing (one-line USAGE errors that point at --help),
// the project root (--root, then CLIPMILL_ROOT; checked when it must exist), the config
// (--config, then CLIPMILL_CONFIG, then the command's overrides, then CLIPMILL_* variables) and
// the component logger.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { initRoot } from '../../src/cli/commands/init.js';
import { COMMON_HELP, COMMON_OPTIONS, configFrom, loggerFor, parse, rootFrom, usageError, type Command, type ParsedArgs } from '../../src/cli/common.js';
import { isClipmillError } from '../../src/shared/errors.js';
import { tempDir, testConfig } from '../helpers.js';

function command(over: Partial<Command> = {}): Command {
  return { name: 'frob', summary: '', usage: 'clipmill frob', help: '', options: { ...COMMON_OPTIONS, once: { type: 'boolean' }, count: { type: 'string' } }, run: async () => 0, ...over };
}

const usage = (message: string) => (err: unknown) => isClipmillError(err, 'USAGE') && err.message === message;
/** parse() with its values as a plain object (node:util gives them a null prototype). */
const parsed = (cmd: Command, argv: string[]) => {
  const r = parse(cmd, argv);
  return { values: { ...r.values }, positionals: r.positionals };
};
const args = (values: ParsedArgs['values'] = {}): ParsedArgs => ({ values, positionals: [] });

test('usageError is a USAGE ClipmillError with the message as given', () => {
  const e = usageError('missing <root>');
  assert.ok(isClipmillError(e, 'USAGE'));
  assert.equal(e.message, 'missing <root>');
  assert.equal(e.errorClass, 'fatal');
});

test('the common options and their help', () => {
  assert.deepEqual(COMMON_OPTIONS, { root: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  assert.deepEqual(COMMON_HELP.split('\n').map((l) => l.trim().split(/\s{2,}/)[0]), ['--root <dir>', '--config <file>', '-h, --help']);
});

test('parse: options and positionals as declared', () => {
  assert.deepEqual(parsed(command(), ['--root', '/r', '--once', '--count=3']), { values: { root: '/r', once: true, count: '3' }, positionals: [] });
  assert.deepEqual(parsed(command(), ['-h']).values, { help: true });
  assert.deepEqual(parsed(command({ allowPositionals: 2 }), ['a', '--once', 'b']), { values: { once: true }, positionals: ['a', 'b'] });
  assert.deepEqual(parsed(command(), []), { values: {}, positionals: [] });
});

test('parse: wrong usage is a one-line USAGE error that points at the command\'s --help', () => {
  // node:util's own wording (it varies with Node's version), its first line only.
  assert.throws(() => parse(command(), ['--bogus']), (err: unknown) => isClipmillError(err, 'USAGE') && /^Unknown option '--bogus'.*; see clipmill frob --help$/.test(err.message) && !err.message.includes('\n'));
  assert.throws(() => parse(command(), ['--root']), (err: unknown) => isClipmillError(err, 'USAGE') && /^Option '--root <value>' argument missing; see clipmill frob --help$/.test(err.message));
  assert.throws(() => parse(command(), ['--once=yes']), (err: unknown) => isClipmillError(err, 'USAGE') && /--once.*; see clipmill frob --help$/.test(err.message) && !err.message.includes('\n'));
  // Positionals beyond what the command takes (none by default).
  assert.throws(() => parse(command(), ['extra']), usage('unexpected argument "extra"; see clipmill frob --help'));
  assert.throws(() => parse(command({ allowPositionals: 1 }), ['a', 'b', 'c']), usage('unexpected argument "b"; see clipmill frob --help'));
  // With --help anything goes: the help is printed instead.
  assert.deepEqual(parsed(command(), ['extra', '--help']), { values: { help: true }, positionals: ['extra'] });
});

test('rootFrom: --root wins over CLIPMILL_ROOT; either is made absolute; neither is ROOT_MISSING', () => {
  assert.equal(rootFrom(args({ root: '/a' }), { CLIPMILL_ROOT: '/b' }, { mustExist: false }), '/a');
  assert.equal(rootFrom(args(), { CLIPMILL_ROOT: '/b/' }, { mustExist: false }), '/b');
  assert.equal(rootFrom(args({ root: 'rel/root' }), {}, { mustExist: false }), resolve('rel/root'));
  assert.throws(() => rootFrom(args(), {}, { mustExist: false }), (err: unknown) => isClipmillError(err, 'ROOT_MISSING') && err.message === 'no project root: pass --root <dir> or set CLIPMILL_ROOT');
  assert.throws(() => rootFrom(args(), { CLIPMILL_ROOT: '' }, { mustExist: false }), (err: unknown) => isClipmillError(err, 'ROOT_MISSING'), 'an empty variable is no root');
});

test('rootFrom with mustExist: a missing folder, a file, or a folder that is not a root are ROOT_MISSING, with the init command', async (t) => {
  const dir = await tempDir(t);
  const missing = join(dir, 'missing');
  assert.throws(() => rootFrom(args({ root: missing }), {}, { mustExist: true }), (err: unknown) => isClipmillError(err, 'ROOT_MISSING') && err.message === `project root ${missing} does not exist; create it with: clipmill init ${missing}`);
  await writeFile(join(dir, 'file'), '');
  assert.throws(() => rootFrom(args({ root: join(dir, 'file') }), {}, { mustExist: true }), (err: unknown) => isClipmillError(err, 'ROOT_MISSING') && /does not exist/.test(err.message));
  await mkdir(join(dir, 'plain'));
  assert.throws(() => rootFrom(args({ root: join(dir, 'plain') }), {}, { mustExist: true }), (err: unknown) => isClipmillError(err, 'ROOT_MISSING') && err.message === `${join(dir, 'plain')} is not a clipmill root (it has no raw/); create the tree with: clipmill init ${join(dir, 'plain')}`);
  await initRoot(join(dir, 'root'));
  assert.equal(rootFrom(args(), { CLIPMILL_ROOT: join(dir, 'root') }, { mustExist: true }), join(dir, 'root'));
});

test('configFrom: defaults, then --config (else CLIPMILL_CONFIG), then the overrides, then CLIPMILL_* variables', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.json'), JSON.stringify({ render: { fps: 24, fit: 'crop' } }));
  await writeFile(join(dir, 'b.json'), JSON.stringify({ render: { fps: 50 } }));
  assert.deepEqual(configFrom(args(), {}), testConfig());
  assert.equal(configFrom(args({ config: join(dir, 'a.json') }), { CLIPMILL_CONFIG: join(dir, 'b.json') }).render.fps, 24, '--config wins');
  assert.equal(configFrom(args(), { CLIPMILL_CONFIG: join(dir, 'b.json') }).render.fps, 50);
  const c = configFrom(args({ config: join(dir, 'a.json') }), {}, { render: { fps: 60 } });
  assert.deepEqual([c.render.fps, c.render.fit], [60, 'crop'], 'the overrides over the file, the rest of the file kept');
  assert.equal(configFrom(args({ config: join(dir, 'a.json') }), { CLIPMILL_RENDER_FPS: '12' }, { render: { fps: 60 } }).render.fps, 12, 'the environment last');
  assert.ok(Object.isFrozen(c.render));
});

test('configFrom: a relative --config is taken from the working folder; a missing or bad one is a CONFIG_* error', async (t) => {
  const dir = await tempDir(t);
  assert.throws(() => configFrom(args({ config: 'no/such.json' }), {}), (err: unknown) => isClipmillError(err, 'CONFIG_UNREADABLE') && err.message.startsWith(`cannot read config file ${resolve('no/such.json')}: ENOENT`));
  await writeFile(join(dir, 'bad.json'), JSON.stringify({ render: { fps: 0 } }));
  assert.throws(() => configFrom(args({ config: join(dir, 'bad.json') }), {}), (err: unknown) => isClipmillError(err, 'CONFIG_INVALID') && /render\.fps must be a number >= 1 and <= 240, got 0/.test(err.message));
});

test('loggerFor: the configured format and level, with the component bound', () => {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  const line = loggerFor(testConfig({ log: { level: 'warn' } }), 'cli', out);
  line.info('not shown');
  line.warn({ task: 't1' }, 'Retry of t1 refused');
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ WARN cli "Retry of t1 refused" task=t1$/);
  const json = loggerFor(testConfig({ log: { format: 'json' } }), 'demo', out);
  json.info('hello');
  const rec = JSON.parse(lines[1]!) as Record<string, unknown>;
  assert.deepEqual([rec.component, rec.msg, rec.level], ['demo', 'hello', 30]);
});
