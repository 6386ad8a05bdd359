// Just enough XML to edit project files in place: elements with their exact offsets, so an edit inserts or
// replaces a few bytes and leaves every other byte (comments, formatting, encoding declaration) as it was.
// Comments, CDATA, processing instructions and DOCTYPE are skipped, never parsed as elements.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  /** Offset of `<` of the start tag. */
  start: number;
  /** Offset just past the start tag's `>`. */
  openEnd: number;
  /** Offset of `<` of the end tag (equals `openEnd` for a self-closing element). */
  closeStart: number;
  /** Offset just past the element. */
  end: number;
  selfClosing: boolean;
  children: XmlElement[];
}

const TAG = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;
const ATTR = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** The document's root element; throws with the offending offset when the text is not well-formed enough. */
export function parseXml(text: string): XmlElement {
  const root: XmlElement = {
    name: "#document",
    attributes: {},
    start: 0,
    openEnd: 0,
    closeStart: text.length,
    end: text.length,
    selfClosing: false,
    children: [],
  };
  const stack = [root];
  let i = 0;
  while ((i = text.indexOf("<", i)) >= 0) {
    const skip = [
      ["<!--", "-->"],
      ["<![CDATA[", "]]>"],
      ["<?", "?>"],
      ["<!", ">"],
    ].find(([open]) => text.startsWith(open, i));
    if (skip) {
      const end = text.indexOf(skip[1], i + skip[0].length);
      if (end < 0) throw new Error(`unterminated ${skip[0]} at offset ${i}`);
      i = end + skip[1].length;
      continue;
    }
    TAG.lastIndex = i;
    const m = TAG.exec(text);
    if (!m) throw new Error(`malformed tag at line ${lineOf(text, i)}`);
    const [whole, slash, name, attrText, selfClose] = m;
    if (slash) {
      const open = stack.pop()!;
      if (open.name !== name)
        throw new Error(`</${name}> at line ${lineOf(text, i)} does not close <${open.name}>`);
      open.closeStart = i;
      open.end = i + whole.length;
    } else {
      const attributes: Record<string, string> = {};
      for (const a of attrText.matchAll(ATTR)) attributes[a[1]] = decode(a[2] ?? a[3]);
      const el: XmlElement = {
        name,
        attributes,
        start: i,
        openEnd: i + whole.length,
        closeStart: i + whole.length,
        end: i + whole.length,
        selfClosing: !!selfClose,
        children: [],
      };
      stack[stack.length - 1].children.push(el);
      if (!selfClose) stack.push(el);
    }
    i += whole.length;
  }
  if (stack.length > 1) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
  if (root.children.length !== 1) throw new Error("expected exactly one root element");
  return root.children[0];
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split("\n").length;
}

function decode(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Escapes a value for a double-quoted attribute. */
export function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
}

/** Every descendant element named `name` (case-insensitive, as MSBuild and NuGet treat names). */
export function descendants(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (c.name.toLowerCase() === name.toLowerCase()) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}

/** Attribute value by case-insensitive name. */
export function attr(el: XmlElement, name: string): string | undefined {
  const key = Object.keys(el.attributes).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : el.attributes[key];
}

/** The whitespace at the start of the line `offset` is on. */
export function indentAt(text: string, offset: number): string {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** The file's indentation unit, guessed from its first indented line; two spaces when it has none. */
export function indentUnit(text: string): string {
  return /\n(\t| +)</.exec(text)?.[1] ?? "  ";
}

export interface TextEdit {
  at: number;
  /** Characters removed at `at`. */
  remove: number;
  insert: string;
}

/** Applies non-overlapping edits (in any order). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.at - a.at))
    out = out.slice(0, e.at) + e.insert + out.slice(e.at + e.remove);
  return out;
}

/**
 * An edit that appends `lines` (already indented one level below `parent`) as the last children of `parent`,
 * expanding a self-closing parent into start and end tags.
 */
export function appendChildren(
  text: string,
  parent: XmlElement,
  lines: string[],
  eol: string,
): TextEdit {
  const indent = indentAt(text, parent.start);
  const body = lines.map((l) => `${eol}${l}`).join("");
  if (parent.selfClosing) {
    const tag = text.slice(parent.start, parent.end).replace(/\s*\/>$/, ">");
    return {
      at: parent.start,
      remove: parent.end - parent.start,
      insert: `${tag}${body}${eol}${indent}</${parent.name}>`,
    };
  }
  // Insert after the last non-whitespace before the end tag, keeping the end tag's own line as it was.
  const inner = text.slice(parent.openEnd, parent.closeStart);
  const at = parent.openEnd + inner.trimEnd().length;
  return { at, remove: 0, insert: inner.includes("\n") ? body : `${body}${eol}${indent}` };
}
