// The compiler, argument by argument (STYLE 2): the whole argv of a timeline, the render size
// and preset of each quality, hardware encoders, the effects at the end of the video chain,
// audio mapped only when there is some, and the files the caller writes. render.test.ts runs
// what it makes on real media.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encoderSpec } from '../../../src/shared/media/encoders.js';
import { compileTimeline, DRAFT_SHORT_SIDE, qualityArgs, renderSize, videoEffects, type CompileInputs } from '../../../src/shared/timeline/compile.js';
import { EffectsSchema, OutputSchema, TimelineSchema, type TimelineInput } from '../../../src/shared/timeline/schema.js';
import { testConfig } from '../../helpers.js';

const config = testConfig();
const x264 = encoderSpec('libx264', config);
const opts = { audioBitrate: '192k', progress: true };
const NORM = 'aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,asetpts=N/SR/TB';
const HEAD = ['-hide_banner', '-nostdin', '-y', '-nostats', '-loglevel', 'warning', '-progress', 'pipe:1'];
const CONCAT = ['-f', 'concat', '-safe', '0', '-segment_time_metadata', '1', '-i'];

const tl = (t: Omit<Partial<TimelineInput>, 'output'> & { output?: Partial<TimelineInput['output']> }) =>
  TimelineSchema.parse({
    ...t,
    output: { width: 1920, height: 1080, fps: 30, duration: 4, ...t.output },
    video: t.video ?? [{ type: 'clip', file: 'a.mp4', out: 4 }],
  });
const inputs = (files: Record<string, string> = {}): CompileInputs => ({
  paths: new Map(Object.entries({ 'a.mp4': '/m/a.mp4', 'voice.mp3': '/m/voice.mp3', 'logo.png': '/m/logo.png', ...files })),
  workDir: '/w',
  output: '/o/final.mp4',
});
/** The value after `flag` in `argv`. */
const after = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1]!;
const graph = (argv: string[]) => after(argv, '-filter_complex').split(';');

test('the whole argv: a run of two clips (a hostile path quoted in its list), one voice track, libx264 normal', () => {
  const t = tl({
    video: [
      { type: 'clip', file: 'a.mp4', in: 1, out: 3 },
      { type: 'clip', file: 'b.mp4', out: 2 },
    ],
    audio: [{ file: 'voice.mp3' }],
  });
  const c = compileTimeline(t, inputs({ 'b.mp4': "/m/it's [b]; x,y:z.mp4" }), x264, opts);
  assert.deepEqual(c.argv, [
    ...HEAD,
    // -copyts: the concat demuxer's timestamps reach select=concatdec_select as they are.
    '-copyts',
    ...CONCAT, '/w/run-1.ffconcat',
    '-i', '/m/voice.mp3',
    '-filter_complex',
    [
      '[0:v]select=concatdec_select,fps=30:start_time=0,trim=end_frame=120[s2]',
      '[s2]crop=w=\'min(iw,2*round(ih*1920/1080/2))\':h=\'min(ih,2*round(iw*1080/1920/2))\',scale=1920:1080,setsar=1,format=yuv420p[p1]',
      '[p1]trim=duration=4[base3]',
      '[base3]format=yuv420p[vout]',
      `[1:a]${NORM},atrim=duration=4[a4]`,
      '[a4]apad=whole_dur=4,atrim=duration=4[aout5]',
    ].join(';'),
    '-map', '[vout]', '-map', '[aout5]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20',
    '-r', '30',
    '-c:a', 'aac', '-b:a', '192k', '-ar', '48000', '-ac', '2',
    '-t', '4',
    '-movflags', '+faststart', '-f', 'mp4', '/o/final.mp4',
  ]);
  assert.deepEqual(c.files, [{ path: '/w/run-1.ffconcat', content: "ffconcat version 1.0\nfile '/m/a.mp4'\ninpoint 1\noutpoint 3\nfile '/m/it'\\''s [b]; x,y:z.mp4'\noutpoint 2\n" }]);
  assert.deepEqual(c.expect, { width: 1920, height: 1080, fps: 30, duration: 4, audio: true });
});

test('no audio tracks: no audio map, codec or options; progress off: no -progress', () => {
  const c = compileTimeline(tl({}), inputs(), x264, { ...opts, progress: false });
  assert.deepEqual(c.argv.slice(0, 7), ['-hide_banner', '-nostdin', '-y', '-nostats', '-loglevel', 'warning', '-copyts']);
  assert.deepEqual(c.argv.slice(c.argv.indexOf('-filter_complex') + 2), ['-map', '[vout]', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-r', '30', '-t', '4', '-movflags', '+faststart', '-f', 'mp4', '/o/final.mp4']);
  assert.equal(c.expect.audio, false);
  // A track that starts after the end is no audio either.
  const late = compileTimeline(tl({ audio: [{ file: 'voice.mp3', start: 4 }] }), inputs(), x264, opts);
  assert.ok(!late.argv.includes('-c:a') && !late.argv.includes('/m/voice.mp3'));
  assert.equal(late.expect.audio, false);
});

test('output shapes: 16:9, 9:16 and 1:1 at their sizes', () => {
  for (const [width, height] of [[1920, 1080], [1080, 1920], [1080, 1080], [160, 90], [90, 160]] as const) {
    const c = compileTimeline(tl({ output: { width, height } }), inputs(), x264, opts);
    assert.equal(graph(c.argv)[1], `[s2]crop=w='min(iw,2*round(ih*${width}/${height}/2))':h='min(ih,2*round(iw*${height}/${width}/2))',scale=${width}:${height},setsar=1,format=yuv420p[p1]`);
    assert.deepEqual(c.expect, { width, height, fps: 30, duration: 4, audio: false });
  }
});

test('renderSize: a draft is 480 pixels on the short side (even sizes); normal, high and small drafts keep the size', () => {
  const out = (width: number, height: number, quality: string) => OutputSchema.parse({ width, height, fps: 30, duration: 1, quality });
  assert.equal(DRAFT_SHORT_SIDE, 480);
  assert.deepEqual(renderSize(out(1920, 1080, 'draft')), { width: 854, height: 480, scale: 480 / 1080 });
  assert.deepEqual(renderSize(out(1080, 1920, 'draft')), { width: 480, height: 854, scale: 480 / 1080 });
  assert.deepEqual(renderSize(out(1080, 1080, 'draft')), { width: 480, height: 480, scale: 480 / 1080 });
  assert.deepEqual(renderSize(out(3840, 2160, 'draft')), { width: 854, height: 480, scale: 480 / 2160 });
  assert.deepEqual(renderSize(out(640, 360, 'draft')), { width: 640, height: 360, scale: 1 });
  assert.deepEqual(renderSize(out(1920, 1080, 'normal')), { width: 1920, height: 1080, scale: 1 });
  assert.deepEqual(renderSize(out(1920, 1080, 'high')), { width: 1920, height: 1080, scale: 1 });
});

test('draft: rendered at 480 on the short side with the fastest preset; layers scaled with the picture', () => {
  const t = tl({
    output: { quality: 'draft' },
    layers: [{ type: 'image', file: 'logo.png', position: 'bottom-right', margin: 36, scale: 0.1 }, { type: 'border', width: 9 }],
  });
  const c = compileTimeline(t, inputs(), x264, opts);
  assert.deepEqual(c.expect, { width: 854, height: 480, fps: 30, duration: 4, audio: false });
  assert.deepEqual(graph(c.argv), [
    '[0:v]select=concatdec_select,fps=30:start_time=0,trim=end_frame=120[s2]',
    '[s2]crop=w=\'min(iw,2*round(ih*854/480/2))\':h=\'min(ih,2*round(iw*480/854/2))\',scale=854:480,setsar=1,format=yuv420p[p1]',
    '[p1]trim=duration=4[base3]',
    '[1:v]scale=86:-2,format=rgba[i4]',
    '[base3][i4]overlay=x=W-w-16:y=H-h-16[l5]',
    '[l5]drawbox=x=0:y=0:w=iw:h=ih:color=0xffffff:t=4[l6]',
    '[l6]format=yuv420p[vout]',
  ]);
  assert.deepEqual(c.argv.slice(c.argv.indexOf('-c:v'), c.argv.indexOf('-r')), ['-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '20']);
});

test('qualityArgs: normal keeps the configured arguments; draft and high swap the preset (or add one)', () => {
  assert.deepEqual(qualityArgs(x264, 'normal'), ['-preset', 'veryfast', '-crf', '20']);
  assert.deepEqual(qualityArgs(x264, 'draft'), ['-preset', 'ultrafast', '-crf', '20']);
  assert.deepEqual(qualityArgs(x264, 'high'), ['-preset', 'slow', '-crf', '20']);
  assert.deepEqual(qualityArgs(encoderSpec('libx264', testConfig({ render: { encoderArgs: { libx264: ['-crf', '23'] } } })), 'high'), ['-crf', '23', '-preset', 'slow']);
  const nvenc = encoderSpec('h264_nvenc', config);
  assert.deepEqual(qualityArgs(nvenc, 'normal'), ['-preset', 'p5', '-rc', 'vbr', '-cq', '21', '-b:v', '0']);
  assert.deepEqual(qualityArgs(nvenc, 'draft'), ['-preset', 'p1', '-rc', 'vbr', '-cq', '21', '-b:v', '0']);
  assert.deepEqual(qualityArgs(nvenc, 'high'), ['-preset', 'p7', '-rc', 'vbr', '-cq', '21', '-b:v', '0']);
  const qsv = encoderSpec('h264_qsv', config);
  assert.deepEqual(qualityArgs(qsv, 'draft'), ['-preset', 'veryfast', '-global_quality', '21']);
  assert.deepEqual(qualityArgs(qsv, 'high'), ['-preset', 'veryslow', '-global_quality', '21']);
  // Encoders without presets keep their arguments.
  assert.deepEqual(qualityArgs(encoderSpec('h264_vaapi', config), 'high'), ['-qp', '21']);
  assert.deepEqual(qualityArgs(encoderSpec('libopenh264', config), 'draft'), []);
  // The spec is not changed.
  assert.deepEqual(x264.args, ['-preset', 'veryfast', '-crf', '20']);
});

test('high quality with libx264: the slow preset in the argv', () => {
  const c = compileTimeline(tl({ output: { quality: 'high' } }), inputs(), x264, opts);
  assert.deepEqual(c.argv.slice(c.argv.indexOf('-c:v'), c.argv.indexOf('-r')), ['-c:v', 'libx264', '-preset', 'slow', '-crf', '20']);
  assert.deepEqual(c.expect, { width: 1920, height: 1080, fps: 30, duration: 4, audio: false });
});

test('hardware encoders: NVENC takes yuv420p as it is; VAAPI gets its device before the inputs and an upload at the end of the chain', () => {
  const nv = compileTimeline(tl({ output: { quality: 'draft' } }), inputs(), encoderSpec('h264_nvenc', config), opts);
  assert.deepEqual(nv.argv.slice(nv.argv.indexOf('-c:v'), nv.argv.indexOf('-r')), ['-c:v', 'h264_nvenc', '-preset', 'p1', '-rc', 'vbr', '-cq', '21', '-b:v', '0']);
  assert.equal(graph(nv.argv).pop(), '[base3]format=yuv420p[vout]');
  const va = compileTimeline(tl({}), inputs(), encoderSpec('h264_vaapi', testConfig({ render: { vaapiDevice: '/dev/dri/renderD129' } })), opts);
  assert.deepEqual(va.argv.slice(8, 12), ['-copyts', '-vaapi_device', '/dev/dri/renderD129', '-f']);
  assert.equal(graph(va.argv).pop(), '[base3]format=yuv420p,format=nv12,hwupload[vout]');
  assert.deepEqual(va.argv.slice(va.argv.indexOf('-c:v'), va.argv.indexOf('-r')), ['-c:v', 'h264_vaapi', '-qp', '21']);
});

test('videoEffects: eq with only what changes, hflip, speed on the output frame grid', () => {
  const e = (v: Record<string, unknown>) => videoEffects(EffectsSchema.parse(v), 30);
  assert.deepEqual(e({}), []);
  assert.deepEqual(e({ contrast: 1.2, brightness: -0.1, saturation: 0, gamma: 2 }), ['eq=contrast=1.2:brightness=-0.1:saturation=0:gamma=2']);
  assert.deepEqual(e({ brightness: 0.05 }), ['eq=brightness=0.05']);
  assert.deepEqual(e({ flip: true }), ['hflip']);
  assert.deepEqual(e({ speed: 2 }), ['setpts=PTS/2', 'fps=30', 'tpad=stop_mode=clone:stop=1']);
  assert.deepEqual(e({ speed: 0.5, pitch: 1.5 }), ['setpts=PTS/0.5', 'fps=30', 'tpad=stop_mode=clone:stop=1']);
});

test('effects: at the end of the video chain, the audio sped up with it, the output lasting duration / speed', () => {
  const t = tl({ audio: [{ file: 'voice.mp3' }], effects: { contrast: 1.1, flip: true, speed: 2, pitch: 1.5 } });
  const c = compileTimeline(t, inputs(), encoderSpec('h264_vaapi', config), opts);
  const g = graph(c.argv);
  assert.equal(g[3], '[base3]eq=contrast=1.1,hflip,setpts=PTS/2,fps=30,tpad=stop_mode=clone:stop=1,format=yuv420p,format=nv12,hwupload[vout]');
  assert.equal(g[5], '[a4]apad=whole_dur=4,atrim=duration=4,asetrate=72000,aresample=48000,atempo=1.333333[aout5]');
  assert.equal(after(c.argv, '-t'), '2');
  assert.deepEqual(c.expect, { width: 1920, height: 1080, fps: 30, duration: 2, audio: true });
  // A slower video lasts longer; the time is written without float noise.
  const slow = compileTimeline(tl({ output: { duration: 3.1 }, effects: { speed: 0.3 } }), inputs(), x264, opts);
  assert.equal(after(slow.argv, '-t'), '10.333');
  assert.equal(slow.expect.duration, 3.1 / 0.3);
});

test('inputs are numbered in the order of the graph: segments, layers, then audio; every file named once per use', () => {
  const t = tl({
    video: [
      { type: 'clip', file: 'a.mp4', out: 1 },
      { type: 'color', color: 'red', duration: 1 },
      { type: 'still', file: 'logo.png', duration: 1 },
      { type: 'clip', file: 'a.mp4', in: 2, out: 3 },
    ],
    layers: [{ type: 'video', file: 'leak.mp4', blend: 'screen' }, { type: 'image', file: 'logo.png' }],
    audio: [{ file: 'voice.mp3' }, { file: 'music.mp3', loop: true }],
  });
  const c = compileTimeline(t, inputs({ 'leak.mp4': '/m/leak.mp4', 'music.mp3': '/m/music.mp3' }), x264, opts);
  const argv = c.argv.slice(0, c.argv.indexOf('-filter_complex'));
  assert.deepEqual(argv.slice(9), [
    ...CONCAT, '/w/run-1.ffconcat',
    '-i', '/m/logo.png',
    ...CONCAT, '/w/run-3.ffconcat',
    '-stream_loop', '-1', '-i', '/m/leak.mp4',
    '-i', '/m/logo.png',
    '-i', '/m/voice.mp3',
    '-stream_loop', '-1', '-i', '/m/music.mp3',
  ]);
  assert.deepEqual(c.files.map((f) => f.path), ['/w/run-1.ffconcat', '/w/run-3.ffconcat']);
  assert.equal(after(c.argv, '-map'), '[vout]');
  assert.match(c.argv[c.argv.lastIndexOf('-map') + 1]!, /^\[aout\d+\]$/);
});

test('a file without a local path is refused before anything is built', () => {
  assert.throws(() => compileTimeline(tl({ audio: [{ file: 'gone.mp3' }] }), inputs(), x264, opts), /the timeline names "gone\.mp3", which has no local copy/);
});
