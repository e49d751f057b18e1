// The systemd units pass `systemd-analyze verify` with nothing to say about them (it exits 0
// on unknown keys and bad values, printing warnings only, so the output is checked too).
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { REPO, tempDir } from './helpers.js';

const analyze = await execa('systemd-analyze', ['--version'], { reject: false });

test('systemd units verify cleanly', { skip: analyze.failed ? 'systemd-analyze is not installed' : false }, async (t) => {
  const dir = await tempDir(t);
  for (const unit of ['clipmill-main.service', 'clipmill-render@.service']) {
    // The units name /opt/clipmill; verify checks that ExecStart exists, so point it here.
    const text = (await readFile(join(REPO, 'systemd', unit), 'utf8')).replaceAll('/opt/clipmill', REPO);
    await writeFile(join(dir, unit), text);
  }
  await copyFile(join(dir, 'clipmill-render@.service'), join(dir, 'clipmill-render@gpu0.service'));
  for (const unit of ['clipmill-main.service', 'clipmill-render@gpu0.service']) {
    const r = await execa('systemd-analyze', ['verify', join(dir, unit)], { reject: false });
    assert.equal(r.exitCode, 0, `${unit}: ${r.stderr}`);
    const about = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.includes('clipmill'));
    assert.deepEqual(about, [], `${unit} has warnings`);
  }
  const main = await readFile(join(REPO, 'systemd', 'clipmill-main.service'), 'utf8');
  for (const line of ['User=clipmill', 'ProtectSystem=strict', 'NoNewPrivileges=yes', 'Restart=on-failure', 'ReadWritePaths=/srv/clipmill', 'TimeoutStopSec=150']) assert.ok(main.includes(line), line);
});
