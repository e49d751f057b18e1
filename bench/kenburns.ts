// Ken Burns benchmark, measured side by side in one run (2-core machines are noisy: only the
// ratios mean something; each figure is the best of 3 runs, taken in turn):
//   1. CPU (user + system of the ffmpeg child) of a still rendered through stillChains with
//      Ken Burns against the same still without motion: 1080x1920 from a 1920x1080 picture,
//      crop fit, 5 s at 30 fps, libx264 -preset medium -crf 23 (target: within 30%);
//   2. where that goes: the filters alone (-f null), and a bare encode of the same output
//      frames (decoded once beforehand, not timed): x264 spends far more on a moving picture
//      than on a repeated one, whatever makes the frames;
//   3. the alternatives still.ts's header weighs, filters only: zoompan straight on the fitted
//      picture (jitters by ~2 px), perspective with eval=frame (exact, linear interpolation).
//      Both only move within the frame fitted at zoom 1 (a narrower pan than still.ts allows).
// Run: node scripts/setup.mjs --bench bench/kenburns.ts
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { loadConfig } from '../src/shared/config.js';
import { resolveBinaries } from '../src/shared/media/ffmpeg.js';
import type { StillSegment, View } from '../src/shared/timeline/schema.js';
import { stillChains } from '../src/shared/timeline/still.js';

const [W, H, FPS, FRAMES] = [1080, 1920, 30, 150];
const X264 = ['-c:v', 'libx264', '-preset', 'medium', '-crf', '23'];
const RUNS = 3;

/** CPU seconds (user + system) used by this process's reaped children so far (Linux). */
async function childCpu(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command name: cutime and cstime are fields 16 and 17 of stat(5), in clock ticks.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

const work = await mkdtemp(join(tmpdir(), 'clipmill-bench-kenburns-'));
try {
  const { ffmpeg } = await resolveBinaries(loadConfig({ env: {} }));
  const f = ffmpeg.path;
  const png = join(work, 'still.png');
  await execa(f, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=1920x1080', '-frames:v', '1', png]);
  const run = async (argv: string[]) => {
    const c0 = await childCpu();
    await execa(f, ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...argv]);
    return (await childCpu()) - c0;
  };
  const still = (ken_burns?: { from: View; to: View }): StillSegment => ({ type: 'still', file: 'still.png', duration: FRAMES / FPS, fit: 'crop', flip: false, ken_burns });
  const view = (zoom: number, x: number, y: number): View => ({ zoom, x, y });
  const chainsOf = (seg: StillSegment) => stillChains(seg, '[0:v]', '[v]', W, H, FPS, FRAMES, 's0').join(';');
  const cases: [string, string][] = [
    ['no motion', chainsOf(still())],
    ['zoom 1 -> 1.2, pan', chainsOf(still({ from: view(1, 0.45, 0.5), to: view(1.2, 0.55, 0.5) }))],
    ['zoom 1 -> 1.5, pan', chainsOf(still({ from: view(1, 0.4, 0.5), to: view(1.5, 0.6, 0.45) }))],
    ['pan only (x 0.3 -> 0.7)', chainsOf(still({ from: view(1, 0.3, 0.5), to: view(1, 0.7, 0.5) }))],
  ];
  // The alternatives, on the picture fitted once at 1x and looped (zoom 1 -> 1.2, the pan above).
  const fitted = `[0:v]scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H},setsar=1,format=yuv420p`;
  const tail = `settb=1/${FPS},setpts=N,fps=${FPS}[v]`;
  const z = (n: string) => `pow(1.2,${n}/${FRAMES - 1})`;
  const vx = `((0.45+0.1*(in-1)/${FRAMES - 1})*W-W/${z('(in-1)')}/2)`;
  const vy = `(H/2-H/${z('(in-1)')}/2)`;
  const others: [string, string][] = [
    ['zoompan on the fitted picture', `${fitted},zoompan=z='${z('on')}':x='(0.45+0.1*on/${FRAMES - 1})*iw-iw/zoom/2':y='ih/2-ih/zoom/2':d=${FRAMES}:s=${W}x${H}:fps=${FPS},${tail}`],
    ['perspective, eval=frame', `${fitted},loop=loop=${FRAMES - 1}:size=1,settb=1/${FPS},setpts=N,perspective=x0='${vx}':y0='${vy}':x1='${vx}+W/${z('(in-1)')}':y1='${vy}':x2='${vx}':y2='${vy}+H/${z('(in-1)')}':x3='${vx}+W/${z('(in-1)')}':y3='${vy}+H/${z('(in-1)')}':eval=frame,${tail}`],
  ];

  const best = new Map<string, { render: number; filters: number; bare: number }>();
  const keep = (name: string, key: 'render' | 'filters' | 'bare', cpu: number) => {
    const b = best.get(name) ?? { render: Infinity, filters: Infinity, bare: Infinity };
    b[key] = Math.min(b[key], cpu);
    best.set(name, b);
  };
  // Each case's output frames, decoded once, for the bare encodes.
  for (const [name, chains] of cases) await execa(f, ['-v', 'error', '-i', png, '-filter_complex', chains, '-map', '[v]', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', join(work, `${cases.findIndex((c) => c[0] === name)}.yuv`)]);
  for (let r = 0; r < RUNS; r++) {
    for (const [i, [name, chains]] of cases.entries()) {
      keep(name, 'render', await run(['-i', png, '-filter_complex', chains, '-map', '[v]', ...X264, '-f', 'mp4', join(work, 'out.mp4')]));
      keep(name, 'filters', await run(['-i', png, '-filter_complex', chains, '-map', '[v]', '-f', 'null', '-']));
      keep(name, 'bare', await run(['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${W}x${H}`, '-r', String(FPS), '-i', join(work, `${i}.yuv`), ...X264, '-f', 'mp4', join(work, 'bare.mp4')]));
    }
    for (const [name, chains] of others) keep(name, 'filters', await run(['-i', png, '-filter_complex', chains, '-map', '[v]', '-f', 'null', '-']));
  }

  const base = best.get('no motion')!;
  console.log(`Ken Burns benchmark (${ffmpeg.version.split(' ').slice(0, 3).join(' ')}): a 1920x1080 testsrc2 picture, ${W}x${H} crop, ${FRAMES} frames at ${FPS} fps, libx264 -preset medium -crf 23; CPU s, best of ${RUNS}`);
  console.log(`  ${'still'.padEnd(30)} ${'render'.padStart(7)} ${'ratio'.padStart(6)} ${'filters'.padStart(8)} ${'bare x264'.padStart(10)}`);
  for (const [name] of cases) {
    const b = best.get(name)!;
    const note = name === 'no motion' ? '' : `  (target <= 1.30; filters ${((100 * (b.filters - base.filters)) / base.render).toFixed(0)}% of the no-motion render, x264 ${((100 * (b.bare - base.bare)) / base.render).toFixed(0)}%)`;
    console.log(`  ${name.padEnd(30)} ${b.render.toFixed(2).padStart(7)} ${(b.render / base.render).toFixed(2).padStart(6)} ${b.filters.toFixed(2).padStart(8)} ${b.bare.toFixed(2).padStart(10)}${note}`);
  }
  const ours = best.get('zoom 1 -> 1.2, pan')!;
  console.log(`  alternatives, filters only (zoom 1 -> 1.2; still.ts: ${ours.filters.toFixed(2)} s):`);
  for (const [name] of others) console.log(`  ${name.padEnd(30)} ${''.padStart(7)} ${''.padStart(6)} ${best.get(name)!.filters.toFixed(2).padStart(8)}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
