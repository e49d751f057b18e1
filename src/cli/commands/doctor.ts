import { access, constants } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defaultConfigPath } from '../../shared/config.js';
import { freeBytes, formatBytes } from '../../shared/disk.js';
import { errorMessage } from '../../shared/errors.js';
import { exists } from '../../shared/fs.js';
import { Layout } from '../../shared/layout.js';
import { testEncoders } from '../../shared/media/encoders.js';
import { resolveBinary, type ResolvedBinary } from '../../shared/media/ffmpeg.js';
import { packageVersion } from '../../shared/package-root.js';
import { COMMON_HELP, COMMON_OPTIONS, configFrom, type Command } from '../common.js';

export const doctor: Command = {
  name: 'doctor',
  summary: 'check that this node can run the farm: binaries, encoders, disk',
  usage: 'clipmill doctor [--root <dir>] [--config <file>]',
  help: `Prints the ffmpeg and ffprobe in use (and where they were found), the result of a real
one-frame test encode with every encoder of render.encoders, and the free space in the root.
Exits 1 when the farm cannot run here: no ffmpeg or ffprobe, no working encoder, a root
that is missing or not writable, or less free space than disk.minFreeMb.

Options:
${COMMON_HELP}`,
  options: COMMON_OPTIONS,
  async run(args, io) {
    const config = configFrom(args, io.env);
    const problems: string[] = [];
    const w = (s: string) => io.out.write(`${s}\n`);
    w(`clipmill ${packageVersion()} on Node ${process.versions.node}`);
    const cfgFile = (args.values.config as string | undefined) ?? io.env.CLIPMILL_CONFIG;
    w(`config    ${defaultConfigPath()}${cfgFile ? ` + ${resolve(cfgFile)}` : ''}`);
    const bins: Partial<Record<'ffmpeg' | 'ffprobe', ResolvedBinary>> = {};
    for (const name of ['ffmpeg', 'ffprobe'] as const) {
      try {
        const b = await resolveBinary(name, config, io.env);
        bins[name] = b;
        w(`${name.padEnd(9)} ${b.path} (from ${b.source})\n          ${b.version}`);
      } catch (err) {
        problems.push(errorMessage(err));
        w(`${name.padEnd(9)} MISSING: ${errorMessage(err)}`);
      }
    }
    if (bins.ffmpeg) {
      w('encoders  one-frame test encode, in render.encoders order:');
      const tests = await testEncoders(bins.ffmpeg.path, config, io.signal);
      const chosen = tests.find((t) => t.ok);
      for (const t of tests) w(`  ${t.name.padEnd(18)} ${t.ok ? `ok   (${t.ms} ms)${t === chosen ? '  <- render workers will use this one' : ''}` : `FAIL ${t.error ?? ''}`}`);
      if (!chosen) problems.push(`no encoder of render.encoders passed its test encode`);
    }
    const rootArg = (args.values.root as string | undefined) ?? io.env.CLIPMILL_ROOT;
    if (rootArg) {
      const root = resolve(rootArg);
      const layout = new Layout(root);
      if (!(await exists(layout.raw))) {
        problems.push(`${root} is not a clipmill root (run clipmill init ${root})`);
        w(`root      ${root}: NOT a clipmill root`);
      } else {
        try {
          await access(root, constants.W_OK);
          const free = await freeBytes(root);
          const low = free < config.disk.minFreeMb * 1024 * 1024;
          if (low) problems.push(`only ${formatBytes(free)} free in ${root} (disk.minFreeMb is ${config.disk.minFreeMb})`);
          w(`root      ${root}: ${formatBytes(free)} free${low ? ' (LOW)' : ''}`);
        } catch (err) {
          problems.push(`${root} is not writable: ${errorMessage(err)}`);
          w(`root      ${root}: not writable`);
        }
      }
    } else w('root      not checked (no --root and no CLIPMILL_ROOT)');
    if (problems.length) {
      w(`\nNOT READY:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
      return 1;
    }
    w('\nready');
    return 0;
  },
};
