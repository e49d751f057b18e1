// `clipmill serve`: the HTTP API and the dashboard (src/server/). Signals only here: SIGTERM or
// SIGINT closes the server (event streams ended, in-flight uploads finished or cut), exit 0.
import { buildServer } from '../../server/app.js';
import { Layout } from '../../shared/layout.js';
import { ensureToken } from '../../shared/server-token.js';
import { COMMON_HELP, COMMON_OPTIONS, configFrom, loggerFor, rootFrom, usageError, type Command } from '../common.js';

export const serve: Command = {
  name: 'serve',
  summary: 'the HTTP API and the dashboard page (127.0.0.1:8080 by default; token required)',
  usage: 'clipmill serve --root <dir> [--port 8080] [--host 127.0.0.1] [--max-upload-mb 2048] [--trust-proxy]',
  help: `Serves the dashboard (http://<host>:<port>/) and the API (/api/v1, documented in docs/api.md
and at /api/v1/openapi.json). Every request needs the token (clipmill token): scripts send
"Authorization: Bearer <token>", the page's log-in turns it into a session cookie. Uploads
are written into raw/ as an operator's files are; retry, cancel and edit go through the task
protocol. The server keeps no state: stop it, restart it, or run it on any node that mounts
the root. It listens on 127.0.0.1 only unless --host says otherwise: put a TLS reverse proxy
in front of it to reach it from elsewhere (README, "Dashboard").

Options:
  --port <n>           TCP port (default 8080; 0: any free port, printed)
  --host <addr>        address to listen on (default 127.0.0.1)
  --max-upload-mb <n>  the largest file one upload may carry, in MiB (default 2048)
  --trust-proxy        trust X-Forwarded-Proto/Host/For from the reverse proxy in front
                       (then the session cookie is Secure when the proxy says https)
${COMMON_HELP}

Examples:
  clipmill serve --root /srv/clipmill
  clipmill serve --root /srv/clipmill --port 9000 --trust-proxy`,
  options: { ...COMMON_OPTIONS, port: { type: 'string' }, host: { type: 'string' }, 'max-upload-mb': { type: 'string' }, 'trust-proxy': { type: 'boolean' } },
  async run(args, io) {
    const layout = new Layout(rootFrom(args, io.env, { mustExist: true }));
    const config = configFrom(args, io.env);
    const port = Number(args.values.port ?? 8080);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port must be a port number from 0 to 65535, got ${JSON.stringify(args.values.port)}`);
    const mb = Number(args.values['max-upload-mb'] ?? 2048);
    if (!(mb > 0)) throw usageError(`--max-upload-mb must be a number > 0, got ${JSON.stringify(args.values['max-upload-mb'])}`);
    const host = (args.values.host as string | undefined) ?? '127.0.0.1';
    const log = loggerFor(config, 'server');
    if ((await ensureToken(layout)).created) log.info(`Made the API token ${layout.rel(layout.serverToken)} (print it with: clipmill token --root ${layout.root})`);
    const app = await buildServer({ layout, maxUploadBytes: Math.round(mb * 1024 * 1024), nodeTimeoutMs: config.health.nodeTimeoutMs, minFreeBytes: config.disk.minFreeMb * 1024 * 1024, log, trustProxy: !!args.values['trust-proxy'] });
    const address = await app.listen({ port, host });
    log.info(`Dashboard and API listening on ${address} (root ${layout.root})`);
    if (!io.signal.aborted) await new Promise<void>((resolve) => io.signal.addEventListener('abort', () => resolve(), { once: true }));
    await app.close();
    log.info('Server stopped');
    return 0;
  },
};
