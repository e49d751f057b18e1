import assert from 'node:assert/strict';
import { test } from 'node:test';
import { embeddedV4, privateAddressReason } from '../../../src/main-worker/crawl/address.js';

test('IPv6 forms of private IPv4 addresses are refused: mapped, compatible (dotted and hex), translated, NAT64', () => {
  for (const ip of ['::ffff:127.0.0.1', '::ffff:7f00:1', '::127.0.0.1', '::7f00:1', '[::7f00:1]', '::ffff:0:127.0.0.1', '::ffff:0:a9fe:a9fe', '64:ff9b::169.254.169.254', '64:ff9b::a00:1', '64:ff9b:1::c0a8:1', '0:0:0:0:0:ffff:10.0.0.1', '::a9fe:a9fe']) {
    assert.ok(privateAddressReason(ip), `${ip} must be refused`);
  }
  assert.equal(embeddedV4('::7f00:1'), '127.0.0.1');
  assert.equal(embeddedV4('::ffff:0:a9fe:a9fe'), '169.254.169.254');
});

test('local-use NAT64 (64:ff9b:1::/48) is refused whole: its IPv4 address is not in the last 32 bits', () => {
  // 10.0.0.1 in RFC 6052's /48 layout; its last 32 bits read 8.8.8.8, which must not let it pass.
  for (const ip of ['64:ff9b:1:a00:1:0:808:808', '64:ff9b:1::c0a8:1', '64:ff9b:1::808:808', '64:ff9b:1:ffff::1']) assert.ok(privateAddressReason(ip), `${ip} must be refused`);
  assert.equal(embeddedV4('64:ff9b:1:a00:1:0:808:808'), null, 'not read as an embedded IPv4 address');
  assert.equal(privateAddressReason('64:ff9b::808:808'), null, 'the well-known NAT64 prefix of a public address passes');
  assert.equal(embeddedV4('64:ff9b::808:808'), '8.8.8.8');
});

test('public addresses pass, in every form; IPv6 loopback and unspecified stay refused', () => {
  for (const ip of ['93.184.216.34', '::ffff:93.184.216.34', '::5db8:d822', '2606:2800:220:1:248:1893:25c8:1946']) assert.equal(privateAddressReason(ip), null, ip);
  for (const ip of ['::1', '::', 'fe80::1', 'fc00::1', 'not-an-ip']) assert.ok(privateAddressReason(ip), ip);
  assert.equal(embeddedV4('::1'), null);
  assert.equal(embeddedV4('2001:db8::1'), null);
  assert.equal(embeddedV4('1:2:3'), null);
});
