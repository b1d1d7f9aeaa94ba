// A JSON parser that remembers where each value starts, so a problem the API
// reports at a path ("$.entities[0].name: …") can be shown on its line, and
// a syntax error says its line and column.

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
  const lines = new Map<string, number>();
  const lineAt = (pos: number) => {
    let n = 1;
    for (let k = 0; k < pos && k < text.length; k++) if (text.charCodeAt(k) === 10) n++;
    return n;
  };
  const fail = (message: string, pos = i): never => {
    const line = lineAt(pos);
    const column = pos - text.lastIndexOf("\n", pos - 1);
    throw new JsonSyntaxError(message, line, column);
  };
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i])) i++;
  };
  const key = (path: string, name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`);

  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i++;
      else if (text.charCodeAt(i) < 0x20) fail("a control character inside a string must be escaped");
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
    lines.set(path, lineAt(i));
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
