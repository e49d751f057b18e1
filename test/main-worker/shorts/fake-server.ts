// A local HTTP server for the shorts providers' tests: each request is recorded (method, path,
// headers, body as text) and answered by the next behaviour of a list (the last one repeats);
// the TCP connections made to it are counted (a refusal must make none). With `tls`, it speaks
// https with that key and certificate (selfSigned() makes one for 127.0.0.1).
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../../helpers.js';

export interface Seen {
  method: string;
  path: string;
  auth: string | undefined;
  contentType: string | undefined;
  body: string;
}
export type Behaviour = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

export const json = (status: number, value: unknown, headers: Record<string, string> = {}): Behaviour => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof value === 'string' ? value : JSON.stringify(value));
};
/** Never answers (until the server closes). */
export const hang: Behaviour = () => new Promise(() => {});

export interface FakeServer {
  url: string;
  seen: Seen[];
  /** The TCP connections accepted so far. */
  connections(): number;
}

export async function fakeServer(t: { after(fn: () => Promise<void> | void): void }, behaviours: Behaviour[], tls?: { key: string; cert: string }): Promise<FakeServer> {
  const seen: Seen[] = [];
  let n = 0;
  let connections = 0;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1');
      seen.push({ method: req.method ?? '', path: req.url ?? '', auth: req.headers.authorization, contentType: req.headers['content-type'], body });
      const b = behaviours[Math.min(n++, behaviours.length - 1)]!;
      void Promise.resolve(b(req, res, body)).catch(() => res.destroy());
    });
  };
  const server = tls ? createTlsServer(tls, handle) : createServer(handle);
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, connections: () => connections };
}

/** A self-signed key and certificate for 127.0.0.1 (and localhost), made by openssl in a temporary folder. */
export async function selfSigned(t: Parameters<typeof tempDir>[0]): Promise<{ key: string; cert: string }> {
  const dir = await tempDir(t);
  const [key, cert] = [join(dir, 'k.pem'), join(dir, 'c.pem')];
  await execa('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-days', '1', '-keyout', key, '-out', cert]);
  return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
}
