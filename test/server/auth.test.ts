import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crossSiteRefusal, ownOrigin, sessionFor } from '../../src/server/auth.js';
import type { FastifyRequest } from 'fastify';

const req = (method: string, origin?: string) => ({ method, protocol: 'https', host: 'farm.example', headers: origin === undefined ? {} : { origin } }) as unknown as FastifyRequest;

test('sessionFor: one value per token, none like the token itself', () => {
  assert.equal(sessionFor('a'), sessionFor('a'));
  assert.notEqual(sessionFor('a'), sessionFor('b'));
  assert.notEqual(sessionFor('a'), 'a');
});

test('crossSiteRefusal: only state changes with a cookie from another origin (or none) are refused', () => {
  const cookie = { via: 'cookie' as const, name: 'd' };
  assert.equal(ownOrigin(req('GET')), 'https://farm.example');
  assert.equal(crossSiteRefusal(req('GET', 'https://evil.example'), cookie), null);
  assert.equal(crossSiteRefusal(req('POST', 'https://farm.example'), cookie), null);
  assert.match(crossSiteRefusal(req('POST', 'https://evil.example'), cookie)!, /evil\.example/);
  assert.match(crossSiteRefusal(req('DELETE'), cookie)!, /needs an Origin/);
  assert.match(crossSiteRefusal(req('POST', 'http://farm.example'), cookie)!, /refused/, 'the scheme counts');
  assert.equal(crossSiteRefusal(req('POST', 'https://evil.example'), { via: 'bearer', name: 'd' }), null, 'a bearer token is not sent by browsers on their own');
});
