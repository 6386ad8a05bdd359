// Protection never changes what a function does: each case runs the same code unprotected and protected (embedded
// mode) in the same real runtime client, aws-lambda-ric 3.x (nodejs18.x-22.x) or 4.x (nodejs24.x), and compares
// what Lambda would report: the result, or the error's type and phase (init or invoke). Every protected run proves
// the simulated Defender ran (a line its bundle writes on load, and one per invocation).
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ProtectedLambda } from "../../provider/lambda/protectedLambda";
import { extractZip } from "../../provider/core/archive";
import { promiseOf, registrationsDone } from "../helpers/pulumi";
import { invokeWithRic, RicResult } from "./ric";
import {
  archivePathOf,
  codeDir,
  FUNCTION,
  LambdaTestContext,
  lambdaTestContext,
  ROLE,
  variablesOf,
} from "./support";

let ctx: LambdaTestContext;
beforeAll(async () => {
  ctx = await lambdaTestContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.fresh());
afterEach(() => registrationsDone());

const EVENT = { n: 21 };

async function protectedRoot(runtime: string, handler: string, dir: string) {
  const m = ctx.mocks();
  const fn = new ProtectedLambda("demo", {
    mode: "embedded",
    runtime: runtime as any,
    handler,
    role: ROLE,
    code: new pulumi.asset.FileArchive(dir),
  });
  await promiseOf(fn.arn);
  const [f] = m.children(FUNCTION);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-parity-"));
  await extractZip(await archivePathOf(f), root);
  return { root, handler: f.inputs.handler as string, env: variablesOf(f) };
}

/** What Lambda reports for one invocation, without what legitimately differs (stack traces, module paths). */
function observed(r: RicResult) {
  if (r.kind === "response") return { kind: r.kind, result: r.body };
  return { kind: r.kind, errorType: r.body?.errorType };
}

async function pair(
  ric: "v3" | "v4",
  runtime: string,
  handler: string,
  files: Record<string, string>,
) {
  const dir = codeDir(files);
  const unprotected = await invokeWithRic({ ric, taskRoot: dir, handler, event: EVENT, env: {} });
  const p = await protectedRoot(runtime, handler, dir);
  const protectedRun = await invokeWithRic({
    ric,
    taskRoot: p.root,
    handler: p.handler,
    event: EVENT,
    env: p.env,
  });
  expect(p.handler).toBe("_prisma_defender_wrapper.handler");
  expect(protectedRun.stderr).toContain("twistlock-defender(simulated): embedded loaded");
  if (protectedRun.kind !== "initError") {
    expect(protectedRun.stderr).toContain("twistlock-defender(simulated): embedded invoke");
  }
  expect(observed(protectedRun)).toEqual(observed(unprotected));
  return { unprotected, protectedRun };
}

const V3 = [
  ["nodejs18.x", "v3"],
  ["nodejs20.x", "v3"],
  ["nodejs22.x", "v3"],
] as const;

describe("callback handlers are not told apart by their parameter count (item 5)", () => {
  const cases: [string, Record<string, string>, unknown][] = [
    [
      "rest parameters",
      { "index.js": "exports.handler = (...args) => args[2](null, { doubled: args[0].n * 2 });\n" },
      { doubled: 42 },
    ],
    [
      "a defaulted callback",
      {
        "index.js":
          "exports.handler = function (e, c, callback = () => {}) { callback(null, { doubled: e.n * 2 }); };\n",
      },
      { doubled: 42 },
    ],
    [
      "a callback called later",
      {
        "index.js":
          "exports.handler = (e, c, cb) => { setTimeout(() => cb(null, { later: e.n }), 5); };\n",
      },
      { later: 21 },
    ],
    [
      "a promise that wins over a later callback",
      {
        "index.js":
          "exports.handler = (e, c, cb) => { setTimeout(() => cb(null, 'callback'), 50); return Promise.resolve('promise'); };\n",
      },
      "promise",
    ],
    [
      "an async handler that also takes a callback",
      { "index.js": "exports.handler = async (e, c, cb) => ({ async: e.n });\n" },
      { async: 21 },
    ],
  ];
  it.each(V3.flatMap(([rt, ric]) => cases.map((c) => [rt, ric, ...c] as const)))(
    "%s (%s): %s",
    async (runtime, ric, _name, files, expected) => {
      const { unprotected } = await pair(ric, runtime, "index.handler", files);
      expect(observed(unprotected)).toEqual({ kind: "response", result: expected });
    },
  );

  it("nodejs24.x: a defaulted callback is not a callback handler (length 2), in either run", async () => {
    const { unprotected } = await pair("v4", "nodejs24.x", "index.handler", {
      "index.js":
        "exports.handler = function (e, c, callback = () => 'x') { return { doubled: e.n * 2 }; };\n",
    });
    expect(observed(unprotected)).toEqual({ kind: "response", result: { doubled: 42 } });
  });

  it("nodejs24.x: a three-parameter handler fails at init with the runtime's own error", async () => {
    const { unprotected, protectedRun } = await pair("v4", "nodejs24.x", "index.handler", {
      "index.js": "exports.handler = (e, c, cb) => cb(null, 1);\n",
    });
    expect(unprotected.kind).toBe("initError");
    expect(protectedRun.body.errorMessage).toBe(unprotected.body.errorMessage);
  });
});

describe("each runtime generation keeps its own semantics (item 6)", () => {
  const syncReturn = { "index.js": "exports.handler = (e) => ({ value: e.n });\n" };
  const defaultExport = {
    "index.mjs": "export default { handler: async (e) => ({ fromDefault: e.n }) };\n",
  };
  it.each(V3)("%s: a non-async handler's return value is ignored (null)", async (runtime, ric) => {
    const { unprotected } = await pair(ric, runtime, "index.handler", syncReturn);
    expect(observed(unprotected)).toEqual({ kind: "response", result: null });
  });
  it("nodejs24.x: a non-async handler's return value is the result", async () => {
    const { unprotected } = await pair("v4", "nodejs24.x", "index.handler", syncReturn);
    expect(observed(unprotected)).toEqual({ kind: "response", result: { value: 21 } });
  });
  it.each(V3)("%s: `export default { handler }` is not found (init)", async (runtime, ric) => {
    const { unprotected, protectedRun } = await pair(ric, runtime, "index.handler", defaultExport);
    expect(observed(unprotected)).toEqual({
      kind: "initError",
      errorType: "Runtime.HandlerNotFound",
    });
    expect(protectedRun.body.errorMessage).toBe(unprotected.body.errorMessage);
  });
  it("nodejs24.x: `export default { handler }` loads", async () => {
    const { unprotected } = await pair("v4", "nodejs24.x", "index.handler", defaultExport);
    expect(observed(unprotected)).toEqual({ kind: "response", result: { fromDefault: 21 } });
  });
  it.each([...V3, ["nodejs24.x", "v4"]] as const)(
    "%s: errors keep their type and phase",
    async (runtime, ric) => {
      const thrown = await pair(ric, runtime, "index.handler", {
        "index.js":
          "exports.handler = async () => { const e = new Error('no'); e.name = 'OrderError'; throw e; };\n",
      });
      expect(observed(thrown.unprotected)).toEqual({ kind: "error", errorType: "OrderError" });
      const atInit = await pair(ric, runtime, "index.handler", {
        "index.js": "throw new RangeError('bad config');\n",
      });
      expect(observed(atInit.unprotected)).toEqual({ kind: "initError", errorType: "RangeError" });
      const syntax = await pair(ric, runtime, "index.handler", {
        "index.js": "exports.handler = (;\n",
      });
      expect(observed(syntax.unprotected)).toEqual({
        kind: "initError",
        errorType: "Runtime.UserCodeSyntaxError",
      });
      const notFn = await pair(ric, runtime, "index.handler", {
        "index.js": "exports.handler = 42;\n",
      });
      expect(observed(notFn.unprotected)).toEqual({
        kind: "initError",
        errorType: "Runtime.HandlerNotFound",
      });
      expect(notFn.protectedRun.body.errorMessage).toBe(notFn.unprotected.body.errorMessage);
    },
  );
});

describe("handler paths load as the runtime loads them (item 7)", () => {
  const report =
    "exports.handler = async (e) => ({ at: require('path').relative(process.env.LAMBDA_TASK_ROOT, __filename), n: e.n });\n";
  it.each(V3)(
    "%s: folders named with # and %% (require() takes file paths)",
    async (runtime, ric) => {
      for (const folder of ["c#", "100%", "a%20b"]) {
        const { unprotected } = await pair(ric, runtime, `${folder}/app.handler`, {
          [`${folder}/app.js`]: report,
        });
        expect(observed(unprotected)).toEqual({
          kind: "response",
          result: { at: `${folder}/app.js`, n: 21 },
        });
      }
    },
  );
  // nodejs24.x import()s the absolute path, which is read as a URL: "#" starts a fragment, "%xx" is decoded. The
  // function fails at init unprotected, and the same way protected.
  it("nodejs24.x: folders named with # fail at init, as they do unprotected", async () => {
    const { unprotected } = await pair("v4", "nodejs24.x", "c#/app.handler", {
      "c#/app.js": report,
    });
    expect(observed(unprotected)).toEqual({ kind: "initError", errorType: "Error" });
  });
  it.each([...V3, ["nodejs24.x", "v4"]] as const)("%s: ./index.handler", async (runtime, ric) => {
    const { unprotected } = await pair(ric, runtime, "./index.handler", { "index.js": report });
    expect(observed(unprotected)).toEqual({
      kind: "response",
      result: { at: "index.js", n: 21 },
    });
  });
  it.each(V3)("%s: lib.handler where lib/ is a folder with index.js", async (runtime, ric) => {
    const { unprotected } = await pair(ric, runtime, "lib.handler", { "lib/index.js": report });
    expect(observed(unprotected)).toEqual({
      kind: "response",
      result: { at: "lib/index.js", n: 21 },
    });
  });
});
