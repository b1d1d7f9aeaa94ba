// Unit tests of src/partial.ts (Node's own test runner; run by tests/run.sh,
// which compiles the module first and passes its path in PARTIAL).
import assert from "node:assert/strict";
import { test } from "node:test";

const { parsePartial } = await import(process.env.PARTIAL);

const prd = JSON.stringify(
  {
    productName: "Pantry",
    summary: "Plan a week of meals from what is in the pantry.",
    userStories: [
      { id: "US-1", title: "See what I can cook", acceptanceCriteria: ["shows recipes"], priority: "must", score: 1.5, done: false },
      { id: "US-2", title: "Add an item \u00e9 \"quoted\" \\ \ud83e\udd55", acceptanceCriteria: [], priority: "should", score: -20, done: null },
    ],
    empty: {},
    none: [],
  },
  null,
  2,
);

test("a whole JSON text parses as JSON.parse parses it", () => {
  assert.deepEqual(parsePartial(prd), JSON.parse(prd));
  assert.deepEqual(parsePartial(JSON.stringify(JSON.parse(prd))), JSON.parse(prd));
});

test("every prefix of a JSON text parses, and each is a step towards the whole", () => {
  // A prefix never holds more items than a longer one: stories appear one by one.
  let stories = 0;
  for (let n = 0; n <= prd.length; n++) {
    const v = parsePartial(prd.slice(0, n));
    if (n === 0) assert.equal(v, undefined);
    else assert.equal(typeof v, "object", `prefix ${n}`);
    const now = v?.userStories?.length ?? 0;
    assert.ok(now >= stories, `prefix ${n}: ${now} stories after ${stories}`);
    stories = now;
  }
  assert.equal(stories, 2);
});

test("open strings, arrays and objects are closed", () => {
  assert.deepEqual(parsePartial('{"userStories": [{"id": "US-1", "title": "See what I c'), {
    userStories: [{ id: "US-1", title: "See what I c" }],
  });
  assert.deepEqual(parsePartial('["a", ["b", {"c": ['), ["a", ["b", { c: [] }]]);
  assert.deepEqual(parsePartial('{"a": {"b": {'), { a: { b: {} } });
  assert.deepEqual(parsePartial('  ["op'), ["op"]);
});

test("a dangling key is dropped", () => {
  assert.deepEqual(parsePartial('{"a": 1, "tit'), { a: 1 });
  assert.deepEqual(parsePartial('{"a": 1, "title"'), { a: 1 });
  assert.deepEqual(parsePartial('{"a": 1, "title" '), { a: 1 });
  assert.deepEqual(parsePartial('{"a": 1, "title":'), { a: 1 });
  assert.deepEqual(parsePartial('{"a": 1, "title":  \n'), { a: 1 });
  assert.deepEqual(parsePartial('{"a": 1,'), { a: 1 });
});

test("a half-written literal or number is dropped; a finished one is kept", () => {
  assert.deepEqual(parsePartial('{"a": tr'), {});
  assert.deepEqual(parsePartial('{"a": fals'), {});
  assert.deepEqual(parsePartial('{"a": n'), {});
  assert.deepEqual(parsePartial('{"a": true'), { a: true });
  assert.deepEqual(parsePartial('{"a": null, "b": false'), { a: null, b: false });
  // A number at the very end may go on ("12" of "1234").
  assert.deepEqual(parsePartial('{"a": 12'), {});
  assert.deepEqual(parsePartial('{"a": 12,'), { a: 12 });
  assert.deepEqual(parsePartial("[1, 2, -"), [1, 2]);
  assert.deepEqual(parsePartial("[1, 2.5e"), [1]);
  assert.deepEqual(parsePartial("[1, 2."), [1]);
  assert.deepEqual(parsePartial("[1, -3e+2]"), [1, -300]);
});

test("a half-written escape is left out of its string", () => {
  assert.deepEqual(parsePartial('["a\\'), ["a"]);
  assert.deepEqual(parsePartial('["a\\u00'), ["a"]);
  assert.deepEqual(parsePartial('["a\\u00e9b'), ["a\u00e9b"]);
  assert.deepEqual(parsePartial('["a\\n'), ["a\n"]);
  // The first half of a surrogate pair waits for the second.
  assert.deepEqual(parsePartial('["\\ud83e'), [""]);
  assert.deepEqual(parsePartial('["x\ud83e'), ["x"]);
  assert.deepEqual(parsePartial('["\\ud83e\\udd55"]'), ["\ud83e\udd55"]);
  // A key with a half-written escape is still dangling.
  assert.deepEqual(parsePartial('{"a": 1, "b\\'), { a: 1 });
});

test("a Markdown fence before the JSON is skipped", () => {
  assert.deepEqual(parsePartial('```json\n{"a": [1, 2'), { a: [1] });
  assert.deepEqual(parsePartial("```"), undefined);
});

test("text that is not the beginning of JSON gives nothing", () => {
  for (const text of ["", "   ", "Here is the PRD:", '{"a" 1}', '{"a": 1 "b": 2}', "[1,,2]", '{"a": tx}', "[1.x]", '{a: 1}', '["\\q"]', '["\\u12G4"]', "[1}", "[-x]"]) {
    assert.equal(parsePartial(text), undefined, text);
  }
});

test("trailing text after a whole value is ignored (a closing fence)", () => {
  assert.deepEqual(parsePartial('{"a": 1}\n```'), { a: 1 });
});
