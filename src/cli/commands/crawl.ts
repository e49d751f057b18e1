import { readFile, stat, mkdir } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chunkFileName, chunkParagraphs, countWords } from '../../main-worker/crawl/chunk.js';
import { crawlOptions, crawlStory, extractDocument, type CrawledStory } from '../../main-worker/crawl/crawl.js';
import { createCrawlAgent } from '../../main-worker/crawl/fetch.js';
import { ClipmillError } from '../../shared/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../../shared/fs.js';
import { COMMON_HELP, COMMON_OPTIONS, configFrom, loggerFor, usageError, type Command } from '../common.js';

async function localFile(arg: string): Promise<string | null> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) return null;
  try {
    return (await stat(arg)).isFile() ? resolve(arg) : null;
  } catch {
    return null;
  }
}

export const crawl: Command = {
  name: 'crawl',
  summary: 'show the story text a link (or a saved .html file) gives, as the main worker would file it',
  usage: 'clipmill crawl <url-or-html-file> [--chunks <dir>]',
  help: `Fetches the URL with the main worker's crawler (same limits, same refusal of private
addresses unless crawl.allowPrivateNetworks, next-page links followed up to crawl.maxPages),
extracts the story text and prints it to stdout, paragraphs separated by blank lines.
A local .html (or .txt) file is read from disk, with no network access at all.

Options:
  --chunks <dir>      write chunk_0001.txt, ... (at most crawl.maxWordsPerChunk words each)
                      and sources.json into <dir> instead of printing the text
${COMMON_HELP}`,
  options: { ...COMMON_OPTIONS, chunks: { type: 'string' } },
  allowPositionals: 1,
  async run(args, io) {
    const target = args.positionals[0];
    if (!target) throw usageError('missing <url-or-html-file>: clipmill crawl <url-or-html-file>');
    const config = configFrom(args, io.env);
    const log = loggerFor(config, 'crawl');
    const opts = crawlOptions(config, { signal: io.signal, onRetry: (r) => log.warn(`Retrying ${r.url} in ${r.waitMs} ms (attempt ${r.attempt + 1}): ${r.why}`), onPage: (p) => log.info(`Fetched ${p.final_url} (${p.words} words, ${p.charset}, ${p.method})`) });
    let story: CrawledStory;
    const file = await localFile(target);
    if (file) {
      const body = await readFile(file);
      const type = extname(file).toLowerCase() === '.txt' ? 'text/plain' : 'text/html';
      const { extracted, charset } = await extractDocument(body, type, pathToFileURL(file).href, opts);
      const words = extracted.paragraphs.reduce((n, p) => n + countWords(p), 0);
      if (!words) throw new ClipmillError('CRAWL_NO_TEXT', `${file}: no story text found`);
      story = { url: file, pages: [{ url: file, final_url: file, title: extracted.title, byline: extracted.byline, fetched_at: new Date().toISOString(), charset, method: extracted.method, words }], paragraphs: extracted.paragraphs, words };
    } else {
      const agent = createCrawlAgent(opts);
      try {
        story = await crawlStory(target, agent, opts);
      } finally {
        await agent.close();
      }
    }
    const chunksDir = args.values.chunks as string | undefined;
    if (!chunksDir) {
      io.out.write(`${story.paragraphs.join('\n\n')}\n`);
      return 0;
    }
    const dir = resolve(chunksDir);
    await mkdir(dir, { recursive: true });
    const chunks = chunkParagraphs(story.paragraphs, config.crawl.maxWordsPerChunk);
    const names = chunks.map((_, i) => chunkFileName(i + 1));
    for (const [i, chunk] of chunks.entries()) await writeFileAtomic(join(dir, names[i]!), `${chunk.join('\n\n')}\n`);
    await writeJsonAtomic(join(dir, 'sources.json'), { links: [{ url: story.url, words: story.words, chunks: names, pages: story.pages }] });
    io.out.write(`${names.map((n) => join(dir, n)).join('\n')}\n`);
    log.info(`Wrote ${names.length} chunk(s), ${story.words} words, to ${dir}`);
    return 0;
  },
};
