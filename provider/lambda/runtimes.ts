// The Lambda runtime table: one row per runtime string AWS accepts today, saying how the Serverless Defender
// covers it. A new runtime is a new row, never a new branch in a component.
import { problem, ProblemsError } from "../core/problems";

/** AWS Lambda runtime identifiers. The values are the strings `aws.lambda.Runtime` uses. */
export const LambdaRuntime = {
  NodeJS18dX: "nodejs18.x",
  NodeJS20dX: "nodejs20.x",
  NodeJS22dX: "nodejs22.x",
  NodeJS24dX: "nodejs24.x",
  Python3d9: "python3.9",
  Python3d10: "python3.10",
  Python3d11: "python3.11",
  Python3d12: "python3.12",
  Python3d13: "python3.13",
  Python3d14: "python3.14",
  Ruby3d2: "ruby3.2",
  Ruby3d3: "ruby3.3",
  Ruby3d4: "ruby3.4",
  Java8AL2: "java8.al2",
  Java11: "java11",
  Java17: "java17",
  Java21: "java21",
  Java25: "java25",
  Dotnet6: "dotnet6",
  Dotnet8: "dotnet8",
  Dotnet10: "dotnet10",
  CustomAL2: "provided.al2",
  CustomAL2023: "provided.al2023",
  Go1dx: "go1.x",
} as const;
/** An AWS Lambda runtime identifier, such as `nodejs20.x` or `python3.12`. */
export type LambdaRuntime = (typeof LambdaRuntime)[keyof typeof LambdaRuntime];

/** Runtime families the Console builds Serverless Defenders for (`shared.LambdaRuntimeType` family values). */
export const DefenderRuntimeFamily = {
  NodeJS: "nodejs",
  Python: "python",
  Ruby: "ruby",
  Java: "java",
  Dotnet: "dotnet",
} as const;
/** A runtime family the Console builds Serverless Defenders for. */
export type DefenderRuntimeFamily =
  (typeof DefenderRuntimeFamily)[keyof typeof DefenderRuntimeFamily];

/** Module system of the Node.js handler the Defender layer loads (`nodeJSModuleType` of the layer request). */
export const NodeJSModuleType = {
  /** CommonJS handlers (`require`/`module.exports`). */
  CommonJS: "commonjs",
  /** ES module handlers (`.mjs`, or `.js` under `"type": "module"`). */
  ECMAScript: "ecmascript",
} as const;
/** Module system of the Node.js handler the Defender layer loads. */
export type NodeJSModuleType = (typeof NodeJSModuleType)[keyof typeof NodeJSModuleType];

/** Handler string forms, checked before any request (the Lambda API only checks `[^\s]+`, max 128). */
// Node.js: `<dirs>/<file>.<export>[.<nested>]`; the file part of the last segment has no dot (aws-lambda-ric).
const NODE_HANDLER = /^(?!.*\.\.)(?:[^\s/]+\/)*[^\s./]+\.[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;
// Python: `<module path>.<function>`, split at the last dot; `/` in the module path becomes `.`.
const PYTHON_HANDLER = /^[\w-]+(?:[./][\w-]+)*\.[A-Za-z_]\w*$/;
const RUBY_HANDLER = /^(?:[\w.-]+\/)*[\w-]+\.(?:[A-Z]\w*(?:::[A-Z]\w*)*\.)?[a-z_]\w*[?!]?$/;
const JAVA_HANDLER = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?:::[A-Za-z_$][\w$]*)?$/;
const DOTNET_HANDLER = /^[\w.-]+(?:::[A-Za-z_][\w.`+]*::[A-Za-z_]\w*)?$/;

/** How one Lambda runtime is covered by the Serverless Defender. */
export interface RuntimeInfo {
  runtime: LambdaRuntime;
  /** Undefined for runtimes the Serverless Defender does not cover. */
  family?: DefenderRuntimeFamily;
  /** `runtime` for the layer request; undefined when layer mode is not supported. */
  layerRuntime?: string;
  /** `runtime` for the serverless bundle request; undefined when embedded mode is not supported. */
  bundleRuntime?: string;
  /** False when the 34.04 enum has no value for this exact version and the family's generic value is sent. */
  consoleNamesVersion: boolean;
  /** Embedded mode needs the user to change the code (Java, .NET: docs/console-api.md#embedded-wrappers). */
  needsCodeChange: boolean;
  /** Node.js only: whether Lambda still loads callback-style handlers (nodejs24.x refuses them). */
  callbackHandlers: boolean;
  handlerForm: RegExp;
  handlerExample: string;
  /** Why layer mode is refused, when it is. */
  layerUnsupported?: string;
  /** Why the runtime is refused altogether, when it is. */
  unsupported?: string;
}

const NO_LAYER_HANDLER =
  "the Console's documentation gives the layer's handler (`twistlock.handler`) only for Node.js, Python and Ruby, " +
  "and a Java or .NET runtime cannot load that handler; use mode `embedded` with " +
  "`codeAlreadyWrapped: true` after wrapping the code as the docs describe";
const NO_RUNTIME =
  "the Serverless Defender covers Node.js, Python, Ruby, Java and .NET only: the Console's runtime list " +
  "(shared.LambdaRuntimeType, 34.04) has no Go or OS-only (provided.*) runtime and its docs list none";

type Row = [DefenderRuntimeFamily | undefined, string | undefined, boolean];

// One row per LambdaRuntime, keyed by it: the compiler refuses a runtime without a row and a row for an unknown
// runtime. (LambdaRuntime itself stays a literal `as const` object: Pulumi's schema analyzer reads enums only from
// such literals.)
// runtime: [family, Console value for this exact version (undefined: send the family's generic value),
//  Node.js callback-style handlers still load (nodejs24.x refuses them: Runtime.CallbackHandlerDeprecated)]
const ROWS: Record<LambdaRuntime, Row> = {
  "nodejs18.x": ["nodejs", "nodejs18.x", true],
  "nodejs20.x": ["nodejs", "nodejs20.x", true],
  "nodejs22.x": ["nodejs", "nodejs22.x", true],
  "nodejs24.x": ["nodejs", undefined, false],
  "python3.9": ["python", "python3.9", false],
  "python3.10": ["python", "python3.10", false],
  "python3.11": ["python", "python3.11", false],
  "python3.12": ["python", "python3.12", false],
  "python3.13": ["python", "python3.13", false],
  "python3.14": ["python", undefined, false],
  "ruby3.2": ["ruby", undefined, false],
  "ruby3.3": ["ruby", undefined, false],
  "ruby3.4": ["ruby", undefined, false],
  "java8.al2": ["java", "java8", false],
  java11: ["java", "java11", false],
  java17: ["java", "java17", false],
  java21: ["java", "java21", false],
  java25: ["java", undefined, false],
  dotnet6: ["dotnet", "dotnet6", false],
  dotnet8: ["dotnet", undefined, false],
  dotnet10: ["dotnet", undefined, false],
  "provided.al2": [undefined, undefined, false],
  "provided.al2023": [undefined, undefined, false],
  "go1.x": [undefined, undefined, false],
};

const FORMS: Record<DefenderRuntimeFamily, [RegExp, string]> = {
  nodejs: [NODE_HANDLER, "`index.handler` or `src/handlers/app.handler`"],
  python: [PYTHON_HANDLER, "`app.handler` or `src/handlers/app.handler`"],
  ruby: [RUBY_HANDLER, "`function.handler` or `function.Module::Class.method`"],
  java: [JAVA_HANDLER, "`example.Handler::handleRequest`"],
  dotnet: [DOTNET_HANDLER, "`MyAssembly::MyNamespace.Function::Handler`"],
};

/** The table, keyed by runtime string. */
export const RUNTIMES: Readonly<Record<LambdaRuntime, RuntimeInfo>> = Object.fromEntries(
  (Object.entries(ROWS) as [LambdaRuntime, Row][]).map(
    ([runtime, [family, versioned, callbacks]]): [LambdaRuntime, RuntimeInfo] => {
      if (!family) {
        return [
          runtime,
          {
            runtime,
            consoleNamesVersion: false,
            needsCodeChange: false,
            callbackHandlers: false,
            handlerForm: /^\S+$/,
            handlerExample: "",
            unsupported: NO_RUNTIME,
          },
        ];
      }
      const compiled = family === "java" || family === "dotnet";
      const [handlerForm, handlerExample] = FORMS[family];
      return [
        runtime,
        {
          runtime,
          family,
          // The layer is one per family: the docs' scripts send `python`, `nodejs` or `ruby`
          // (docs/console-api.md#layer-runtime-families).
          layerRuntime: compiled ? undefined : family,
          bundleRuntime: versioned ?? family,
          consoleNamesVersion: versioned !== undefined,
          needsCodeChange: compiled,
          callbackHandlers: callbacks,
          handlerForm,
          handlerExample,
          layerUnsupported: compiled ? NO_LAYER_HANDLER : undefined,
        },
      ];
    },
  ),
) as Record<LambdaRuntime, RuntimeInfo>;

/** The row for a runtime string, or an error naming `field` and the runtimes that are covered. */
export function runtimeInfo(runtime: string, field = "runtime"): RuntimeInfo {
  const info = (RUNTIMES as Record<string, RuntimeInfo | undefined>)[runtime];
  if (!info) {
    const known = Object.values(RUNTIMES)
      .filter((r) => !r.unsupported)
      .map((r) => r.runtime)
      .join(", ");
    throw new ProblemsError(
      problem(
        field,
        `"${runtime}" is not a Lambda runtime the Serverless Defender covers. Use one of: ${known}.`,
      ),
    );
  }
  if (info.unsupported) {
    throw new ProblemsError(
      problem(field, `"${runtime}" cannot be protected: ${info.unsupported}.`),
    );
  }
  return info;
}

/** Runtimes of one family that can use the family's layer (the layer's `compatibleRuntimes`). */
export function layerCompatibleRuntimes(family: DefenderRuntimeFamily): LambdaRuntime[] {
  return Object.values(RUNTIMES)
    .filter((r) => r.family === family && r.layerRuntime !== undefined)
    .map((r) => r.runtime);
}

/** The Console's `runtime` value for a family's layer, or an error saying why the family has none. */
export function layerRuntimeForFamily(family: string, field = "runtime"): string {
  const row = Object.values(RUNTIMES).find((r) => r.family === family);
  if (!row) {
    const families = Object.values(DefenderRuntimeFamily).join(", ");
    throw new ProblemsError(
      problem(field, `"${family}" is not a Defender runtime family. Use one of: ${families}.`),
    );
  }
  if (!row.layerRuntime) {
    throw new ProblemsError(
      problem(field, `no Defender layer for "${family}": ${row.layerUnsupported}.`),
    );
  }
  return row.layerRuntime;
}
