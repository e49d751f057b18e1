// The generation provider against a local server with the Kling-style task API: create, poll
// (submitted, processing, succeed) with backoff, download; a failed task, a task past its
// time, a download that is not an image, and a 5xx that is retried. The same for clips
// (text2video): a tiny MP4 made by ffmpeg, a 429 retried, a failed task, text named .mp4.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { GenerationProvider, imageType, videoType } from '../../../src/main-worker/shorts/generation.js';
import type { ClipmillError } from '../../../src/shared/errors.js';
import { tempDir } from '../../helpers.js';
import { FIXTURES } from '../../media.js';
import { fakeServer, json, selfSigned, type Behaviour } from './fake-server.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5b1c9a50000000049454e44ae426082', 'hex');
const bytes = (b: Buffer): Behaviour => (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  res.end(b);
};
const status = (s: string, url?: string) => json(200, { code: 0, data: { task_id: 't1', task_status: s, ...(url ? { task_result: { images: [{ url }] } } : {}), ...(s === 'failed' ? { task_status_msg: 'content policy' } : {}) } });

test('imageType: PNG, JPEG, WebP by their magic numbers; anything else null', () => {
  assert.equal(imageType(PNG), 'png');
  assert.equal(imageType(Buffer.from([0xff, 0xd8, 0xff, 0xe0])), 'jpg');
  assert.equal(imageType(Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1')), 'webp');
  assert.equal(imageType(Buffer.from('<html>')), null);
});

test('GenerationProvider: create, poll with backoff, download; failures', async (t) => {
  const dir = await tempDir(t);
  let base = '';
  const { url, seen } = await fakeServer(t, [
    json(503, 'busy'), json(200, { code: 0, data: { task_id: 't1' } }), status('submitted'), status('processing'), (req, res) => status('succeed', `${base}/files/t1.png`)(req, res, ''), bytes(PNG),
    json(200, { code: 0, data: { task_id: 't2' } }), status('failed'),
    json(200, { code: 0, data: { task_id: 't3' } }), status('processing'),
  ]);
  base = url;
  const p = new GenerationProvider({ baseUrl: url, model: 'kling-v1', apiKeyEnv: 'K', pollMs: 5, taskTimeoutMs: 2000, maxBytes: 10_000, timeoutMs: 2000, tries: 2, retryBaseMs: 1, videoSeconds: 5 }, undefined, { K: 'kk' });
  const got = await p.generate('image', 'a red car', '9:16', join(dir, 'g1'), 'short/a');
  assert.equal(got.file, join(dir, 'g1.png'));
  assert.equal(got.taskId, 't1');
  assert.deepEqual(await readFile(got.file), PNG);
  assert.deepEqual(seen.slice(0, 6).map((s) => `${s.method} ${s.path}`), ['POST /v1/images/generations', 'POST /v1/images/generations', 'GET /v1/images/generations/t1', 'GET /v1/images/generations/t1', 'GET /v1/images/generations/t1', 'GET /files/t1.png']);
  assert.deepEqual(JSON.parse(seen[1]!.body), { model_name: 'kling-v1', prompt: 'a red car', aspect_ratio: '9:16', n: 1 });
  assert.equal(seen[1]!.auth, 'Bearer kk');
  assert.equal(seen[5]!.auth, 'Bearer kk', 'a download on the base URL origin');
  await assert.rejects(p.generate('image', 'x', '9:16', join(dir, 'g2'), 's'), (err: ClipmillError) => err.code === 'PROVIDER_INVALID' && /task t2 failed \(its message: 14 bytes, not shown\)/.test(err.message) && !err.message.includes('content policy'));
  const slow = new GenerationProvider({ baseUrl: url, model: 'kling-v1', apiKeyEnv: 'K', pollMs: 20, taskTimeoutMs: 100, maxBytes: 10_000, timeoutMs: 2000, tries: 1, retryBaseMs: 1, videoSeconds: 5 }, undefined, {});
  await assert.rejects(slow.generate('image', 'x', '9:16', join(dir, 'g3'), 's'), (err: ClipmillError) => err.code === 'PROVIDER_UNAVAILABLE' && /not done within 100 ms/.test(err.message));
});

test('GenerationProvider: a download that is not an image is refused', async (t) => {
  const dir = await tempDir(t);
  let base = '';
  const { url } = await fakeServer(t, [json(200, { data: { task_id: 'x' } }), (req, res) => status('succeed', `${base}/f`)(req, res, ''), bytes(Buffer.from('<html>nope</html>'))]);
  base = url;
  const p = new GenerationProvider({ baseUrl: url, model: 'm', apiKeyEnv: 'K', pollMs: 1, taskTimeoutMs: 2000, maxBytes: 10_000, timeoutMs: 2000, tries: 1, retryBaseMs: 1, videoSeconds: 5 }, undefined, {});
  await assert.rejects(p.generate('image', 'x', '9:16', join(dir, 'g'), 's'), /not a PNG, JPEG or WebP image/);
});

test('GenerationProvider: an image URL on another origin gets no key, and plain http there is refused', async (t) => {
  const dir = await tempDir(t);
  const elsewhere = await fakeServer(t, [bytes(PNG)]);
  const { url } = await fakeServer(t, [json(200, { data: { task_id: 'x' } }), status('succeed', `${elsewhere.url}/f.png`)]);
  // The test's own loopback server allowed, to reach the scheme check.
  const p = new GenerationProvider({ baseUrl: url, model: 'm', apiKeyEnv: 'K', pollMs: 1, taskTimeoutMs: 5000, maxBytes: 10_000, timeoutMs: 5000, tries: 1, retryBaseMs: 1, videoSeconds: 5, addressPolicy: () => null }, undefined, { K: 'kk' });
  await assert.rejects(p.generate('image', 'x', '9:16', join(dir, 'g'), 's'), (err: ClipmillError) => err.code === 'PROVIDER_REJECTED' && /another origin/.test(err.message));
  assert.equal(elsewhere.connections(), 0, 'not connected to');
});

test('GenerationProvider: a result URL on another origin at a loopback, link-local or private address is refused unfetched (PROVIDER_INVALID), unless shorts.allowPrivateNetworks', async (t) => {
  const dir = await tempDir(t);
  const elsewhere = await fakeServer(t, [bytes(PNG)]);
  const port = new URL(elsewhere.url).port;
  const targets = [`https://127.0.0.1:${port}/x`, 'http://169.254.169.254/latest/meta-data/', 'https://[fd00::1]/x', `https://localhost:${port}/x`];
  const { url } = await fakeServer(t, targets.flatMap((target) => [json(200, { data: { task_id: 'x' } }), status('succeed', target)]).concat([json(200, { data: { task_id: 'y' } }), status('succeed', `https://127.0.0.1:${port}/x`)]));
  const settings = { baseUrl: url, model: 'm', apiKeyEnv: 'K', pollMs: 1, taskTimeoutMs: 5000, maxBytes: 10_000, timeoutMs: 5000, tries: 2, retryBaseMs: 1, videoSeconds: 5 };
  const p = new GenerationProvider(settings, undefined, { K: 'kk' });
  for (const [target, host] of targets.map((u, i) => [u, ['127.0.0.1', '169.254.169.254', 'fd00::1', 'localhost'][i]!] as const)) {
    const err = (await p.generate('image', 'x', '9:16', join(dir, 'g'), 's').catch((e: unknown) => e)) as ClipmillError;
    assert.equal(err.code, 'PROVIDER_INVALID', `${target}: ${err.message}`);
    assert.ok(err.message.includes(host) && /non-public/.test(err.message) && /shorts\.allowPrivateNetworks/.test(err.message) && /another origin/.test(err.message), err.message);
  }
  assert.equal(elsewhere.connections(), 0, 'not connected to');
  assert.deepEqual(await readdir(dir), []);
  // With the opt-out the address is connected to (the fake speaks http, so TLS fails: an outage, not a refusal).
  const open = new GenerationProvider({ ...settings, tries: 1, allowPrivateNetworks: true }, undefined, {});
  await assert.rejects(open.generate('image', 'x', '9:16', join(dir, 'g'), 's'), (err: ClipmillError) => err.code === 'PROVIDER_UNAVAILABLE' && !/non-public/.test(err.message));
  assert.ok(elsewhere.connections() >= 1, 'the opt-out connects');
});

test('GenerationProvider: an https download on another origin (the crawler\'s agent, a self-signed test certificate): fetched without the key; an oversize one without a length is PROVIDER_INVALID fetched once; a redirect is PROVIDER_INVALID, not followed nor retried', async (t) => {
  const dir = await tempDir(t);
  const tls = await selfSigned(t);
  const streamed: Behaviour = (_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' }); // no content-length: chunked
    res.write(PNG);
    res.end(Buffer.alloc(3000));
  };
  const redirect: Behaviour = (_req, res) => {
    res.writeHead(302, { location: 'https://cdn.example.com/f.png?token=secret-token' });
    res.end();
  };
  const elsewhere = await fakeServer(t, [bytes(PNG), streamed, redirect], tls);
  const { url, seen } = await fakeServer(t, [json(200, { data: { task_id: 't1' } }), status('succeed', `${elsewhere.url}/f.png`)]);
  // The test's own server only: the address policy allows 127.0.0.1, nothing else.
  const p = new GenerationProvider({ baseUrl: url, model: 'm', apiKeyEnv: 'K', pollMs: 1, taskTimeoutMs: 5000, maxBytes: 2048, timeoutMs: 5000, tries: 3, retryBaseMs: 1, videoSeconds: 5, addressPolicy: (ip) => (ip === '127.0.0.1' ? null : `${ip} is not the test server`), testOnlyTrustedCa: tls.cert }, undefined, { K: 'kk' });
  const got = await p.generate('image', 'x', '9:16', join(dir, 'g'), 's');
  assert.deepEqual(await readFile(got.file), PNG);
  assert.equal(seen[0]!.auth, 'Bearer kk');
  assert.deepEqual(elsewhere.seen.map((s) => `${s.method} ${s.path} ${s.auth ?? 'no key'}`), ['GET /f.png no key']);
  await assert.rejects(p.generate('image', 'x', '9:16', join(dir, 'h'), 's'), (err: ClipmillError) => err.code === 'PROVIDER_INVALID' && /more than the 2048 bytes allowed \(shorts\.generationMaxBytes\)/.test(err.message));
  assert.equal(elsewhere.seen.length, 2, 'the oversize download fetched once');
  await assert.rejects(p.generate('image', 'x', '9:16', join(dir, 'i'), 's'), (err: ClipmillError) => err.code === 'PROVIDER_INVALID' && /redirected to cdn\.example\.com, not followed/.test(err.message) && !err.message.includes('secret-token'));
  assert.equal(elsewhere.seen.length, 3, 'the redirect fetched once, not retried');
  assert.deepEqual((await readdir(dir)).sort(), ['g.png']);
});

test('GenerationProvider: a download over shorts.generationMaxBytes is PROVIDER_INVALID, not retried; a task_id outside [A-Za-z0-9._:-]{1,200}, or dots alone, is PROVIDER_INVALID', async (t) => {
  const dir = await tempDir(t);
  let base = '';
  const { url, seen } = await fakeServer(t, [
    json(200, { data: { task_id: 'big' } }), (req, res) => status('succeed', `${base}/big.png`)(req, res, ''), bytes(Buffer.concat([PNG, Buffer.alloc(3000)])),
    json(200, { data: { task_id: '../../etc passwd' } }),
    json(200, { data: { task_id: 'x'.repeat(201) } }),
    json(200, { data: { task_id: '..' } }),
    json(200, { data: { task_id: '.' } }),
  ]);
  base = url;
  const p = new GenerationProvider({ baseUrl: url, model: 'm', apiKeyEnv: 'K', pollMs: 1, taskTimeoutMs: 5000, maxBytes: 2048, timeoutMs: 5000, tries: 3, retryBaseMs: 1, videoSeconds: 5 }, undefined, {});
  await assert.rejects(p.generate('image', 'x', '9:16', join(dir, 'g'), 's'), (err: ClipmillError) => err.code === 'PROVIDER_INVALID' && /more than the 2048 bytes allowed \(shorts\.generationMaxBytes\)/.test(err.message));
  assert.equal(seen.filter((s) => s.path === '/big.png').length, 1, 'not retried');
  // '..' and '.' would make the poll URL resolve to a parent path.
  for (let i = 0; i < 4; i++) {
    await assert.rejects(p.generate('image', 'x', '9:16', join(dir, 'g'), 's'), (err: ClipmillError) => err.code === 'PROVIDER_INVALID' && /create answer fails its schema: data\.task_id: a task id of 1 to 200 .*not dots alone/.test(err.message) && !err.message.includes('passwd'));
  }
  assert.equal(seen.length, 7, 'no poll of a bad task id');
  assert.deepEqual(await readdir(dir), []);
});

test('videoType: MP4 and MOV by their ftyp box, WebM and Matroska by the EBML header; anything else null', () => {
  assert.equal(videoType(Buffer.from('\0\0\0\x20ftypisom\0\0\x02\0', 'latin1')), 'mp4');
  assert.equal(videoType(Buffer.from('\0\0\0\x14ftypqt  \0\0\0\0', 'latin1')), 'mov');
  assert.equal(videoType(Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x84]), Buffer.from('webm')])), 'webm');
  assert.equal(videoType(Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x88]), Buffer.from('matroska')])), 'mkv');
  assert.equal(videoType(Buffer.from('this is not a video, just text named .mp4')), null);
  assert.equal(videoType(PNG), null);
});

test('GenerationProvider video: text2video with its duration, a 429 retried, polled until it succeeds, the clip downloaded; a failed task; a download that is not a video', async (t) => {
  const dir = await tempDir(t);
  const clip = join(dir, 'clip.mp4');
  await FIXTURES.clip(clip, 2, '108x192');
  const mp4 = await readFile(clip);
  let base = '';
  const video = (s: string, url?: string) => json(200, { code: 0, data: { task_id: 'v1', task_status: s, ...(url ? { task_result: { videos: [{ id: 'x', url, duration: '5' }] } } : {}) } });
  const { url, seen } = await fakeServer(t, [
    json(429, 'slow down', { 'retry-after': '0' }), json(200, { code: 0, data: { task_id: 'v1', task_status: 'submitted' } }), video('submitted'), video('processing'), (req, res) => video('succeed', `${base}/files/v1.mp4`)(req, res, ''), bytes(mp4),
    json(200, { code: 0, data: { task_id: 'v2' } }), status('failed'),
    json(200, { code: 0, data: { task_id: 'v3' } }), (req, res) => video('succeed', `${base}/files/v3.mp4`)(req, res, ''), bytes(Buffer.from('this is text, named .mp4\n')),
  ]);
  base = url;
  const p = new GenerationProvider({ baseUrl: `${url}/`, model: 'kling-v1-6', apiKeyEnv: 'K', pollMs: 2, taskTimeoutMs: 5000, maxBytes: 1_000_000, timeoutMs: 5000, tries: 2, retryBaseMs: 1, videoSeconds: 10 }, undefined, { K: 'kk' });
  const got = await p.generate('video', 'a red car driving', '9:16', join(dir, 'v1'), 'short/a');
  assert.deepEqual(got, { file: join(dir, 'v1.mp4'), taskId: 'v1' });
  assert.deepEqual(await readFile(got.file), mp4);
  assert.deepEqual(seen.slice(0, 6).map((s) => `${s.method} ${s.path}`), ['POST /v1/videos/text2video', 'POST /v1/videos/text2video', 'GET /v1/videos/text2video/v1', 'GET /v1/videos/text2video/v1', 'GET /v1/videos/text2video/v1', 'GET /files/v1.mp4']);
  assert.deepEqual(JSON.parse(seen[1]!.body), { model_name: 'kling-v1-6', prompt: 'a red car driving', aspect_ratio: '9:16', duration: '10' });
  assert.equal(seen[1]!.auth, 'Bearer kk');
  await assert.rejects(p.generate('video', 'x', '9:16', join(dir, 'v2'), 's'), (err: ClipmillError) => err.code === 'PROVIDER_INVALID' && /task v2 failed/.test(err.message));
  await assert.rejects(p.generate('video', 'x', '9:16', join(dir, 'v3'), 's'), (err: ClipmillError) => err.code === 'PROVIDER_INVALID' && /task v3 gave a file that is not an MP4, MOV, WebM or Matroska video \(25 bytes\)/.test(err.message));
  assert.deepEqual((await readdir(dir)).sort(), ['clip.mp4', 'v1.mp4'], 'nothing written for the failures');
});
