// The shorts section of the configuration (schema.ts SECTIONS.shorts): audio to vertical shorts
// (docs/shorts.md). docs/config.md says what each key does.
import { number, oneOf, section, text } from './fields.js';

export const shortsSection = section('shorts', {
  /** The size of a short, even width and height. Default "1080x1920". */
  resolution: text(/^[1-9][0-9]{1,4}x[1-9][0-9]{1,4}$/, '"WIDTHxHEIGHT" such as "1080x1920"'),
  /** Audio dropped into raw/short/ shorter than this (decoded) is rejected. Default 3. */
  minSeconds: number(0.1),
  /** Audio dropped into raw/short/ longer than this (decoded) is rejected. Default 180. */
  maxSeconds: number(1),
  /** Who plans the scenes: "local" (offline, keyword matching). Default "local". */
  planner: oneOf(['local']),
  /** The captions' style when the sidecar or job sets none: "line", "word" or "karaoke". Default "karaoke". */
  captionStyle: oneOf(['line', 'word', 'karaoke']),
  /** The music's linear gain in the pauses of the voice. Default 0.3. */
  musicVolume: number(0, 10),
  /** Decibels the music is lowered by while words are spoken (at least 12). Default 18. */
  duckDb: number(12, 60),
  /** The transition between beats: an xfade name, or "cut". Default "fade". */
  transition: oneOf(['cut', 'fade', 'fadeblack', 'dissolve', 'wipeleft', 'wiperight', 'slideleft', 'slideright', 'smoothleft', 'smoothright', 'circleopen', 'zoomin']),
  /** Seconds of each transition. Default 0.3. */
  transitionSeconds: number(0.04, 2),
});
