// The HTTP server of `clipmill serve` (issue 20): the API under /api/v1 and the dashboard page,
// one Fastify instance. It keeps no state of its own: uploads go into raw/ as an operator's
// files would, retry/cancel/edit call the task protocol (src/shared/protocol/), and what it
// lists is read from the tree (the task list is a cache of it). Every route but the log-in
// page needs the token or a session (src/server/auth.ts).
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Layout } from '../shared/layout.js';
import type { Logger } from '../shared/log.js';
import { authenticate, crossSiteRefusal, TokenSource, type Caller } from './auth.js';
import { EventHub } from './events.js';
import { ApiError, errorResponse } from './http-error.js';
import { loginPage, registerPage } from './page.js';
import { registerFarmRoutes } from './routes-farm.js';
import { registerTaskRoutes } from './routes-tasks.js';
import { TaskList } from './task-list.js';
import { sweepStaleUploads, UploadGate } from './uploads.js';

export interface ServerOptions {
  layout: Layout;
  /** The largest file one upload may carry, in bytes. */
  maxUploadBytes: number;
  /** health.nodeTimeoutMs: a heartbeat older than this is a dead node. */
  nodeTimeoutMs: number;
  /** disk.minFreeMb in bytes: uploads that could leave less free are refused (507). Default 0. */
  minFreeBytes?: number;
  /** Uploads streaming at once, at most (default 4); one more is refused (503). */
  maxConcurrentUploads?: number;
  /** Temporaries under raw/ older than this are removed at start (an upload cut by a crash). Default 6 h. */
  staleUploadMs?: number;
  /** Free bytes on a path's file system (tests replace it). */
  freeBytes?: (path: string) => Promise<number>;
  /** Trust X-Forwarded-* from a reverse proxy in front (TLS terminated there). */
  trustProxy?: boolean;
  /** Background rescans of the task list, and the event stream's look at the tree (ms). */
  rescanMs?: number;
  eventsMs?: number;
  logger?: boolean | { level: string };
  /** The project's logger (loggerFor(config, 'server')): server errors (5xx) and start-up notes go there. */
  log?: Logger;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
  }
  interface FastifyInstance {
    /** The task list (a cache of the tree): tests and the bench rescan it at will. */
    taskList: TaskList;
  }
  interface FastifyContextConfig {
    /** Reachable without the token (only the log-in page and its form). */
    public?: boolean;
  }
}

export interface AppContext {
  layout: Layout;
  tasks: TaskList;
  events: EventHub;
  uploads: UploadGate;
  tokens: TokenSource;
  opts: ServerOptions;
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on its own POSTs, which the Origin check refuses.
  'Referrer-Policy': 'same-origin',
  // Only our own scripts and media; no inline script anywhere (the page has none).
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
};

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    trustProxy: opts.trustProxy ?? false,
    bodyLimit: 1024 * 1024,
    // A typo'd key is an error naming it, not silently dropped (STYLE 14).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });
  const tokens = new TokenSource(opts.layout);
  const tasks = await new TaskList(opts.layout, { rescanMs: opts.rescanMs ?? 5000 }).open();
  const uploads = new UploadGate(opts.layout, { maxBytes: opts.maxUploadBytes, minFreeBytes: opts.minFreeBytes ?? 0, maxConcurrent: opts.maxConcurrentUploads ?? 4 }, ...(opts.freeBytes ? [opts.freeBytes] : []));
  const ctx: AppContext = { layout: opts.layout, tasks, events: new EventHub(opts.layout, tasks, opts.nodeTimeoutMs, opts.eventsMs ?? 1000, tokens), uploads, tokens, opts };
  const swept = await sweepStaleUploads(opts.layout, opts.staleUploadMs ?? 6 * 3600_000).catch(() => [] as string[]);
  if (swept.length) opts.log?.info({ removed: swept }, `Removed ${swept.length} stale upload temporaries under raw/ (older than ${Math.round((opts.staleUploadMs ?? 6 * 3600_000) / 60_000)} min)`);
  app.decorate('taskList', tasks);
  // preClose, not onClose: server.close() waits for every open connection first, and an event
  // stream (hijacked) never ends on its own, so `clipmill serve` would hang on SIGTERM while a
  // page is open.
  app.addHook('preClose', async () => {
    ctx.events.close();
  });
  app.addHook('onClose', async () => {
    ctx.events.close();
    tasks.close();
  });
  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: opts.maxUploadBytes, files: 1, fields: 10, fieldSize: 4096, parts: 12 } });
  // The log-in form posts application/x-www-form-urlencoded.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))));

  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (req, reply) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    if (req.routeOptions.config?.public) return;
    req.caller = await authenticate(req, tokens);
    if (!req.caller) {
      // The page's address answers with the log-in page (still 401); everything else with JSON.
      if (req.method === 'GET' && (req.url === '/' || req.url.startsWith('/?'))) return reply.code(401).type('text/html; charset=utf-8').send(loginPage(null));
      throw new ApiError(401, 'UNAUTHORIZED', 'a token is needed: "Authorization: Bearer <token>" (clipmill token), or log in at /login');
    }
    const refusal = crossSiteRefusal(req, req.caller);
    if (refusal) throw new ApiError(403, 'CROSS_SITE', refusal);
  });
  app.setErrorHandler((err, req, reply) => {
    const { status, body } = errorResponse(err);
    // The details (paths, errno) go to the log, never to the client (errorResponse says only what failed).
    if (status >= 500) {
      if (opts.log) opts.log.error({ err, method: req.method, url: req.url.split('?')[0] }, `${req.method} ${req.url.split('?')[0]} failed: ${(err as Error).message ?? String(err)}`);
      else req.log.error({ err }, 'request failed');
    }
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler(async (req: FastifyRequest) => {
    // Unknown paths need the token too: nothing tells a stranger which paths exist.
    if (!req.caller && !(await authenticate(req, tokens))) throw new ApiError(401, 'UNAUTHORIZED', 'a token is needed');
    throw new ApiError(404, 'NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`);
  });

  const routes: { method: string; url: string; schema: Record<string, unknown> }[] = [];
  app.addHook('onRoute', (r) => {
    if (r.url.startsWith('/api/v1/') && r.schema) for (const m of [r.method].flat()) if (m !== 'HEAD') routes.push({ method: m, url: r.url, schema: r.schema as Record<string, unknown> });
  });
  registerPage(app, tokens);
  await app.register(async (api) => {
    registerTaskRoutes(api, ctx);
    registerFarmRoutes(api, ctx);
    api.get('/openapi.json', { schema: { summary: 'this document (OpenAPI 3.1)', response: { 200: { type: 'object', additionalProperties: true } } } }, async () => openapi(routes));
  }, { prefix: '/api/v1' });
  return app;
}

/** The OpenAPI document, from the routes' own schemas (the same objects Fastify validates with). */
export function openapi(routes: readonly { method: string; url: string; schema: Record<string, unknown> }[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/^\/api\/v1/, '').replace(/:(\w+)/g, '{$1}');
    const s = r.schema as { summary?: string; params?: { properties?: Record<string, unknown> }; querystring?: { properties?: Record<string, unknown> }; body?: unknown; response?: Record<string, unknown>; consumes?: string[] };
    const parameters = [
      ...Object.entries(s.params?.properties ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema })),
      ...Object.entries(s.querystring?.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
    ];
    const responses = Object.fromEntries(Object.entries(s.response ?? { 200: {} }).map(([code, schema]) => [code, { description: code, content: { 'application/json': { schema } } }]));
    const body = s.consumes?.includes('multipart/form-data') ? { required: true, content: { 'multipart/form-data': { schema: (r.schema as { 'x-form'?: unknown })['x-form'] ?? { type: 'object' } } } } : s.body ? { required: true, content: { 'application/json': { schema: s.body } } } : undefined;
    (paths[path] ??= {})[r.method.toLowerCase()] = { summary: s.summary ?? '', parameters, ...(body ? { requestBody: body } : {}), responses, security: [{ bearer: [] }, { session: [] }] };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'clipmill', version: '1', description: 'The HTTP API of clipmill serve (docs/api.md).' },
    servers: [{ url: '/api/v1' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'clipmill_session' } } },
    paths,
  };
}
