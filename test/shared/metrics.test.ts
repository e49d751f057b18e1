// The optional Prometheus endpoint: off when metrics.port is null, GET /metrics only, the
// daemon and node as labels of every series, port 0 for a free port, close() that really stops.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../src/shared/log.js';
import { createRegistry, startMetricsServer } from '../../src/shared/metrics.js';
import { testConfig } from '../helpers.js';

function capture() {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { log: createLogger({ format: 'line', level: 'info', out }), lines };
}

test('createRegistry: process and runtime metrics under clipmill_process_ and clipmill_nodejs_, labelled with the daemon and the node', async () => {
  const registry = createRegistry('render_worker', 'gpu-1');
  const text = await registry.metrics();
  assert.match(text, /^clipmill_process_cpu_user_seconds_total\{daemon="render_worker",node="gpu-1"\} [\d.e-]+$/m);
  assert.match(text, /^clipmill_process_resident_memory_bytes\{daemon="render_worker",node="gpu-1"\} \d+$/m);
  // Every sample line carries both labels.
  const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
  assert.ok(samples.length > 10);
  for (const l of samples) assert.match(l, /^clipmill_(process|nodejs)_\w+\{[^}]*daemon="render_worker",node="gpu-1"[^}]*\} /, l);
  // Two registries do not share series (each daemon has its own).
  assert.match(await createRegistry('main_worker', 'm').metrics(), /daemon="main_worker",node="m"/);
});

test('startMetricsServer: null (nothing listens) when metrics.port is null', async () => {
  const { log, lines } = capture();
  assert.equal(await startMetricsServer(testConfig(), createRegistry('main_worker', 'n'), log), null);
  assert.deepEqual(lines, []);
});

test('startMetricsServer: port 0 picks a free port, logs the URL, serves GET /metrics only', async (t) => {
  const { log, lines } = capture();
  const registry = createRegistry('main_worker', 'n1');
  const server = await startMetricsServer(testConfig({ metrics: { port: 0, host: '127.0.0.1' } }), registry, log);
  assert.ok(server);
  t.after(() => server.close());
  assert.ok(server.port > 0);
  const url = `http://127.0.0.1:${server.port}`;
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, new RegExp(`INFO clipmill "Prometheus metrics on ${url}/metrics"$`));

  const ok = await fetch(`${url}/metrics`);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('content-type'), registry.contentType);
  assert.match(await ok.text(), /^clipmill_process_cpu_user_seconds_total\{daemon="main_worker",node="n1"\}/m);
  const query = await fetch(`${url}/metrics?x=1`);
  assert.equal(query.status, 200, 'a query string is ignored');
  await query.arrayBuffer();
  for (const [path, method] of [['/', 'GET'], ['/metrics/', 'GET'], ['/other', 'GET'], ['/metrics', 'POST']] as const) {
    const r = await fetch(`${url}${path}`, { method });
    assert.equal(r.status, 404, `${method} ${path}`);
    assert.equal(await r.text(), 'clipmill serves /metrics only\n');
  }
});

test('startMetricsServer: a port in use is an error (EADDRINUSE); close() stops serving, kept-alive connections included', async () => {
  const { log } = capture();
  const registry = createRegistry('main_worker', 'n1');
  const first = await startMetricsServer(testConfig({ metrics: { port: 0 } }), registry, log);
  assert.ok(first);
  await assert.rejects(startMetricsServer(testConfig({ metrics: { port: first.port } }), registry, log), { code: 'EADDRINUSE' });
  // A kept-alive connection does not hold close() up.
  await (await fetch(`http://127.0.0.1:${first.port}/metrics`)).text();
  await first.close();
  await assert.rejects(fetch(`http://127.0.0.1:${first.port}/metrics`), (err: Error) => (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED');
});
