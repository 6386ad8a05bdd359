// Dockerfile variable substitution (`$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`,
// `${VAR+word}`), as the builder applies it to FROM, USER, ENV and ARG values. ENTRYPOINT and CMD are never
// substituted by the builder, so this is not used on them.

/** A variable that is declared but has no value maps to `undefined`. */
export type Variables = Map<string, string | undefined>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Replace variables in `text`. Unknown variables become the empty string, as in the builder; `\$` (with the
 * Dockerfile's escape character) keeps a literal dollar sign.
 */
export function substituteVariables(text: string, vars: Variables, escapeChar = "\\"): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === escapeChar && text[i + 1] === "$") {
      out += "$";
      i += 2;
      continue;
    }
    if (c !== "$") {
      out += c;
      i += 1;
      continue;
    }
    if (text[i + 1] === "{") {
      const close = matchingBrace(text, i + 1);
      if (close < 0) {
        out += text.slice(i);
        break;
      }
      out += expandBraced(text.slice(i + 2, close), vars, escapeChar);
      i = close + 1;
      continue;
    }
    const name = NAME.exec(text.slice(i + 1));
    if (!name) {
      out += c;
      i += 1;
      continue;
    }
    out += vars.get(name[0]) ?? "";
    i += 1 + name[0].length;
  }
  return out;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    if (text[j] === "{") depth++;
    else if (text[j] === "}" && --depth === 0) return j;
  }
  return -1;
}

function expandBraced(inner: string, vars: Variables, escapeChar: string): string {
  const name = NAME.exec(inner)?.[0];
  if (!name) return "";
  const rest = inner.slice(name.length);
  const value = vars.get(name);
  const set = vars.has(name) && value !== undefined;
  const nonEmpty = set && value !== "";
  const word = (w: string) => substituteVariables(w, vars, escapeChar);
  if (rest === "") return value ?? "";
  if (rest.startsWith(":-")) return nonEmpty ? value! : word(rest.slice(2));
  if (rest.startsWith("-")) return set ? value! : word(rest.slice(1));
  if (rest.startsWith(":+")) return nonEmpty ? word(rest.slice(2)) : "";
  if (rest.startsWith("+")) return set ? word(rest.slice(1)) : "";
  // Other modifiers (`?`, `#`, `%`) are rare in the places this is used; keep the value as is.
  return value ?? "";
}
