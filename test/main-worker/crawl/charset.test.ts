// The character set of a fetched page, in the order browsers use: a byte order mark, the
// Content-Type header, a <meta> in the first 4 KiB, valid UTF-8, else windows-1252.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { decodePage as decodeFull, sniffCharset } from '../../../src/main-worker/crawl/charset.js';

/** The text and charset only (whether it was guessed is tested on its own below). */
function decodePage(buf: Uint8Array, contentType: string | null): { text: string; charset: string } {
  const { text, charset } = decodeFull(buf, contentType);
  return { text, charset };
}

const ascii = (s: string) => Buffer.from(s, 'latin1');

test('charset sniffing order: BOM, header, meta, valid UTF-8, windows-1252', () => {
  assert.equal(sniffCharset(Buffer.from([0xef, 0xbb, 0xbf, 0x41]), 'text/html; charset=iso-8859-1').source, 'bom');
  assert.deepEqual(sniffCharset(ascii('<meta charset="koi8-r">'), 'text/html; charset=windows-1251'), { charset: 'windows-1251', source: 'header' });
  assert.deepEqual(sniffCharset(ascii('<meta charset="koi8-r">'), 'text/html'), { charset: 'koi8-r', source: 'meta' });
  assert.deepEqual(sniffCharset(Buffer.from('<meta charset="nonsense">é', 'utf8'), 'text/html; charset=bogus'), { charset: 'utf-8', source: 'utf8-valid' });
  assert.deepEqual(decodePage(Buffer.from([0x63, 0x61, 0x66, 0xe9]), null).text.slice(0, 3), 'caf');
});

test('byte order marks: UTF-8, UTF-16LE and UTF-16BE win over the header and the meta', () => {
  const meta = ascii('<meta charset="koi8-r">');
  assert.deepEqual(sniffCharset(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), meta]), 'text/html; charset=windows-1251'), { charset: 'utf-8', source: 'bom' });
  assert.deepEqual(sniffCharset(Buffer.from([0xff, 0xfe, 0x41, 0x00]), 'text/html; charset=windows-1251'), { charset: 'utf-16le', source: 'bom' });
  assert.deepEqual(sniffCharset(Buffer.from([0xfe, 0xff, 0x00, 0x41]), null), { charset: 'utf-16be', source: 'bom' });
  // The mark itself is not part of the text.
  assert.deepEqual(decodePage(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Ёлка', 'utf8')]), 'text/html; charset=windows-1251'), { text: 'Ёлка', charset: 'utf-8' });
  assert.deepEqual(decodePage(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('héllo', 'utf16le')]), null), { text: 'héllo', charset: 'utf-16le' });
  const be = Buffer.from('héllo', 'utf16le').swap16();
  assert.deepEqual(decodePage(Buffer.concat([Buffer.from([0xfe, 0xff]), be]), null), { text: 'héllo', charset: 'utf-16be' });
});

test('the Content-Type header: labels normalized, quotes and spaces trimmed, unknown labels ignored', () => {
  const body = ascii('<p>x</p>');
  const header = (ct: string | null) => sniffCharset(body, ct);
  assert.deepEqual(header('text/html; charset=windows-1251'), { charset: 'windows-1251', source: 'header' });
  assert.deepEqual(header('text/html;charset="Shift_JIS"'), { charset: 'shift_jis', source: 'header' });
  assert.deepEqual(header("text/html; charset='gb2312'"), { charset: 'gbk', source: 'header' }, 'gb2312 is decoded as GBK, as browsers do');
  assert.deepEqual(header('text/html; CHARSET = cp1251 ; foo=bar'), { charset: 'windows-1251', source: 'header' });
  assert.deepEqual(header('text/html; charset=ISO-8859-1'), { charset: 'windows-1252', source: 'header' }, 'latin-1 is windows-1252 on the web');
  assert.deepEqual(header('text/html; charset=x-no-such-thing'), { charset: 'utf-8', source: 'utf8-valid' });
  assert.deepEqual(header('text/html; charset='), { charset: 'utf-8', source: 'utf8-valid' });
  assert.deepEqual(header(null), { charset: 'utf-8', source: 'utf8-valid' });
  assert.deepEqual(decodePage(Buffer.from([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2]), 'text/html; charset=windows-1251'), { text: 'Привет', charset: 'windows-1251' });
});

test('<meta charset> and <meta http-equiv>: found in the first 4 KiB only; a UTF-16 meta means UTF-8', () => {
  assert.deepEqual(sniffCharset(ascii('<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'), 'text/html'), { charset: 'shift_jis', source: 'meta' });
  assert.deepEqual(sniffCharset(ascii("<META CHARSET='euc-kr'>"), null), { charset: 'euc-kr', source: 'meta' });
  assert.deepEqual(sniffCharset(ascii('<meta charset=big5>'), null), { charset: 'big5', source: 'meta' });
  assert.deepEqual(sniffCharset(ascii('<meta charset="utf-16">'), null), { charset: 'utf-8', source: 'meta' }, 'bytes that spell an ASCII meta are not UTF-16');
  assert.deepEqual(sniffCharset(ascii('<meta charset="utf-16be">'), null), { charset: 'utf-8', source: 'meta' });
  assert.deepEqual(sniffCharset(ascii('<meta charset="klingon"><p>x</p>'), null), { charset: 'utf-8', source: 'utf8-valid' });
  // A meta after the first 4096 bytes is not looked at; the bytes are valid UTF-8.
  assert.deepEqual(sniffCharset(ascii(`${' '.repeat(4096)}<meta charset="koi8-r">`), null), { charset: 'utf-8', source: 'utf8-valid' });
  assert.deepEqual(sniffCharset(ascii(`${' '.repeat(4000)}<meta charset="koi8-r">`), null), { charset: 'koi8-r', source: 'meta' });
  // The meta decodes the page (GBK bytes for 月亮).
  const gbk = Buffer.concat([ascii('<meta charset="gbk"><p>'), Buffer.from([0xd4, 0xc2, 0xc1, 0xc1]), ascii('</p>')]);
  assert.deepEqual(decodePage(gbk, 'text/html'), { text: '<meta charset="gbk"><p>月亮</p>', charset: 'gbk' });
});

test('no declaration: valid UTF-8 is UTF-8 (an empty page too); else a guess, or windows-1252', () => {
  assert.deepEqual(decodePage(Buffer.from('naïve “quotes” 漢字', 'utf8'), 'text/html'), { text: 'naïve “quotes” 漢字', charset: 'utf-8' });
  assert.deepEqual(sniffCharset(new Uint8Array(0), null), { charset: 'utf-8', source: 'utf8-valid' });
  // 0x80 and 0x93/0x94 are the euro sign and curly quotes in windows-1252, invalid UTF-8.
  assert.deepEqual(sniffCharset(Buffer.from([0x80, 0x41]), 'text/html'), { charset: 'windows-1252', source: 'detected', confidence: 98 });
  assert.deepEqual(sniffCharset(Buffer.from([0xff, 0x00, 0xfe, 0x01, 0xfd]), 'text/html'), { charset: 'windows-1252', source: 'default' }, 'nothing to go by');
  assert.deepEqual(decodePage(Buffer.from([0x93, 0x80, 0x35, 0x94]), null), { text: '“€5”', charset: 'windows-1252' });
});

/** `text` encoded by iconv (glibc's, installed with every Debian). */
function encoded(text: string, charset: string): Buffer {
  return execFileSync('iconv', ['-f', 'utf-8', '-t', charset], { input: text });
}

const RU = 'Жили-были старик со старухой у самого синего моря; они жили в ветхой землянке ровно тридцать лет и три года. Старик ловил неводом рыбу, старуха пряла свою пряжу.';
const AR = 'كان يا ما كان في قديم الزمان وسالف العصر والأوان، كان هناك تاجر يسافر بين المدن ويحكي القصص للناس في الأسواق.';
const JA = '吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。何でも薄暗いじめじめした所でニャーニャー泣いていた事だけは記憶している。';

test('undeclared pages are guessed from their bytes (Cyrillic, Arabic, Japanese), and say they were guessed', () => {
  for (const [text, charset] of [[RU, 'windows-1251'], [AR, 'windows-1256'], [JA, 'shift_jis']] as const) {
    const page = Buffer.concat([Buffer.from('<html><body><p>'), encoded(text, charset), Buffer.from('</p></body></html>')]);
    const d = decodeFull(page, 'text/html');
    assert.equal(d.charset, charset);
    assert.equal(d.guessed, true);
    assert.ok(d.text.includes(text), `${charset} decoded whole`);
    assert.equal(sniffCharset(page, 'text/html').source, 'detected');
  }
  assert.equal(decodeFull(Buffer.from('plain', 'utf8'), 'text/html').guessed, false, 'valid UTF-8 is not a guess');
  assert.equal(decodeFull(encoded(RU, 'windows-1251'), 'text/html; charset=windows-1251').guessed, false, 'declared');
});
