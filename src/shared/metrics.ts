// The optional Prometheus endpoint of each daemon (metrics.port): GET /metrics, prom-client's
// text format, on metrics.host. Each daemon registers its own metrics on its own registry.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Config } from './config.js';
import type { Logger } from './log.js';

export function createRegistry(daemon: string, node: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ daemon, node });
  // prom-client's names already start with process_ or nodejs_: clipmill_process_cpu_user_seconds_total.
  collectDefaultMetrics({ register: registry, prefix: 'clipmill_' });
  return registry;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** Starts the endpoint when metrics.port is set; null otherwise. */
export async function startMetricsServer(config: Config, registry: Registry, log: Logger): Promise<MetricsServer | null> {
  if (config.metrics.port === null) return null;
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('clipmill serves /metrics only\n');
      return;
    }
    registry
      .metrics()
      .then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text))
      .catch((err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.metrics.port!, config.metrics.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info(`Prometheus metrics on http://${config.metrics.host}:${port}/metrics`);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
