// How a picture of another shape fills the output, chain by chain (the renders are in
// render.test.ts: black bars where pad puts them, none with crop or blur-fill).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BLUR, even, fitChains } from '../../../src/shared/timeline/fit.js';

test('crop: cover, then the middle', () => {
  assert.deepEqual(fitChains('crop', '[0:v]', '[p1]', 1920, 1080, 'p1'), ['[0:v]crop=w=\'min(iw,2*round(ih*1920/1080/2))\':h=\'min(ih,2*round(iw*1080/1920/2))\',scale=1920:1080,setsar=1,format=yuv420p[p1]']);
});

test('pad: fit inside, black bars centred', () => {
  assert.deepEqual(fitChains('pad', '[s2]', '[p1]', 1080, 1920, 'p1'), ['[s2]scale=1080:1920:force_original_aspect_ratio=decrease,pad=1080:1920:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p[p1]']);
});

test('flip mirrors after fitting, before the pixel format', () => {
  assert.deepEqual(fitChains('crop', '[0:v]', '[p1]', 1080, 1080, 'p1', true), ['[0:v]crop=w=\'min(iw,2*round(ih*1080/1080/2))\':h=\'min(ih,2*round(iw*1080/1080/2))\',scale=1080:1080,setsar=1,hflip,format=yuv420p[p1]']);
  assert.match(fitChains('blur-fill', '[0:v]', '[p1]', 1080, 1920, 'p1', true)[3]!, /overlay=x=\(W-w\)\/2:y=\(H-h\)\/2,setsar=1,hflip,format=yuv420p\[p1\]$/);
});

test('blur-fill: the picture fitted over a copy blurred at an eighth of the size; labels made unique by the id', () => {
  assert.equal(BLUR, "boxblur=luma_radius='min(4,min(w,h)/2)':luma_power=2:chroma_radius='min(4,min(cw,ch)/2)':chroma_power=2");
  assert.deepEqual(fitChains('blur-fill', '[s2]', '[p1]', 1080, 1920, 'p1'), [
    '[s2]split=2[p1bg][p1fg]',
    `[p1bg]scale=136:240:force_original_aspect_ratio=increase,crop=136:240,${BLUR},scale=1080:1920,setsar=1[p1bgb]`,
    '[p1fg]scale=1080:1920:force_original_aspect_ratio=decrease,setsar=1[p1fgs]',
    '[p1bgb][p1fgs]overlay=x=(W-w)/2:y=(H-h)/2,setsar=1,format=yuv420p[p1]',
  ]);
  // A tiny output: the background sizes stay even (boxblur's radius shrinks with them).
  assert.match(fitChains('blur-fill', '[0:v]', '[p9]', 90, 160, 'p9')[1]!, /^\[p9bg\]scale=12:20:force_original_aspect_ratio=increase,crop=12:20,boxblur=/);
});

test('even: the nearest even integer, at least 2', () => {
  assert.deepEqual([even(0), even(1), even(2), even(2.9), even(3), even(853.33), even(230.4), even(-5)], [2, 2, 2, 2, 4, 854, 230, 2]);
});
