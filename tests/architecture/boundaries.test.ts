// The layers of provider/ are an eslint rule (eslint.config.mjs). These cases prove the rule fires on a wrong-way
// import and on a cycle, by linting a real file of each layer with one import added.
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

const WRONG_WAY: [string, string, string, RegExp][] = [
  [
    "core imports a product",
    "provider/core/plain.ts",
    'export { LambdaRuntime as _x } from "../lambda/runtimes";',
    /core imports no product/,
  ],
  [
    "a product imports another",
    "provider/image/dockerfile.ts",
    'export { LambdaRuntime as _x } from "../lambda/runtimes";',
    /through core/,
  ],
  [
    "a product imports the stack tools",
    "provider/fargate/taskDefinition.ts",
    'import "../stack/options";',
    /through core/,
  ],
  [
    "a component imports the simulator",
    "provider/lambda/protectedLambda.ts",
    'import "../simulator/index";',
    /through core/,
  ],
  [
    "the plugin imports the simulator",
    "provider/plugin/serve.ts",
    'import "../simulator/index";',
    /only tests, bench and the demo/,
  ],
  [
    "the simulator imports core",
    "provider/simulator/http.ts",
    'import "../core/plain";',
    /stands apart/,
  ],
  [
    "the policy pack imports the simulator",
    "policy/index.ts",
    'import "../provider/simulator/index";',
    /only tests, bench and the demo/,
  ],
];
const CYCLE = {
  file: "provider/simulator/route.ts",
  extraImport: 'export { tarball as _t } from "./artefacts/routes";',
};

let fired: string[][];
beforeAll(() => {
  // One eslint process for every case: it type-checks the project once.
  const cases = [...WRONG_WAY.map(([, file, extraImport]) => ({ file, extraImport })), CYCLE];
  const out = execFileSync(process.execPath, [path.join(__dirname, "lintCases.mjs")], {
    cwd: ROOT,
    input: JSON.stringify(cases),
    encoding: "utf8",
  });
  fired = JSON.parse(out);
}, 180_000);

describe("import boundaries", () => {
  test.each(WRONG_WAY.map((c, i) => [c[0], i, c[3]] as const))(
    "%s: refused",
    (_case, i, message) => {
      // Everything but a cycle the added import may also close, so that a failure shows what eslint said instead.
      expect(fired[i].filter((m) => !m.startsWith("import-x/no-cycle:"))).toEqual([
        expect.stringMatching(new RegExp(`^import-x/no-restricted-paths: .*${message.source}`)),
      ]);
    },
  );

  test("an import cycle is refused", () => {
    expect(fired[WRONG_WAY.length]).toContainEqual(expect.stringMatching(/^import-x\/no-cycle/));
  });
});
