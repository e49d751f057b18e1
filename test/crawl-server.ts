// A local HTTP server with the crawler's fixture pages, all written here: an article among
// sidebars, ads and comments; pages in windows-1251, Shift_JIS and GBK; a paginated story
// that loops back; redirect chains; failing, rate-limited, slow and hanging endpoints; and a
// compression bomb.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export const ARTICLE_PARAGRAPHS = [
  'The storm had been building since noon, and by the time Elias climbed the spiral stairs the windows were already streaked with salt. He counted the steps as he always did, one hundred and twelve, and at the top he paused to catch his breath.',
  'Below him the sea heaved against the rocks. Somewhere out there, he knew, the fishing boats were racing for the harbour, their crews trusting the light to guide them home. He trimmed the wick, polished the great lens, and watched the beam sweep out across the water.',
  'It was nearly midnight when he saw it: a second light, faint and green, blinking where no ship should be. Elias pressed his face to the glass. The light blinked again, three short flashes, then darkness.',
];

export function articlePage(paragraphs = ARTICLE_PARAGRAPHS, next: string | null = null, title = 'The Lighthouse Keeper'): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title} | Tales Site</title><script>document.write('<p>SCRIPT RAN</p>')</script><link rel="stylesheet" href="/never-loaded.css"></head>
<body><header><nav><a href="/">Home</a> <a href="/tales">Tales</a> <a href="/about">About us</a></nav></header>
<aside class="sidebar"><h3>Popular this week</h3><ul><li><a href="/x">Another story you will love</a></li><li><a href="/y">Ten facts about lighthouses</a></li></ul><div class="ad">Buy our mugs now, 20% off!</div></aside>
<main><article><h1>${title}</h1><p class="byline">By Mara Ellison</p>
${paragraphs.map((p) => `<p>${p}</p>`).join('\n')}
<div class="share">Share: Facebook Twitter Email</div><p><a href="/more">Read more stories like this</a></p>
${next ? `<p><a href="${next}" rel="next">Next chapter »</a></p>` : ''}<img src="/never-loaded.png"></article></main>
<section class="comments"><h3>12 Comments</h3><div class="comment"><p>Great story! Can't wait for part two, the suspense is killing me.</p></div><div class="comment"><p>First!!! Loved it so much.</p></div></section>
<footer><p>© 2026 Tales Site. All rights reserved.</p><p><a href="/privacy">Privacy policy</a></p></footer></body></html>`;
}

/** Cyrillic to windows-1251 (enough for the fixture: А..я, Ё, ё, ASCII). */
function cp1251(text: string): Buffer {
  return Buffer.from([...text].map((ch) => {
    const c = ch.codePointAt(0)!;
    if (c < 128) return c;
    if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
    if (c === 0x401) return 0xa8;
    if (c === 0x451) return 0xb8;
    if (c === 0x2014) return 0x97;
    throw new Error(`no cp1251 byte for ${ch}`);
  }));
}

export const RUSSIAN = 'Старый маяк стоял на краю обрыва уже сто лет. Каждую ночь смотритель поднимался по винтовой лестнице и зажигал огонь, чтобы корабли находили дорогу домой.';
export const JAPANESE = '吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。';
const JAPANESE_SJIS = Buffer.from('8ce1947982cd944c82c582a082e9814296bc914f82cd82dc82be96b382a2814282c782b182c590b682ea82bd82a982c682f182c68ca9939682aa82c282a982ca814289bd82c582e0949688c382a282b682df82b682df82b582bd8f8a82c5836a8383815b836a8383815b8b8382a282c482a282bd8e9682be82af82cd8b4c89af82b582c482a282e98142', 'hex');
export const CHINESE = '这是一个关于月亮和大海的故事。渔夫每天晚上都看着月亮升起，等待着远方的船只归来。';
const CHINESE_GBK = Buffer.from('d5e2cac7d2bbb8f6b9d8d3dad4c2c1c1bacdb4f3baa3b5c4b9cacac2a1a3d3e6b7f2c3bfcceccdedc9cfb6bcbfb4d7c5d4c2c1c1c9fdc6f0a3acb5c8b4fdd7c5d4b6b7bdb5c4b4acd6bbb9e9c0b4a1a3', 'hex');

const page = (head: string, bodyBytes: Buffer) => Buffer.concat([Buffer.from(`<!doctype html><html><head>${head}<title>t</title></head><body><article><p>`), bodyBytes, Buffer.from('</p></article></body></html>')]);

export const STORY_PAGES = [1, 2, 3].map((n) => [0, 1, 2].map((i) => `Page ${n}, paragraph ${i + 1}: the travellers walked on through the valley, telling each other stories of the old kingdom while the river sang beside them.`));

let bomb: Buffer | undefined;

export interface FixtureServer {
  url: string;
  port: number;
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startServer(): Promise<FixtureServer> {
  const hits = new Map<string, number>();
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const n = hits.get(path)!;
    const html = (body: string | Buffer, type = 'text/html; charset=utf-8', status = 200, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(body);
    };
    const m = /^\/story\/(\d+)$/.exec(path);
    if (path === '/article') return html(articlePage());
    if (m) {
      const k = Number(m[1]);
      // Page 3's "next" goes back to page 1: a loop the crawler must not follow.
      return html(articlePage(STORY_PAGES[k - 1] ?? [], k < 3 ? `/story/${k + 1}` : '/story/1', `The Long Road, part ${k}`));
    }
    if (path === '/cp1251') return html(page('', cp1251(RUSSIAN)), 'text/html; charset=windows-1251');
    if (path === '/sjis') return html(page('<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">', JAPANESE_SJIS), 'text/html');
    if (path === '/gbk') return html(page('<meta charset="gbk">', CHINESE_GBK), 'text/html');
    if (path === '/plain') return html(`${ARTICLE_PARAGRAPHS.join('\n\n')}\n`, 'text/plain; charset=utf-8');
    if (path === '/image') return html(Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'image/png');
    const r = /^\/redirect\/(\d+)$/.exec(path);
    if (r) return html('', 'text/html', 302, { location: Number(r[1]) > 1 ? `/redirect/${Number(r[1]) - 1}` : '/article' });
    if (path === '/redirect-loop') return html('', 'text/html', 302, { location: '/redirect-loop' });
    if (path === '/to-metadata') return html('', 'text/html', 302, { location: 'http://169.254.169.254/latest/meta-data/' });
    if (path === '/flaky') return n === 1 ? html('oops', 'text/plain', 500) : html(articlePage());
    if (path === '/busy') return n === 1 ? html('slow down', 'text/plain', 429, { 'retry-after': '1' }) : html(articlePage());
    if (path === '/down') return html('down', 'text/plain', 503);
    if (path === '/missing') return html('no', 'text/plain', 404);
    if (path === '/empty') return html('<html><body><nav><a href="/">Home</a></nav></body></html>');
    if (path === '/bomb') {
      // 64 MiB of text that gzips to about 64 KiB (made once).
      bomb ??= gzipSync(Buffer.concat([Buffer.from('<html><body><p>'), Buffer.alloc(64 * 1024 * 1024, 'a'), Buffer.from('</p></body></html>')]));
      const body = bomb;
      res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip', 'content-length': String(body.length) });
      return res.end(body);
    }
    if (path === '/drip') {
      // Headers at once, then one byte every 200 ms, forever.
      res.writeHead(200, { 'content-type': 'text/html' });
      open.add(res);
      const t = setInterval(() => res.write('a'), 200);
      res.on('close', () => clearInterval(t));
      return;
    }
    if (path === '/hang') {
      open.add(res);
      return; // never answers
    }
    html('not found', 'text/plain', 404);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: async () => {
      for (const r of open) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
