// The committed spec extract: same as a fresh extract of the official spec (when COMPUTE_OPENAPI_DIR names a
// directory holding it), in the shape ajv needs, and used to refuse bodies the spec does not allow.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { startConsoleSimulator } from "../../provider/simulator";
import { EXTRACTS, normaliseSchema } from "../../provider/simulator/spec/extract";
import { call, login } from "./helpers";

const SPEC_DIR = path.resolve(__dirname, "../../provider/simulator/spec");
const SPECS = process.env.COMPUTE_OPENAPI_DIR;
const specsPresent = !!SPECS && EXTRACTS.every((e) => fs.existsSync(path.join(SPECS, e.spec)));

describe("console simulator: spec extract", () => {
  if (!specsPresent) {
    const wanted = EXTRACTS.map((e) => e.spec).join(" and ");
    it.skip(`re-extracts from the official specs (SKIPPED: COMPUTE_OPENAPI_DIR does not hold ${wanted}; the committed extract is used as is)`, () =>
      undefined);
  } else {
    // Run as a script (prettier, which formats the output, cannot be imported inside jest's VM).
    it("matches a fresh extract of the official specs in COMPUTE_OPENAPI_DIR byte for byte", () => {
      const tsx = path.resolve(__dirname, "../../node_modules/.bin/tsx");
      const run = spawnSync(tsx, [path.join(SPEC_DIR, "extract.ts"), "--check"], {
        encoding: "utf8",
      });
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
    });
  }

  it("has flat enums and only local $refs, and names its source", () => {
    for (const e of EXTRACTS) {
      const text = fs.readFileSync(path.join(SPEC_DIR, e.out), "utf8");
      const doc = JSON.parse(text);
      expect(doc.source.repo).toBe("PaloAltoNetworks/pan.dev");
      expect(doc.source.commit).toMatch(/^481855cc/);
      expect(text).not.toMatch(/"enum":\s*\[\s*\[/);
      for (const [, ref] of text.matchAll(/"\$ref":\s*"([^"]*)"/g))
        expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas["shared.LambdaRuntimeType"].enum).toContain("nodejs");
    }
  });

  it("flattens doubly nested enums and drops external $refs, nothing else", () => {
    const input = {
      enum: [["a", "b"]],
      description: { $ref: "desc/x.md" },
      items: { $ref: "#/components/schemas/s" },
    };
    expect(normaliseSchema(input)).toEqual({
      enum: ["a", "b"],
      description: {},
      items: { $ref: "#/components/schemas/s" },
    });
  });
});

describe("console simulator: request validation against the spec", () => {
  it("400s bodies of the wrong type, naming the field", async () => {
    const sim = await startConsoleSimulator({ https: false });
    try {
      const auth = await call(sim, "/api/v1/authenticate", {
        body: { username: 7, password: "x" },
      });
      expect([auth.status, auth.json().err]).toEqual([400, "invalid username: must be string"]);
      const notObject = await call(sim, "/api/v1/authenticate", { body: ["admin"] });
      expect(notObject.json().err).toMatch(/expected a JSON object/);
      const notJson = await call(sim, "/api/v1/authenticate", { raw: "username=admin" });
      expect(notJson.json().err).toMatch(/failed to parse request body/);
    } finally {
      await sim.close();
    }
  });

  it("validates runtimes with the emulated Console's own list (32.07 vs 34.04)", async () => {
    const [old, current] = await Promise.all([
      startConsoleSimulator({ https: false, version: "32.07.123" }),
      startConsoleSimulator({ https: false }),
    ]);
    try {
      const layer = async (sim: typeof old, version: string, runtime: string) =>
        (
          await call(sim, `/api/${version}/images/twistlock_defender_layer.zip`, {
            body: { provider: "aws", runtime },
            token: await login(sim),
          })
        ).status;
      expect(await layer(old, "v32.07", "ruby2.7")).toBe(200);
      expect(await layer(old, "v32.07", "python3.13")).toBe(400);
      expect(await layer(current, "v34.04", "python3.13")).toBe(200);
      expect(await layer(current, "v34.04", "ruby2.7")).toBe(400);
    } finally {
      await Promise.all([old.close(), current.close()]);
    }
  });
});
