// Click tracks for the beat tests (beat analysis, music ingest, the golden-frame render): a 5 ms
// 1 kHz burst per beat after a lead-in of silence, made by ffmpeg.
import { execa } from 'execa';
import { binaries } from '../../helpers.js';

/** A click track: `bpm` clicks from `lead` seconds on, for `seconds` in all; the click times. */
export async function clickTrack(path: string, bpm: number, lead: number, seconds: number, extra = ''): Promise<number[]> {
  const period = 60 / bpm;
  const clicks: number[] = [];
  for (let t = lead; t < seconds - 0.05; t += period) clicks.push(Math.round(t * 1e6) / 1e6);
  const expr = `if(gte(t,${lead})*lt(mod(t-${lead},${period}),0.005),0.7*sin(2*PI*1000*t),0)${extra}`;
  const { ffmpeg } = await binaries();
  await execa(ffmpeg.path, ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc='${expr}':s=44100:d=${seconds}`, '-ac', '1', path]);
  return clicks;
}

