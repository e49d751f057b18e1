import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JSDOM } from 'jsdom';
import { normalizeText, removeFurniture, storyContainers } from '../../../src/main-worker/crawl/furniture.js';

const para = (n: number, word = 'story') => `<p>${Array.from({ length: 30 }, (_, i) => `${word}${n}x${i}`).join(' ')}.</p>`;

test('storyContainers: the element gathering the most paragraph text and everything around it, plus repeated list items', () => {
  const doc = new JSDOM(`<body><div id="page" class="site has-sidebar"><div class="content-area related-posts-enabled">${[1, 2, 3, 4].map((n) => para(n)).join('')}
    <div class="slide-caption">${para(5)}</div><div class="slide-caption">${para(6)}</div><div class="slide-caption">${para(7)}</div></div>
    <div class="comments">${[8, 9].map((n) => `<div class="comment">${para(n, 'reply')}</div>`).join('')}</div></div></body>`).window.document;
  const keep = storyContainers(doc.body);
  const area = doc.querySelector('.content-area')!;
  assert.ok(keep.has(area), 'the main container, whatever its class says');
  assert.ok(keep.has(doc.querySelector('#page')!), 'and what lies around it');
  for (const item of Array.from(doc.querySelectorAll('.slide-caption'))) assert.ok(keep.has(item), 'list items are story');
  assert.equal(keep.has(doc.querySelector('.comments')!), false);
});

test('removeFurniture: furniture by class token goes, the story\'s own containers stay', () => {
  const doc = new JSDOM(`<body><article class="post newsletter-post">${[1, 2, 3].map((n) => para(n)).join('')}<div class="newsletter-signup"><p>Subscribe now to get every post.</p></div><div class="share-buttons"><p>Share this</p></div></article><div class="comments"><p>first!</p></div></body>`).window.document;
  removeFurniture(doc);
  assert.ok(doc.querySelector('.newsletter-post'), 'the article stays');
  assert.equal(doc.querySelector('.newsletter-signup'), null);
  assert.equal(doc.querySelector('.share-buttons'), null);
  assert.equal(doc.querySelector('.comments'), null);
  assert.equal(doc.querySelectorAll('p').length, 3);
});

test('normalizeText: NFC, every space one space, joiners dropped', () => {
  assert.equal(normalizeText('  e\u0301\u00a0a\u200b b\u200d\n\tc  '), 'é a b c');
});
