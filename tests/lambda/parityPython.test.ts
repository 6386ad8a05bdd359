// Protection never changes what a Python function does: each case runs the same code unprotected and protected in
// python3, loaded and invoked as Lambda's Python runtime does (clients/python_bootstrap.py), and compares what
// Lambda would report: the result, or the error's type, message and phase (init or invoke). Every protected run
// proves the simulated Defender ran (a line its bundle writes on import, and one per invocation).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ProtectedLambda } from "../../provider/lambda/protectedLambda";
import { extractZip } from "../../provider/core/archive";
import { promiseOf, registrationsDone } from "../helpers/pulumi";
import {
  archivePathOf,
  codeDir,
  FUNCTION,
  LAYER,
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

const BOOTSTRAP = path.join(__dirname, "clients/python_bootstrap.py");
const EVENT = { n: 21 };

interface Run {
  report: any;
  stderr: string;
}

function bootstrap(paths: string[], handler: string, env: Record<string, string>): Run {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-py-"));
  const errFile = path.join(dir, "stderr");
  const fd = fs.openSync(errFile, "w");
  try {
    const out = execFileSync(
      "python3",
      [BOOTSTRAP, JSON.stringify(paths), handler, JSON.stringify(EVENT)],
      {
        cwd: paths[0],
        env: {
          PATH: process.env.PATH ?? "",
          LAMBDA_TASK_ROOT: paths[0],
          PYTHONDONTWRITEBYTECODE: "1",
          ...env,
        },
        encoding: "utf8",
        stdio: ["ignore", "pipe", fd],
      },
    );
    return {
      report: JSON.parse(out.trim().split("\n").pop()!),
      stderr: fs.readFileSync(errFile, "utf8"),
    };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function deploy(mode: "embedded" | "layer", handler: string, dir: string) {
  const m = ctx.mocks();
  const fn = new ProtectedLambda("demo", {
    mode,
    runtime: "python3.12",
    handler,
    role: ROLE,
    code: new pulumi.asset.FileArchive(dir),
  });
  await promiseOf(fn.arn);
  const [f] = m.children(FUNCTION);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-parity-py-"));
  if (mode === "embedded") {
    await extractZip(await archivePathOf(f), root);
    return { paths: [root], handler: f.inputs.handler as string, env: variablesOf(f) };
  }
  await extractZip(await archivePathOf(m.children(LAYER)[0]), root);
  return {
    paths: [dir, path.join(root, "python")],
    handler: f.inputs.handler as string,
    env: variablesOf(f),
  };
}

async function pair(
  handler: string,
  files: Record<string, string>,
  mode: "embedded" | "layer" = "embedded",
  release: Record<string, string> = {},
) {
  const dir = codeDir(files);
  const unprotected = bootstrap([dir], handler, release);
  const p = await deploy(mode, handler, dir);
  const protectedRun = bootstrap(p.paths, p.handler, { ...p.env, ...release });
  if (mode === "embedded") {
    expect(p.handler).toBe("_prisma_defender_wrapper.handler");
    expect(protectedRun.stderr).toContain("twistlock-defender(simulated): embedded loaded");
  }
  if (protectedRun.report.kind !== "initError") {
    expect(protectedRun.stderr).toContain(`twistlock-defender(simulated): ${mode} invoke`);
  }
  expect(protectedRun.report).toEqual(unprotected.report);
  return unprotected.report;
}

const OK = "def handler(event, context):\n    return {'doubled': event['n'] * 2}\n";

describe("Python handlers with hyphens in file or folder names load in both modes (item 7)", () => {
  it.each([
    [
      "functions/get-user/handler.main",
      { "functions/get-user/handler.py": OK.replace("handler(", "main(") },
    ],
    ["my-function.handler", { "my-function.py": OK }],
    ["pkg.app.handler", { "pkg/__init__.py": "", "pkg/app.py": OK }],
  ])("embedded: %s", async (handler, files) => {
    expect(await pair(handler, files)).toEqual({ kind: "response", result: { doubled: 42 } });
  });

  it.each([
    [
      "functions/get-user/handler.main",
      { "functions/get-user/handler.py": OK.replace("handler(", "main(") },
    ],
    ["my-function.handler", { "my-function.py": OK }],
  ])("layer: %s", async (handler, files) => {
    expect(await pair(handler, files, "layer")).toEqual({
      kind: "response",
      result: { doubled: 42 },
    });
  });
});

describe("Python errors keep Lambda's type, message and phase, naming the user's module (item 8)", () => {
  it("a module without the function: Runtime.HandlerNotFound at init", async () => {
    expect(await pair("app.nothere", { "app.py": OK })).toEqual({
      kind: "initError",
      errorType: "Runtime.HandlerNotFound",
      errorMessage: "Handler 'nothere' missing on module 'app'",
    });
  });

  it("an import error in the user's module: Runtime.ImportModuleError naming that module", async () => {
    expect(await pair("src/app.handler", { "src/app.py": `import not_a_module\n${OK}` })).toEqual({
      kind: "initError",
      errorType: "Runtime.ImportModuleError",
      errorMessage: "Unable to import module 'src/app': No module named 'not_a_module'",
    });
  });

  it("a syntax error: Runtime.UserCodeSyntaxError naming the user's module", async () => {
    const report = await pair("app.handler", {
      "app.py": "def handler(event, context:\n    return 1\n",
    });
    expect(report.kind).toBe("initError");
    expect(report.errorType).toBe("Runtime.UserCodeSyntaxError");
    expect(report.errorMessage).toMatch(/^Syntax error in module 'app': /);
  });

  it("any other exception at import: its own class, at init", async () => {
    expect(
      await pair("app.handler", { "app.py": `raise ValueError("bad config")\n${OK}` }),
    ).toEqual({
      kind: "initError",
      errorType: "ValueError",
      errorMessage: "bad config",
    });
  });

  it("an exception from the handler: its own class, at invoke", async () => {
    const files = {
      "app.py":
        "class OrderError(Exception):\n    pass\n\ndef handler(event, context):\n    raise OrderError('no stock')\n",
    };
    expect(await pair("app.handler", files)).toEqual({
      kind: "error",
      errorType: "OrderError",
      errorMessage: "no stock",
    });
  });

  it("a handler that is not callable fails at invoke, not at init", async () => {
    expect(await pair("app.handler", { "app.py": "handler = 42\n" })).toEqual({
      kind: "error",
      errorType: "TypeError",
      errorMessage: "'int' object is not callable",
    });
  });
});

describe("older releases of Lambda's Python bootstrap report those faults at invoke: so does the wrapper", () => {
  const OLDER = { FAULTS_AT_INVOKE: "1" };
  it.each([
    ["app.nothere", { "app.py": OK }, "Runtime.HandlerNotFound"],
    ["app.handler", { "app.py": `import not_a_module\n${OK}` }, "Runtime.ImportModuleError"],
    ["app.handler", { "app.py": "def handler(:\n" }, "Runtime.UserCodeSyntaxError"],
  ])("%s: %s", async (handler, files, errorType) => {
    const report = await pair(handler, files, "embedded", OLDER);
    expect(report).toMatchObject({ kind: "error", errorType });
  });

  it("an exception at import is still reported at init with its class", async () => {
    expect(
      await pair(
        "app.handler",
        { "app.py": `raise ValueError("bad config")\n${OK}` },
        "embedded",
        OLDER,
      ),
    ).toEqual({ kind: "initError", errorType: "ValueError", errorMessage: "bad config" });
  });
});
