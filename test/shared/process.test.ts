// processAlive: whether a pid names a running process (the stale lock and claim checks).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { processAlive } from '../../src/shared/process.js';

test('this process and init are alive; a pid no process can have is not', () => {
  assert.equal(processAlive(process.pid), true);
  // pid 1 runs as root: for an unprivileged test run this is the EPERM case ("runs, as another user").
  assert.equal(processAlive(1), true);
  // Above any pid_max (at most 2^22 on Linux): ESRCH.
  assert.equal(processAlive(2 ** 30), false);
});

test('a child is alive while it runs and not once it has exited and been reaped', async () => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await once(child, 'spawn');
  const pid = child.pid!;
  try {
    assert.equal(processAlive(pid), true);
  } finally {
    child.kill('SIGKILL');
  }
  await once(child, 'exit');
  assert.equal(processAlive(pid), false);
});
