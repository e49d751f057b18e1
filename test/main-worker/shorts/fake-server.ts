// A local HTTP server for the shorts providers' tests: each request is recorded (method, path,
// headers, body as text) and answered by the next behaviour of a list (the last one repeats).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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

export async function fakeServer(t: { after(fn: () => Promise<void> | void): void }, behaviours: Behaviour[]): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1');
      seen.push({ method: req.method ?? '', path: req.url ?? '', auth: req.headers.authorization, contentType: req.headers['content-type'], body });
      const b = behaviours[Math.min(n++, behaviours.length - 1)]!;
      void Promise.resolve(b(req, res, body)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}
