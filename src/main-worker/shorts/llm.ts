// The `llm` scene planner (shorts.planner "llm"): an OpenAI-compatible chat completion
// (POST <shorts.llmBaseUrl>/v1/chat/completions) is given the words with their times and asked
// for one JSON object: beats with start, end, description, visual prompt, asset type and
// transition. The answer is checked against LlmPlanSchema and against the short (the beats
// cover it in order, each 2 to 6 s): anything else is PROVIDER_INVALID, and the caller plans
// locally with a warning. The prompt and the answer are never logged.
import { z } from 'zod';
import { ClipmillError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { RetryPolicy } from '../../shared/retry.js';
import { TRANSITIONS } from '../../shared/timeline/schema.js';
import type { Word } from '../../shared/words.js';
import { round } from '../planners/job.js';
import { BEAT, wordsInBeat, type Beat } from '../planners/short-beats.js';
import { keywords } from '../planners/short-keywords.js';
import { notJson, providerKey, providerRequest, retryProvider, schemaIssues } from './http.js';

export interface LlmSettings {
  baseUrl: string;
  model: string;
  apiKeyEnv: string;
  timeoutMs: number;
  maxBytes: number;
  tries: number;
  retryBaseMs: number;
}

const text = (max: number) => z.string().max(max);
export const LlmPlanSchema = z.object({
  beats: z
    .array(
      z.object({
        start: z.number().finite().min(0),
        end: z.number().finite().positive(),
        description: text(1000),
        visual_prompt: text(1000),
        asset_type: z.enum(['footage', 'still', 'any']),
        transition: z.enum(TRANSITIONS),
      }),
    )
    .min(1)
    .max(200),
});
export type LlmPlan = z.infer<typeof LlmPlanSchema>;

/** Seconds a beat's edge may be off where it should be (the previous end, 0, the short's end). */
const SLACK = 0.25;

const invalid = (what: string, why: string) => new ClipmillError('PROVIDER_INVALID', `LLM planner for ${what}: ${why}`);

/**
 * The beats of a checked plan: in order, covering 0 to `end` (edges within SLACK, then snapped),
 * each BEAT.min to BEAT.max seconds (a short under BEAT.min: one beat). Each beat's keywords
 * come from its words, its description and its visual prompt.
 */
export function checkLlmPlan(plan: LlmPlan, words: readonly Word[], end: number, what: string): Beat[] {
  const out: Beat[] = [];
  let prev = 0;
  plan.beats.forEach((b, i) => {
    const last = i === plan.beats.length - 1;
    if (Math.abs(b.start - prev) > SLACK) throw invalid(what, `beats[${i}].start is ${b.start}, the previous beat ends at ${prev} (the beats must follow each other from 0)`);
    const stop = last ? end : round(b.end);
    if (last && Math.abs(b.end - end) > SLACK) throw invalid(what, `the last beat ends at ${b.end}, the short at ${end}`);
    const len = stop - prev;
    const single = plan.beats.length === 1 && end < BEAT.min;
    if (!single && (len < BEAT.min - SLACK || len > BEAT.max + SLACK)) throw invalid(what, `beats[${i}] lasts ${round(len)} s (${BEAT.min} to ${BEAT.max} s asked)`);
    const said = wordsInBeat(words, prev, stop, last).map((w) => w.word).join(' ');
    out.push({ start: round(prev), end: round(stop), text: said, keywords: keywords(`${said} ${b.description} ${b.visual_prompt}`), assetType: b.asset_type, transition: b.transition });
    prev = stop;
  });
  return out;
}

const SYSTEM = [
  'You plan the scenes of a vertical short video from its narration.',
  'Answer with one JSON object and nothing else: {"beats": [{"start": <seconds>, "end": <seconds>, "description": <what is said>, "visual_prompt": <what to show, in a few concrete nouns>, "asset_type": "footage" | "still" | "any", "transition": <the transition into the beat, one of ' + TRANSITIONS.join(', ') + '>}]}.',
  `The beats follow each other from 0 to the duration given, without gaps, each ${BEAT.min} to ${BEAT.max} seconds long, cut where a sentence or a clause ends.`,
].join(' ');

/** The JSON object in a chat answer's content (a ```json fence around it is allowed). */
function parseContent(content: string, what: string): unknown {
  const bare = content.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  try {
    return JSON.parse(bare);
  } catch {
    throw invalid(what, `the answer's content is not a JSON object (${Buffer.byteLength(content)} bytes)`);
  }
}

const ChatSchema = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1) });

export class LlmPlanner {
  private readonly policy: RetryPolicy;

  constructor(
    private readonly s: LlmSettings,
    private readonly log?: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.policy = new RetryPolicy({ tries: s.tries, baseMs: s.retryBaseMs, maxRetryAfterMs: 60_000, jitter: 0.2 });
  }

  /** The checked beats of the short `what` (words up to `end`). */
  async plan(words: readonly Word[], end: number, what: string, signal?: AbortSignal): Promise<Beat[]> {
    const user = JSON.stringify({ duration: end, words: words.filter((w) => w.start < end).map((w) => ({ word: w.word, start: w.start, end: w.end })) });
    const body = JSON.stringify({ model: this.s.model, temperature: 0, response_format: { type: 'json_object' }, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: user }] });
    const base = this.s.baseUrl;
    const answer = await retryProvider(
      this.policy,
      () => providerRequest({ provider: 'LLM planner', url: `${base.replace(/\/+$/, '')}/v1/chat/completions`, baseUrl: base, key: providerKey(this.s.apiKeyEnv, this.env), body, contentType: 'application/json', timeoutMs: this.s.timeoutMs, maxBytes: this.s.maxBytes }, signal),
      `the LLM planner for ${what}`,
      this.log,
      signal,
    );
    let chat: unknown;
    try {
      chat = JSON.parse(answer.text);
    } catch {
      throw invalid(what, `the answer is ${notJson(answer.text)}`);
    }
    const c = ChatSchema.safeParse(chat);
    if (!c.success) throw invalid(what, 'the answer is not a chat completion ({"choices": [{"message": {"content"}}]})');
    const plan = LlmPlanSchema.safeParse(parseContent(c.data.choices[0]!.message.content, what));
    if (!plan.success) throw invalid(what, `the plan fails its schema: ${schemaIssues(plan.error.issues)}`);
    return checkLlmPlan(plan.data, words, end, what);
  }
}
