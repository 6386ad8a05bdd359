// Finds the Azure Functions in one C# file and adds the Serverless Defender's `Twistlock.Serverless.Init(...)`
// call as the first statement of each one that lacks it. Pure: text in, text out.
import {
  addUsing,
  isFunctionContextType,
  lineIndent,
  isLoggerType,
  maskCSharp,
  matchBracket,
  parseParameters,
} from "./csharpSource";

/** How a function is hosted, as its attribute tells. */
export type AzureFunctionHosting = "in-process" | "isolated";

export interface AzureFunctionInSource {
  /** The function's name as the attribute gives it (a literal's value, else the expression text). */
  name: string;
  hosting: AzureFunctionHosting;
  /** 1-based line of the attribute. */
  line: number;
  /** True when the body already calls `Twistlock.Serverless.Init(` (or `Serverless.Init(`). */
  hasInit: boolean;
  /** The argument to pass to Init, when one is reachable (`log`, `_logger`, `context.GetLogger("X")`). */
  logger?: string;
  /** Why Init cannot be added automatically, when it cannot. */
  problem?: string;
  /** Index just past the body's `{` (undefined for expression-bodied methods). */
  bodyStart?: number;
  /** For `=> expr;` methods: where the parameter list ends, the `=>`, the `;`, and whether expr is a statement. */
  expressionBody?: {
    nameStart: number;
    from: number;
    arrow: number;
    end: number;
    statement: boolean;
  };
}

/** Index of the `;` that ends the statement starting at `from` (masked text), or -1. */
function statementEnd(masked: string, from: number): number {
  let depth = 0;
  for (let j = from; j < masked.length; j++) {
    const c = masked[j];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      if (--depth < 0) return -1;
    } else if (c === ";" && depth === 0) return j;
  }
  return -1;
}

const ATTRIBUTE =
  /\[\s*(?:global::)?(?:Microsoft\.Azure\.(?:WebJobs|Functions\.Worker)\.)?(FunctionName|Function)(?:Attribute)?\s*\(/g;
const MODIFIERS = new Set(
  "public private protected internal static async virtual override sealed new unsafe extern partial abstract readonly".split(
    " ",
  ),
);
const INIT_CALL = /\b(?:Twistlock\s*\.\s*)?Serverless\s*\.\s*Init\s*\(/;

/** Every `[FunctionName]` / `[Function]` method in `src`, in source order. */
export function findAzureFunctions(src: string): AzureFunctionInSource[] {
  const masked = maskCSharp(src);
  const classes = findTypeDeclarations(masked);
  const found: AzureFunctionInSource[] = [];
  for (const m of masked.matchAll(ATTRIBUTE)) {
    const at = m.index;
    const before = masked.slice(0, at).trimEnd();
    if (before !== "" && !/[;{}\]]$/.test(before) && !/^\uFEFF$/.test(before)) continue;
    const argOpen = at + m[0].length - 1;
    const argClose = matchBracket(masked, argOpen);
    const listClose = matchBracket(masked, at);
    if (argClose < 0 || listClose < 0) continue;
    const nameExpr = src
      .slice(argOpen + 1, argClose)
      .split(",")[0]
      .trim();
    const literal = /^@?"(.*)"$/.exec(nameExpr);
    const nameof = /^nameof\(\s*([\w.]+)\s*\)$/.exec(nameExpr);
    const fn: AzureFunctionInSource = {
      name: literal ? literal[1] : nameof ? nameof[1].split(".").pop()! : nameExpr,
      hosting: m[1] === "FunctionName" ? "in-process" : "isolated",
      line: src.slice(0, at).split("\n").length,
      hasInit: false,
    };
    found.push(fn);
    const header = findMethodHeader(masked, listClose + 1);
    if (!header) {
      fn.problem = "no method declaration follows the attribute";
      continue;
    }
    const paramsClose = matchBracket(masked, header.paramsOpen);
    const params = parseParameters(masked.slice(header.paramsOpen + 1, paramsClose));
    const after = /\{|=>|;/.exec(masked.slice(paramsClose + 1));
    if (!after || after[0] === ";") {
      fn.problem = "the method has no body";
      continue;
    }
    if (after[0] === "=>") {
      const arrow = paramsClose + 1 + after.index;
      const end = statementEnd(masked, arrow + 2);
      if (end < 0) {
        fn.problem = "the method's expression body (`=> ...`) has no end";
        continue;
      }
      const returnType = masked
        .slice(listClose + 1, header.nameStart)
        .replace(/\[[^\]]*\]/g, " ")
        .trim()
        .split(/\s+/);
      const type = returnType.filter((t) => !MODIFIERS.has(t)).join("");
      const isAsync = returnType.includes("async");
      fn.expressionBody = {
        nameStart: header.nameStart,
        from: paramsClose + 1,
        arrow,
        end,
        statement:
          type === "void" ||
          (isAsync && /^(?:System\.Threading\.Tasks\.)?(?:Task|ValueTask)$/.test(type)),
      };
      fn.hasInit = INIT_CALL.test(masked.slice(arrow, end));
    } else {
      const bodyOpen = paramsClose + 1 + after.index;
      const bodyClose = matchBracket(masked, bodyOpen);
      fn.bodyStart = bodyOpen + 1;
      fn.hasInit = INIT_CALL.test(masked.slice(bodyOpen, bodyClose < 0 ? undefined : bodyClose));
    }
    const owner = classes.filter((c) => c.bodyOpen < at && at < c.bodyClose).pop();
    fn.logger = chooseLogger(fn, params, header.isStatic, owner, nameExpr);
    if (!fn.logger && !fn.hasInit) {
      fn.problem =
        fn.hosting === "in-process"
          ? "it has no `ILogger` parameter; add `ILogger log` to its parameters"
          : "it has no `ILogger` field in its class and no `FunctionContext` parameter; add a `FunctionContext context` parameter";
    }
  }
  return found;
}

function chooseLogger(
  fn: AzureFunctionInSource,
  params: { type: string; name: string }[],
  isStatic: boolean,
  owner: TypeDeclaration | undefined,
  nameExpr: string,
): string | undefined {
  const param = params.find((p) => isLoggerType(p.type));
  if (param) return param.name;
  const member = owner?.loggers.find((l) => l.isStatic || !isStatic);
  if (member) return member.name;
  const context = params.find((p) => isFunctionContextType(p.type));
  if (context && fn.hosting === "isolated") return `${context.name}.GetLogger(${nameExpr})`;
  return undefined;
}

/** Finds `Name(` after the attributes at `from`: skips further attribute lists, modifiers and the return type. */
function findMethodHeader(masked: string, from: number) {
  let j = from;
  let isStatic = false;
  while (j < masked.length) {
    const c = masked[j];
    if (/\s/.test(c)) j++;
    else if (c === "[" || c === "(" || c === "<") {
      const end = matchBracket(masked, j);
      if (end < 0) return undefined;
      j = end + 1;
    } else if (/[A-Za-z_@]/.test(c)) {
      const id = /^[@\w]+(?:\s*(?:\.|::)\s*[\w]+)*/.exec(masked.slice(j))![0];
      const nameStart = j;
      j += id.length;
      if (id === "static") isStatic = true;
      let k = j;
      while (/\s/.test(masked[k] ?? "")) k++;
      if (masked[k] === "<") {
        const end = matchBracket(masked, k);
        if (end < 0) return undefined;
        let n = end + 1;
        while (/\s/.test(masked[n] ?? "")) n++;
        if (masked[n] === "(") return { paramsOpen: n, isStatic, nameStart };
        j = end + 1;
      } else if (masked[k] === "(" && !MODIFIERS.has(id))
        return { paramsOpen: k, isStatic, nameStart };
    } else if ("?*,".includes(c)) j++;
    else return undefined;
  }
  return undefined;
}

interface TypeDeclaration {
  bodyOpen: number;
  bodyClose: number;
  /** ILogger fields and primary-constructor parameters a method of this type can use. */
  loggers: { name: string; isStatic: boolean }[];
}

const LOGGER_FIELD =
  /(?:^|[;{}\]])\s*((?:(?:private|protected|internal|public|readonly|static|new|required)\s+)*)((?:global::)?(?:Microsoft\.Extensions\.Logging\.)?ILogger(?:\s*<[^;{}()]*>)?\s*\??)\s+([A-Za-z_]\w*)\s*(?=[;=])/g;

function findTypeDeclarations(masked: string): TypeDeclaration[] {
  const types: TypeDeclaration[] = [];
  for (const m of masked.matchAll(
    /\b(?:class|record|struct)\s+[A-Za-z_]\w*\s*(<[^;{}()]*>)?\s*/g,
  )) {
    let j = m.index + m[0].length;
    const loggers: TypeDeclaration["loggers"] = [];
    if (masked[j] === "(") {
      const close = matchBracket(masked, j);
      if (close < 0) continue;
      for (const p of parseParameters(masked.slice(j + 1, close)))
        if (isLoggerType(p.type)) loggers.push({ name: p.name, isStatic: false });
      j = close + 1;
    }
    const open = masked.indexOf("{", j);
    if (open < 0 || masked.slice(j, open).includes(";")) continue;
    const close = matchBracket(masked, open);
    if (close < 0) continue;
    // Members only: blank out nested bodies so locals and nested types do not count as fields.
    let members = "";
    let depth = 0;
    for (let k = open + 1; k < close; k++) {
      const c = masked[k];
      if (c === "{") depth++;
      members += depth > 0 && c !== "{" && c !== "}" ? " " : c;
      if (c === "}") depth--;
    }
    for (const f of members.matchAll(LOGGER_FIELD))
      loggers.push({ name: f[3], isStatic: /\bstatic\b/.test(f[1]) });
    types.push({ bodyOpen: open, bodyClose: close, loggers });
  }
  return types;
}

export interface InitEditResult {
  /** The new source (identical to the input when nothing was added). */
  text: string;
  functions: AzureFunctionInSource[];
  /** Names of the functions Init was added to. */
  added: string[];
}

/** Adds `using Twistlock;` and `Twistlock.Serverless.Init(<logger>);` to each function that lacks the call. */
export function addServerlessInit(src: string): InitEditResult {
  const functions = findAzureFunctions(src);
  const todo = functions.filter(
    (f) => !f.hasInit && f.logger && (f.bodyStart !== undefined || f.expressionBody),
  );
  if (todo.length === 0) return { text: src, functions, added: [] };
  const eol = src.includes("\r\n") ? "\r\n" : "\n";
  const unit = /^(\t| {2,4})\S/m.exec(src)?.[1] ?? "    ";
  let text = src;
  // Insert from the end so earlier offsets stay valid.
  const position = (f: AzureFunctionInSource) => f.bodyStart ?? f.expressionBody!.from;
  for (const f of [...todo].sort((a, b) => position(b) - position(a))) {
    const call = `Twistlock.Serverless.Init(${f.logger});`;
    if (f.expressionBody) {
      // `=> expr;` becomes a block: Init, then `return expr;` (or `expr;` for void and async Task methods).
      const { nameStart, from, arrow, end, statement } = f.expressionBody;
      const indent = lineIndent(text, nameStart);
      const expr = text.slice(arrow + 2, end).trim();
      const block = [`{`, `${unit}${call}`, `${unit}${statement ? "" : "return "}${expr};`, `}`];
      text =
        text.slice(0, from) +
        block.map((l) => `${eol}${indent}${l}`).join("") +
        text.slice(end + 1);
      continue;
    }
    const at = f.bodyStart!;
    const rest = /^[ \t]*(\r?\n)?([ \t]*)(\S?)/.exec(text.slice(at))!;
    let insert: string;
    if (!rest[1]) insert = ` ${call}`;
    else if (rest[3] && rest[3] !== "}") insert = `${eol}${rest[2]}${call}`;
    else insert = `${eol}${lineIndent(text, at)}${unit}${call}`;
    text = text.slice(0, at) + insert + text.slice(at);
  }
  return { text: addUsing(text, eol), functions, added: todo.map((f) => f.name) };
}
