// The archive cache: private modes, content addressing, integrity, single flight, and where it lives.
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tar from "tar";
import * as yauzl from "yauzl";
import * as yazl from "yazl";
import { normalizeZip } from "../../provider/core/archive";
import { consoleFor } from "../../provider/core/console/client";
import {
  cacheDirectory,
  CACHE_DIR_ENV,
  pruneStalePartials,
  STALE_PARTIAL_MS,
  verifyArchive,
} from "../../provider/core/console/downloads";
import { redact } from "../../provider/core/secrets";
import { startConsoleSimulator, type ConsoleSimulator } from "../../provider/simulator";
import { FAST, settingsFor, useFreshCacheAndClients } from "./support";

const cache = useFreshCacheAndClients();
let sim: ConsoleSimulator;
beforeAll(async () => {
  sim = await startConsoleSimulator({ seed: "downloads-test" });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const mode = (p: string) => fs.statSync(p).mode & 0o777;
const sha256 = (p: string) => createHash("sha256").update(fs.readFileSync(p)).digest("hex");

function zipNames(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const names: string[] = [];
      zip.on("entry", (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on("end", () => resolve(names));
      zip.readEntry();
    });
  });
}

describe("downloads", () => {
  it("stores every archive as <sha256>.<kind>, 0600, in a 0700 directory", async () => {
    const c = consoleFor(settingsFor(sim), FAST);
    const archives = [
      await c.lambdaLayer({ provider: "aws", runtime: "nodejs22.x" }),
      await c.serverlessBundle({ provider: "aws", runtime: "python3.12" }),
      await c.appEmbeddedTarball(),
      await c.embedDockerfile({
        appID: "web",
        consoleAddr: "127.0.0.1",
        dataFolder: "/twistlock",
        dockerfile: 'FROM busybox\nENTRYPOINT ["/app"]\n',
      }),
    ];
    expect(archives.map((a) => a.kind)).toEqual(["zip", "zip", "tar.gz", "zip"]);
    expect(mode(cache.dir())).toBe(0o700);
    for (const a of archives) {
      expect(path.dirname(a.path)).toBe(cache.dir());
      expect(path.basename(a.path)).toBe(`${a.sha256}.${a.kind}`);
      expect(sha256(a.path)).toBe(a.sha256);
      expect(fs.statSync(a.path).size).toBe(a.size);
      expect(mode(a.path)).toBe(0o600);
    }
    expect(fs.readdirSync(cache.dir()).filter((f) => f.startsWith("."))).toEqual([]);
    // The app-embedded zip is what the Console's embed returns: the Dockerfile and the Defender tarball.
    expect((await zipNames(archives[3].path)).sort()).toEqual([
      "Dockerfile",
      "twistlock_defender_app_embedded.tar.gz",
    ]);
    // Its Dockerfile carries INSTALL_BUNDLE: reading it registered the value for redaction.
    expect(redact(`x ${sim.secrets.installBundle} y`)).toBe("x [secret] y");
  });

  it("gives the same path for the same bytes, from another Console with the same artefacts", async () => {
    const twin = await startConsoleSimulator({ seed: "downloads-test" });
    try {
      const a = await consoleFor(settingsFor(sim), FAST).appEmbeddedTarball();
      const b = await consoleFor(settingsFor(twin), FAST).appEmbeddedTarball();
      expect(b.path).toBe(a.path);
      expect(b.sha256).toBe(a.sha256);
    } finally {
      await twin.close();
    }
  });

  it("makes one Console request for 100 concurrent identical downloads", async () => {
    const c = consoleFor(settingsFor(sim), FAST);
    const results = await Promise.all(
      Array.from({ length: 100 }, () => c.lambdaLayer({ provider: "aws", runtime: "python3.12" })),
    );
    expect(sim.requestsTo("images/twistlock_defender_layer.zip")).toHaveLength(1);
    expect(new Set(results.map((r) => r.path)).size).toBe(1);
  });

  it("downloads again when the cached file has been removed", async () => {
    const c = consoleFor(settingsFor(sim), FAST);
    const first = await c.lambdaLayer({ provider: "aws", runtime: "ruby" });
    fs.rmSync(first.path);
    const second = await c.lambdaLayer({ provider: "aws", runtime: "ruby" });
    expect(second.path).toBe(first.path);
    expect(fs.existsSync(second.path)).toBe(true);
    expect(sim.requestsTo("images/twistlock_defender_layer.zip")).toHaveLength(2);
  });

  it("streams a large bundle to disk intact", async () => {
    const big = await startConsoleSimulator({ bundlePaddingBytes: 24 * 1024 * 1024 });
    try {
      const a = await consoleFor(settingsFor(big), FAST).serverlessBundle({
        provider: "aws",
        runtime: "nodejs",
      });
      expect(a.size).toBeGreaterThanOrEqual(24 * 1024 * 1024);
      expect(sha256(a.path)).toBe(a.sha256);
      await expect(verifyArchive(a.path, "zip")).resolves.toBeGreaterThan(0);
    } finally {
      await big.close();
    }
  });

  it("tightens a cache directory that others can read", async () => {
    fs.chmodSync(cache.dir(), 0o755);
    await consoleFor(settingsFor(sim), FAST).lambdaLayer({ provider: "aws", runtime: "java21" });
    expect(mode(cache.dir())).toBe(0o700);
  });

  it("leaves no partial file behind when an archive is corrupt", async () => {
    sim.injectFault({ endpoint: "defenders/serverless/bundle", kind: "corruptArchive" });
    const c = consoleFor(settingsFor(sim), FAST);
    await expect(
      c.serverlessBundle({ provider: "azure", runtime: "dotnet" }),
    ).rejects.toMatchObject({
      kind: "response",
    });
    expect(fs.readdirSync(cache.dir()).filter((f) => f.startsWith("."))).toEqual([]);
  });
});

describe("partial files", () => {
  it.each([
    ["a body cut short", "truncate"],
    ["damaged archive data", "flipArchiveData"],
    ["bytes that are no archive", "corruptArchive"],
  ] as const)("none is left behind after %s on every attempt", async (_n, kind) => {
    sim.injectFault({ endpoint: "images/twistlock_defender_layer.zip", kind });
    try {
      const c = consoleFor(settingsFor(sim), FAST);
      await expect(c.lambdaLayer({ provider: "aws", runtime: "nodejs20.x" })).rejects.toThrow(
        /gave up after 4 attempts/,
      );
      expect(sim.requestsTo("images/twistlock_defender_layer.zip")).toHaveLength(4);
      expect(fs.readdirSync(cache.dir()).filter((f) => f.startsWith(".partial-"))).toEqual([]);
    } finally {
      sim.clearFaults();
    }
  });

  it("stale ones (a process killed mid-download) are pruned once per process; recent ones are kept", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pd-prune-"));
    try {
      const old = path.join(dir, ".partial-0123456789abcdef");
      const recent = path.join(dir, ".partial-fedcba9876543210");
      const kept = path.join(dir, "abc.zip");
      for (const f of [old, recent, kept]) fs.writeFileSync(f, "");
      const twoHoursAgo = new Date(Date.now() - 2 * STALE_PARTIAL_MS);
      fs.utimesSync(old, twoHoursAgo, twoHoursAgo);
      fs.utimesSync(kept, twoHoursAgo, twoHoursAgo);
      pruneStalePartials(dir);
      expect(fs.readdirSync(dir).sort()).toEqual([path.basename(recent), "abc.zip"].sort());
      // Later downloads in the same process do not scan again.
      fs.utimesSync(recent, twoHoursAgo, twoHoursAgo);
      pruneStalePartials(dir);
      expect(fs.existsSync(recent)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("verifyArchive", () => {
  it("rejects a tar.gz cut in the middle and accepts a whole one", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pd-verify-"));
    try {
      fs.writeFileSync(path.join(dir, "a.txt"), "x".repeat(100_000));
      const whole = path.join(dir, "whole.tar.gz");
      await tar.create({ gzip: true, file: whole, cwd: dir }, ["a.txt"]);
      expect(await verifyArchive(whole, "tar.gz")).toBe(1);
      const cut = path.join(dir, "cut.tar.gz");
      const bytes = fs.readFileSync(whole);
      fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
      await expect(verifyArchive(cut, "tar.gz")).rejects.toThrow();
      await expect(verifyArchive(whole, "zip")).rejects.toThrow("no zip signature");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("damaged zip data (central directory intact)", () => {
  /** A zip of one entry, stored or deflated, with 16 bytes of its data inverted. */
  async function damagedZip(dir: string, compress: boolean): Promise<string> {
    const content = Buffer.from(Array.from({ length: 50_000 }, (_, i) => `line ${i}\n`).join(""));
    const zip = new yazl.ZipFile();
    zip.addBuffer(content, "handler.js", { compress });
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    const dataStart = 30 + bytes.readUInt16LE(26) + bytes.readUInt16LE(28);
    for (let i = dataStart + 1000; i < dataStart + 1016; i++) bytes[i] = ~bytes[i] & 0xff;
    const file = path.join(dir, `${compress ? "deflated" : "stored"}.zip`);
    fs.writeFileSync(file, bytes);
    return file;
  }

  it.each([
    ["deflated", true],
    ["stored", false],
  ])(
    "%s: verifyArchive and the zip merge both reject it, with no uncaught exception",
    async (_n, compress) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pd-damaged-"));
      const uncaught: Error[] = [];
      const onUncaught = (e: Error) => uncaught.push(e);
      process.on("uncaughtException", onUncaught);
      try {
        const file = await damagedZip(dir, compress);
        await expect(verifyArchive(file, "zip")).rejects.toThrow();
        const out = path.join(dir, "out");
        fs.mkdirSync(out);
        await expect(normalizeZip(file, "code", out)).rejects.toThrow();
        // The merge leaves no temporary file behind.
        expect(fs.readdirSync(out)).toEqual([]);
        expect(uncaught).toEqual([]);
      } finally {
        process.off("uncaughtException", onUncaught);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe("cacheDirectory", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env[CACHE_DIR_ENV] = saved[CACHE_DIR_ENV];
    process.env.XDG_CACHE_HOME = saved.XDG_CACHE_HOME;
    if (saved.XDG_CACHE_HOME === undefined) delete process.env.XDG_CACHE_HOME;
  });

  it("is PRISMA_DEFENDER_CACHE_DIR, else $XDG_CACHE_HOME/prisma-defender, else ~/.cache/prisma-defender", () => {
    process.env[CACHE_DIR_ENV] = "/tmp/custom-cache";
    expect(cacheDirectory()).toBe("/tmp/custom-cache");
    delete process.env[CACHE_DIR_ENV];
    process.env.XDG_CACHE_HOME = "/var/cache/me";
    expect(cacheDirectory()).toBe("/var/cache/me/prisma-defender");
    delete process.env.XDG_CACHE_HOME;
    expect(cacheDirectory()).toBe(path.join(os.homedir(), ".cache", "prisma-defender"));
  });
});
