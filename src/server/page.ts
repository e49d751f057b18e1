// The dashboard page: HTML, its ES modules and Preact + htm from node_modules, served by the
// server itself (no CDN, no build step). The log-in page is the only thing served without the
// token: it posts the token and gets the session cookie back (src/server/auth.ts).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { packageRoot } from '../shared/package-root.js';
import { secretsEqual } from '../shared/server-token.js';
import { ownOrigin, SESSION_COOKIE, sessionFor, type TokenSource } from './auth.js';
import { ApiError } from './http-error.js';

const WEB = () => join(packageRoot(), 'src', 'server', 'web');
const MODULES = () => join(packageRoot(), 'node_modules');

/** Every file the page may load, by its URL: a fixed list (no path from the request reaches the disk). */
const FILES: Record<string, { file: () => string; type: string; rewrite?: (s: string) => string }> = {
  '/ui/app.js': { file: () => join(WEB(), 'app.js'), type: 'text/javascript' },
  '/ui/forms.js': { file: () => join(WEB(), 'forms.js'), type: 'text/javascript' },
  '/ui/views.js': { file: () => join(WEB(), 'views.js'), type: 'text/javascript' },
  '/ui/style.css': { file: () => join(WEB(), 'style.css'), type: 'text/css' },
  '/vendor/preact.mjs': { file: () => join(MODULES(), 'preact', 'dist', 'preact.mjs'), type: 'text/javascript' },
  // hooks imports "preact" by its bare name: pointed at the file above (no import map needed).
  '/vendor/hooks.mjs': { file: () => join(MODULES(), 'preact', 'hooks', 'dist', 'hooks.mjs'), type: 'text/javascript', rewrite: (s) => s.replace(/from\s*["']preact["']/g, 'from"./preact.mjs"') },
  '/vendor/htm.mjs': { file: () => join(MODULES(), 'htm', 'dist', 'htm.mjs'), type: 'text/javascript' },
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function loginPage(error: string | null): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>clipmill: log in</title><link rel="stylesheet" href="/ui/style.css"></head>
<body class="login"><main><h1>clipmill</h1>
<form method="post" action="/login">
<label>Token <input name="token" type="password" autocomplete="current-password" required autofocus></label>
<p class="hint">Print it on the farm with <code>clipmill token --root &lt;root&gt;</code>.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<button type="submit">Log in</button></form></main></body></html>
`;
}

const INDEX = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>clipmill</title><link rel="stylesheet" href="/ui/style.css"></head>
<body><div id="app">Loading…</div><script type="module" src="/ui/app.js"></script></body></html>
`;

export function registerPage(app: FastifyInstance, tokens: TokenSource): void {
  app.get('/', async (_req, reply) => reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(INDEX));
  // The style sheet is public too: the log-in page uses it.
  app.get('/login', { config: { public: true } }, async (_req, reply) => reply.type('text/html; charset=utf-8').send(loginPage(null)));
  app.post('/login', { config: { public: true }, schema: { body: { type: 'object', properties: { token: { type: 'string', maxLength: 1000 } }, required: ['token'] } } }, async (req, reply) => {
    const origin = req.headers.origin;
    if (typeof origin === 'string' && origin !== ownOrigin(req)) throw new ApiError(403, 'CROSS_SITE', `log-in from origin ${JSON.stringify(origin)} refused`);
    const file = await tokens.current();
    const given = (req.body as { token: string }).token.trim();
    if (!secretsEqual(given, file.token)) return reply.code(401).type('text/html; charset=utf-8').send(loginPage('That is not the token of this farm.'));
    reply.setCookie(SESSION_COOKIE, sessionFor(file.token), { httpOnly: true, sameSite: 'strict', path: '/', secure: req.protocol === 'https' });
    return reply.code(303).header('Location', '/').send();
  });
  app.post('/logout', async (_req, reply) => reply.clearCookie(SESSION_COOKIE, { path: '/' }).code(303).header('Location', '/login').send());
  for (const [url, f] of Object.entries(FILES)) {
    app.get(url, { config: { public: url === '/ui/style.css' } }, async (_req, reply) => {
      const text = await readFile(f.file(), 'utf8');
      return reply.type(`${f.type}; charset=utf-8`).header('Cache-Control', 'no-cache').send(f.rewrite ? f.rewrite(text) : text);
    });
  }
}
