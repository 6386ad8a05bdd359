// Golden tests of the task-definition pipeline, in the style of Sysdig's fargate_*_test/expected pairs:
// tests/golden/fargate/<case>/input.json (a real task definition, see SOURCES.md) and options.json in;
// expected.json (what the Console is sent, what is registered, the component's outputs) or expected-error.txt out.
// The Console's transform is the simulator's (provider/simulator/fargate.ts) with fixed values, so the cases pin our
// cleaning, preflight, checking and normalisation. `UPDATE_GOLDEN=1 npx jest tests/fargate/golden` rewrites the
// expected side; review the diff by eye before committing it.
import * as fs from "fs";
import * as path from "path";
import {
  documentTaskArgs,
  FargateTaskError,
  parseContainerDefinitions,
} from "../../provider/fargate/taskDefinition";
import { buildConsoleRequest } from "../../provider/fargate/taskDefinitionRequest";
import {
  checkProtectedTaskDefinition,
  serializeContainers,
  withInstallBundleSecret,
} from "../../provider/fargate/taskDefinitionCheck";
import { BUILT_IN_IMAGES, protectTaskDefinition } from "../../provider/simulator/fargate";

const ROOT = path.join(__dirname, "../golden/fargate");
const cases = fs
  .readdirSync(ROOT)
  .filter((d) => fs.statSync(path.join(ROOT, d)).isDirectory())
  .sort();
const update = process.env.UPDATE_GOLDEN === "1";

const GOLDEN = {
  consoleAddress: "console.example.com",
  defenderImage:
    "registry-auth.twistlock.com/tw_goldenregistrytoken/twistlock/defender:defender_34_04_145",
  installBundle: "GOLDEN-INSTALL-BUNDLE-eyJzZWNyZXRzIjp7fX0=",
  secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:golden-install-bundle-AbCdEf",
};

/** The component's pipeline, with the simulator's transform standing in for the Console. */
function runPipeline(input: string, options: any): Record<string, unknown> {
  const defender = options.defender ?? {};
  const doc = parseContainerDefinitions(input);
  const request = buildConsoleRequest(doc, options.args ?? {}, defender);
  const answer = protectTaskDefinition(
    structuredClone(request),
    {
      consoleAddress: GOLDEN.consoleAddress,
      filesystemMonitoring: defender.filesystemMonitoring ?? false,
      extractEntrypoint: defender.extractEntrypoint ?? false,
      defenderImage: defender.defenderImage ?? GOLDEN.defenderImage,
      defenderImagePullSecret: defender.defenderImagePullSecret,
      installBundle: GOLDEN.installBundle,
      wsAddress: `wss://${GOLDEN.consoleAddress}:8084`,
      entrypointBinary: "/var/lib/twistlock/fargate/defender",
      images: { ...BUILT_IN_IMAGES, ...(options.registry ?? {}) },
    },
    false,
  );
  const checked = checkProtectedTaskDefinition(answer, request, defender);
  const containers = withInstallBundleSecret(
    checked.containers,
    checked.installBundleContainers,
    GOLDEN.secretArn,
  );
  const { containerDefinitions: _sent, ...taskLevel } = request;
  return {
    consoleRequest: request,
    // Task-level fields never sent to the Console (roles, volumes, tags...) go from the document to the child.
    registered: {
      ...taskLevel,
      ...documentTaskArgs(doc.task),
      containerDefinitions: JSON.parse(serializeContainers(containers)),
    },
    outputs: {
      defenderImage: checked.defenderImage,
      defenderVersion: checked.defenderVersion ?? null,
      protectedContainers: checked.protectedContainers,
      wrappedEntrypoints: checked.wrappedEntrypoints,
      installBundleContainers: checked.installBundleContainers,
    },
  };
}

describe("Fargate task definition golden cases", () => {
  it.each(cases)("%s", (name) => {
    const dir = path.join(ROOT, name);
    const input = fs.readFileSync(path.join(dir, "input.json"), "utf8");
    const options = JSON.parse(fs.readFileSync(path.join(dir, "options.json"), "utf8"));
    const errorFile = path.join(dir, "expected-error.txt");
    const expectedFile = path.join(dir, "expected.json");
    let result: Record<string, unknown> | undefined;
    let error: string | undefined;
    try {
      result = runPipeline(input, options);
    } catch (e) {
      // The transform's findings as the golden files record them: what could not be done, then each problem.
      if (!(e instanceof FargateTaskError)) throw e;
      error = `ProtectedFargateTask "golden": ${e.intro}:\n${e.details.map((d) => `  - ${d}`).join("\n")}`;
    }
    if (update) {
      if (error !== undefined) fs.writeFileSync(errorFile, error + "\n");
      else fs.writeFileSync(expectedFile, JSON.stringify(result, null, 2) + "\n");
    }
    if (fs.existsSync(errorFile)) {
      expect(error).toBe(fs.readFileSync(errorFile, "utf8").replace(/\n$/, ""));
      return;
    }
    expect(error).toBeUndefined();
    expect(result).toEqual(JSON.parse(fs.readFileSync(expectedFile, "utf8")));
    // What is registered carries the secret's ARN, never the INSTALL_BUNDLE value.
    const registered = JSON.stringify((result as any).registered);
    expect(registered).not.toContain(GOLDEN.installBundle);
    expect(registered).toContain(GOLDEN.secretArn);
  });

  it("every case runs (no directory without an expected side)", () => {
    for (const name of cases) {
      const dir = path.join(ROOT, name);
      const sides = ["expected.json", "expected-error.txt"].filter((f) =>
        fs.existsSync(path.join(dir, f)),
      );
      expect([name, sides.length]).toEqual([name, 1]);
    }
  });
});
