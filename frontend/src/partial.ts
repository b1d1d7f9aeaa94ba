// A tolerant parser for the beginning of a JSON text: what a model has
// written so far of an artifact, read as the value it would be if the text
// stopped here. Open strings, arrays and objects are closed; what cannot yet
// be known is left out: a dangling key (no value begun), and a half-written
// literal or number ("tr", "12" of what may be "1234"). A string being
// written is kept as far as it goes, so a title appears as it is typed.
// Text that is not the beginning of any JSON value gives `undefined`.
// Unit tests: tests/partial.test.mjs.

/** What `text`, the beginning of a JSON text, holds so far; `undefined` if nothing yet (or not JSON). */
export function parsePartial(text: string): unknown {
  const parser = new Partial(withoutFence(text));
  try {
    const v = parser.value();
    return v === NOTHING ? undefined : v;
  } catch (e) {
    if (e instanceof NotJson) return undefined;
    throw e;
  }
}

/** A model asked for JSON now and then opens a Markdown fence first. */
function withoutFence(text: string): string {
  const m = /^\s*```[a-zA-Z]*[ \t]*(?:\r?\n|$)/.exec(text);
  return m ? text.slice(m[0].length) : text;
}

/** A value not begun, or not known yet: left out of its container. */
const NOTHING: unique symbol = Symbol("nothing");
type Parsed = unknown | typeof NOTHING;

class NotJson extends Error {}

const LITERALS: Record<string, unknown> = { true: true, false: false, null: null };
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/;
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

class Partial {
  private i = 0;
  constructor(private readonly text: string) {}

  private get ended(): boolean {
    return this.i >= this.text.length;
  }

  private ws(): void {
    while (!this.ended && " \t\r\n".includes(this.text[this.i])) this.i++;
  }

  value(): Parsed {
    this.ws();
    if (this.ended) return NOTHING;
    const c = this.text[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string().value;
    return this.scalar();
  }

  private object(): Record<string, unknown> {
    this.i++;
    const out: Record<string, unknown> = {};
    this.ws();
    if (this.text[this.i] === "}") {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.ended) return out;
      if (this.text[this.i] !== '"') throw new NotJson();
      const key = this.string();
      // A key still being written, or one with no value begun, is dangling.
      if (!key.closed) return out;
      this.ws();
      if (this.ended) return out;
      if (this.text[this.i] !== ":") throw new NotJson();
      this.i++;
      const v = this.value();
      if (v !== NOTHING) out[key.value] = v;
      if (!this.next("}")) return out;
    }
  }

  private array(): unknown[] {
    this.i++;
    const out: unknown[] = [];
    this.ws();
    if (this.text[this.i] === "]") {
      this.i++;
      return out;
    }
    for (;;) {
      const v = this.value();
      if (v !== NOTHING) out.push(v);
      if (!this.next("]")) return out;
    }
  }

  /** After an item: true at a comma (another follows), false at the text's
   * end or at `close` (consumed). */
  private next(close: string): boolean {
    this.ws();
    if (this.ended) return false;
    const c = this.text[this.i++];
    if (c === ",") return true;
    if (c === close) return false;
    throw new NotJson();
  }

  /** A string from its opening quote; an unclosed one as far as it goes (a
   * half-written escape left out). */
  private string(): { value: string; closed: boolean } {
    const text = this.text;
    this.i++;
    let out = "";
    let start = this.i;
    while (!this.ended) {
      const c = text[this.i];
      if (c === '"') {
        out += text.slice(start, this.i);
        this.i++;
        return { value: out, closed: true };
      }
      if (c !== "\\") {
        this.i++;
        continue;
      }
      out += text.slice(start, this.i);
      const e = text[this.i + 1];
      if (e === undefined) {
        this.i = text.length;
        return { value: out, closed: false };
      }
      if (e === "u") {
        const hex = text.slice(this.i + 2, this.i + 6);
        if (hex.length < 4 && /^[0-9a-fA-F]*$/.test(hex)) {
          this.i = text.length;
          return { value: out, closed: false };
        }
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new NotJson();
        out += String.fromCharCode(parseInt(hex, 16));
        this.i += 6;
      } else {
        const simple = SIMPLE_ESCAPES[e];
        if (simple === undefined) throw new NotJson();
        out += simple;
        this.i += 2;
      }
      start = this.i;
    }
    out += text.slice(start);
    // A lone high surrogate waits for its pair.
    if (/[\uD800-\uDBFF]$/.test(out)) out = out.slice(0, -1);
    return { value: out, closed: false };
  }

  /** A number or literal; one that reaches the end of the text may go on, so it is not known yet. */
  private scalar(): Parsed {
    const rest = this.text.slice(this.i, this.i + 400);
    const word = /^[a-z]+/.exec(rest)?.[0];
    if (word !== undefined) {
      const literal = Object.keys(LITERALS).find((l) => l.startsWith(word));
      if (literal === undefined || word.length > literal.length) throw new NotJson();
      this.i += word.length;
      return word === literal ? LITERALS[literal] : this.ended ? NOTHING : fail();
    }
    const number = NUMBER.exec(rest)?.[0];
    if (number !== undefined) {
      this.i += number.length;
      // "1." "1e" "-": a number cut mid-way, unless the text goes on after it.
      if (this.ended || /^[.eE+\-]/.test(this.text[this.i])) {
        if (!/^[0-9.eE+\-]*$/.test(this.text.slice(this.i))) throw new NotJson();
        this.i = this.text.length;
        return NOTHING;
      }
      return Number(number);
    }
    if (rest === "-") {
      this.i = this.text.length;
      return NOTHING;
    }
    throw new NotJson();
  }
}

function fail(): never {
  throw new NotJson();
}
