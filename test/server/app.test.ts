// The server's security (issue 20): no token or a wrong one is 401 on every route but the
// log-in page; the log-in's cookie is HttpOnly and SameSite=Strict; a state change with the
// cookie from another origin (a cross-site form post) is refused; a rotation ends sessions;
// ids and names that would leave their folder are refused; the OpenAPI document lists every route.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rotateToken } from '../../src/shared/server-token.js';
import { walk } from '../helpers.js';
import { form, served } from './fixture.js';

const ID = '0f8fad5b-d9cb-469f-a165-708677289501';

test('every route of the API and the page answers 401 without the token or with a wrong one; the log-in page does not', async (t) => {
  const { app, auth } = await served(t);
  const doc = (await app.inject({ url: '/api/v1/openapi.json', headers: auth })).json() as { paths: Record<string, Record<string, unknown>> };
  const routes = Object.entries(doc.paths).flatMap(([p, ms]) => Object.keys(ms).map((m) => ({ method: m.toUpperCase(), url: `/api/v1${p.replace('{id}', ID)}` })));
  assert.ok(routes.length >= 18, `the document lists the routes (${routes.length})`);
  for (const path of ['/tasks', '/tasks/{id}', '/tasks/{id}/retry', '/tasks/{id}/edit', '/tasks/{id}/video', '/tasks/{id}/preview', '/tasks/{id}/poster', '/assets', '/narrations', '/jobs', '/jobs/{id}', '/nodes', '/status', '/events', '/openapi.json']) assert.ok(doc.paths[path], `${path} is documented`);
  routes.push({ method: 'GET', url: '/' }, { method: 'GET', url: '/ui/app.js' }, { method: 'GET', url: '/vendor/preact.mjs' }, { method: 'GET', url: '/api/v1/no-such-route' }, { method: 'POST', url: '/logout' });
  for (const r of routes) {
    for (const headers of [{}, { authorization: 'Bearer wrong-token' }, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, { cookie: 'clipmill_session=forged' }]) {
      const res = await app.inject({ method: r.method as 'GET', url: r.url, headers });
      assert.equal(res.statusCode, 401, `${r.method} ${r.url} with ${JSON.stringify(headers)}: ${res.body.slice(0, 200)}`);
    }
  }
  assert.equal((await app.inject({ url: '/login' })).statusCode, 200);
  const page = await app.inject({ url: '/' });
  assert.match(page.body, /<form method="post" action="\/login">/, 'the page address shows the log-in form (with 401)');
  assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
});

test('log-in: a session cookie (HttpOnly, SameSite=Strict) for the right token; state changes need the own Origin; a rotation ends the session', async (t) => {
  const { app, layout, token } = await served(t);
  const wrong = await app.inject({ method: 'POST', url: '/login', payload: 'token=nope', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(wrong.statusCode, 401);
  assert.equal(wrong.headers['set-cookie'], undefined);
  const ok = await app.inject({ method: 'POST', url: '/login', payload: `token=${encodeURIComponent(token)}`, headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'farm.local:8080', origin: 'http://farm.local:8080' } });
  assert.equal(ok.statusCode, 303);
  const setCookie = String(ok.headers['set-cookie']);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  const cookie = setCookie.split(';')[0]!;
  const host = 'farm.local:8080';
  assert.equal((await app.inject({ url: '/api/v1/tasks', headers: { cookie, host } })).statusCode, 200);
  assert.equal((await app.inject({ url: '/', headers: { cookie, host } })).statusCode, 200);
  // A cross-site form post (another origin, or none) with the cookie: refused before anything is done.
  const body = form({ kind: 'video', category: 'cars' }, { name: 'a.mp4', data: 'x' });
  for (const origin of ['http://evil.example', 'null', undefined]) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/assets', payload: body.payload, headers: { ...body.headers, cookie, host, ...(origin ? { origin } : {}) } });
    assert.equal(res.statusCode, 403, `origin ${origin}`);
    assert.equal(res.json().code, 'CROSS_SITE');
  }
  const jobPost = await app.inject({ method: 'POST', url: '/api/v1/jobs', payload: 'name=x&job=y', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, host, origin: 'http://evil.example' } });
  assert.equal(jobPost.statusCode, 403);
  assert.deepEqual(await walk(layout.raw), [], 'nothing written');
  const same = await app.inject({ method: 'POST', url: '/api/v1/assets', payload: body.payload, headers: { ...body.headers, cookie, host, origin: `http://${host}` } });
  assert.equal(same.statusCode, 201, same.body);
  await rotateToken(layout);
  assert.equal((await app.inject({ url: '/api/v1/tasks', headers: { cookie, host } })).statusCode, 401, 'a rotated token ends the session');
  assert.equal((await app.inject({ url: '/api/v1/tasks', headers: { authorization: `Bearer ${token}` } })).statusCode, 401, 'and the old token');
});

test('ids and names that would leave their folder are refused', async (t) => {
  const { app, auth, layout } = await served(t);
  for (const url of ['/api/v1/tasks/..%2F..%2Fetc', '/api/v1/tasks/../../etc/passwd', `/api/v1/tasks/${ID}%2F..%2F..%2Fserver/video`, '/api/v1/tasks/.%2E/poster']) {
    const res = await app.inject({ url, headers: auth });
    assert.ok(res.statusCode === 400 || res.statusCode === 404, `${url}: ${res.statusCode}`);
    assert.doesNotMatch(res.body, /"token"/);
  }
  for (const name of ['../evil', '..', '.hidden', 'a/b', 'a\\b']) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/jobs', headers: auth, payload: { name, job: { sources: [{ category: 'x' }] } } });
    assert.equal(res.statusCode, 400, name);
    assert.equal(res.json().field, 'name');
  }
  const del = await app.inject({ method: 'DELETE', url: '/api/v1/jobs/..%2F..%2Fserver', headers: auth });
  assert.deepEqual([del.statusCode, del.json().code, del.json().field], [400, 'BAD_NAME', 'id'], 'a job name checked as one path segment');
  for (const [fields, field] of [[{ kind: 'video', category: '../../server' }, 'category'], [{ kind: 'video', category: '..' }, 'category'], [{ kind: 'video', category: '.x' }, 'category'], [{ kind: '../job', category: 'c' }, 'kind'], [{ kind: 'video', category: 'c', tags: 'ok, ../../x' }, 'tags'], [{ kind: 'narration', category: 'c', campaign: '../x' }, 'campaign']] as const) {
    const f = form(fields, { name: 'part_0001.mp3', data: 'x' });
    const res = await app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...f.headers }, payload: f.payload });
    assert.equal(res.statusCode, 400, JSON.stringify(fields));
    assert.equal(res.json().field, field);
  }
  // A file name with a path in it keeps only its last part (busboy), and a dot-name or a sidecar name is refused.
  const f = form({ kind: 'video', category: 'c' }, { name: '../../../server/token.json.mp4', data: 'x' });
  const res = await app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...f.headers }, payload: f.payload });
  assert.equal(res.statusCode, 201, res.body);
  assert.equal(res.json().path, 'raw/video/c/token.json.mp4');
  for (const name of ['.hidden.mp4', 'clip.mp4.json']) {
    const g = form({ kind: 'video', category: 'c' }, { name, data: 'x' });
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/assets', headers: { ...auth, ...g.headers }, payload: g.payload })).statusCode, 400, name);
  }
  assert.deepEqual((await walk(layout.raw)).map((p) => layout.rel(p)), ['raw/video/c/token.json.mp4']);
});
