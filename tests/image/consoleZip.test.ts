// Reading the Console's app-embedded zip: the two documented entries, found by name; anything else refused.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yazl from "yazl";
import { ConsoleZipError, readConsoleZip } from "../../provider/image/consoleZip";

let work: string;
beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), "edi-zip-"))));
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

async function zipOf(entries: [string, string | Buffer][]): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of entries) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  const file = path.join(work, `answer-${Math.random().toString(16).slice(2)}.zip`);
  await new Promise<void>((resolve, reject) =>
    zip.outputStream.pipe(fs.createWriteStream(file)).on("close", resolve).on("error", reject),
  );
  return file;
}

const tarballBytes = Buffer.from("\x1f\x8b pretend tarball bytes");
const sha = createHash("sha256").update(tarballBytes).digest("hex");

test("the Dockerfile is read and the tarball stored under its sha256, privately", async () => {
  const file = await zipOf([
    ["Dockerfile", "FROM scratch\n"],
    ["twistlock_defender_app_embedded.tar.gz", tarballBytes],
  ]);
  const content = await readConsoleZip(file, work);
  expect(content.dockerfile).toBe("FROM scratch\n");
  expect(content.tarball).toEqual({ path: path.join(work, `${sha}.tar.gz`), sha256: sha });
  expect(fs.readFileSync(content.tarball.path)).toEqual(tarballBytes);
  expect(fs.statSync(content.tarball.path).mode & 0o777).toBe(0o600);
  expect(fs.readdirSync(work).filter((f) => f.startsWith(".partial"))).toEqual([]);
});

test("entries inside one folder are found too (twistcli's zip layout is not documented)", async () => {
  const file = await zipOf([
    ["app_embedded_embed_demo/Dockerfile", "FROM scratch\n"],
    ["app_embedded_embed_demo/twistlock_defender_app_embedded.tar.gz", tarballBytes],
  ]);
  expect((await readConsoleZip(file, work)).tarball.sha256).toBe(sha);
});

test.each([
  [
    "no tarball",
    [["Dockerfile", "FROM scratch\n"]],
    "has no twistlock_defender_app_embedded.tar.gz",
  ],
  ["no Dockerfile", [["twistlock_defender_app_embedded.tar.gz", "x"]], "has no Dockerfile"],
  [
    "two Dockerfiles",
    [
      ["Dockerfile", "FROM scratch\n"],
      ["other/Dockerfile", "FROM scratch\n"],
      ["twistlock_defender_app_embedded.tar.gz", "x"],
    ],
    "has 2 files named Dockerfile",
  ],
  [
    "a Dockerfile only deep inside",
    [
      ["a/b/c/Dockerfile", "FROM scratch\n"],
      ["twistlock_defender_app_embedded.tar.gz", "x"],
    ],
    "has no Dockerfile",
  ],
  [
    "a huge Dockerfile",
    [
      ["Dockerfile", "#".repeat(1024 * 1024 + 1)],
      ["twistlock_defender_app_embedded.tar.gz", "x"],
    ],
    "has a Dockerfile of 1048577 bytes",
  ],
] as [string, [string, string][], string][])("%s is refused", async (_name, entries, message) => {
  const file = await zipOf(entries);
  const error = await readConsoleZip(file, work).catch((e) => e);
  expect(error).toBeInstanceOf(ConsoleZipError);
  expect(error.message).toContain(message);
  expect(error.message).toContain("refusing to build from it");
  expect(fs.existsSync(path.join(work, "etc"))).toBe(false);
});

test("an entry climbing out with .. is refused, and nothing is written outside", async () => {
  const file = await zipOf([
    ["xx/xx/etc/Dockerfile", "FROM scratch\n"],
    ["twistlock_defender_app_embedded.tar.gz", "x"],
  ]);
  // yazl refuses to write such a name: patch it in (same length, local header and central directory).
  const bytes = fs.readFileSync(file);
  fs.writeFileSync(
    file,
    Buffer.from(bytes.toString("latin1").split("xx/xx/").join("../../"), "latin1"),
  );
  const error = await readConsoleZip(file, work).catch((e) => e);
  expect(error).toBeInstanceOf(ConsoleZipError);
  expect(error.message).toMatch(/cannot be read \(invalid relative path/);
  expect(fs.existsSync(path.join(work, "..", "etc", "Dockerfile"))).toBe(false);
});

test("bytes that are not a zip are refused", async () => {
  const file = path.join(work, "not.zip");
  fs.writeFileSync(file, "<html>proxy login</html>");
  await expect(readConsoleZip(file, work)).rejects.toThrow(/cannot be read/);
});
