// The systemd units in systemd/. Their settings are checked as text everywhere (what operators
// rely on: the command, the user, the stop behaviour, the hardening); `systemd-analyze verify`
// checks them as systemd reads them where it is installed (it exits 0 on unknown keys and bad
// values, printing warnings only, so its output is checked too).
import assert from 'node:assert/strict';
import { access, constants, copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { COMMANDS } from '../src/cli/cli.js';
import { envName, SCHEMA } from '../src/shared/config.js';
import { REPO, tempDir } from './helpers.js';

const UNITS = ['clipmill-main.service', 'clipmill-render@.service', 'clipmill-serve.service'] as const;

/** A unit file as section -> key -> values (a key may be given several times). */
type Unit = Map<string, Map<string, string[]>>;

function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[(.+)\]$/.exec(line);
    if (head) {
      section = new Map();
      unit.set(head[1]!, section);
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(section && eq > 0, `a key=value line inside a section: ${JSON.stringify(line)}`);
    const key = line.slice(0, eq);
    section.set(key, [...(section.get(key) ?? []), line.slice(eq + 1)]);
  }
  return unit;
}

async function unit(name: string): Promise<Unit> {
  return parseUnit(await readFile(join(REPO, 'systemd', name), 'utf8'));
}

/** The one value of a key; fails when it is missing or given twice. */
function one(u: Unit, section: string, key: string): string {
  const values = u.get(section)?.get(key) ?? [];
  assert.equal(values.length, 1, `[${section}] ${key}= given once (got ${JSON.stringify(values)})`);
  return values[0]!;
}

function all(u: Unit, section: string, key: string): string[] {
  return u.get(section)?.get(key) ?? [];
}

// The hardening both units share: nothing but the farm root is writable.
const HARDENING: Record<string, string> = {
  NoNewPrivileges: 'yes',
  ProtectSystem: 'strict',
  ProtectHome: 'yes',
  PrivateTmp: 'yes',
  ProtectKernelTunables: 'yes',
  ProtectKernelModules: 'yes',
  ProtectKernelLogs: 'yes',
  ProtectControlGroups: 'yes',
  ProtectClock: 'yes',
  ProtectHostname: 'yes',
  RestrictSUIDSGID: 'yes',
  RestrictRealtime: 'yes',
  RestrictNamespaces: 'yes',
  LockPersonality: 'yes',
  ReadWritePaths: '/srv/clipmill',
};

test('systemd units: command, user, environment, stop behaviour and hardening', async () => {
  const commands = new Set(COMMANDS.map((c) => c.name));
  const graceMaxS = (SCHEMA.render.shutdownGraceMs as { maxValue: number | null }).maxValue! / 1000;
  for (const [name, command, args] of [['clipmill-main.service', 'main-worker', ''], ['clipmill-render@.service', 'render-worker', ''], ['clipmill-serve.service', 'serve', ' $CLIPMILL_SERVE_ARGS']] as const) {
    const u = await unit(name);
    assert.deepEqual([...u.keys()], ['Unit', 'Service', 'Install'], name);
    // The unit runs the one CLI of the checkout in /opt/clipmill with a command that exists.
    const exec = one(u, 'Service', 'ExecStart');
    assert.equal(exec, `/opt/clipmill/bin/clipmill ${command}${args}`, name);
    assert.ok(commands.has(command), `${command} is a clipmill command`);
    await access(join(REPO, 'bin', 'clipmill'), constants.X_OK);
    assert.equal(one(u, 'Service', 'Type'), 'simple', name);
    assert.equal(one(u, 'Service', 'User'), 'clipmill', name);
    assert.equal(one(u, 'Service', 'Group'), 'clipmill', name);
    assert.equal(one(u, 'Unit', 'RequiresMountsFor'), '/srv/clipmill', name);
    assert.match(one(u, 'Unit', 'After'), /\bremote-fs\.target\b/, `${name}: starts after the shared root is mounted`);
    assert.ok(all(u, 'Service', 'Environment').includes('CLIPMILL_ROOT=/srv/clipmill'), name);
    assert.equal(all(u, 'Service', 'EnvironmentFile')[0], '-/etc/clipmill/clipmill.env', `${name}: the optional site settings first`);
    // Stop: SIGTERM to the CLI only (it stops its own ffmpeg children), then a bounded wait
    // longer than the render grace (render.shutdownGraceMs, at most 90 s) and the CLI's own
    // forced exit (120 s after the signal); restarted after a failure.
    assert.equal(one(u, 'Service', 'KillMode'), 'mixed', name);
    const stopS = Number(one(u, 'Service', 'TimeoutStopSec'));
    assert.equal(stopS, 150, name);
    assert.ok(stopS > graceMaxS && stopS > 120, `${name}: TimeoutStopSec=${stopS} outlasts the grace (${graceMaxS} s) and the forced exit (120 s)`);
    assert.equal(one(u, 'Service', 'Restart'), 'on-failure', name);
    assert.equal(one(u, 'Service', 'RestartSec'), '5', name);
    for (const [key, value] of Object.entries(HARDENING)) assert.equal(one(u, 'Service', key), value, `${name}: ${key}=`);
    assert.equal(one(u, 'Install', 'WantedBy'), 'multi-user.target', name);
  }

  const main = await unit('clipmill-main.service');
  assert.equal(one(main, 'Service', 'PrivateDevices'), 'yes', 'the main worker needs no devices');
  assert.deepEqual(one(main, 'Service', 'RestrictAddressFamilies').split(' '), ['AF_UNIX', 'AF_INET', 'AF_INET6']);

  const serve = await unit('clipmill-serve.service');
  assert.equal(one(serve, 'Service', 'PrivateDevices'), 'yes', 'the server needs no devices');
  assert.deepEqual(one(serve, 'Service', 'RestrictAddressFamilies').split(' '), ['AF_UNIX', 'AF_INET', 'AF_INET6']);
  // Options through one variable, empty by default: 127.0.0.1:8080 unless the site says otherwise.
  assert.ok(all(serve, 'Service', 'Environment').includes('CLIPMILL_SERVE_ARGS='));

  const render = await unit('clipmill-render@.service');
  // Render workers need the GPU device nodes: no PrivateDevices=, and the video/render groups.
  assert.deepEqual(all(render, 'Service', 'PrivateDevices'), []);
  assert.deepEqual(one(render, 'Service', 'SupplementaryGroups').split(' ').sort(), ['render', 'video']);
  assert.deepEqual(one(render, 'Service', 'RestrictAddressFamilies').split(' '), ['AF_UNIX', 'AF_INET', 'AF_INET6', 'AF_NETLINK']);
  // One instance per GPU: its own node id, settings file and scratch folder.
  const env = all(render, 'Service', 'Environment');
  assert.ok(env.includes('CLIPMILL_NODE_ID=%H-%i'), JSON.stringify(env));
  assert.deepEqual(all(render, 'Service', 'EnvironmentFile'), ['-/etc/clipmill/clipmill.env', '-/etc/clipmill/render-%i.env']);
  assert.equal(one(render, 'Service', 'CacheDirectory'), 'clipmill-scratch/%i');
  // The scratch variable is the config override of render.scratchDir, pointing into the cache directory.
  assert.ok(env.includes(`${envName('render', 'scratchDir')}=%C/clipmill-scratch/%i`), JSON.stringify(env));
});

test('systemd units verify cleanly (systemd-analyze)', async (t) => {
  const analyze = await execa('systemd-analyze', ['--version'], { reject: false });
  if (analyze.failed) {
    t.skip('systemd-analyze is not installed: the units were checked as text only');
    return;
  }
  const dir = await tempDir(t);
  for (const name of UNITS) {
    // The units name /opt/clipmill; verify checks that ExecStart exists, so point it here.
    const text = (await readFile(join(REPO, 'systemd', name), 'utf8')).replaceAll('/opt/clipmill', REPO);
    await writeFile(join(dir, name), text);
  }
  await copyFile(join(dir, 'clipmill-render@.service'), join(dir, 'clipmill-render@gpu0.service'));
  for (const name of ['clipmill-main.service', 'clipmill-render@gpu0.service', 'clipmill-serve.service']) {
    const r = await execa('systemd-analyze', ['verify', join(dir, name)], { reject: false });
    assert.equal(r.exitCode, 0, `${name}: ${r.stderr}`);
    const about = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.includes('clipmill'));
    assert.deepEqual(about, [], `${name} has warnings`);
  }
});
