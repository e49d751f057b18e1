// Media files with HTTP Range (RFC 9110 §14): a browser's <video> asks for byte ranges to
// seek. One range per request (a multi-range request gets the whole file, as the RFC allows);
// an unsatisfiable one gets 416 with the size. Only regular files are sent, never through a
// link (O_NOFOLLOW): the paths come from the layout, and the files from the render workers.
import { constants, createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './http-error.js';

/** The byte range a Range header asks of a file of `size` bytes: null for the whole file, 'unsatisfiable' for none of it. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

export async function sendFile(req: FastifyRequest, reply: FastifyReply, path: string, type: string, what: string): Promise<FastifyReply> {
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR') throw new ApiError(404, 'NOT_FOUND', `${what} is not there (yet)`);
    throw err;
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new ApiError(404, 'NOT_FOUND', `${what} is not a file`);
  }
  const range = parseRange(req.headers.range, st.size);
  reply.header('Accept-Ranges', 'bytes').header('Content-Type', type).header('Cache-Control', 'private, max-age=60').header('Last-Modified', st.mtime.toUTCString());
  if (range === 'unsatisfiable') {
    await fh.close();
    return reply.code(416).header('Content-Range', `bytes */${st.size}`).send();
  }
  const { start, end } = range ?? { start: 0, end: st.size - 1 };
  if (range) reply.code(206).header('Content-Range', `bytes ${start}-${end}/${st.size}`);
  reply.header('Content-Length', String(Math.max(0, end - start + 1)));
  if (st.size === 0 || req.method === 'HEAD') {
    await fh.close();
    return reply.send('');
  }
  return reply.send(createReadStream('', { fd: fh, start, end }));
}
