// Unit tests of src/progress.ts (Node's own test runner; run by tests/run.sh,
// which compiles the module first and passes its path in PROGRESS).
import assert from "node:assert/strict";
import { test } from "node:test";

const { LiveProgress, measure, outline, itemName, tail, MAX_UNFINISHED } = await import(process.env.PROGRESS);

const event = (over) => ({
  stage: "prd",
  attempt: 1,
  kind: "generate",
  segment: 1,
  outputTokens: 10,
  thoughtTokens: 0,
  estimated: true,
  delta: "",
  elapsedMs: 1000,
  ...over,
});

test("deltas of one attempt accumulate, in segments too", () => {
  const live = new LiveProgress();
  live.apply(event({ delta: '{"userStories": [', elapsedMs: 100 }));
  live.apply(event({ delta: '{"id": "US-1"}', elapsedMs: 200, outputTokens: 20, thoughtTokens: 35 }));
  live.apply(event({ delta: ", ", segment: 2, elapsedMs: 300, outputTokens: 25 }));
  const p = live.get("prd");
  assert.equal(p.text, '{"userStories": [{"id": "US-1"}, ');
  assert.deepEqual([p.outputTokens, p.thoughtTokens, p.segment, p.elapsedMs], [25, 0, 2, 300]);
  assert.equal(live.get("data"), undefined);
});

test("a new attempt (a retry or a repair) starts the text afresh", () => {
  const live = new LiveProgress();
  live.apply(event({ delta: '{"broken', elapsedMs: 500 }));
  live.activity("stage_retried", "prd");
  assert.equal(live.get("prd").retrying, true, "thinking again until the next attempt writes");
  live.apply(event({ attempt: 2, kind: "repair", delta: "{", elapsedMs: 50 }));
  assert.equal(live.get("prd").text, "{");
  assert.equal(live.get("prd").retrying, false);
  assert.equal(live.get("prd").kind, "repair");
});

test("the stage's next execution starts afresh, even with the same attempt number", () => {
  const live = new LiveProgress();
  live.apply(event({ delta: "{}", elapsedMs: 900 }));
  live.activity("stage_succeeded", "prd");
  assert.equal(live.get("prd").ended, "succeeded");
  live.apply(event({ delta: "{", elapsedMs: 950 }));
  assert.equal(live.get("prd").text, "{");
  assert.equal(live.get("prd").ended, null);
  // Earlier in the attempt than the last event: the same attempt number begun again.
  live.apply(event({ delta: "[", elapsedMs: 10 }));
  assert.equal(live.get("prd").text, "[");
});

test("a reconnect's replay from the stage's start rebuilds the same text", () => {
  const live = new LiveProgress();
  const events = ['{"a": ', '"b', '"}'].map((delta, k) => event({ delta, elapsedMs: 100 * (k + 1) }));
  for (const e of events) live.apply(e);
  live.reset();
  assert.equal(live.get("prd"), undefined);
  for (const e of events) live.apply(e);
  assert.equal(live.get("prd").text, '{"a": "b"}');
});

test("activity for a stage with no progress, or for none, changes nothing", () => {
  const live = new LiveProgress();
  live.activity("stage_succeeded", "prd");
  live.activity("run_finished", null);
  assert.equal(live.get("prd"), undefined);
  live.apply(event({ delta: "{" }));
  live.activity("stage_failed", "prd");
  assert.equal(live.get("prd").ended, "failed");
});

const progress = (over) => {
  const live = new LiveProgress();
  live.apply(event(over));
  return live;
};

test("the bar is output tokens against the estimate, the rate tokens a second, the ETA what is left at that rate", () => {
  const p = progress({ outputTokens: 400, thoughtTokens: 900, elapsedMs: 4000 }).get("prd");
  const m = measure(p, { outputTokens: 1000, thinkingTokens: 5000 });
  // Thinking tokens are not answer: 400 of 1,000, at 100 a second, 6 s left.
  assert.equal(m.fraction, 0.4);
  assert.equal(m.tokensPerSecond, 100);
  assert.equal(m.etaMs, 6000);
});

test("the bar stays below full until the stage succeeds", () => {
  const live = progress({ outputTokens: 1500, elapsedMs: 3000 });
  const over = measure(live.get("prd"), { outputTokens: 1000, thinkingTokens: 0 });
  assert.equal(over.fraction, MAX_UNFINISHED);
  assert.equal(over.etaMs, 0);
  live.activity("stage_succeeded", "prd");
  assert.deepEqual(measure(live.get("prd"), { outputTokens: 1000, thinkingTokens: 0 }).fraction, 1);
});

test("with no estimate there is no bar and no ETA, only the rate; with no time, no rate", () => {
  const p = progress({ outputTokens: 300, elapsedMs: 1500 }).get("prd");
  assert.deepEqual(measure(p, null), { fraction: null, tokensPerSecond: 200, etaMs: null });
  assert.deepEqual(measure(p, { outputTokens: 0, thinkingTokens: 0 }), { fraction: null, tokensPerSecond: 200, etaMs: null });
  const still = progress({ outputTokens: 0, elapsedMs: 0 }).get("prd");
  assert.deepEqual(measure(still, { outputTokens: 1000, thinkingTokens: 0 }), { fraction: 0, tokensPerSecond: null, etaMs: null });
});

test("the outline lists the stories written so far, the last one as far as it goes", () => {
  const o = outline('{"productName": "Pantry", "personas": [{"id": "PER-1", "name": "Cook"}], "userStories": [{"id": "US-1", "title": "See recipes"}, {"id": "US-2", "tit');
  assert.deepEqual(o.texts, [{ field: "productName", text: "Pantry" }]);
  assert.deepEqual(o.lists, [
    { field: "personas", names: ["PER-1 · Cook"] },
    { field: "userStories", names: ["US-1 · See recipes", "US-2"] },
  ]);
  assert.equal(o.value.userStories.length, 2);
});

test("an outline of nothing yet, or of text that is not an object, is empty", () => {
  for (const text of ["", "  ", "[1, 2]", "Sure! Here"]) assert.deepEqual(outline(text), { value: null, texts: [], lists: [] }, text);
});

test("each artifact's list items are named by what they have", () => {
  assert.equal(itemName({ id: "EP-1", method: "GET", path: "/recipes", summary: "List" }), "EP-1 · GET /recipes");
  assert.equal(itemName({ path: "src/main.ts", language: "ts" }), "src/main.ts");
  assert.equal(itemName({ from: "User", to: "Recipe", label: "has" }), "User → Recipe");
  assert.equal(itemName({ name: "Recipe", fields: [] }), "Recipe");
  assert.equal(itemName({ category: "security", requirement: "TLS everywhere" }), "TLS everywhere");
  assert.equal(itemName({ entity: "Order", field: "status" }), "Order");
  assert.equal(itemName("No offline mode"), "No offline mode");
  assert.equal(itemName({}), "…");
  assert.equal(itemName(null), "…");
});

test("the tail of long text starts at a line where one is near", () => {
  assert.equal(tail("short"), "short");
  const text = `${"x".repeat(1000)}\n${"y".repeat(500)}`;
  assert.equal(tail(text, 600), "y".repeat(500));
  assert.equal(tail("z".repeat(1000), 10), `…${"z".repeat(10)}`);
});

test("a running stage's estimate is asked for once per execution, unless a plan gave it", () => {
  const live = new LiveProgress();
  assert.equal(live.estimate("prd"), null);
  assert.equal(live.needsEstimate("prd"), true);
  assert.equal(live.needsEstimate("prd"), false, "asked already");
  live.planned([{ stage: "prd", estimate: { outputTokens: 1092, thinkingTokens: 0, tokens: { low: 1, high: 2 } } }, { stage: "data", estimate: null }]);
  assert.deepEqual(live.estimate("prd"), { outputTokens: 1092, thinkingTokens: 0 });
  assert.equal(live.estimate("data"), null);
  assert.equal(live.needsEstimate("design"), true);
  live.planned([{ stage: "design", estimate: { outputTokens: 751, thinkingTokens: 10 } }]);
  assert.equal(live.needsEstimate("design"), false, "the plan gave it");
  // The execution ends: the next one is estimated again (its history changed).
  live.activity("stage_succeeded", "prd");
  assert.equal(live.estimate("prd"), null);
  assert.equal(live.needsEstimate("prd"), true);
  live.activity("stage_failed", "design");
  assert.equal(live.needsEstimate("design"), true);
});
