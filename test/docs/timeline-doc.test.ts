// docs/timeline.md stays true to the schema: every ```json block parses with TimelineSchema
// (a whole timeline) or, after an `<!-- element -->` comment, with that element's schema; the
// complete example uses every element; every field and every choice of the schema is named.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { z } from 'zod';
import { describeExpected } from '../../src/shared/json.js';
import { MetadataSchema } from '../../src/shared/task.js';
import {
  ANIMATIONS, AudioTrackSchema, BLENDS, BorderLayerSchema, CAPTION_POSITIONS, CAPTION_STYLES, CaptionsLayerSchema, ClipSegmentSchema, COLOR_NAMES, ColorSegmentSchema, EffectsSchema, FITS, ImageLayerSchema, LayerSchema, OutputSchema,
  POSITIONS, QUALITIES, SegmentSchema, StillSegmentSchema, TextLayerSchema, TimelineSchema, TRANSITIONS, TransitionSchema, VideoLayerSchema, ViewSchema, type Timeline,
} from '../../src/shared/timeline/schema.js';
import { DuckSchema } from '../../src/shared/timeline/duck.js';
import { REPO } from '../helpers.js';

/** The element a `<!-- name -->` comment before a block names -> the schema it is checked with. */
const FRAGMENTS: Record<string, z.ZodType> = {
  output: OutputSchema,
  segment: SegmentSchema,
  transition: TransitionSchema,
  layer: LayerSchema,
  audio: AudioTrackSchema,
  effects: EffectsSchema,
  metadata: MetadataSchema,
};

interface Block {
  line: number;
  kind: string | null;
  text: string;
}

/** Every ```json block with the line it starts on and the element comment just before it (blank lines allowed between). */
export function jsonBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```json') continue;
    let j = i - 1;
    while (j >= 0 && lines[j]!.trim() === '') j--;
    const kind = /^<!--\s*([\w-]+)\s*-->$/.exec(lines[j]?.trim() ?? '')?.[1] ?? null;
    const end = lines.indexOf('```', i + 1);
    assert.ok(end > i, `the block at line ${i + 1} is closed`);
    out.push({ line: i + 1, kind, text: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return out;
}

const doc = () => readFile(join(REPO, 'docs', 'timeline.md'), 'utf8');

test('jsonBlocks finds blocks and the element comment before them', () => {
  const md = ['# x', '', '```json', '{"a": 1}', '```', '<!-- layer -->', '', '```json', '{}', '```', '```sh', 'ls', '```'].join('\n');
  assert.deepEqual(jsonBlocks(md), [
    { line: 3, kind: null, text: '{"a": 1}' },
    { line: 8, kind: 'layer', text: '{}' },
  ]);
});

test('every JSON example of docs/timeline.md parses with the schema it shows', async () => {
  const blocks = jsonBlocks(await doc());
  assert.ok(blocks.length >= 15, `${blocks.length} examples`);
  const kinds = new Set<string>();
  for (const b of blocks) {
    let value: unknown;
    assert.doesNotThrow(() => (value = JSON.parse(b.text)), `line ${b.line}: valid JSON`);
    const kind = b.kind ?? 'timeline';
    kinds.add(kind);
    const schema = b.kind === null ? TimelineSchema : FRAGMENTS[b.kind];
    assert.ok(schema, `line ${b.line}: <!-- ${b.kind} --> names an element (${Object.keys(FRAGMENTS).join(', ')})`);
    const r = schema.safeParse(value, { reportInput: true });
    assert.ok(r.success, `line ${b.line} (${kind}): ${r.success ? '' : describeExpected(r.error.issues)}`);
  }
  assert.deepEqual([...kinds].sort(), ['timeline', ...Object.keys(FRAGMENTS)].sort(), 'an example of every element');
});

test('the complete example uses every element', async () => {
  const blocks = jsonBlocks(await doc()).filter((b) => b.kind === null);
  const tl: Timeline = TimelineSchema.parse(JSON.parse(blocks[blocks.length - 1]!.text));
  assert.deepEqual([...new Set(tl.video.map((s) => s.type))].sort(), ['clip', 'color', 'still']);
  assert.deepEqual([...new Set(tl.layers.map((l) => l.type))].sort(), ['border', 'captions', 'image', 'text', 'video']);
  assert.ok(tl.video.some((s) => s.type === 'still' && s.ken_burns), 'a Ken Burns still');
  assert.ok(tl.video.some((s) => s.transition && s.transition.type !== 'cut'), 'a transition');
  assert.deepEqual(new Set(tl.video.map((s) => s.fit)), new Set(FITS), 'every fit');
  assert.ok(tl.video.some((s) => s.flip), 'a flipped segment');
  const text = tl.layers.find((l) => l.type === 'text');
  assert.ok(text?.stroke && text.box, 'a text with stroke and box');
  assert.ok(tl.audio.length >= 2 && tl.audio.some((a) => a.loop) && tl.audio.some((a) => a.start > 0), 'audio tracks: looped, placed');
  const effects = JSON.parse(blocks[blocks.length - 1]!.text).effects as Record<string, unknown>;
  assert.deepEqual(Object.keys(effects).sort(), Object.keys(EffectsSchema.shape).sort(), 'every effect');
});

test('docs/timeline.md names every field and every allowed value of the schema', async () => {
  const text = await doc();
  const shapes: Record<string, z.ZodRawShape> = {
    timeline: TimelineSchema.shape, output: OutputSchema.shape, transition: TransitionSchema.shape, clip: ClipSegmentSchema.shape, still: StillSegmentSchema.shape,
    view: ViewSchema.shape, color: ColorSegmentSchema.shape, image: ImageLayerSchema.shape, video: VideoLayerSchema.shape, text: TextLayerSchema.shape,
    border: BorderLayerSchema.shape, captions: CaptionsLayerSchema.shape, audio: AudioTrackSchema.shape, duck: DuckSchema.shape, effects: EffectsSchema.shape,
  };
  const missing: string[] = [];
  for (const [element, shape] of Object.entries(shapes)) for (const key of Object.keys(shape)) if (key !== 'type' && !text.includes(`\`${key}\``)) missing.push(`${element}.${key}`);
  for (const v of [...QUALITIES, ...FITS, ...TRANSITIONS, ...POSITIONS, ...ANIMATIONS, ...BLENDS, ...CAPTION_STYLES, ...CAPTION_POSITIONS, ...Object.keys(COLOR_NAMES)]) if (!text.includes(`\`${v}\``) && !text.includes(`"${v}"`)) missing.push(v);
  assert.deepEqual(missing, [], 'documented in docs/timeline.md');
});
