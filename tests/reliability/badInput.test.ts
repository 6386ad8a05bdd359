// Bad input: every case of badInputCases.ts fails with an error that names the field and states the fix, before
// any request reaches the Console and without registering any workload. Prints the table of cases and messages.
import * as fs from "node:fs";
import * as path from "node:path";
import { forgetConsoles } from "../../provider/core/console/client";
import { formatTable } from "../../bench/lib/table";
import { captureDeployErrors } from "../helpers/pulumi";
import { BAD_INPUTS, build } from "./badInputCases";
import { scratchDir } from "./programs";
import { useEnv, WORKLOAD_CHECKS, withConsoleCapture } from "./support";

const env = useEnv();
const rows: string[][] = [];
const dirs = { code: "", context: "" };

beforeAll(() => {
  dirs.code = path.join(scratchDir(), "bad-input-code");
  fs.mkdirSync(dirs.code, { recursive: true });
  fs.writeFileSync(path.join(dirs.code, "index.js"), "exports.handler = async () => 1;\n");
  dirs.context = path.join(scratchDir(), "bad-input-context");
  fs.mkdirSync(dirs.context, { recursive: true });
  fs.writeFileSync(path.join(dirs.context, "Dockerfile"), 'FROM busybox\nENTRYPOINT ["/bin/sh"]\n');
});
afterAll(() => {
  const table = formatTable(
    `Bad input: ${BAD_INPUTS.length} cases, each refused before any Console request`,
    ["component", "input", "field", "error"],
    rows,
  );
  process.stdout.write(`${table}\n`);
});

it("has at least 40 cases", () => expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(40));

let n = 0;
it.each(BAD_INPUTS.map((c) => [c.component, c.what, c] as const))("%s: %s", async (_c, _w, c) => {
  env.mocks.reset();
  env.sim.reset();
  forgetConsoles();
  const valid = env.console();
  const consoleArgs = Object.fromEntries(
    Object.entries({ ...valid, ...c.console }).filter(([, v]) => v !== undefined),
  );
  Object.assign(process.env, c.env ?? {});
  let errors: string[];
  try {
    ({ value: errors } = await withConsoleCapture(() =>
      captureDeployErrors(() =>
        build(c.component, `bad-${++n}`, { ...c.args, console: consoleArgs }, dirs),
      ),
    ));
  } finally {
    for (const k of Object.keys(c.env ?? {})) delete process.env[k];
  }
  const message = errors.join("\n");
  rows.push([c.component, c.what, c.field, message.replace(/\s+/g, " ").slice(0, 160)]);
  expect(errors.length).toBeGreaterThan(0);
  // One format for every component: `<Component> <name>: <field>: <problem>. <fix>`, a line per problem.
  for (const line of message.split("\n")) {
    expect(line).toMatch(new RegExp(`^${c.component} bad-${n}: [^\\s:]+: \\S`));
  }
  expect(message).toContain(c.field);
  expect(message).toMatch(c.fix);
  expect(env.sim.requests).toEqual([]);
  expect(env.mocks.children().filter((r) => WORKLOAD_CHECKS[r.type])).toEqual([]);
});
