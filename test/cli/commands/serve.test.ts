// `clipmill serve` as a child process: it listens on 127.0.0.1 (a free port with --port 0),
// needs the token, and SIGTERM stops it with exit 0; wrong options are usage errors.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, startCli, tempDir } from '../../helpers.js';
import { runInProcess } from '../in-process.js';

test('serve: 127.0.0.1 by default, the token required, SIGTERM stops it cleanly', async (t) => {
  const root = join(await tempDir(t), 'root');
  assert.equal((await cli(['init', root])).exitCode, 0);
  const token = (await cli(['token', '--root', root])).stdout.trim();
  const server = startCli(['serve', '--root', root, '--port', '0'], {});
  t.after(() => server.sub.kill('SIGKILL'));
  const url = (await server.waitFor(/listening on (http:\/\/\S+)/))[1]!;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal((await fetch(`${url}/api/v1/status`)).status, 401);
  const ok = await fetch(`${url}/api/v1/status`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(ok.status, 200);
  assert.equal(((await ok.json()) as { root: string }).root, root);
  // An open event stream (a dashboard left open) must not keep the server from stopping.
  const events = await fetch(`${url}/api/v1/events`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(events.status, 200);
  const reader = events.body!.getReader();
  assert.match(new TextDecoder().decode((await reader.read()).value), /retry:/);
  server.sub.kill('SIGTERM');
  // The stream ends (done) once the server closes it; then the process exits 0.
  for (let r = await reader.read(); !r.done; r = await reader.read());
  const exited = await Promise.race([server.sub, new Promise<null>((resolve) => setTimeout(() => resolve(null), 8_000).unref())]);
  // (8 s: under the CLI's forced exit after 10 s, which exits 1.)
  assert.ok(exited, `serve did not exit within 8 s of SIGTERM with an event stream open:\n${server.log()}`);
  assert.equal(exited.exitCode, 0);
  assert.match(server.log(), /Server stopped/);
});

test('serve: a bad port or upload limit is a usage error', async (t) => {
  const root = join(await tempDir(t), 'root');
  assert.equal((await runInProcess(['init', root])).exitCode, 0);
  const port = await runInProcess(['serve', '--root', root, '--port', 'http']);
  assert.equal(port.exitCode, 2);
  assert.match(port.stderr, /--port must be a port number/);
  assert.equal((await runInProcess(['serve', '--root', root, '--max-upload-mb', '0'])).exitCode, 2);
});
