// Lambda runtimes checked against the Console version's own list, before the layer request.
import { consoleFor } from "../../provider/core/console/client";
import { CONSOLE_LAMBDA_RUNTIMES } from "../../provider/core/console/consoleRuntimes";
import { startConsoleSimulator } from "../../provider/simulator";
import { FAST, rejectionOf, settingsFor, useFreshCacheAndClients } from "./support";

useFreshCacheAndClients();

function specRuntimes(version: string): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const spec = require(
    `../../provider/simulator/spec/compute-${version}-defender-schemas.json`,
  ) as unknown;
  let found: string[] = [];
  const walk = (o: unknown) => {
    if (!o || typeof o !== "object") return;
    for (const [k, v] of Object.entries(o)) {
      if (k === "shared.LambdaRuntimeType") found = (v as { enum: string[] }).enum;
      walk(v);
    }
  };
  walk(spec);
  return found;
}

describe("Lambda runtimes by Console version", () => {
  it.each(["32.07", "34.04"])("the %s list is the one its spec carries", (version) => {
    expect(CONSOLE_LAMBDA_RUNTIMES[version]).toEqual(specRuntimes(version));
  });

  it("nodejs22.x on a 32.07 Console is refused before the layer request, naming the version", async () => {
    const sim = await startConsoleSimulator({ version: "32.07.118" });
    try {
      const c = consoleFor(settingsFor(sim), FAST);
      const e = await rejectionOf(c.lambdaLayer({ provider: "aws", runtime: "nodejs22.x" }));
      expect(e).toMatchObject({ kind: "request" });
      expect(e.message).toContain("version 32.07 does not support the Lambda runtime nodejs22.x");
      expect(e.message).toContain("nodejs20.x");
      expect(sim.requestsTo("images/twistlock_defender_layer.zip")).toEqual([]);
      // A runtime it lists still works.
      await expect(
        c.lambdaLayer({ provider: "aws", runtime: "nodejs20.x" }),
      ).resolves.toBeDefined();
    } finally {
      await sim.close();
    }
  });

  it("nodejs22.x on a 34.04 Console is accepted", async () => {
    const sim = await startConsoleSimulator();
    try {
      const c = consoleFor(settingsFor(sim), FAST);
      await expect(
        c.lambdaLayer({ provider: "aws", runtime: "nodejs22.x" }),
      ).resolves.toBeDefined();
    } finally {
      await sim.close();
    }
  });
});
