import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isClipmillError } from '../../src/shared/errors.js';
import { JobSchema, describeJobFile, jobOutput, parseJob, parseJobFile, type JobInput } from '../../src/shared/job.js';

const base = (): JobInput => ({
  variations: 3,
  sources: [{ category: 'promo' }],
  parts: [
    { footage: [{ category: 'cars' }], clips: 2, clip_seconds: { min: 1, max: 2 }, narration: { category: 'cars', campaign: 'spring', part: 1 } },
    { footage: [{ category: 'cars' }], clips: 2, clip_seconds: { min: 1, max: 2 }, narration: { category: 'cars', campaign: 'spring', part: 2 } },
  ],
});

function errorOf(value: unknown): string {
  try {
    parseJob(JSON.stringify(value), 'raw/job/x.json');
  } catch (err) {
    assert.ok(isClipmillError(err, 'JOB_INVALID'), String(err));
    return err.message;
  }
  assert.fail('accepted');
}

test('a valid job parses with its defaults', () => {
  const j = parseJob(JSON.stringify(base()), 'x.json');
  assert.equal(j.priority, 0);
  assert.equal(j.quality, 'normal');
  assert.equal(j.flip_source, false);
  assert.deepEqual(j.uniqueness, {});
  assert.equal(j.parts![0]!.logo, false);
  assert.deepEqual(jobOutput(j, { width: 160, height: 90, fps: 25 }), { width: 160, height: 90, fps: 25 });
  assert.deepEqual(jobOutput(JobSchema.parse({ ...base(), output: { resolution: '90x160' } }), { width: 160, height: 90, fps: 25 }), { width: 90, height: 160, fps: 25 });
});

test('source_volume: the source\'s own sound, 1 by default, 0 for none', () => {
  const one = (audio: object) => JobSchema.parse({ sources: [{ category: 'p' }], audio: { music: { category: 'm' }, ...audio } }).audio!;
  assert.equal(one({}).source_volume, 1);
  assert.equal(one({ source_volume: 0 }).source_volume, 0);
  assert.equal(one({ volume: 0.3, source_volume: 1.0 }).source_volume, 1);
  assert.equal(JobSchema.parse({ ...base(), soundtrack: { music: { category: 'm' } } }).soundtrack!.source_volume, 1);
});

test('a BOM is allowed; bad JSON is JOB_INVALID naming the file', () => {
  assert.equal(parseJob(`\uFEFF${JSON.stringify(base())}`, 'x.json').variations, 3);
  assert.match(errorOf(undefined), /x\.json is not valid JSON/);
});

test('each error names the field and the bad value', () => {
  const b = base();
  const part = (over: Record<string, unknown>, i = 1) => ({ ...b, parts: b.parts!.map((p, k) => (k === i ? { ...p, ...over } : p)) });
  const cases: [unknown, RegExp][] = [
    [part({ clip_seconds: { min: -1, max: 2 } }), /raw\/job\/x\.json: parts\[1\]\.clip_seconds\.min: a number > 0, got -1/],
    [part({ clip_seconds: { min: 3, max: 2 } }), /parts\[1\]\.clip_seconds\.max: a number >= min \(3\), got 2/],
    [{ ...b, variatons: 3 }, /variatons: unknown key/],
    [part({ footage: [{ category: 'cars', tag: ['x'] }] }, 0), /parts\[0\]\.footage\[0\]\.tag: unknown key/],
    [{ ...b, variations: 0 }, /variations: an integer from 1 to 1000, got 0/],
    [{ ...b, variations: 2.5 }, /variations: an integer from 1 to 1000, got 2\.5/],
    [{ ...b, sources: [] }, /sources: a non-empty list of selectors, got \[\]/],
    [{ ...b, sources: [{}] }, /sources\[0\]: a selector/],
    [{ ...b, sources: [{ id: 'a', category: 'b' }] }, /sources\[0\]\.id: an id alone/],
    [{ ...b, quality: 'ultra' }, /quality: "draft", "normal" or "high", got "ultra"/],
    [{ ...b, output: { resolution: '161x90' } }, /output\.resolution: "WIDTHxHEIGHT" with even sizes/],
    [{ ...b, uniqueness: { speed: [1.1, 0.9] } }, /uniqueness\.speed: low <= high/],
    [{ ...b, uniqueness: { pitch: [0.1, 1] } }, /uniqueness\.pitch\[0\]: a number from 0\.5 to 2, got 0\.1/],
    [{ ...b, soundtrack: { music: { category: 'm' }, from_part: 3 } }, /soundtrack\.from_part: a part number from 1 to 2, got 3/],
    [{ ...b, soundtrack: { music: { category: 'm' }, to_part: 5 } }, /soundtrack\.to_part: a part number from from_part \(1\) to 2, got 5/],
    [part({ logo: true }, 0), /parts\[0\]\.logo: false, or a top-level "logo" selector/],
    [part({ narration: { category: 'cars', campaign: 'spring' } }, 0), /parts\[0\]\.narration\.part: an integer from 1 to 9999/],
    [part({ text: { text: 'hi', category: 'hooks' } }, 0), /parts\[0\]\.text: one of "text"/],
    [part({ text: { text: 'hi', sizes: [2] } }, 0), /parts\[0\]\.text\.sizes\[0\]: a number from 4 to 1000, got 2/],
    [{ ...b, audio: { music: { category: 'm' } } }, /audio: absent when the job has "parts"/],
    [{ variations: 1, sources: [{ category: 'p' }], soundtrack: { music: { category: 'm' } } }, /soundtrack: absent in one-part mode/],
    [{ variations: 1, sources: [{ category: 'p' }], audio: { music: { category: 'm' }, source_volume: -0.5 } }, /audio\.source_volume: a number from 0 to 10, got -0\.5/],
    [{ variations: 1, sources: [{ category: 'p' }], audio: { music: { category: 'm' }, source_volume: '1' } }, /audio\.source_volume: a number from 0 to 10, got "1"/],
    [{ ...b, soundtrack: { music: { category: 'm' }, source_volume: 11 } }, /soundtrack\.source_volume: a number from 0 to 10, got 11/],
    [{ ...b, template: 'slideshow' }, /template: one of "instructions".*got "slideshow"/],
    [{ ...b, flip_source: 'yes' }, /flip_source: true or false, got "yes"/],
    [[], /\(top level\): an object/],
  ];
  for (const [value, re] of cases) assert.match(errorOf(value), re);
});

test('the error details name the first bad field', () => {
  try {
    parseJob(JSON.stringify({ ...base(), variatons: 3 }), 'x.json');
    assert.fail('accepted');
  } catch (err) {
    assert.ok(isClipmillError(err, 'JOB_INVALID'));
    assert.equal(err.details.field, 'variatons');
  }
});

test('a job file names its template: absent or "instructions" is an instruction set; another value is refused naming the field', () => {
  const f = parseJobFile(JSON.stringify({ template: 'instructions', ...base() }), 'x.json');
  assert.equal(f.template, 'instructions');
  assert.equal(describeJobFile(f).variations, 3);
  assert.equal(parseJobFile(JSON.stringify(base()), 'x.json').template, 'instructions');
  for (const bad of [{ ...base(), template: 'golden-frames' }, { ...base(), template: 7 }]) {
    try {
      parseJobFile(JSON.stringify(bad), 'raw/job/x.json');
      assert.fail('accepted');
    } catch (err) {
      assert.ok(isClipmillError(err, 'JOB_INVALID'));
      assert.equal(err.details.field, 'template');
      assert.match(err.message, /raw\/job\/x\.json: template: one of "instructions"/);
    }
  }
  assert.throws(() => parseJobFile('[1]', 'x.json'), /x\.json: \(top level\): an object, got an array/);
});
