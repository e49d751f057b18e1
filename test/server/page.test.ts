import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loginPage } from '../../src/server/page.js';
import { served } from './fixture.js';

test('the page, its modules and Preact are served locally (hooks pointed at the local preact); the log-in page escapes its message', async (t) => {
  const { app, auth } = await served(t);
  const index = await app.inject({ url: '/', headers: auth });
  assert.equal(index.statusCode, 200);
  assert.match(index.body, /<script type="module" src="\/ui\/app.js"><\/script>/);
  assert.doesNotMatch(index.body, /https?:\/\//, 'nothing from another site');
  for (const url of ['/ui/app.js', '/ui/forms.js', '/ui/views.js', '/vendor/preact.mjs', '/vendor/htm.mjs']) {
    const r = await app.inject({ url, headers: auth });
    assert.equal(r.statusCode, 200, url);
    assert.match(String(r.headers['content-type']), /^text\/javascript/);
  }
  const hooks = await app.inject({ url: '/vendor/hooks.mjs', headers: auth });
  assert.match(hooks.body, /from"\.\/preact\.mjs"/);
  assert.doesNotMatch(hooks.body, /from\s*["']preact["']/);
  assert.equal((await app.inject({ url: '/ui/style.css' })).statusCode, 200, 'the log-in page needs the style sheet');
  assert.equal((await app.inject({ url: '/ui/../../package.json', headers: auth })).statusCode, 404);
  assert.match(loginPage('<script>x</script>'), /&#60;script&#62;x&#60;\/script&#62;/);
});
