// The App-Embedded Defender: the tarball (and its `defender` really running under busybox sh) and the embed zip.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as tar from "tar";
import { startConsoleSimulator, ConsoleSimulator } from "../../provider/simulator";
import { embedDockerfile } from "../../provider/simulator/appEmbedded";
import { call, login, tempDir, unzip } from "./helpers";

const SH = fs.existsSync("/bin/busybox") ? ["/bin/busybox", "sh"] : ["/bin/sh"];

async function untar(buffer: Buffer): Promise<string> {
  const dir = tempDir();
  const file = path.join(dir, "t.tar.gz");
  fs.writeFileSync(file, buffer);
  await tar.x({ file, cwd: dir });
  fs.unlinkSync(file);
  return dir;
}

describe("console simulator: App-Embedded Defender", () => {
  let sim: ConsoleSimulator;
  let token: string;
  let tarball: Buffer;
  beforeAll(async () => {
    sim = await startConsoleSimulator();
    token = await login(sim);
    const answer = await call(sim, "/api/v34.04/images/twistlock_defender_app_embedded.tar.gz", {
      token,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/gzip");
    tarball = answer.body;
  });
  afterAll(() => sim.close());

  it("serves a byte-stable tar.gz with an executable defender, a manifest and version.txt", async () => {
    const entries: { path: string; mode: number; mtime: number }[] = [];
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "t.tgz"), tarball);
    await tar.t({
      file: path.join(dir, "t.tgz"),
      onReadEntry: (e) =>
        void entries.push({ path: e.path, mode: e.mode!, mtime: e.mtime!.getTime() }),
    });
    expect(entries.map((e) => [e.path, e.mode & 0o777])).toEqual([
      ["defender", 0o755],
      ["manifest.json", 0o644],
      ["version.txt", 0o644],
    ]);
    expect(new Set(entries.map((e) => e.mtime)).size).toBe(1);
    const extracted = await untar(tarball);
    expect(
      JSON.parse(fs.readFileSync(path.join(extracted, "manifest.json"), "utf8")),
    ).toMatchObject({
      version: "34.04.145",
      architecture: "x86_64",
    });
    expect(fs.readFileSync(path.join(extracted, "version.txt"), "utf8")).toBe("34.04.145 x86_64\n");
    const again = await call(sim, "/api/v1/images/twistlock_defender_app_embedded.tar.gz", {
      token,
    });
    expect(again.body.equals(tarball)).toBe(true);
    const other = await startConsoleSimulator({ https: false });
    try {
      const theirs = await call(other, "/api/v1/images/twistlock_defender_app_embedded.tar.gz", {
        token: await login(other),
      });
      expect(theirs.body.equals(tarball)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it("runs its defender under busybox sh: records the run, then execs the program in its place", async () => {
    const dir = await untar(tarball);
    const data = tempDir();
    const run = spawnSync(
      SH[0],
      [
        ...SH.slice(1),
        path.join(dir, "defender"),
        "app-embedded",
        "/bin/sh",
        "-c",
        'echo "pid=$$ args=$0,$1 sim=$TW_DEFENDER_SIMULATED"; exit 7',
        "first",
        "second",
      ],
      {
        env: {
          PATH: "/usr/bin:/bin",
          DATA_FOLDER: data,
          DEFENDER_APP_ID: "demo",
          INSTALL_BUNDLE: "x",
        },
        encoding: "utf8",
      },
    );
    expect(run.status).toBe(7);
    const pid = /pid=(\d+)/.exec(run.stdout)![1];
    expect(run.stdout).toContain("args=first,second sim=app-embedded");
    expect(run.stderr).toContain("twistlock-defender(simulated): app-embedded start: /bin/sh");
    const log = fs.readFileSync(path.join(data, "defender-ran.log"), "utf8");
    // Same pid in the log and in the program: the Defender exec'd it rather than running it as a child.
    expect(log).toBe(
      `app-embedded start version=34.04.145 app_id=demo pid=${pid} program=/bin/sh\n`,
    );
  });

  it("also runs as the Fargate entrypoint, and refuses to run nothing", () => {
    const dirPromise = untar(tarball);
    return dirPromise.then((dir) => {
      const data = tempDir();
      const env = { PATH: "/usr/bin:/bin", DATA_FOLDER: data };
      const fargate = spawnSync(
        SH[0],
        [...SH.slice(1), path.join(dir, "defender"), "fargate", "entrypoint", "echo", "hi"],
        { env, encoding: "utf8" },
      );
      expect(fargate.stdout).toBe("hi\n");
      expect(fargate.stderr).toMatch(/INSTALL_BUNDLE is not set/);
      expect(fs.readFileSync(path.join(data, "defender-ran.log"), "utf8")).toMatch(
        /^fargate-entrypoint start/,
      );
      const nothing = spawnSync(
        SH[0],
        [...SH.slice(1), path.join(dir, "defender"), "app-embedded"],
        { env, encoding: "utf8" },
      );
      expect(nothing.status).toBe(64);
    });
  });

  const embed = (body: Record<string, unknown>) =>
    call(sim, "/api/v34.04/defenders/app-embedded", { body, token });
  const request = {
    appID: "demo-app",
    consoleAddr: "console.example.com",
    dataFolder: "/twistlock",
    dockerfile: 'FROM alpine:3.20\nCOPY app /app\nENTRYPOINT ["/app", "--port", "8080"]\n',
    filesystemMonitoring: true,
  };

  it("answers a zip with the documented Dockerfile block and the same tarball", async () => {
    const answer = await embed(request);
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/zip");
    const files = await unzip(answer.body);
    expect([...files.keys()].sort()).toEqual([
      "Dockerfile",
      "twistlock_defender_app_embedded.tar.gz",
    ]);
    expect(files.get("twistlock_defender_app_embedded.tar.gz")!.data.equals(tarball)).toBe(true);
    expect(files.get("Dockerfile")!.data.toString()).toBe(
      request.dockerfile +
        "\n# Twistlock Container Defender - app embedded\n" +
        "ADD twistlock_defender_app_embedded.tar.gz /twistlock\n" +
        'ENV DEFENDER_TYPE="appEmbedded"\n' +
        'ENV DEFENDER_APP_ID="demo-app"\n' +
        'ENV FILESYSTEM_MONITORING="true"\n' +
        'ENV WS_ADDRESS="wss://console.example.com:8084"\n' +
        'ENV DATA_FOLDER="/twistlock"\n' +
        `ENV INSTALL_BUNDLE="${sim.secrets.installBundle}"\n` +
        'ENV FIPS_ENABLED="false"\n' +
        'ENTRYPOINT ["/twistlock/defender", "app-embedded", "/app", "--port", "8080"]\n',
    );
    expect((await embed(request)).body.equals(answer.body)).toBe(true);
  });

  it.each([
    [
      "ENTRYPOINT /webapp.py --debug",
      "ENTRYPOINT exec /twistlock/defender app-embedded /bin/sh -c '/webapp.py --debug'",
    ],
    ['CMD ["python", "app.py"]', 'ENTRYPOINT ["/twistlock/defender", "app-embedded"]'],
    [
      'ENTRYPOINT ["tini", "--"]\nCMD ["serve"]',
      'ENTRYPOINT ["/twistlock/defender", "app-embedded", "tini", "--"]',
    ],
  ])("rewrites %j", async (instructions, expected) => {
    const answer = await embed({ ...request, dockerfile: `FROM alpine\n${instructions}\n` });
    const dockerfile = (await unzip(answer.body)).get("Dockerfile")!.data.toString();
    expect(dockerfile.trimEnd().split("\n").pop()).toBe(expected);
  });

  it("restates a CMD inherited from an earlier stage, which the new ENTRYPOINT would drop", async () => {
    const dockerfile = 'FROM alpine AS base\nCMD ["serve", "--all"]\nFROM base\nRUN true\n';
    const answer = await embed({ ...request, dockerfile });
    const lines = (await unzip(answer.body))
      .get("Dockerfile")!
      .data.toString()
      .trimEnd()
      .split("\n");
    expect(lines.slice(-2)).toEqual([
      'ENTRYPOINT ["/twistlock/defender", "app-embedded"]',
      'CMD ["serve", "--all"]',
    ]);
  });

  it("really starts the program through the Defender, as a container runtime would run the ENTRYPOINT", async () => {
    const dataFolder = tempDir();
    const answer = await embed({
      ...request,
      dataFolder,
      dockerfile: 'FROM busybox\nENTRYPOINT ["/bin/sh", "-c", "echo started $DEFENDER_APP_ID"]\n',
    });
    const files = await unzip(answer.body);
    const dockerfile = files.get("Dockerfile")!.data.toString();
    // ADD <tarball> <dataFolder>: Docker extracts local tar archives into the folder.
    const tgz = path.join(tempDir(), "t.tgz");
    fs.writeFileSync(tgz, files.get("twistlock_defender_app_embedded.tar.gz")!.data);
    await tar.x({ file: tgz, cwd: dataFolder });
    const env: Record<string, string> = { PATH: "/usr/bin:/bin" };
    for (const [, name, value] of dockerfile.matchAll(/^ENV (\w+)="(.*)"$/gm)) env[name] = value;
    const entrypoint: string[] = JSON.parse(
      /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile.split("# Twistlock")[1])![1],
    );
    expect(entrypoint[0]).toBe(`${dataFolder}/defender`);
    const run = spawnSync(entrypoint[0], entrypoint.slice(1), { env, encoding: "utf8" });
    expect(run.stdout).toBe("started demo-app\n");
    expect(fs.readFileSync(path.join(dataFolder, "defender-ran.log"), "utf8")).toMatch(
      /app_id=demo-app/,
    );
  });

  it.each([
    [{ dockerfile: "FROM alpine\nRUN true\n" }, /CMD or ENTRYPOINT/],
    [{ dockerfile: "RUN true\n" }, /no FROM/],
    [{ appID: "my app" }, /invalid appID/],
    [{ appID: 'x"; rm' }, /invalid appID/],
    [{ appID: 42 }, /invalid appID: must be string/],
    [{ appID: "" }, /missing appID/],
    [{ dataFolder: "data" }, /invalid dataFolder/],
    [{ consoleAddr: "https://console.example.com:8083" }, /consoleAddr.*not a URL/],
    [{ filesystemMonitoring: "yes" }, /invalid filesystemMonitoring: must be boolean/],
    [{ dockerfile: undefined }, /missing dockerfile/],
  ])("400s %j", async (change, message) => {
    const answer = await embed({ ...request, ...change });
    expect(answer.status).toBe(400);
    expect(answer.json().err).toMatch(message);
  });
});

describe("appEmbeddedQuirks: rewrite mistakes on request only", () => {
  const input = (dockerfile: string) => ({
    appID: "a",
    consoleAddr: "c",
    dataFolder: "/twistlock",
    dockerfile,
  });
  const lastEntrypoint = (text: string) =>
    text
      .trim()
      .split("\n")
      .reverse()
      .find((l) => l.startsWith("ENTRYPOINT"));
  const blank = 'FROM scratch\nENTRYPOINT ["/app/run.sh", \\\n\n  "--mode"]\n';
  const reset = 'FROM scratch AS base\nCMD ["extra"]\nFROM base\nENTRYPOINT ["/app.sh"]\n';
  const settings = { installBundle: "b", wsAddress: "wss://x" };

  it("without quirks, a blank continuation line and a reset CMD are read as Docker reads them", () => {
    expect(lastEntrypoint(embedDockerfile(input(blank), settings))).toBe(
      'ENTRYPOINT ["/twistlock/defender", "app-embedded", "/app/run.sh", "--mode"]',
    );
    expect(embedDockerfile(input(reset), settings).trim().endsWith('"/app.sh"]')).toBe(true);
  });

  it("blankLineEndsInstruction and keepsResetCmd make the reported mistakes", () => {
    expect(
      lastEntrypoint(
        embedDockerfile(input(blank), { ...settings, quirks: ["blankLineEndsInstruction"] }),
      ),
    ).toBe(`ENTRYPOINT exec /twistlock/defender app-embedded /bin/sh -c '["/app/run.sh", '`);
    expect(
      embedDockerfile(input(reset), { ...settings, quirks: ["keepsResetCmd"] })
        .trim()
        .endsWith('ENTRYPOINT ["/twistlock/defender", "app-embedded", "/app.sh"]\nCMD ["extra"]'),
    ).toBe(true);
  });
});
