// Golden tests of the generated wrappers: tests/golden/lambda/wrappers/<case>/request.json in, expected.json plus
// the generated files out. `UPDATE_GOLDEN=1 npx jest tests/lambda/wrappers` rewrites the expected side.
import * as fs from "fs";
import * as path from "path";
import { generateWrapper, WRAPPER_MODULE } from "../../provider/lambda/wrappers";

const ROOT = path.join(__dirname, "../golden/lambda/wrappers");
const cases = fs.readdirSync(ROOT).sort();
const update = process.env.UPDATE_GOLDEN === "1";

describe("generateWrapper golden cases", () => {
  it.each(cases)("%s", (name) => {
    const dir = path.join(ROOT, name);
    const request = JSON.parse(fs.readFileSync(path.join(dir, "request.json"), "utf8"));
    const result = generateWrapper(request);
    const summary = {
      handler: result.handler,
      originalFile: result.originalFile ?? null,
      files: result.files.map((f) => f.path),
    };
    if (update) {
      fs.writeFileSync(path.join(dir, "expected.json"), JSON.stringify(summary, null, 2) + "\n");
      for (const f of result.files) fs.writeFileSync(path.join(dir, f.path), f.content);
    }
    expect(summary).toEqual(JSON.parse(fs.readFileSync(path.join(dir, "expected.json"), "utf8")));
    for (const f of result.files) {
      expect(f.content).toBe(fs.readFileSync(path.join(dir, f.path), "utf8"));
    }
  });
});

describe("generateWrapper errors", () => {
  it("names the module it looked for when the code lacks the handler's file", () => {
    expect(() =>
      generateWrapper({
        runtime: "nodejs20.x",
        originalHandler: "src/app.handler",
        files: ["index.js"],
      }),
    ).toThrow(
      'handler: "src/app.handler" names a module the code does not contain (looked for src/app, src/app.js, src/app.mjs, src/app.cjs)',
    );
  });

  it("rejects a handler string in the wrong form for the runtime, with an example", () => {
    expect(() =>
      generateWrapper({ runtime: "python3.12", originalHandler: "app", files: ["app.py"] }),
    ).toThrow(
      'handler: "app" is not a python3.12 handler. Use the form `app.handler` or `src/handlers/app.handler`.',
    );
    expect(() =>
      generateWrapper({ runtime: "nodejs20.x", originalHandler: "../up.handler", files: [] }),
    ).toThrow("is not a nodejs20.x handler");
  });

  it("refuses runtimes the Defender does not cover", () => {
    expect(() =>
      generateWrapper({ runtime: "provided.al2023", originalHandler: "bootstrap", files: [] }),
    ).toThrow(
      'runtime: "provided.al2023" cannot be protected: the Serverless Defender covers Node.js, Python',
    );
  });

  it("uses one module name for every runtime, so a user file of that name is caught by the merge", () => {
    const node = generateWrapper({
      runtime: "nodejs22.x",
      originalHandler: "a.h",
      files: ["a.js"],
    });
    const py = generateWrapper({ runtime: "python3.13", originalHandler: "a.h", files: ["a.py"] });
    const rb = generateWrapper({ runtime: "ruby3.2", originalHandler: "a.h", files: ["a.rb"] });
    expect([node, py, rb].map((w) => w.files[0].path)).toEqual([
      `${WRAPPER_MODULE}.mjs`,
      `${WRAPPER_MODULE}.py`,
      `${WRAPPER_MODULE}.rb`,
    ]);
  });
});

describe("handler paths as each runtime resolves them", () => {
  const wrap = (runtime: string, originalHandler: string, files: string[]) =>
    generateWrapper({ runtime, originalHandler, files }).originalFile;

  it("resolves ./ in a Node.js handler as path.resolve does", () => {
    expect(wrap("nodejs20.x", "./index.handler", ["index.js"])).toBe("index.js");
    expect(wrap("nodejs24.x", "./src/app.handler", ["src/app.mjs"])).toBe("src/app.mjs");
  });

  it("nodejs18.x-22.x require() a folder; nodejs24.x cannot import one, and says so at deploy", () => {
    expect(wrap("nodejs18.x", "lib.handler", ["lib/index.js"])).toBe("lib/index.js");
    expect(wrap("nodejs22.x", "lib.handler", ["lib/package.json", "lib/main.js"])).toBe(
      "lib/package.json",
    );
    expect(() => wrap("nodejs24.x", "lib.handler", ["lib/index.js"])).toThrow(
      'handler: "lib.handler" names the folder lib, and this runtime loads handlers with import(), which cannot load a folder',
    );
    expect(() => wrap("nodejs20.x", "lib.handler", ["lib/util.js"])).toThrow(
      'handler: "lib.handler" names the folder lib, which has none of package.json, index.js, index.json, index.node.',
    );
  });

  it("accepts hyphens in Python file and folder names, as importlib does", () => {
    expect(
      wrap("python3.12", "functions/get-user/handler.main", ["functions/get-user/handler.py"]),
    ).toBe("functions/get-user/handler.py");
    expect(wrap("python3.9", "my-function.handler", ["my-function.py"])).toBe("my-function.py");
    expect(() => wrap("python3.12", "my-function.get-user", ["my-function.py"])).toThrow(
      "is not a python3.12 handler",
    );
  });
});
