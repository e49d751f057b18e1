// The upload form (drag-and-drop, category, tags, a progress bar per file) and the job builder
// (1-part or multi-part, one section per part; or a job file of any template, golden-frame and
// short included, edited as JSON from a starting point). A refused field is shown next to its
// input: the API names the field (`parts[1].clips`), and each input carries that name in
// data-field; a job file's refused field is named above the file.
import { useState } from '/vendor/hooks.mjs';
import { html, api } from './app.js';

const KINDS = ['video', 'frame', 'music', 'image', 'text', 'narration', 'short'];

/** One upload with XMLHttpRequest (fetch reports no upload progress). */
function send(fields, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) if (v !== '') form.append(k, v);
    form.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/assets');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {}
      if (xhr.status === 201) resolve(body);
      else reject(Object.assign(new Error(body?.message ?? `HTTP ${xhr.status}`), { field: body?.field ?? null }));
    };
    xhr.onerror = () => reject(new Error('the upload was cut'));
    xhr.send(form);
  });
}

export function Upload({ onDone }) {
  const [fields, setFields] = useState({ kind: 'video', category: '', tags: '', campaign: '' });
  const [items, setItems] = useState([]);
  const [over, setOver] = useState(false);
  const set = (k) => (e) => setFields({ ...fields, [k]: e.target.value });
  const start = async (files) => {
    const batch = [...files].map((f) => ({ name: f.name, progress: 0, error: null, field: null, done: null }));
    const base = items.length;
    setItems((xs) => [...xs, ...batch]);
    const update = (i, patch) => setItems((xs) => xs.map((x, j) => (j === base + i ? { ...x, ...patch } : x)));
    for (const [i, f] of [...files].entries()) {
      try {
        const r = await send({ ...fields, campaign: fields.kind === 'narration' ? fields.campaign : '' }, f, (p) => update(i, { progress: p }));
        update(i, { progress: 1, done: r.path });
      } catch (err) {
        update(i, { error: err.message, field: err.field });
      }
    }
    onDone?.();
  };
  const fieldError = (name) => items.filter((x) => x.field === name && x.error).map((x) => html`<span class="error" data-error-for=${name}>${x.error}</span>`);
  return html`<div class="upload">
    <label>Kind <select data-field="kind" value=${fields.kind} onChange=${set('kind')}>${KINDS.map((k) => html`<option value=${k}>${k}</option>`)}</select></label>${fieldError('kind')}
    <label>Category <input data-field="category" value=${fields.category} onInput=${set('category')} placeholder="cars" /></label>${fieldError('category')}
    <label>Tags <input data-field="tags" value=${fields.tags} onInput=${set('tags')} placeholder="spring, red" /></label>${fieldError('tags')}
    ${fields.kind === 'narration' && html`<label>Campaign (recorded parts) <input data-field="campaign" value=${fields.campaign} onInput=${set('campaign')} /></label>${fieldError('campaign')}`}
    <div class=${over ? 'drop over' : 'drop'} data-testid="drop"
      onDragOver=${(e) => (e.preventDefault(), setOver(true))} onDragLeave=${() => setOver(false)}
      onDrop=${(e) => (e.preventDefault(), setOver(false), start(e.dataTransfer.files))}>
      Drop files here, or <label class="link">choose<input type="file" multiple data-testid="file-input" onChange=${(e) => (start(e.target.files), (e.target.value = ''))} /></label>
    </div>
    <ul class="uploads">${items.map((x) => html`<li data-upload=${x.name}>
      <span class="name">${x.name}</span> <progress max="1" value=${x.progress}></progress>
      ${x.done && html`<span class="ok">→ ${x.done}</span>`}${x.error && html`<span class="error">${x.field ? `${x.field}: ` : ''}${x.error}</span>`}</li>`)}</ul>
  </div>`;
}

const num = (v) => (v === '' || v === undefined ? undefined : Number(v));
const tagsOf = (s) => s.split(/[,;]/).map((t) => t.trim()).filter(Boolean);
const selector = (category, tags) => ({ category: category.trim(), ...(tagsOf(tags).length ? { tags: tagsOf(tags) } : {}) });
const newPart = () => ({ footage: '', footageTags: '', clips: '2', min: '0.5', max: '1', narrCategory: '', campaign: '', part: '', text: '', logo: false });
/** Starting points of the job-file mode, one per template (docs/jobs.md, golden-frame.md, shorts.md). */
const TEMPLATES = {
  'golden-frame': { template: 'golden-frame', images: [{ category: 'rings' }], audio: { category: 'lounge' }, text: 'Only 24 hours: -50% on every ring', duration: 15, variations: 1 },
  short: { template: 'short', audio: { category: 'cars', campaign: 'spring', part: 1 }, category: 'cars', music: { category: 'upbeat' }, target_seconds: 30, style: 'word' },
  instructions: { variations: 2, sources: [{ category: 'promo' }], text: { text: 'Spring sale' } },
};
const templateText = (name) => JSON.stringify(TEMPLATES[name], null, 2);

const RANGES = [['contrast', 0.9, 1.1], ['brightness', -0.05, 0.05], ['saturation', 0.9, 1.1], ['speed', 0.97, 1.03], ['pitch', 0.97, 1.03]];

/** The job file the builder's state describes (sent as is: the server validates it). */
export function jobOf(s) {
  const job = { variations: num(s.variations), priority: num(s.priority), quality: s.quality, sources: [selector(s.source, s.sourceTags)], flip_source: s.flip };
  if (s.resolution) job.output = { resolution: s.resolution };
  if (s.logo) job.logo = selector(s.logo, '');
  const u = {};
  for (const [k] of RANGES) if (s[`${k}On`]) u[k] = [num(s[`${k}Lo`]), num(s[`${k}Hi`])];
  job.uniqueness = u;
  if (s.mode === 'multi') {
    job.parts = s.parts.map((p, i) => ({
      footage: [selector(p.footage, p.footageTags)],
      clips: num(p.clips),
      clip_seconds: { min: num(p.min), max: num(p.max) },
      narration: { category: p.narrCategory.trim(), campaign: p.campaign.trim(), part: num(p.part) ?? i + 1 },
      ...(p.text.trim() ? { text: { text: p.text } } : {}),
      logo: p.logo,
    }));
    if (s.music) job.soundtrack = { music: selector(s.music, ''), from_part: num(s.fromPart), ...(s.toPart ? { to_part: num(s.toPart) } : {}), volume: num(s.volume) };
  } else {
    if (s.music) job.audio = { music: selector(s.music, ''), volume: num(s.volume) };
    if (s.text.trim()) job.text = { text: s.text };
  }
  return job;
}

export function JobBuilder({ onDone }) {
  const [s, setS] = useState({ name: '', mode: 'multi', variations: '2', priority: '0', quality: 'normal', source: '', sourceTags: '', resolution: '', flip: false, logo: '', music: '', fromPart: '1', toPart: '', volume: '0.25', text: '', parts: [newPart(), newPart()], ...Object.fromEntries(RANGES.flatMap(([k, lo, hi]) => [[`${k}On`, false], [`${k}Lo`, String(lo)], [`${k}Hi`, String(hi)]])) });
  const [file, setFile] = useState(templateText('golden-frame'));
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  const set = (k, checkbox) => (e) => setS({ ...s, [k]: checkbox ? e.target.checked : e.target.value });
  const setPart = (i, k, checkbox) => (e) => setS({ ...s, parts: s.parts.map((p, j) => (j === i ? { ...p, [k]: checkbox ? e.target.checked : e.target.value } : p)) });
  const setCount = (e) => {
    const n = Math.max(1, Math.min(50, Number(e.target.value) || 1));
    setS({ ...s, parts: Array.from({ length: n }, (_, i) => s.parts[i] ?? newPart()) });
  };
  const err = (field) => error && error.field === field && html`<span class="error" data-error-for=${field}>${error.message}</span>`;
  // Errors name fields of the job file (parts[0].clip_seconds.min); a prefix matches too (parts[0].narration).
  const errUnder = (prefix) => error && error.field && error.field !== prefix && error.field.startsWith(`${prefix}.`) && html`<span class="error" data-error-for=${error.field}>${error.message}</span>`;
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    let job;
    try {
      job = s.mode === 'file' ? JSON.parse(file) : jobOf(s);
    } catch (x) {
      setError({ field: null, message: `the job file is not JSON: ${x.message}` });
      return;
    }
    try {
      const r = await api('/jobs', { method: 'POST', body: { name: s.name, job } });
      setDone(`${r.path}: ${r.summary}`);
      onDone?.();
    } catch (x) {
      setError({ field: x.field, message: x.message });
    }
  };
  const input = (label, field, key, attrs = {}) => html`<label>${label} <input data-field=${field} value=${s[key]} onInput=${set(key)} ...${attrs} /></label>${err(field)}`;
  // A job file of any template, from a starting point: the server validates it as raw/job/ does.
  const fileFields = () => html`<label>Start from <select data-testid="job-template" onChange=${(e) => setFile(templateText(e.target.value))}>${Object.keys(TEMPLATES).map((k) => html`<option value=${k}>${k}</option>`)}</select></label>
    <label class="file">Job file (JSON) <textarea data-field="job" rows="14" spellcheck="false" value=${file} onInput=${(e) => setFile(e.target.value)}></textarea></label>`;
  const builderFields = () => html`
    ${input('Variations', 'variations', 'variations', { type: 'number', min: 1 })}
    ${input('Priority', 'priority', 'priority', { type: 'number' })}
    <label>Quality <select data-field="quality" value=${s.quality} onChange=${set('quality')}>${['draft', 'normal', 'high'].map((q) => html`<option>${q}</option>`)}</select></label>${err('quality')}
    ${input('Source category', 'sources', 'source', { required: true })}${errUnder('sources')}
    ${input('Source tags', 'sources[0].tags', 'sourceTags')}
    ${input('Resolution (WxH)', 'output.resolution', 'resolution', { placeholder: 'config' })}
    <label><input type="checkbox" checked=${s.flip} onChange=${set('flip', true)} /> Flip the source</label>
    ${input('Logo image category', 'logo', 'logo')}${errUnder('logo')}
    ${input('Music category', s.mode === 'multi' ? 'soundtrack' : 'audio', 'music')}${errUnder(s.mode === 'multi' ? 'soundtrack' : 'audio')}
    ${input('Music volume', s.mode === 'multi' ? 'soundtrack.volume' : 'audio.volume', 'volume', { type: 'number', step: 'any' })}
    ${s.mode === 'multi'
      ? html`${input('Soundtrack from part', 'soundtrack.from_part', 'fromPart', { type: 'number', min: 1 })}
        ${input('to part', 'soundtrack.to_part', 'toPart', { type: 'number', min: 1, placeholder: 'last' })}
        <label>Parts <input type="number" min="1" max="50" value=${s.parts.length} onInput=${setCount} data-testid="part-count" /></label>
        ${s.parts.map((p, i) => html`<fieldset class="part" data-part=${i + 1}><legend>Part ${i + 1}</legend>
          <label>Footage category <input data-field=${`parts[${i}].footage`} value=${p.footage} onInput=${setPart(i, 'footage')} /></label>${err(`parts[${i}].footage`)}${errUnder(`parts[${i}].footage`)}
          <label>Footage tags <input value=${p.footageTags} onInput=${setPart(i, 'footageTags')} /></label>
          <label>Clips <input type="number" data-field=${`parts[${i}].clips`} value=${p.clips} onInput=${setPart(i, 'clips')} /></label>${err(`parts[${i}].clips`)}
          <label>Clip seconds min <input type="number" step="any" data-field=${`parts[${i}].clip_seconds.min`} value=${p.min} onInput=${setPart(i, 'min')} /></label>${err(`parts[${i}].clip_seconds.min`)}
          <label>max <input type="number" step="any" data-field=${`parts[${i}].clip_seconds.max`} value=${p.max} onInput=${setPart(i, 'max')} /></label>${err(`parts[${i}].clip_seconds.max`)}
          <label>Narration category <input data-field=${`parts[${i}].narration.category`} value=${p.narrCategory} onInput=${setPart(i, 'narrCategory')} /></label>${err(`parts[${i}].narration.category`)}
          <label>campaign <input data-field=${`parts[${i}].narration.campaign`} value=${p.campaign} onInput=${setPart(i, 'campaign')} /></label>${err(`parts[${i}].narration.campaign`)}
          <label>part <input type="number" data-field=${`parts[${i}].narration.part`} value=${p.part} placeholder=${String(i + 1)} onInput=${setPart(i, 'part')} /></label>${err(`parts[${i}].narration.part`)}
          <label>Text <input data-field=${`parts[${i}].text`} value=${p.text} onInput=${setPart(i, 'text')} /></label>${errUnder(`parts[${i}].text`)}${err(`parts[${i}].text`)}
          <label><input type="checkbox" checked=${p.logo} onChange=${setPart(i, 'logo', true)} /> Logo</label>${err(`parts[${i}].logo`)}
        </fieldset>`)}`
      : input('Text', 'text', 'text')}
    <fieldset><legend>Uniqueness (a value drawn per variation)</legend>
      ${RANGES.map(([k]) => html`<div class="range"><label><input type="checkbox" checked=${s[`${k}On`]} onChange=${set(`${k}On`, true)} /> ${k}</label>
        <input type="number" step="any" data-field=${`uniqueness.${k}`} value=${s[`${k}Lo`]} onInput=${set(`${k}Lo`)} /> to <input type="number" step="any" value=${s[`${k}Hi`]} onInput=${set(`${k}Hi`)} />${err(`uniqueness.${k}`)}${errUnder(`uniqueness.${k}`)}</div>`)}
    </fieldset>
  `;
  return html`<form class="job" onSubmit=${submit} data-testid="job-form">
    ${input('Name', 'name', 'name', { required: true })}
    <fieldset><legend>Mode</legend>
      <label><input type="radio" name="mode" value="one" checked=${s.mode === 'one'} onChange=${set('mode')} /> 1-part</label>
      <label><input type="radio" name="mode" value="multi" checked=${s.mode === 'multi'} onChange=${set('mode')} data-testid="mode-multi" /> multi-part</label>
      <label><input type="radio" name="mode" value="file" checked=${s.mode === 'file'} onChange=${set('mode')} data-testid="mode-file" /> job file (any template)</label>
    </fieldset>
    ${s.mode === 'file' ? fileFields() : builderFields()}
    ${error && html`<p class="error" data-testid="job-error">${error.field && !error.message.includes(error.field) ? `${error.field}: ` : ''}${error.message}</p>`}
    ${done && html`<p class="ok" data-testid="job-done">Filed ${done}</p>`}
    <button type="submit">Submit the job</button>
  </form>`;
}
