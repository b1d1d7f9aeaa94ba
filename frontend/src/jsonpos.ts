// A JSON parser that remembers where each value starts, so a problem the API
// reports at a path ("$.entities[0].name: …") can be shown on its line, and
// a syntax error says its line and column. One pass: in JSON a line break can
// only sit in whitespace between tokens (never inside a string), so the line
// is counted where whitespace is skipped. Unit tests: tests/jsonpos.test.mjs.

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`Line ${line}, column ${column}: ${message}`);
  }
}

export interface Located {
  value: unknown;
  /** JSON path ("$", "$.a", "$.a[0]") → 1-based line where its value starts. */
  lines: Map<string, number>;
}

export function parseLocated(text: string): Located {
  let i = 0;
  // The line of position i, and where that line starts.
  let line = 1;
  let lineStart = 0;
  const lines = new Map<string, number>();
  // Every position a failure names is on the current line: strings cannot
  // hold a line break, and the others are i itself.
  const fail = (message: string, pos = i): never => {
    throw new JsonSyntaxError(message, line, pos - lineStart + 1);
  };
  const ws = () => {
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        line++;
        lineStart = i + 1;
      } else if (c !== 32 && c !== 9 && c !== 13) break;
    }
  };
  const key = (path: string, name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`);

  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i++;
      // The character after a backslash too: so no string holds a line break.
      if (text.charCodeAt(i) < 0x20) fail("a control character inside a string must be escaped");
      i++;
    }
    if (i >= text.length) fail("this string is never closed", start);
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail("a string with a bad escape", start);
    }
  };

  const value = (path: string): unknown => {
    ws();
    lines.set(path, line);
    const c = text[i];
    if (c === "{") {
      i++;
      const out: Record<string, unknown> = {};
      ws();
      if (text[i] === "}") {
        i++;
        return out;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a property name in double quotes');
        const name = str();
        ws();
        if (text[i] !== ":") fail(`expected ":" after "${name}"`);
        i++;
        out[name] = value(key(path, name));
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return out;
        }
        fail('expected "," or "}" after a property');
      }
    }
    if (c === "[") {
      i++;
      const out: unknown[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return out;
      }
      for (;;) {
        out.push(value(`${path}[${out.length}]`));
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return out;
        }
        fail('expected "," or "]" after an item');
      }
    }
    if (c === '"') return str();
    const m = /^(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) return fail(i >= text.length ? "the text ends where a value was expected" : `unexpected "${c}"`);
    i += m[0].length;
    return JSON.parse(m[0]) as unknown;
  };

  const v = value("$");
  ws();
  if (i < text.length) fail("unexpected text after the JSON value");
  return { value: v, lines };
}

/** The line a problem like "$.a[0].b: message" points at: its path or the nearest parent's. */
export function lineOfProblem(problem: string, lines: Map<string, number>): number | null {
  const path = problem.split(": ")[0] ?? "";
  let p = path;
  while (p) {
    const line = lines.get(p);
    if (line !== undefined) return line;
    const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
    if (cut <= 0) break;
    p = p.slice(0, cut);
  }
  return lines.get("$") ?? null;
}
