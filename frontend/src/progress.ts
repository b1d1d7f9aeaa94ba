// A running stage's live progress, as the event stream tells it: the
// `progress` events folded into one state per stage (its tokens so far and
// the answer text written so far), and what a viewer is shown of it: the
// share of the plan's estimate, the rate, the time left, and an outline of
// the artifact being written. No DOM here (live.ts draws it), so all of it
// is unit-tested: tests/progress.test.mjs.

import type { CallKind, ProgressEvent, Stage } from "./api-types";
import { parsePartial } from "./partial";

/** A `progress` frame of `GET …/events` (generated from the supervisor's
 * `CallProgress` with its stage; its other fields, such as what was billed,
 * are not shown here). */
export type { ProgressEvent };

/** What a stage's model call has written so far. */
export interface StageProgress {
  attempt: number;
  kind: CallKind | null;
  segment: number;
  outputTokens: number;
  thoughtTokens: number;
  estimated: boolean;
  elapsedMs: number;
  /** The answer so far: the attempt's deltas in order. */
  text: string;
  /** The stage asked the model again (`stage_retried`): thinking afresh until its next progress. */
  retrying: boolean;
  /** How the stage's execution ended, once it has. */
  ended: "succeeded" | "failed" | null;
}

/** The plan's figures for one call of a stage (`StagePlan.estimate`). */
export interface CallEstimate {
  outputTokens: number;
  thinkingTokens: number;
}

/** Every stage's live progress on one project page, and the plan's estimate
 * of each running stage's call (asked for once per execution). */
export class LiveProgress {
  private readonly stages = new Map<Stage, StageProgress>();
  private readonly estimates = new Map<Stage, CallEstimate | null>();
  private readonly asked = new Set<Stage>();

  get(stage: Stage): StageProgress | undefined {
    return this.stages.get(stage);
  }

  /** A `progress` event. A new attempt starts the text afresh; so does an
   * event after the stage's execution ended (the next execution), or one
   * earlier in its attempt than the last (the same attempt number again). */
  apply(e: ProgressEvent): void {
    const last = this.stages.get(e.stage);
    const fresh = !last || last.attempt !== e.attempt || last.ended !== null || e.elapsedMs < last.elapsedMs;
    this.stages.set(e.stage, {
      attempt: e.attempt,
      kind: e.kind,
      segment: e.segment,
      outputTokens: e.outputTokens,
      thoughtTokens: e.thoughtTokens,
      estimated: e.estimated,
      elapsedMs: e.elapsedMs,
      text: (fresh ? "" : last.text) + e.delta,
      retrying: false,
      ended: null,
    });
  }

  /** An activity event: `stage_succeeded` / `stage_failed` end a stage's
   * execution (its estimate with it), `stage_retried` restarts its live
   * progress. */
  activity(kind: string, stage: Stage | null): void {
    if (stage === null) return;
    const last = this.stages.get(stage);
    if (kind === "stage_succeeded" || kind === "stage_failed") {
      if (last) last.ended = kind === "stage_succeeded" ? "succeeded" : "failed";
      this.estimates.delete(stage);
      this.asked.delete(stage);
    } else if (kind === "stage_retried" && last) {
      last.retrying = true;
    }
  }

  /** The stream (re)connected: it sends every progress event of the stages
   * in flight again from their start. */
  reset(): void {
    this.stages.clear();
  }

  /** The plan's estimate of `stage`'s call: null when none is known (or not yet). */
  estimate(stage: Stage): CallEstimate | null {
    return this.estimates.get(stage) ?? null;
  }

  /** Whether the estimate of `stage` should be asked for: true once per
   * execution, unless a plan already gave it. */
  needsEstimate(stage: Stage): boolean {
    if (this.estimates.has(stage) || this.asked.has(stage)) return false;
    this.asked.add(stage);
    return true;
  }

  /** What a plan (`GET …/plan`) estimates for each stage it calls. */
  planned(stages: { stage: Stage; estimate: CallEstimate | null }[]): void {
    for (const p of stages) {
      if (p.estimate) this.estimates.set(p.stage, { outputTokens: p.estimate.outputTokens, thinkingTokens: p.estimate.thinkingTokens });
    }
  }
}

/** What the progress line and bar show. */
export interface Measured {
  /** Share of the estimate written, below 1 until the stage succeeded; null without an estimate. */
  fraction: number | null;
  /** Answer tokens a second so far; null before any time has passed. */
  tokensPerSecond: number | null;
  /** Time left at that rate; 0 once past the estimate; null without an estimate or a rate. */
  etaMs: number | null;
}

/** The bar never fills before the stage is done: an estimate is only one. */
export const MAX_UNFINISHED = 0.99;

export function measure(p: StageProgress, estimate: CallEstimate | null): Measured {
  const tokensPerSecond = p.elapsedMs > 0 && p.outputTokens > 0 ? p.outputTokens / (p.elapsedMs / 1000) : null;
  const total = estimate && estimate.outputTokens > 0 ? estimate.outputTokens : null;
  if (total === null) return { fraction: null, tokensPerSecond, etaMs: null };
  const fraction = p.ended === "succeeded" ? 1 : Math.min(MAX_UNFINISHED, p.outputTokens / total);
  const etaMs = p.ended === "succeeded" ? 0 : tokensPerSecond ? (Math.max(0, total - p.outputTokens) / tokensPerSecond) * 1000 : null;
  return { fraction, tokensPerSecond, etaMs };
}

/** One list of the artifact so far: its field, how many items, and each item's name. */
export interface OutlineList {
  field: string;
  names: string[];
}

/** The artifact so far, for a preview: its top-level text fields and lists. */
export interface Outline {
  /** The parsed object so far; null while nothing parses yet. */
  value: Record<string, unknown> | null;
  texts: { field: string; text: string }[];
  lists: OutlineList[];
}

/** How an item of any artifact's list is named: its id and its name or title, whichever it has. */
export function itemName(item: unknown): string {
  if (typeof item === "string") return item;
  if (typeof item === "number" || typeof item === "boolean") return String(item);
  if (!item || typeof item !== "object") return "…";
  const o = item as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === "string" && o[k] ? (o[k] as string) : null);
  const method = str("method");
  const label =
    str("title") ??
    str("name") ??
    (method && str("path") ? `${method} ${str("path")}` : null) ??
    str("path") ??
    str("requirement") ??
    (str("from") && str("to") ? `${str("from")} → ${str("to")}` : null) ??
    str("entity");
  const id = str("id");
  return [id, label].filter(Boolean).join(" · ") || "…";
}

/** The outline of `text`, the beginning of an artifact's JSON. */
export function outline(text: string): Outline {
  const parsed = parsePartial(text);
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return { value: null, texts: [], lists: [] };
  const value = parsed as Record<string, unknown>;
  const texts: Outline["texts"] = [];
  const lists: OutlineList[] = [];
  for (const [field, v] of Object.entries(value)) {
    if (typeof v === "string") texts.push({ field, text: v });
    else if (Array.isArray(v)) lists.push({ field, names: v.map(itemName) });
  }
  return { value, texts, lists };
}

/** The last `n` characters of the text written so far, from a line start where one is near. */
export function tail(text: string, n = 600): string {
  if (text.length <= n) return text;
  const cut = text.slice(-n);
  const nl = cut.indexOf("\n");
  return nl >= 0 && nl < n / 4 ? cut.slice(nl + 1) : `…${cut}`;
}
