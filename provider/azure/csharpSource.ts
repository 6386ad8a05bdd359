// A small C# scanner for the one job the Azure preparation needs: find Azure Functions methods (in-process
// `[FunctionName]` and isolated-worker `[Function]`), the logger each can reach, and where its body starts.
// It is not a parser: it masks comments and string/char literals (same length, newlines kept) so that
// brace and bracket matching on the masked text is safe, and reads names back from the original text.

/** Replaces comments and literal contents with spaces (newlines kept), so offsets match the source. */
export function maskCSharp(src: string): string {
  const out = src.split("");
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== "\n" && out[k] !== "\r") out[k] = " ";
  };
  let i = 0;
  // Returns the index just past the literal starting at `start` (which points at its first char).
  const skipString = (start: number): number => {
    let j = start;
    let interpolated = false;
    let verbatim = false;
    while (src[j] === "$" || src[j] === "@") {
      if (src[j] === "$") interpolated = true;
      else verbatim = true;
      j++;
    }
    const dollarCount = src.slice(start, j).split("$").length - 1;
    if (src.startsWith('"""', j)) {
      // Raw string literal: N quotes open, N quotes close; holes use `dollarCount` braces.
      let q = 0;
      while (src[j + q] === '"') q++;
      const close = '"'.repeat(q);
      const end = src.indexOf(close, j + q);
      return end < 0 ? src.length : end + q;
    }
    j++; // opening quote
    while (j < src.length) {
      const c = src[j];
      if (!verbatim && c === "\\") {
        j += 2;
        continue;
      }
      if (c === '"') {
        if (verbatim && src[j + 1] === '"') {
          j += 2;
          continue;
        }
        return j + 1;
      }
      if (interpolated && c === "{") {
        if (src[j + 1] === "{" && dollarCount <= 1) {
          j += 2;
          continue;
        }
        j = skipCode(j + 1, "}");
        continue;
      }
      if (!verbatim && c === "\n") return j; // unterminated: stop at the line end
      j++;
    }
    return j;
  };
  // Skips code inside an interpolation hole up to the matching `closer`; returns the index after it.
  const skipCode = (start: number, closer: string): number => {
    let depth = 0;
    let j = start;
    while (j < src.length) {
      const c = src[j];
      if (c === '"' || ((c === "$" || c === "@") && /^[$@]*"/.test(src.slice(j, j + 4)))) {
        j = skipString(j);
        continue;
      }
      if (c === "'") {
        j = skipChar(j);
        continue;
      }
      if (c === "{") depth++;
      if (c === "}") {
        if (depth === 0 && closer === "}") return j + 1;
        depth--;
      }
      j++;
    }
    return j;
  };
  const skipChar = (start: number): number => {
    let j = start + 1;
    while (j < src.length && src[j] !== "'" && src[j] !== "\n") j += src[j] === "\\" ? 2 : 1;
    return j + 1;
  };
  while (i < src.length) {
    const c = src[i];
    if (c === "/" && src[i + 1] === "/") {
      const end = src.indexOf("\n", i);
      const stop = end < 0 ? src.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end < 0 ? src.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || ((c === "$" || c === "@") && /^[$@]*"/.test(src.slice(i, i + 4)))) {
      const stop = skipString(i);
      blank(i, stop);
      i = stop;
    } else if (c === "'") {
      const stop = Math.min(skipChar(i), src.length);
      blank(i, stop);
      i = stop;
    } else if (c === "#" && /^[ \t]*$/.test(src.slice(src.lastIndexOf("\n", i - 1) + 1, i))) {
      // Preprocessor directive (#if, #region ...): a line of its own.
      const end = src.indexOf("\n", i);
      const stop = end < 0 ? src.length : end;
      blank(i, stop);
      i = stop;
    } else i++;
  }
  return out.join("");
}

const OPEN: Record<string, string> = { "(": ")", "[": "]", "{": "}", "<": ">" };

/** Index of the bracket closing the one at `open` (masked text), or -1. Angle brackets only nest angles. */
export function matchBracket(masked: string, open: number): number {
  const opener = masked[open];
  const closer = OPEN[opener];
  if (opener === "<") {
    let depth = 0;
    for (let j = open; j < masked.length; j++) {
      if (masked[j] === "<") depth++;
      else if (masked[j] === ">" && --depth === 0) return j;
      else if (";{}".includes(masked[j])) return -1;
    }
    return -1;
  }
  const stack: string[] = [];
  for (let j = open; j < masked.length; j++) {
    const c = masked[j];
    if (c === "(" || c === "[" || c === "{") stack.push(OPEN[c]);
    else if (c === ")" || c === "]" || c === "}") {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return c === closer ? j : -1;
    }
  }
  return -1;
}

/** Splits `text` at commas that are not nested in any bracket. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let j = 0; j < text.length; j++) {
    const c = text[j];
    if ("([{<".includes(c)) depth++;
    else if (")]}>".includes(c)) depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(from, j));
      from = j + 1;
    }
  }
  if (text.slice(from).trim() !== "") parts.push(text.slice(from));
  return parts;
}

export interface CSharpParameter {
  type: string;
  name: string;
}

/** Parses a parameter list's inside (masked text): drops attributes, modifiers and default values. */
export function parseParameters(maskedInside: string): CSharpParameter[] {
  return splitTopLevel(maskedInside).map((raw) => {
    let p = raw.trim();
    // Drop parameter attributes such as [HttpTrigger(...)]; they are balanced in the masked text.
    while (p.startsWith("[")) {
      const end = matchBracket(p, 0);
      p = end < 0 ? "" : p.slice(end + 1).trim();
    }
    p = p.replace(/=[^]*$/, "").trim();
    p = p.replace(/^(?:(?:this|ref|out|in|params|scoped|readonly)\s+)+/, "");
    const m = /^([^]*?)\s*\b([A-Za-z_@][\w]*)\s*$/.exec(p);
    return m ? { type: m[1].replace(/\s+/g, ""), name: m[2] } : { type: p, name: "" };
  });
}

/** True when a (whitespace-free) C# type is Microsoft.Extensions.Logging's ILogger or ILogger<T>. */
export function isLoggerType(type: string): boolean {
  return /^(?:global::)?(?:Microsoft\.Extensions\.Logging\.)?ILogger(?:<.+>)?\??$/.test(type);
}

/** True when a (whitespace-free) C# type is the isolated worker's FunctionContext. */
export function isFunctionContextType(type: string): boolean {
  return /^(?:global::)?(?:Microsoft\.Azure\.Functions\.Worker\.)?FunctionContext$/.test(type);
}

/** The whitespace at the start of the line `at` is on. */
export function lineIndent(text: string, at: number): string {
  const start = text.lastIndexOf("\n", at - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** Adds `using Twistlock;` among the file's using directives (System ones first, then ordinal order). */
export function addUsing(src: string, eol: string): string {
  const masked = maskCSharp(src);
  if (/^[ \t]*(?:global\s+)?using\s+Twistlock\s*;/m.test(masked)) return src;
  const firstBlock = masked.search(/\{|\bnamespace\b/);
  const head = firstBlock < 0 ? masked : masked.slice(0, firstBlock);
  const usings = [...head.matchAll(/^[ \t]*using\s+(?!static\b)([\w.]+)\s*;[ \t]*$/gm)];
  const line = `using Twistlock;`;
  if (usings.length === 0) {
    const start = src.startsWith("\uFEFF") ? 1 : 0;
    const first = masked.slice(start).search(/\S/);
    const at = first < 0 ? src.length : start + first;
    return src.slice(0, at) + line + eol + eol + src.slice(at);
  }
  const later = usings.find((u) => !/^System\b/.test(u[1]) && u[1] > "Twistlock");
  if (later) return src.slice(0, later.index) + line + eol + src.slice(later.index);
  const last = usings[usings.length - 1];
  const end = last.index + last[0].length;
  return src.slice(0, end) + eol + line + src.slice(end);
}
