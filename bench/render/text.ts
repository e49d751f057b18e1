// What a text layer costs (the target: at most 10% more CPU than the same timeline
// without it). The 9:16 voice-over job of the CPU section, compiled twice through
// prepareRender (which plans the fonts when there are text layers): as it is, and with a
// two-line caption, white with a black stroke over a translucent box, on screen throughout.
// The CPU of the ffmpeg child of each, run alternately, the best of each compared.
import { join } from 'node:path';
import { errorMessage } from '../../src/shared/errors.js';
import { TimelineSchema, type TextLayer, type Timeline } from '../../src/shared/timeline/schema.js';
import { compiledArgv, type CpuContext } from './cpu.js';
import { evenCuts, jobMetadata, localPaths } from './fixtures.js';
import { alternate, best, ffmpegCpu, fmt, row, type Summary } from './measure.js';

/** The caption: what a story video shows, with the stroke and box the issue names. */
export const CAPTION: Partial<TextLayer> & Pick<TextLayer, 'type' | 'text'> = {
  type: 'text',
  text: 'Chapter one\nThe dragon woke before dawn',
  position: 'bottom',
  margin: 120,
  size: 72,
  color: '#ffffff',
  stroke: { color: '#000000', width: 4 },
  box: { color: '#000000a0', padding: 24 },
};

export async function textSection(ctx: CpuContext, summary: Summary): Promise<void> {
  const meta = jobMetadata(ctx.footage, evenCuts(ctx.footage), 1080, 1920);
  const plain: Timeline = meta.timeline!;
  const withText = TimelineSchema.parse({ ...plain, layers: [...plain.layers, CAPTION] });
  const paths = localPaths(ctx.footage, plain);
  console.log('text: a text layer (stroke and box) over the 9:16 job against the same job without it:');
  let text: string[];
  try {
    text = await compiledArgv(ctx, withText, paths, join(ctx.work, 'text-with'));
  } catch (err) {
    // The text modules (text/ass.ts, text/fonts.ts) may still be placeholders that throw.
    console.log(`    not measured: compiling the text layer failed: ${errorMessage(err)}`);
    summary.add({ name: 'text: with a text layer / without', value: null, target: 1.1, note: `not measured: ${errorMessage(err)}` });
    return;
  }
  const without = await compiledArgv(ctx, plain, paths, join(ctx.work, 'text-without'));
  const runs = await alternate(ctx.rounds, { without: () => ffmpegCpu(ctx.bins.ffmpeg.path, without), with: () => ffmpegCpu(ctx.bins.ffmpeg.path, text) });
  const ratio = best(runs.with).cpu / best(runs.without).cpu;
  console.log(row('without the text layer', runs.without));
  console.log(row('with the text layer', runs.with, `ratio ${fmt(ratio, 3)} (target <= 1.10)`));
  summary.add({ name: 'text: with a text layer / without', value: ratio, target: 1.1 });
}
