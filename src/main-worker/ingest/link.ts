// raw/story/<category>/<story>/link/<name>.txt: one URL per line (# starts a comment). Each
// URL is crawled (next pages followed) and its text split into chunk_NNNN.txt files in
// scanned/story/<category>/<story>/, numbered on from the story's last chunk; sources.json
// records every page. The link file itself then moves to .../link/<name>.txt.
//
// Publication: everything is first written under dot-temp names, with a manifest
// (.publish-<id>.json) listing the renames to make; then the renames are made and the
// manifest removed. A crash between the two is rolled forward at start-up (recover.ts), so
// readers never see a partial set, and a failed crawl publishes nothing at all.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Agent } from 'undici';
import { ClipmillError } from '../../shared/errors.js';
import { exists, freeName, fsyncPath, moveFile, writeNewFileSynced as writeSynced } from '../../shared/fs.js';
import { StorySourcesSchema } from '../../shared/ingest-files.js';
import { readJson, validate, writeJson } from '../../shared/json.js';
import type { MainContext } from '../context.js';
import { chunkFileName, chunkParagraphs } from '../crawl/chunk.js';
import { checkUrl } from '../crawl/fetch.js';
import { crawlOptions, crawlStory, type CrawledStory } from '../crawl/crawl.js';
import { changedSince, type RawFile } from '../scan.js';
import { PublishManifestSchema, type PublishManifest } from './records.js';
import { KeyedLock } from '../keyed-lock.js';

const MAX_LINK_FILE = 64 * 1024;

/** URLs of a link file: one per line; blank lines and # comments (whole line, or after a space) skipped. */
export function parseLinkFile(text: string): string[] {
  return text
    .replace(/^\ufeff/, '')
    .split(/\r?\n/)
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);
}

export type { PublishManifest };

const MANIFEST = /^\.publish-[0-9a-f]+\.json$/;
export const isManifestName = (name: string) => MANIFEST.test(name);

/**
 * Makes the renames of a manifest that are still to make, then removes it. Idempotent. A
 * manifest that cannot be read or fails its schema throws, as an unreadable one always did:
 * it stays, with its temporaries, for an operator to look at.
 */
export async function rollForward(manifestPath: string): Promise<void> {
  const m = await readJson(PublishManifestSchema, manifestPath, 'IO');
  for (const [from, to] of m.renames) if (await exists(from)) await rename(from, to);
  if (await exists(m.link.from)) {
    const dir = join(m.link.to, '..');
    await mkdir(dir, { recursive: true });
    await moveFile(m.link.from, join(dir, await freeName(dir, m.link.to.split('/').pop()!)));
  }
  await rm(manifestPath, { force: true });
}

async function lastChunk(dir: string): Promise<number> {
  let max = 0;
  for (const n of await readdir(dir).catch(() => [] as string[])) {
    const m = /^chunk_(\d{4,})\.txt$/.exec(n);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max;
}


/** Publications into one story folder run one at a time, so numbering never collides. */
const storyLocks = new KeyedLock();
const withStoryLock = <T>(key: string, fn: () => Promise<T>): Promise<T> => storyLocks.run(key, fn);

export interface LinkResult {
  chunks: string[];
  words: number;
  dest: string;
}

export async function ingestLink(ctx: MainContext, file: RawFile, category: string, story: string, name: string, agent: Agent, signal?: AbortSignal): Promise<LinkResult> {
  const { config, layout, log } = ctx;
  if (extname(name).toLowerCase() !== '.txt') throw new ClipmillError('RAW_UNSUPPORTED_TYPE', `link files must be .txt, got ${JSON.stringify(extname(name) || name)}`);
  if (file.size > MAX_LINK_FILE) throw new ClipmillError('RAW_UNSUPPORTED_TYPE', `link files hold a few URLs; this one is ${file.size} bytes (at most ${MAX_LINK_FILE})`);
  const urls = parseLinkFile(await readFile(file.path, 'utf8'));
  if (urls.length === 0) throw new ClipmillError('LINK_EMPTY', 'the link file holds no URL (only blank lines and # comments)');
  for (const u of urls) checkUrl(u, config.crawl.allowPrivateNetworks);
  const opts = crawlOptions(config, {
    signal,
    onRetry: (r) => log.warn({ file: `raw/${file.rel}` }, `Retrying ${r.url} in ${r.waitMs} ms (attempt ${r.attempt + 1}): ${r.why}`),
    onPage: (p) => {
      log.info({ file: `raw/${file.rel}` }, `Fetched ${p.final_url} (${p.words} words, ${p.charset}, ${p.method})`);
      if (p.charset_guessed) log.warn({ file: `raw/${file.rel}`, charset: p.charset }, `${p.final_url} declares no charset and is not UTF-8: read as ${p.charset}, guessed from its bytes`);
    },
  });
  const crawled: CrawledStory[] = [];
  for (const u of urls) crawled.push(await crawlStory(u, agent, opts));
  // The operator may have edited the link file while it was crawled: crawl it again later.
  if (await changedSince(file)) throw new ClipmillError('RAW_CHANGED', `raw/${file.rel} changed while it was crawled`);

  const storyDir = join(layout.scanned, 'story', category, story);
  return withStoryLock(storyDir, async () => {
    await mkdir(storyDir, { recursive: true });
    const pub = randomBytes(4).toString('hex');
    const tmp = (final: string) => join(storyDir, `.${final}.tmp-${pub}`);
    const renames: [string, string][] = [];
    let n = await lastChunk(storyDir);
    const chunkNames: string[] = [];
    const sourcesEntries = [];
    for (const c of crawled) {
      const names: string[] = [];
      for (const chunk of chunkParagraphs(c.paragraphs, config.crawl.maxWordsPerChunk)) {
        const final = chunkFileName(++n);
        await writeSynced(tmp(final), `${chunk.join('\n\n')}\n`);
        renames.push([tmp(final), join(storyDir, final)]);
        names.push(final);
      }
      chunkNames.push(...names);
      sourcesEntries.push({ link_file: `link/${name}`, url: c.url, final_url: c.pages[c.pages.length - 1]?.final_url ?? c.url, words: c.words, chunks: names, pages: c.pages });
    }
    const sourcesPath = join(storyDir, 'sources.json');
    // A sources.json that cannot be read or fails its schema fails this crawl (IO: retried), as an unreadable one did.
    const previous = (await exists(sourcesPath)) ? (await readJson(StorySourcesSchema, sourcesPath, 'IO')).links : [];
    const sources = validate(StorySourcesSchema, { category, story, links: [...previous, ...sourcesEntries] }, sourcesPath, 'IO');
    await writeSynced(tmp('sources.json'), `${JSON.stringify(sources, null, 2)}\n`);
    renames.push([tmp('sources.json'), sourcesPath]);
    const dest = join(storyDir, 'link', name);
    const manifest = join(storyDir, `.publish-${pub}.json`);
    await writeJson(PublishManifestSchema, manifest, { renames, link: { from: file.path, to: dest } });
    await fsyncPath(storyDir);
    await rollForward(manifest);
    const words = crawled.reduce((s, c) => s + c.words, 0);
    log.info({ file: `raw/${file.rel}` }, `Crawled raw/${file.rel} → ${layout.rel(storyDir)}/${chunkNames[0]}..${chunkNames[chunkNames.length - 1]} (${urls.length} URL(s), ${crawled.reduce((s, c) => s + c.pages.length, 0)} page(s), ${words} words)`);
    return { chunks: chunkNames, words, dest };
  });
}
