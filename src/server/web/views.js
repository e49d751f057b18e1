// The queue with live progress bars, the nodes, the jobs (cancel), the outputs with a player,
// the task editor (music volume or off, logo position/size/animation, segment order → a new
// revision) and the filed assets.
import { useEffect, useState } from '/vendor/hooks.mjs';
import { html, api } from './app.js';

const pct = (t) => (t.state === 'rendered' ? 1 : t.state === 'rendering' ? t.progress?.progress ?? 0 : 0);

export function Queue({ tasks, onSelect, onChange }) {
  const [msg, setMsg] = useState(null);
  const retry = async (id) => {
    try {
      await api(`/tasks/${id}/retry`, { method: 'POST' });
      setMsg(`${id} queued again`);
      onChange();
    } catch (e) {
      setMsg(e.message);
    }
  };
  if (!tasks.length) return html`<p class="empty">No tasks yet.</p>`;
  return html`${msg && html`<p class="ok">${msg}</p>`}<table class="queue" data-testid="queue"><thead><tr><th>Task</th><th>Job</th><th>State</th><th>Progress</th><th></th></tr></thead><tbody>
    ${tasks.map((t) => html`<tr data-task=${t.id} data-state=${t.state}>
      <td><a href="#" onClick=${(e) => (e.preventDefault(), onSelect(t.id))}>${t.id.slice(0, 8)}</a>${t.revision ? html` <span class="rev">rev ${t.revision}</span>` : ''}</td>
      <td>${t.job ? `${t.job.name} #${t.job.variation + 1}` : t.category ?? ''}</td>
      <td class=${`state ${t.state}`}>${t.state}${t.progress ? ` (${t.progress.stage} on ${t.progress.node})` : ''}</td>
      <td><progress max="1" value=${pct(t)} data-progress=${pct(t)}></progress></td>
      <td>${t.state === 'failed' && html`<button onClick=${() => retry(t.id)}>Retry</button>`}</td>
    </tr>`)}</tbody></table>`;
}

export function Nodes({ nodes }) {
  if (!nodes.length) return html`<p class="empty">No render node has reported.</p>`;
  return html`<ul class="nodes" data-testid="nodes">${nodes.map((n) => html`<li class=${n.alive ? 'alive' : 'dead'}>
    <strong>${n.node}</strong> ${n.alive ? n.state : 'dead or stopped'} · ${n.encoder}${n.breaker && n.breaker !== 'closed' ? ` · breaker ${n.breaker}` : ''}
    ${n.current && html`<div>${n.current.stage} ${n.current.task.slice(0, 8)} <progress max="1" value=${n.current.progress}></progress></div>`}
  </li>`)}</ul>`;
}

export function Jobs({ tick, onChange }) {
  const [jobs, setJobs] = useState(null);
  const [msg, setMsg] = useState(null);
  const load = () => api('/jobs').then(setJobs, (e) => setMsg(e.message));
  useEffect(() => void load(), [tick]);
  const cancel = async (name) => {
    let r;
    try {
      r = await api(`/jobs/${encodeURIComponent(name)}`, { method: 'DELETE' });
    } catch (e) {
      return setMsg(e.message);
    }
    setMsg(`${name}: cancelled (nothing more is planned); ${r.cancelled.length} waiting task(s) cancelled${r.refused.length ? `; ${r.refused.join('; ')}` : ''}`);
    load();
    onChange();
  };
  if (!jobs) return html`<p>…</p>`;
  return html`<div>${msg && html`<p class="ok">${msg}</p>`}
    <button onClick=${load}>Refresh</button>
    ${!jobs.jobs.length && html`<p class="empty">No job filed yet.</p>`}
    <ul class="jobs">${jobs.jobs.map((j) => html`<li data-job=${j.name}><strong>${j.name}</strong>${j.cancelled_job ? ' (cancelled)' : ''}: ${j.variations ?? '?'} variation(s); planned ${j.planned}, queued ${j.queued}, rendering ${j.rendering}, rendered ${j.rendered}, failed ${j.failed}${j.cancelled ? `, cancelled ${j.cancelled}` : ''}
      ${j.waiting.map((w) => html`<div class="waiting">waiting (${w.for}): ${w.reason}</div>`)}
      ${(!j.cancelled_job || j.queued > 0) && html` <button onClick=${() => cancel(j.name)}>Cancel job</button>`}</li>`)}</ul>
    ${jobs.rejected.map((r) => html`<p class="error">${r.file}: ${r.message}</p>`)}</div>`;
}

export function Gallery({ tasks, selected, onSelect }) {
  if (!tasks.length) return html`<p class="empty">No finished video yet.</p>`;
  return html`<ul class="gallery" data-testid="gallery">${tasks.map((t) => html`<li class=${t.id === selected ? 'selected' : ''} data-output=${t.id}>
    <a href="#" onClick=${(e) => (e.preventDefault(), onSelect(t.id))}><img src=${`/api/v1/tasks/${t.id}/poster`} alt="" loading="lazy" />
    <span>${t.job ? `${t.job.name} #${t.job.variation + 1}` : t.id.slice(0, 8)}${t.revision ? ` rev ${t.revision}` : ''}</span></a></li>`)}</ul>`;
}

const POSITIONS = ['top-left', 'top', 'top-right', 'left', 'center', 'right', 'bottom-left', 'bottom', 'bottom-right'];

/** The editor's inputs: an error about one of these is shown next to it, any other below the form. */
const EDIT_FIELDS = ['music_volume', 'no_music', 'logo_position', 'logo_scale', 'logo_animation', 'order'];

export function TaskEditor({ id, tick, onSelect }) {
  const [t, setT] = useState(null);
  const [e, setE] = useState({ music: 'keep', volume: '', position: '', scale: '', animation: '', order: '' });
  const [error, setError] = useState(null);
  const [done, setDone] = useState(null);
  useEffect(() => void api(`/tasks/${id}`).then(setT, (x) => setError({ field: null, message: x.message })), [id, tick]);
  if (!t) return html`<p>…</p>`;
  const set = (k) => (ev) => setE({ ...e, [k]: ev.target.value });
  const submit = async (ev) => {
    ev.preventDefault();
    setError(null);
    const body = {};
    if (e.music === 'volume' && e.volume !== '') body.music_volume = Number(e.volume);
    if (e.music === 'off') body.no_music = true;
    if (e.position) body.logo_position = e.position;
    if (e.scale !== '') body.logo_scale = Number(e.scale);
    if (e.animation) body.logo_animation = e.animation;
    if (e.order.trim()) body.order = e.order.split(',').map((x) => Number(x.trim()));
    try {
      const r = await api(`/tasks/${id}/edit`, { method: 'POST', body });
      setDone(r);
    } catch (x) {
      setError({ field: x.field, message: x.message });
    }
  };
  // Next to its field: "order" also takes "order[2]" (one number of the list).
  const err = (f) => error && error.field && (error.field === f || error.field.startsWith(`${f}[`)) && html`<span class="error" data-error-for=${f}>${error.message}</span>`;
  const revs = t.revisions;
  return html`<div class="task" data-testid="task" data-task=${t.id}>
    <p><strong>${t.id}</strong> ${t.state}${t.revision ? ` · revision ${t.revision} of ${t.revision_of}` : ''}${t.job ? ` · job ${t.job.name} #${t.job.variation + 1}` : ''}</p>
    ${t.media.video && html`<video controls preload="metadata" data-testid="player" src=${`/api/v1/tasks/${t.id}/video`} poster=${t.media.poster ? `/api/v1/tasks/${t.id}/poster` : undefined}></video>`}
    ${!t.media.video && t.media.preview && html`<video controls preload="metadata" data-testid="preview" src=${`/api/v1/tasks/${t.id}/preview`}></video>`}
    ${t.error && html`<p class="error">${t.error.code}: ${t.error.message}</p>`}
    ${revs && html`<ol class="revisions" data-testid="revisions">${revs.revisions.map((r) => html`<li class=${r.revision === revs.current ? 'current' : ''}>
      <a href="#" onClick=${(x) => (x.preventDefault(), onSelect(r.task_id))}>revision ${r.revision}</a> ${r.by ? `by ${r.by}` : ''} ${r.changes.join('; ')}</li>`)}</ol>`}
    ${t.state === 'rendered' && html`<form class="edit" onSubmit=${submit} data-testid="edit-form">
      <fieldset><legend>Music</legend>
        <label><input type="radio" name="music" value="keep" checked=${e.music === 'keep'} onChange=${set('music')} /> as it is</label>
        <label><input type="radio" name="music" value="volume" checked=${e.music === 'volume'} onChange=${set('music')} data-testid="music-volume-on" /> volume</label>
        <input type="number" step="any" min="0" max="10" data-field="music_volume" value=${e.volume} onInput=${set('volume')} />${err('music_volume')}
        <label><input type="radio" name="music" value="off" checked=${e.music === 'off'} onChange=${set('music')} /> off</label>${err('no_music')}
      </fieldset>
      <fieldset><legend>Logo</legend>
        <label>Position <select data-field="logo_position" value=${e.position} onChange=${set('position')}><option value="">as it is</option>${POSITIONS.map((p) => html`<option>${p}</option>`)}</select></label>${err('logo_position')}
        <label>Size (fraction of the width) <input type="number" step="any" data-field="logo_scale" value=${e.scale} onInput=${set('scale')} /></label>${err('logo_scale')}
        <label>Animation <select data-field="logo_animation" value=${e.animation} onChange=${set('animation')}><option value="">as it is</option>${['none', 'fade', 'zoom', 'slide'].map((a) => html`<option>${a}</option>`)}</select></label>${err('logo_animation')}
      </fieldset>
      <label>Scene order (e.g. 3,1,2) <input data-field="order" value=${e.order} onInput=${set('order')} /></label>${err('order')}
      ${error && !EDIT_FIELDS.some((f) => error.field === f || error.field?.startsWith(`${f}[`)) && html`<p class="error" data-testid="edit-error">${error.field ? `${error.field}: ` : ''}${error.message}</p>`}
      <button type="submit">Render a new revision</button>
      ${done && html`<p class="ok" data-testid="edit-done">Revision ${done.revision} queued as <a href="#" onClick=${(x) => (x.preventDefault(), onSelect(done.taskId))}>${done.taskId}</a>: ${done.changes.join('; ')}</p>`}
    </form>`}
  </div>`;
}

export function Assets({ tick }) {
  const [q, setQ] = useState({ kind: '', category: '', tag: '' });
  const [list, setList] = useState(null);
  const [error, setError] = useState(null);
  const load = () => {
    const p = new URLSearchParams(Object.entries(q).filter(([, v]) => v));
    api(`/assets?${p}`).then((l) => (setList(l), setError(null)), (e) => setError(e));
  };
  useEffect(load, [tick]);
  const set = (k) => (e) => setQ({ ...q, [k]: e.target.value });
  return html`<div><form class="filters" onSubmit=${(e) => (e.preventDefault(), load())}>
    <select value=${q.kind} onChange=${set('kind')} data-field="kind"><option value="">every kind</option>${['video', 'frame', 'music', 'voice', 'image', 'text', 'narration'].map((k) => html`<option>${k}</option>`)}</select>
    <input placeholder="category" value=${q.category} onInput=${set('category')} /> <input placeholder="tag" value=${q.tag} onInput=${set('tag')} />
    <button type="submit" data-testid="assets-refresh">Refresh</button></form>
    ${error && html`<p class="error">${error.field ? `${error.field}: ` : ''}${error.message}</p>`}
    ${list && html`<table class="assets" data-testid="assets"><thead><tr><th>Kind</th><th>Category</th><th>Id</th><th>Seconds</th><th>Tags</th></tr></thead><tbody>
      ${list.map((a) => html`<tr data-kind=${a.kind}><td>${a.kind}</td><td>${a.category}</td><td>${a.id}</td><td>${a.duration ?? ''}</td><td class="tags">${a.tags.map((t) => html`<span class="tag">${t}</span>`)}</td></tr>`)}
    </tbody></table>`}</div>`;
}
