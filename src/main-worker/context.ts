import type { Config } from '../shared/config.js';
import type { Layout } from '../shared/layout.js';
import type { Logger } from '../shared/log.js';
import type { Binaries } from '../shared/media/ffmpeg.js';

/** What every main worker stage needs. */
export interface MainContext {
  config: Config;
  layout: Layout;
  log: Logger;
  bins: Binaries;
}
