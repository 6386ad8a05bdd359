// Golden tests of the Dockerfile rewrite (modes Tarball and Image) over real Dockerfile shapes:
// tests/golden/dockerfile/<case>/{Dockerfile, options.json, expected.Dockerfile, expected.json}.
// Regenerate after an intended change with UPDATE_GOLDEN=1 and review the diff.
import * as fs from "node:fs";
import * as path from "node:path";
import {
  embedDefender,
  EmbedResult,
  protectImageDockerfile,
} from "../../provider/image/defenderBlock";
import { analyzeDockerfile } from "../../provider/image/dockerfile";
import { checkConsoleDockerfile } from "../../provider/image/consoleDockerfile";

const root = path.join(__dirname, "../golden/dockerfile");
const update = process.env.UPDATE_GOLDEN === "1";

const defaults = {
  appId: "demo-app",
  dataFolder: "/twistlock",
  wsAddress: "wss://console.example.com:8084",
  filesystemMonitoring: false,
  bakeInstallBundle: false,
};

function run(dir: string): EmbedResult {
  const options = {
    ...defaults,
    ...JSON.parse(fs.readFileSync(path.join(dir, "options.json"), "utf8")),
  };
  if (options.baseImage) return protectImageDockerfile(options);
  return embedDefender(fs.readFileSync(path.join(dir, "Dockerfile"), "utf8"), options);
}

function expectGolden(file: string, actual: string): void {
  if (update) fs.writeFileSync(file, actual);
  expect(actual).toBe(fs.readFileSync(file, "utf8"));
}

const cases = fs.readdirSync(root).filter((d) => fs.statSync(path.join(root, d)).isDirectory());

test("every golden case is here", () => {
  expect(cases.sort()).toEqual([
    "arg-in-from",
    "baked-install-bundle",
    "cmd-only",
    "comments-and-continuations",
    "entrypoint-and-cmd",
    "image-mode",
    "inherited-from-stage",
    "multi-stage",
    "shell-form-entrypoint",
    "shell-instruction",
    "single-stage",
    "target-stage",
  ]);
});

describe.each(cases)("%s", (name) => {
  const dir = path.join(root, name);
  const result = run(dir);

  test("rewritten Dockerfile matches expected.Dockerfile", () => {
    expectGolden(path.join(dir, "expected.Dockerfile"), result.dockerfile);
  });

  test("entrypoint, command, environment and warnings match expected.json", () => {
    const summary = {
      wrappedEntrypoint: result.wrappedEntrypoint,
      command: result.command,
      environment: result.environment,
      warnings: result.warnings,
      baseImage: result.baseImage,
    };
    expectGolden(path.join(dir, "expected.json"), JSON.stringify(summary, null, 2) + "\n");
  });

  test("the result is what the image will run, read back by the parser", () => {
    const options = JSON.parse(fs.readFileSync(path.join(dir, "options.json"), "utf8"));
    const again = analyzeDockerfile(result.dockerfile, {
      target: options.target,
      buildArgs: options.buildArgs,
    });
    expect(again.config.entrypoint).toEqual(result.wrappedEntrypoint);
    if (again.config.cmd !== undefined) expect(again.config.cmd).toEqual(result.command);
    expect(result.wrappedEntrypoint.slice(0, 2)).toEqual([
      `${options.dataFolder ?? defaults.dataFolder}/defender`,
      "app-embedded",
    ]);
  });

  test("the same check that guards the Console's answer accepts it", () => {
    const options = {
      ...defaults,
      ...JSON.parse(fs.readFileSync(path.join(dir, "options.json"), "utf8")),
    };
    const checked = checkConsoleDockerfile(result.dockerfile, {
      dataFolder: options.dataFolder,
      target: options.target,
      bakeInstallBundle: options.bakeInstallBundle,
    });
    expect(checked.wrappedEntrypoint).toEqual(result.wrappedEntrypoint);
    expect(checked.installBundle).toBeUndefined();
    expect(checked.dockerfile).toBe(result.dockerfile);
  });

  test("never writes an INSTALL_BUNDLE value", () => {
    expect(result.dockerfile).not.toMatch(/INSTALL_BUNDLE="[^$]/);
    expect(Object.keys(result.environment)).not.toContain("INSTALL_BUNDLE");
  });
});
