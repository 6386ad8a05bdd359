// The embedded serverless bundle and padded downloads: layout, and wrappers really running (Node in a
// child process, Python with python3, Ruby with ruby: scripts/setup.sh installs both).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { gzipSync } from "zlib";
import { startConsoleSimulator, ConsoleSimulator } from "../../provider/simulator";
import { call, extractZip, login, unzip } from "./helpers";

describe("console simulator: serverless bundle", () => {
  let sim: ConsoleSimulator;
  let token: string;
  const bundle = (body: unknown) =>
    call(sim, "/api/v34.04/defenders/serverless/bundle", { body, token });
  beforeAll(async () => {
    sim = await startConsoleSimulator({ https: false });
    token = await login(sim);
  });
  afterAll(() => sim.close());

  it("gives Node wrappers that run the function's handler (async and callback styles)", async () => {
    const root = await extractZip((await bundle({ provider: "aws", runtime: "nodejs22.x" })).body);
    const script = `
      const twistlock = require("./twistlock");
      const asyncFn = twistlock.asyncHandler(async (event) => ({ n: event.n, sim: process.env.TW_DEFENDER_SIMULATED }));
      const cbFn = twistlock.handler((event, context, cb) => cb(null, { cb: event.n }));
      asyncFn({ n: 1 }, {}).then((a) => cbFn({ n: 2 }, {}, (e, b) => console.log(JSON.stringify([a, b, cbFn.length]))));`;
    const run = spawnSync(process.execPath, ["-e", script], {
      cwd: root,
      encoding: "utf8",
      env: { PATH: process.env.PATH, TW_POLICY: "p" },
    });
    expect(JSON.parse(run.stdout)).toEqual([{ n: 1, sim: "embedded" }, { cb: 2 }, 3]);
    expect(run.stderr).toContain("embedded invoke");
  });

  it("gives a Python @twistlock.serverless.handler decorator that runs under python3", async () => {
    const root = await extractZip((await bundle({ provider: "aws", runtime: "python" })).body);
    fs.writeFileSync(
      path.join(root, "handler.py"),
      "import twistlock.serverless\n\n@twistlock.serverless.handler\ndef handler(event, context):\n    return {'n': event['n']}\n",
    );
    const run = spawnSync(
      "python3",
      [
        "-c",
        "import json, handler; print(json.dumps([handler.handler({'n': 5}, None), handler.handler.__name__]))",
      ],
      {
        cwd: root,
        encoding: "utf8",
        env: { PATH: process.env.PATH, TW_POLICY: "p" },
      },
    );
    expect(JSON.parse(run.stdout)).toEqual([{ n: 5 }, "handler"]);
    expect(run.stderr).toContain("embedded invoke handler #1");
  });

  it("gives a Ruby Twistlock.handler that runs the block under ruby", async () => {
    const root = await extractZip((await bundle({ provider: "aws", runtime: "ruby" })).body);
    fs.writeFileSync(
      path.join(root, "function.rb"),
      "require_relative './twistlock/twistlock'\ndef handler(event:, context:)\n" +
        "  Twistlock.handler(event: event, context: context) { |event:, context:| { 'n' => event['n'] } }\nend\n",
    );
    const run = spawnSync(
      "ruby",
      [
        "-e",
        'require_relative "function"; require "json"; puts JSON.generate(handler(event: { "n" => 9 }, context: nil))',
      ],
      {
        cwd: root,
        encoding: "utf8",
        env: { PATH: process.env.PATH, TW_POLICY: "p" },
      },
    );
    expect(JSON.parse(run.stdout)).toEqual({ n: 9 });
    expect(run.stderr).toContain("embedded invoke handler #1");
  });

  it("lays out Java and .NET bundles, with a real nupkg", async () => {
    const java = await unzip((await bundle({ provider: "aws", runtime: "java11" })).body);
    expect(java.get("twistlock/defender-34.04.145.pom")!.data.toString()).toContain(
      "<artifactId>defender</artifactId>",
    );
    expect(
      (await unzip(java.get("twistlock/defender-34.04.145.jar")!.data)).has("META-INF/MANIFEST.MF"),
    ).toBe(true);
    for (const provider of ["aws", "azure"]) {
      const dotnet = await unzip((await bundle({ provider, runtime: "dotnet" })).body);
      const nupkg = await unzip(dotnet.get("twistlock/twistlock.34.04.145.nupkg")!.data);
      const nuspec = nupkg.get("Twistlock.nuspec")!.data.toString();
      expect(nuspec).toContain("<id>Twistlock</id>");
      expect(nuspec).toContain("<version>34.04.145</version>");
      expect(nupkg.get("build/Twistlock.targets")!.data.toString()).toContain("TwistlockFiles");
      expect(JSON.parse(dotnet.get("twistlock/manifest.json")!.data.toString()).provider).toBe(
        provider,
      );
    }
  });

  it.each([
    [{ provider: "azure", runtime: "python" }, /azure.*dotnet/],
    [{ provider: "gcp", runtime: "nodejs" }, /invalid provider gcp/],
    [{ provider: "oracle", runtime: "nodejs" }, /invalid provider: must be one of aws, azure, gcp/],
    [{ provider: ["aws"], runtime: ["nodejs14.x"] }, /invalid provider: must be string/],
  ])("400s %j", async (body, message) => {
    const answer = await bundle(body);
    expect(answer.status).toBe(400);
    expect(answer.json().err).toMatch(message);
  });
});

describe("console simulator: padded downloads", () => {
  it("pads layer and bundle zips to bundlePaddingBytes exactly, with incompressible stored bytes", async () => {
    const size = 3 * 1024 * 1024 + 17;
    const sim = await startConsoleSimulator({ https: false, bundlePaddingBytes: size });
    try {
      const token = await login(sim);
      const answer = await call(sim, "/api/v1/defenders/serverless/bundle", {
        body: { provider: "aws", runtime: "nodejs" },
        token,
      });
      expect(answer.status).toBe(200);
      expect(Number(answer.headers["content-length"])).toBe(size);
      expect(answer.body.length).toBe(size);
      const files = await unzip(answer.body);
      const padding = files.get("twistlock/padding.bin")!.data;
      expect(files.has("twistlock/index.js")).toBe(true);
      expect(gzipSync(padding.subarray(0, 1 << 20)).length).toBeGreaterThan(1 << 20);
      const again = await call(sim, "/api/v1/defenders/serverless/bundle", {
        body: { provider: "aws", runtime: "nodejs" },
        token,
      });
      expect(again.body.equals(answer.body)).toBe(true);
      const layerZip = await call(sim, "/api/v1/images/twistlock_defender_layer.zip", {
        body: { provider: "aws", runtime: "python" },
        token,
      });
      expect(layerZip.body.length).toBe(size);
      expect((await unzip(layerZip.body)).has("python/twistlock/__init__.py")).toBe(true);
    } finally {
      await sim.close();
    }
  });
});
