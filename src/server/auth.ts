// Who may call the server (issue 20): a script sends the token as "Authorization: Bearer
// <token>"; the page's log-in exchanges it for a session cookie (HttpOnly, SameSite=Strict) so
// that <video> elements and the event stream, which cannot send headers, work too. The
// session is an HMAC of the token: rotating the token (clipmill token --rotate) ends every
// session, and the server keeps nothing of its own. Both are compared in constant time. A
// state-changing request that relies on the cookie must carry an Origin equal to the server's
// own (a cross-site form post never does): SameSite=Strict is the first guard, this the second.
import { createHmac } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { FastifyRequest } from 'fastify';
import type { Layout } from '../shared/layout.js';
import { readTokenFile, secretsEqual, type TokenFile } from '../shared/server-token.js';

export const SESSION_COOKIE = 'clipmill_session';

/** The session cookie's value for a token. */
export function sessionFor(token: string): string {
  return createHmac('sha256', token).update('clipmill-session-v1').digest('base64url');
}

/** The token file, read again whenever it changed on disk (a rotation by another process). */
export class TokenSource {
  private cached: { file: TokenFile; key: string } | null = null;
  constructor(private readonly layout: Layout) {}

  async current(): Promise<TokenFile> {
    const s = await stat(this.layout.serverToken);
    const key = `${s.ino}:${s.mtimeMs}:${s.size}`;
    if (this.cached?.key !== key) this.cached = { file: await readTokenFile(this.layout), key };
    return this.cached.file;
  }
}

export type Caller = { via: 'bearer' | 'cookie'; name: string };

/** The caller of a request, or null when it has neither a right token nor a right session. */
export async function authenticate(req: FastifyRequest, tokens: TokenSource): Promise<Caller | null> {
  const file = await tokens.current();
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m && secretsEqual(m[1]!, file.token) ? { via: 'bearer', name: file.name } : null;
  }
  const cookie = req.cookies[SESSION_COOKIE];
  if (typeof cookie === 'string' && secretsEqual(cookie, sessionFor(file.token))) return { via: 'cookie', name: file.name };
  return null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origin this request was sent to, as a browser writes it in Origin (behind a proxy: X-Forwarded-Proto/Host when trusted). */
export function ownOrigin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

/** Why a cookie-authenticated request must be refused (a state change from another origin), or null. */
export function crossSiteRefusal(req: FastifyRequest, caller: Caller): string | null {
  if (caller.via !== 'cookie' || SAFE_METHODS.has(req.method)) return null;
  const origin = req.headers.origin;
  if (typeof origin !== 'string') return `${req.method} with a session cookie needs an Origin header (a browser sends one; scripts use the bearer token)`;
  if (origin !== ownOrigin(req)) return `${req.method} from origin ${JSON.stringify(origin)} refused: the dashboard's origin is ${JSON.stringify(ownOrigin(req))}`;
  return null;
}
