import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yauzl from "yauzl";
import {
  bufferEntry,
  extractZip,
  listDirectory,
  listZip,
  mergeEntries,
  normalizeZip,
  safeEntryName,
  writeZip,
} from "../../provider/core/archive";

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-archive-"));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(rel: string, content: string, mode = 0o644): void {
  const p = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content, { mode });
  fs.chmodSync(p, mode);
}

/** Python's zipfile writes what yazl refuses to (names with `..`, duplicates, chosen timestamps). */
function pyZip(out: string, entries: [string, string, number?][]): string {
  const script = [
    "import sys, json, zipfile",
    "entries = json.loads(sys.argv[2])",
    "with zipfile.ZipFile(sys.argv[1], 'w') as z:",
    "    for name, data, year in entries:",
    "        info = zipfile.ZipInfo(name, date_time=(year or 2020, 5, 6, 7, 8, 10))",
    "        info.external_attr = 0o100644 << 16",
    "        info.create_system = 3",
    "        z.writestr(info, data)",
  ].join("\n");
  execFileSync("python3", [
    "-c",
    script,
    out,
    JSON.stringify(entries.map(([n, d, y]) => [n, d, y ?? 0])),
  ]);
  return out;
}

function readCentral(zipPath: string): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) =>
    yauzl.open(zipPath, { lazyEntries: false }, (err, zip) => {
      if (err) return reject(err);
      const entries: yauzl.Entry[] = [];
      zip.on("entry", (e: yauzl.Entry) => entries.push(e));
      zip.on("end", () => resolve(entries));
      zip.on("error", reject);
    }),
  );
}

describe("writeZip", () => {
  it("gives the same bytes for the same contents, whatever the order, mtimes or time zone", async () => {
    write("b/two.js", "two");
    write("a.js", "one");
    write("bin/run", "#!/bin/sh\n", 0o755);
    const out = path.join(tmp, "out");
    fs.mkdirSync(out);
    const first = await writeZip(
      await mergeEntries(
        [await listDirectory(path.join(tmp), "code")].map((g) =>
          g.filter((e) => !e.name.startsWith("out/")),
        ),
      ),
      out,
    );
    fs.utimesSync(path.join(tmp, "a.js"), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const savedTz = process.env.TZ;
    process.env.TZ = "Asia/Tokyo";
    try {
      const entries = (await listDirectory(tmp, "code"))
        .filter((e) => !e.name.startsWith("out/"))
        .reverse();
      const second = await writeZip(await mergeEntries([entries]), out);
      expect(second.sha256).toBe(first.sha256);
      expect(second.path).toBe(first.path);
    } finally {
      process.env.TZ = savedTz;
    }
    expect(path.basename(first.path)).toBe(`${first.sha256}.zip`);
    expect(fs.statSync(first.path).mode & 0o777).toBe(0o600);
  });

  it("writes sorted names, one fixed timestamp, no extra fields, and 0644/0755 modes", async () => {
    write("z.py", "z");
    write("m/run.sh", "echo", 0o750);
    write("a.py", "a");
    const out = path.join(tmp, ".out");
    fs.mkdirSync(out);
    const merged = await mergeEntries([
      (await listDirectory(tmp, "code")).filter((e) => !e.name.startsWith(".out")),
    ]);
    const written = await writeZip(merged, out);
    const entries = await readCentral(written.path);
    expect(entries.map((e) => e.fileName)).toEqual(["a.py", "m/run.sh", "z.py"]);
    for (const e of entries) {
      expect([e.lastModFileDate, e.lastModFileTime]).toEqual([(0 << 9) | (1 << 5) | 1, 0]);
      expect(e.extraFields).toEqual([]);
    }
    expect(entries.map((e) => (e.externalFileAttributes >>> 16).toString(8))).toEqual([
      "100644",
      "100755",
      "100644",
    ]);
  });

  it("streams a large entry instead of holding it in memory", async () => {
    const big = path.join(tmp, "big.bin");
    const fd = fs.openSync(big, "w");
    const chunk = Buffer.alloc(1024 * 1024, 7);
    for (let i = 0; i < 160; i++) fs.writeSync(fd, chunk);
    fs.closeSync(fd);
    const out = path.join(tmp, "o");
    fs.mkdirSync(out);
    let peak = 0;
    const base = process.memoryUsage().rss;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss - base)), 5);
    try {
      const written = await writeZip(
        await mergeEntries([
          await listDirectory(tmp, "code").then((l) => l.filter((e) => e.name === "big.bin")),
        ]),
        out,
      );
      expect(written.unzippedSize).toBe(160 * 1024 * 1024);
    } finally {
      clearInterval(timer);
    }
    expect(peak).toBeLessThan(80 * 1024 * 1024);
  });
});

describe("mergeEntries", () => {
  it("keeps identical files once and refuses different ones, naming both origins", async () => {
    const a = [bufferEntry("twistlock/index.js", "x", "code")];
    const same = [bufferEntry("twistlock/index.js", "x", "the Defender bundle")];
    const other = [bufferEntry("twistlock/index.js", "y", "the Defender bundle")];
    expect(await mergeEntries([a, same])).toHaveLength(1);
    await expect(mergeEntries([a, other])).rejects.toThrow(
      'code: "twistlock/index.js" comes from both code and the Defender bundle with different contents. Remove it from your code: the component adds the Defender bundle itself.',
    );
  });

  it("refuses a path that is a file in one source and a folder in another", async () => {
    await expect(
      mergeEntries([
        [bufferEntry("twistlock", "x", "code")],
        [bufferEntry("twistlock/index.js", "y", "the Defender bundle")],
      ]),
    ).rejects.toThrow('code: "twistlock" is a file in code and a folder in the Defender bundle.');
  });
});

describe("zip input", () => {
  it("refuses entries that would escape the extraction root", async () => {
    const evil = pyZip(path.join(tmp, "evil.zip"), [
      ["ok.js", "1"],
      ["../evil.js", "2"],
    ]);
    await expect(listZip(evil, "code")).rejects.toThrow(/\.\.\/evil\.js/);
    await expect(extractZip(evil, path.join(tmp, "x"))).rejects.toThrow(/\.\.\/evil\.js/);
    expect(fs.existsSync(path.join(tmp, "evil.js"))).toBe(false);
    for (const bad of ["/etc/passwd", "C:/x", "a/../../b", "a//b"]) {
      expect(() => safeEntryName(bad, "code")).toThrow(`code: refusing entry "${bad}"`);
    }
    expect(safeEntryName("./a\\b.js", "code")).toBe("a/b.js");
  });

  it("refuses a zip whose own entries collide with different contents", async () => {
    const dup = pyZip(path.join(tmp, "dup.zip"), [
      ["a.js", "1"],
      ["a.js", "2"],
    ]);
    await expect(mergeEntries([await listZip(dup, "code")])).rejects.toThrow(
      '"a.js" comes from both code and code',
    );
  });

  it("normalises zips that differ only in timestamps and order to the same bytes", async () => {
    const one = pyZip(path.join(tmp, "1.zip"), [
      ["a", "1", 2001],
      ["b/c", "2", 2002],
    ]);
    const two = pyZip(path.join(tmp, "2.zip"), [
      ["b/c", "2", 2019],
      ["a", "1", 2020],
    ]);
    const out = path.join(tmp, "n");
    fs.mkdirSync(out);
    expect(fs.readFileSync(one).equals(fs.readFileSync(two))).toBe(false);
    const [n1, n2] = [await normalizeZip(one, "x", out), await normalizeZip(two, "x", out)];
    expect(n1.sha256).toBe(n2.sha256);
    expect(await extractZip(n1.path, path.join(tmp, "e"))).toEqual(["a", "b/c"]);
    expect(fs.readFileSync(path.join(tmp, "e/b/c"), "utf8")).toBe("2");
  });
});
