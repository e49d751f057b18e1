import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encoderSpec } from '../../src/shared/media/encoders.js';
import { planRender, secs } from '../../src/render-worker/plan-render.js';
import { sampleMetadata } from '../fixtures.js';
import { testConfig } from '../helpers.js';

const inputs = { videoList: '/p/t/video_list.txt', voice: '/p/t/voice.mp3', music: '/p/t/music.mp3', logo: '/p/t/logo.png', output: '/s/t/final.mp4' };
const opts = { audioBitrate: '192k', progress: true };

test('the full argv: concat, looped music, logo, mix, encoder, exact duration', () => {
  const argv = planRender(sampleMetadata(), inputs, encoderSpec('libx264', testConfig()), opts);
  assert.deepEqual(argv, [
    '-hide_banner', '-nostdin', '-y', '-nostats', '-loglevel', 'warning',
    '-progress', 'pipe:1',
    '-f', 'concat', '-safe', '0', '-i', '/p/t/video_list.txt',
    '-i', '/p/t/voice.mp3',
    '-stream_loop', '-1', '-i', '/p/t/music.mp3',
    '-i', '/p/t/logo.png',
    '-filter_complex',
    [
      '[0:v]scale=1920:1080:force_original_aspect_ratio=decrease,pad=1920:1080:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,fps=30,format=yuv420p[base]',
      '[3:v]scale=230:-2,format=rgba[logo]',
      '[base][logo]overlay=x=32:y=32[logoed]',
      '[logoed]format=yuv420p[vout]',
      '[1:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,volume=1[vc]',
      '[2:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,volume=0.25[bg]',
      '[vc][bg]amix=inputs=2:duration=first:dropout_transition=0:normalize=0,afade=t=out:st=125.2:d=0.5[aout]',
    ].join(';'),
    '-map', '[vout]', '-map', '[aout]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20',
    '-r', '30',
    '-c:a', 'aac', '-b:a', '192k', '-ar', '48000', '-ac', '2',
    '-t', '125.7',
    '-movflags', '+faststart', '-f', 'mp4', '/s/t/final.mp4',
  ]);
});

test('no music and no logo: the voice alone, inputs renumbered', () => {
  const meta = sampleMetadata({ music_file: null, music_source: null, music_duration: null, render: { ...sampleMetadata().render, logo: null, fit: 'crop' } });
  const argv = planRender(meta, { ...inputs, music: null, logo: null }, encoderSpec('libx264', testConfig()), { ...opts, progress: false });
  assert.ok(!argv.includes('-stream_loop') && !argv.includes('-progress'));
  assert.deepEqual(argv.filter((_a, i) => argv[i - 1] === '-i'), ['/p/t/video_list.txt', '/p/t/voice.mp3']);
  const graph = argv[argv.indexOf('-filter_complex') + 1]!;
  assert.equal(graph, [
    '[0:v]scale=1920:1080:force_original_aspect_ratio=increase,crop=1920:1080,setsar=1,fps=30,format=yuv420p[base]',
    '[base]format=yuv420p[vout]',
    '[1:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,volume=1[vc]',
    '[vc]anull,afade=t=out:st=125.2:d=0.5[aout]',
  ].join(';'));
});

test('hardware encoders: VAAPI gets its device and an upload at the end of the chain', () => {
  const config = testConfig();
  const argv = planRender(sampleMetadata(), inputs, encoderSpec('h264_vaapi', config), opts);
  const dev = argv.indexOf('-vaapi_device');
  assert.ok(dev > 0 && dev < argv.indexOf('-i'), 'device before the inputs');
  assert.equal(argv[dev + 1], '/dev/dri/renderD128');
  assert.match(argv[argv.indexOf('-filter_complex') + 1]!, /\[logoed\]format=yuv420p,format=nv12,hwupload\[vout\]/);
  const nv = planRender(sampleMetadata(), inputs, encoderSpec('h264_nvenc', config), opts);
  assert.deepEqual(nv.slice(nv.indexOf('-c:v'), nv.indexOf('-r')), ['-c:v', 'h264_nvenc', '-preset', 'p5', '-rc', 'vbr', '-cq', '21', '-b:v', '0']);
});

test('durations are written without float noise; a fade longer than the voice is dropped', () => {
  assert.equal(secs(125.70000000000002), '125.7');
  assert.equal(secs(2 / 3), '0.667');
  const short = planRender(sampleMetadata({ voice_duration: 0.4 }), inputs, encoderSpec('libx264', testConfig()), opts);
  assert.ok(!short[short.indexOf('-filter_complex') + 1]!.includes('afade'));
});

test('a frame layer: looped input after the music, screen-blended before the logo', () => {
  const argv = planRender(sampleMetadata({ frame_file: 'frame.mp4', frame_source: 'scanned/frame/fantasy/mp4_w1920_h1080/5.0_x.mp4' }), { ...inputs, frame: '/p/t/frame.mp4' }, encoderSpec('libx264', testConfig()), opts);
  assert.deepEqual(argv.filter((_a, i) => argv[i - 1] === '-i'), ['/p/t/video_list.txt', '/p/t/voice.mp3', '/p/t/music.mp3', '/p/t/frame.mp4', '/p/t/logo.png']);
  assert.equal(argv[argv.indexOf('/p/t/frame.mp4') - 3], '-stream_loop');
  const graph = argv[argv.indexOf('-filter_complex') + 1]!.split(';');
  assert.deepEqual(graph.slice(1, 5), [
    '[3:v]scale=1920:1080,setsar=1,fps=30,format=yuv420p[frame]',
    '[base][frame]blend=all_mode=screen:shortest=0:repeatlast=1[framed]',
    '[4:v]scale=230:-2,format=rgba[logo]',
    '[framed][logo]overlay=x=32:y=32[logoed]',
  ]);
});
