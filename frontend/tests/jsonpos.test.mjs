// Unit tests of src/jsonpos.ts (Node's own test runner; run by tests/run.sh,
// which compiles the module first and passes its path in JSONPOS).
import assert from "node:assert/strict";
import { test } from "node:test";

const { parseLocated, lineOfProblem, JsonSyntaxError } = await import(process.env.JSONPOS);

test("each value's path maps to the line it starts on", () => {
  const text = '{\n  "name": "Pantry",\n  "entities": [\n    {"name": "User",\n     "fields": []}\n  ],\n  "odd key": 1\n}';
  const { value, lines } = parseLocated(text);
  assert.deepEqual(value, JSON.parse(text));
  assert.equal(lines.get("$"), 1);
  assert.equal(lines.get("$.name"), 2);
  assert.equal(lines.get("$.entities"), 3);
  assert.equal(lines.get("$.entities[0]"), 4);
  assert.equal(lines.get("$.entities[0].name"), 4);
  assert.equal(lines.get("$.entities[0].fields"), 5);
  assert.equal(lines.get('$["odd key"]'), 7);
});

test("a problem points at its path's line, else its nearest parent's", () => {
  const { lines } = parseLocated('{\n"a": [\n{"b": 1},\n{"b": 2}\n]\n}');
  assert.equal(lineOfProblem("$.a[1].b: must be a string", lines), 4);
  assert.equal(lineOfProblem("$.a[1].missing: is required", lines), 4);
  assert.equal(lineOfProblem("$.nowhere: unknown", lines), 1);
});

test("syntax errors name their line and column", () => {
  const cases = [
    ['{\n  "a": 1,\n  "b" 2\n}', 3, 7, 'expected ":" after "b"'],
    ['{\n  "a": tru\n}', 2, 8, 'unexpected "t"'],
    ['[1, 2', 1, 6, 'expected "," or "]" after an item'],
    ['{"a": "x\ny"}', 1, 9, "a control character inside a string must be escaped"],
    ['{"a": "open', 1, 7, "this string is never closed"],
    ['{"a": "x\\\n\ty"}', 1, 10, "a control character inside a string must be escaped"],
    ['{} {}', 1, 4, "unexpected text after the JSON value"],
    ['\n\n', 3, 1, "the text ends where a value was expected"],
  ];
  for (const [text, line, column, message] of cases) {
    assert.throws(() => parseLocated(text), (e) => {
      assert.ok(e instanceof JsonSyntaxError, String(e));
      assert.deepEqual([e.line, e.column, e.message], [line, column, `Line ${line}, column ${column}: ${message}`]);
      return true;
    }, text);
  }
});

test("values parse exactly as JSON.parse parses them", () => {
  const text = '{"n": -1.5e3, "t": true, "f": false, "z": null, "s": "\\u00e9\\n\\"q\\"", "e": {}, "l": []}';
  assert.deepEqual(parseLocated(text).value, JSON.parse(text));
});

test("a long document maps its last values to their lines", () => {
  const items = Array.from({ length: 20000 }, (_, k) => `  {"id": ${k}}`);
  const { lines } = parseLocated(`[\n${items.join(",\n")}\n]`);
  assert.equal(lines.get("$[0]"), 2);
  assert.equal(lines.get("$[19999]"), 20001);
  assert.equal(lines.get("$[19999].id"), 20001);
});
