// Golden tests of the generated wrappers: tests/golden/lambda/wrappers/<case>/request.json in, expected.json plus
// the generated files out. `UPDATE_GOLDEN=1 npx jest tests/lambda/wrappers` rewrites the expected side.
import * as fs from "fs";
import * as path from "path";
import { generateWrapper, WRAPPER_MODULE } from "../../provider/defender/wrappers";

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
