// The "done when", in a real headless Chromium (Debian's chromium driven by
// playwright-core): log in with the token; upload two clips, a music track (dropped on the drop
// zone) and a narration CSV with tags; build a 2-part job with 2 variations (a bad field first:
// its error shows next to it); watch the two tasks' progress bars go from 0 to full as a render
// worker renders them; play a finished video (the element reports its duration); edit its music
// volume and see revision 1 rendered. Main worker, render worker and server run as child
// processes on a temp root with tiny media. Screenshots of each step: test-artifacts/dashboard/.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { makeClip, makeTone } from '../../src/shared/media/generate.js';
import { binaries, cli, REPO, startCli, tempDir } from '../helpers.js';

const ENV = {
  CLIPMILL_INGEST_STABLE_MS: '200',
  CLIPMILL_INGEST_MUSIC_MIN_SECONDS: '1',
  CLIPMILL_RENDER_RESOLUTION: '160x90',
  CLIPMILL_RENDER_ENCODERS: 'libx264',
  CLIPMILL_DISK_MIN_FREE_MB: '0',
  CLIPMILL_HEALTH_HEARTBEAT_MS: '200',
  CLIPMILL_NARRATION_ESPEAK_RATE: '450',
};
const XSS = '<img src=x onerror=window.__xss=1>';

/** Debian's chromium (set up by scripts/setup.mjs), or CHROMIUM_PATH. Never skipped: without it the test fails saying so. */
function chromiumPath(): string {
  const found = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
  if (!found) assert.fail('no chromium: install it (Debian: apt-get install chromium; scripts/setup.mjs does) or set CHROMIUM_PATH');
  return found;
}

test('a person with only a browser uploads, submits a 2-part job, watches it render, plays it and renders a new revision', { timeout: 240_000 }, async (t) => {
  // Registered before the temp folder's removal, so that they run first: the daemons stopped
  // and the browser closed before their root goes (hooks run in the order they were added).
  const daemons: ReturnType<typeof startCli>[] = [];
  let browser: Awaited<ReturnType<typeof chromium.launch>> | null = null;
  t.after(async () => {
    await browser?.close();
    for (const p of daemons) p.sub.kill('SIGTERM');
    await Promise.all(daemons.map((p) => p.sub.catch(() => {})));
  });
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  assert.equal((await cli(['init', root])).exitCode, 0);
  const token = (await cli(['token', '--root', root])).stdout.trim();
  const shots = join(REPO, 'test-artifacts', 'dashboard');
  await rm(shots, { recursive: true, force: true });
  await mkdir(shots, { recursive: true });
  const { ffmpeg } = await binaries();
  const media = join(dir, 'media');
  await mkdir(media);
  await makeClip(ffmpeg.path, join(media, 'promo clip.mp4'), { source: 'testsrc2', width: 160, height: 90, fps: 30, seconds: 1 });
  await makeClip(ffmpeg.path, join(media, 'car.mp4'), { source: 'smptebars', width: 160, height: 90, fps: 30, seconds: 2 });
  await makeTone(ffmpeg.path, join(media, 'bed.mp3'), { seconds: 3, freqs: [220, 330] });
  await writeFile(join(media, 'spring.csv'), 'text,campaign_part\nSpring is here.,1\nBuy now.,2\n');
  // A file whose name is HTML: shown as text in the upload list, never run.
  const htmlName = '<img src=x onerror=window.__xss=2>.txt';
  await writeFile(join(media, htmlName), 'Spring deals\n');

  const main = startCli(['main-worker', '--root', root], ENV);
  const server = startCli(['serve', '--root', root, '--port', '0'], ENV);
  daemons.push(main, server);
  const url = (await server.waitFor(/listening on (http:\/\/\S+)/, 30_000))[1]!;

  browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'] });
  const page: Page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  // Every wait has its own bound, and all of them together stay well under the test's timeout:
  // a step that does not happen fails naming itself, with the daemons' last log lines.
  const started = Date.now();
  const BUDGET_MS = 200_000;
  page.setDefaultTimeout(30_000);
  const step = async <T>(what: string, ms: number, wait: (timeout: number) => Promise<T>): Promise<T> => {
    const timeout = Math.max(1000, Math.min(ms, BUDGET_MS - (Date.now() - started)));
    try {
      return await wait(timeout);
    } catch (err) {
      const tail = daemons.map((d) => d.log().split('\n').slice(-15).join('\n')).join('\n---\n');
      assert.fail(`${what}: not within ${Math.round(timeout / 1000)} s (${String(err).split('\n')[0]})\nlast log lines:\n${tail}`);
    }
  };

  // Log in.
  const first = await page.goto(url);
  assert.equal(first?.status(), 401);
  await page.fill('input[name=token]', 'wrong');
  await page.click('button[type=submit]');
  await page.waitForSelector('.error');
  await page.fill('input[name=token]', token);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=live]:has-text("live")');
  await shot('1-logged-in');

  // Upload: fields first, then files (through the file input, and one dropped on the drop zone).
  const upload = async (kind: string, category: string, tags: string, files: string[]) => {
    await page.selectOption('.upload select[data-field=kind]', kind);
    await page.fill('.upload input[data-field=category]', category);
    await page.fill('.upload input[data-field=tags]', tags);
    await page.setInputFiles('[data-testid=file-input]', files.map((f) => join(media, f)));
  };
  await upload('video', 'promo', 'spring', ['promo clip.mp4']);
  await upload('video', 'cars', `spring, ${XSS}`, ['car.mp4']);
  await upload('narration', 'cars', 'spring', ['spring.csv']);
  await upload('text', 'hooks', '', [htmlName]);
  await page.selectOption('.upload select[data-field=kind]', 'music');
  await page.fill('.upload input[data-field=category]', 'upbeat');
  await page.fill('.upload input[data-field=tags]', 'spring');
  const bytes = [...(await readFile(join(media, 'bed.mp3')))];
  const drop = await page.evaluateHandle((b) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(b)], 'bed.mp3', { type: 'audio/mpeg' }));
    return dt;
  }, bytes);
  await page.dispatchEvent('[data-testid=drop]', 'drop', { dataTransfer: drop });
  for (const name of ['promo clip.mp4', 'car.mp4', 'spring.csv', 'bed.mp3', htmlName]) await step(`the upload of ${name}`, 30_000, (timeout) => page.waitForSelector(`li[data-upload="${name}"] .ok`, { timeout }));
  assert.ok((await page.$$eval('.uploads .name', (ns) => ns.map((n) => n.textContent))).includes(htmlName), 'the HTML name shown as text');
  assert.equal(await page.$$eval('.uploads img', (is) => is.length), 0);
  for (const v of await page.$$eval('.uploads progress', (ps) => ps.map((p) => (p as HTMLProgressElement).value))) assert.equal(v, 1, 'every progress bar full');
  await shot('2-uploaded');

  // A job file of another template, from the page's starting point: text that is not JSON is
  // refused on the page; a refused field of the file is named as the API names it.
  await page.check('[data-testid=mode-file]');
  await page.selectOption('[data-testid=job-template]', 'short');
  assert.match(await page.inputValue('.job textarea[data-field=job]'), /"template": "short"/);
  await page.selectOption('[data-testid=job-template]', 'golden-frame');
  assert.match(await page.inputValue('.job textarea[data-field=job]'), /"template": "golden-frame"/);
  await page.fill('.job input[data-field=name]', 'gold rings');
  await page.fill('.job textarea[data-field=job]', '{ "template": "golden-frame", ');
  await page.click('.job button[type=submit]');
  assert.match((await (await page.waitForSelector('[data-testid=job-error]')).textContent())!, /^the job file is not JSON/);
  await page.fill('.job textarea[data-field=job]', JSON.stringify({ template: 'golden-frame', images: [{ category: 'rings' }], shot_seconds: { min: 5, max: 1 } }));
  await page.click('.job button[type=submit]');
  await step('the refused field of the job file named', 10_000, (timeout) => page.waitForFunction(() => /^raw\/job\/gold rings\.json: shot_seconds\.max: a number >= min \(5\), got 1/.test(document.querySelector('[data-testid=job-error]')?.textContent ?? ''), null, { timeout }));
  await page.check('[data-testid=mode-multi]');

  // The job: a bad clip count first (named next to its field), then the right one.
  await page.fill('.job input[data-field=name]', 'spring promo');
  await page.fill('.job input[data-field=variations]', '2');
  await page.fill('.job input[data-field=sources]', 'promo');
  await page.fill('.job input[data-field=soundtrack]', 'upbeat');
  await page.fill('[data-testid=part-count]', '2');
  for (const i of [0, 1]) {
    await page.fill(`.job input[data-field="parts[${i}].footage"]`, 'cars');
    await page.fill(`.job input[data-field="parts[${i}].clips"]`, i === 1 ? '0' : '1');
    await page.fill(`.job input[data-field="parts[${i}].clip_seconds.min"]`, '0.4');
    await page.fill(`.job input[data-field="parts[${i}].clip_seconds.max"]`, '0.8');
    await page.fill(`.job input[data-field="parts[${i}].narration.category"]`, 'cars');
    await page.fill(`.job input[data-field="parts[${i}].narration.campaign"]`, 'spring');
  }
  await page.click('.job button[type=submit]');
  const fieldError = await page.waitForSelector('.job [data-error-for="parts[1].clips"]');
  assert.match((await fieldError.textContent())!, /an integer from 1 to 100, got 0/);
  await shot('3-field-error');
  await page.fill('.job input[data-field="parts[1].clips"]', '1');
  await page.click('.job button[type=submit]');
  await step('the job accepted', 30_000, (timeout) => page.waitForSelector('[data-testid=job-done]', { timeout }));

  // The tasks appear queued (bars empty); a render worker starts; the bars fill.
  await step('the two tasks of the job queued on the page', 60_000, (timeout) => page.waitForFunction(() => document.querySelectorAll('[data-testid=queue] tr[data-state=queued]').length === 2, null, { timeout }));
  assert.deepEqual(await page.$$eval('[data-testid=queue] tr[data-task] progress', (ps) => ps.map((p) => (p as HTMLProgressElement).value)), [0, 0]);
  // Every value each bar shows from now on, recorded as the page changes it.
  await page.evaluate(() => {
    const seen: Record<string, number[]> = {};
    const record = () => {
      for (const p of document.querySelectorAll('[data-testid=queue] tr[data-task] progress')) {
        const id = p.closest('tr')!.getAttribute('data-task')!;
        const v = Number(p.getAttribute('data-progress'));
        const list = (seen[id] ??= []);
        if (list[list.length - 1] !== v) list.push(v);
      }
    };
    record();
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-progress', 'data-task'] });
    (window as { __progress?: Record<string, number[]> }).__progress = seen;
  });
  await shot('4-queued');
  daemons.push(startCli(['render-worker', '--root', root], ENV));
  await step('both tasks rendered', 90_000, (timeout) => page.waitForFunction(() => document.querySelectorAll('[data-testid=queue] tr[data-state=rendered]').length === 2, null, { timeout }));
  assert.deepEqual(await page.$$eval('[data-testid=queue] tr[data-task] progress', (ps) => ps.map((p) => (p as HTMLProgressElement).value)), [1, 1]);
  // The bars only ever went forward, from 0 to 1. (Whether a value between shows depends on how
  // long a 160x90 render takes against the heartbeat's period: not asserted, to stay deterministic.)
  const progress = (await page.evaluate(() => (window as { __progress?: Record<string, number[]> }).__progress))!;
  assert.equal(Object.keys(progress).length, 2, JSON.stringify(progress));
  for (const [id, values] of Object.entries(progress)) {
    assert.equal(values[0], 0, `${id}: ${values}`);
    assert.equal(values[values.length - 1], 1, `${id}: ${values}`);
    for (let i = 1; i < values.length; i++) assert.ok(values[i]! >= values[i - 1]!, `${id}: its bar went back (${values})`);
  }
  await shot('5-rendered');

  // Play one: the video element loads it (with Range) and reports its duration.
  await page.click('[data-testid=gallery] li a');
  await page.waitForSelector('[data-testid=player]');
  const duration = await page.$eval('[data-testid=player]', (v) => new Promise<number>((resolve, reject) => {
    const video = v as HTMLVideoElement;
    video.muted = true;
    if (video.readyState >= 1) resolve(video.duration);
    video.addEventListener('loadedmetadata', () => resolve(video.duration));
    video.addEventListener('error', () => reject(new Error(`video error ${video.error?.code}: ${video.error?.message}`)));
  }));
  assert.ok(duration > 0.5, `the player reports the duration (${duration})`);
  await page.$eval('[data-testid=player]', (v) => (v as HTMLVideoElement).play());
  await page.waitForFunction(() => ((document.querySelector('[data-testid=player]') as HTMLVideoElement | null)?.currentTime ?? 0) > 0);
  await shot('6-playing');

  // Edit the music volume: revision 1 queued, rendered by the worker, listed.
  await page.check('[data-testid=music-volume-on]');
  await page.fill('.edit input[data-field=music_volume]', '0.5');
  await page.click('.edit button[type=submit]');
  const done = await page.waitForSelector('[data-testid=edit-done]');
  assert.match((await done.textContent())!, /Revision 1 queued as/);
  await step('revision 1 rendered', 90_000, (timeout) => page.waitForSelector('[data-testid=queue] tr[data-state=rendered]:has(.rev)', { timeout }));
  await shot('7-revision');

  // The tag with HTML in it was shown as text, never run. (The assets are listed once their view is opened.)
  await page.click('[data-testid=assets-section] summary');
  await page.click('[data-testid=assets-refresh]');
  await page.waitForSelector('[data-testid=assets] .tag:has-text("onerror")');
  assert.equal(await page.evaluate(() => (window as { __xss?: number }).__xss), undefined);
  assert.ok((await page.$$eval('[data-testid=assets] .tag', (ts) => ts.map((x) => x.textContent))).includes(XSS));
  await shot('8-assets');
  assert.deepEqual(errors, [], 'no script error on the page');
});
