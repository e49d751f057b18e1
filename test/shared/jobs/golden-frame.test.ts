// The golden-frame job file schema, through validateJobFile as raw/job/ and the API use it:
// defaults, strictness, errors that name the field and the bad value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeJobFile, JOB_TEMPLATES, parseJobFile, validateJobFile } from '../../../src/shared/job.js';
import { isClipmillError } from '../../../src/shared/errors.js';

const MIN = { template: 'golden-frame', images: [{ category: 'products' }] };

test('a minimal job: the reference defaults (1080x1920 at 30 fps, 15 s, #050505, 0.7, #D4AF37, zoom 1.05, shots 1.5..4 s)', () => {
  assert.ok(JOB_TEMPLATES.includes('golden-frame'));
  const f = validateJobFile(MIN, 'raw/job/x.json');
  assert.equal(f.template, 'golden-frame');
  if (f.template !== 'golden-frame') return;
  const j = f.job;
  assert.deepEqual([j.output, j.duration, j.quality, j.priority, j.variations, j.shot_seconds], [{ resolution: '1080x1920', fps: 30 }, 15, 'normal', 0, 1, { min: 1.5, max: 4 }]);
  assert.deepEqual(j.style, { background: '#050505', zoom: 1.05, atmosphere_opacity: 0.7, border: { color: '#D4AF37' }, hook: { font: 'Noto Sans', color: '#ffffff', bold: true, stroke_color: '#000000' } });
  assert.deepEqual(describeJobFile(f), { variations: 1, summary: '1 golden-frame video(s) of 15 s, 1 image selector(s)' });
});

test('the reference API fields, with a BOM and Unicode hook', () => {
  const text = '\ufeff' + JSON.stringify({ ...MIN, audio: { id: 'a1' }, text: 'Новинка 🔥', frame: { category: 'frames', tags: ['gold'] }, atmosphere: { category: 'glitter' }, quality: 'high', duration: 20, priority: 5 });
  const f = parseJobFile(text, 'raw/job/y.json');
  assert.ok(f.template === 'golden-frame' && f.job.text === 'Новинка 🔥' && f.job.quality === 'high' && f.job.duration === 20);
});

test('errors name the file, the field and the bad value', () => {
  const err = (value: unknown, re: RegExp) =>
    assert.throws(() => validateJobFile(value, 'raw/job/z.json'), (e: unknown) => {
      assert.ok(isClipmillError(e, 'JOB_INVALID'));
      assert.match((e as Error).message, re);
      return true;
    });
  err({ ...MIN, imges: [] }, /^raw\/job\/z\.json: .*imges/);
  err({ template: 'golden-frame' }, /images: a non-empty list of selectors/);
  err({ ...MIN, text: '   ' }, /text: a non-empty string/);
  err({ ...MIN, duration: 0 }, /duration: a number from 1 to 600, got 0/);
  err({ ...MIN, shot_seconds: { min: 3, max: 2 } }, /shot_seconds\.max: a number >= min \(3\), got 2/);
  err({ ...MIN, style: { border: { color: 'goldish' } } }, /style\.border\.color: a colour/);
  err({ ...MIN, style: { content: { width: 2000, height: 100 } } }, /style\.content\.width: at most the output width \(1080\), got 2000/);
  // At most 300 shots: 600 s of shots from 1.5 s could make 400.
  err({ ...MIN, duration: 600 }, /shot_seconds\.min: at least duration \/ 300 \(2 s for 600 s\): at most 300 shots a video, got 1\.5/);
  assert.equal(validateJobFile({ ...MIN, duration: 600, shot_seconds: { min: 2, max: 5 } }, 'x').template, 'golden-frame');
  err({ ...MIN, quality: 'ultra' }, /quality: "draft", "normal" or "high"/);
  err({ ...MIN, template: 'golden_frame' }, /template: one of .*"golden-frame", got "golden_frame"/);
});
