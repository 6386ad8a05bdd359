// What the Defender tarball says about itself (platform, version), and tarballs we refuse to build from.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tar from "tar";
import { inspectDefenderTarball } from "../../provider/image/defenderTarball";
import { checkWsAddress } from "../../provider/image/embeddedImagePlan";

let work: string;
beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), "edi-tarball-"))));
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

async function tarball(files: Record<string, string>, prefix = ""): Promise<string> {
  const src = path.join(work, "src");
  fs.mkdirSync(src, { recursive: true });
  for (const [name, content] of Object.entries(files))
    fs.writeFileSync(path.join(src, name), content);
  const file = path.join(work, `t-${Math.random().toString(16).slice(2)}.tar.gz`);
  await tar.create(
    { gzip: true, cwd: src, file },
    Object.keys(files).map((n) => prefix + n),
  );
  return file;
}

test("manifest.json gives version and platform", async () => {
  const file = await tarball({
    defender: "#!/bin/sh\n",
    "manifest.json": JSON.stringify({ version: "34.04.145", architecture: "aarch64" }),
  });
  expect(await inspectDefenderTarball(file)).toEqual({
    version: "34.04.145",
    platform: "linux/arm64",
  });
});

test("version.txt is read when there is no manifest; ./ prefixes are fine", async () => {
  const file = await tarball({ defender: "x", "version.txt": "33.01.137 x86_64\n" }, "./");
  expect(await inspectDefenderTarball(file)).toEqual({
    version: "33.01.137",
    platform: "linux/amd64",
  });
});

test("a tarball that says nothing leaves both unknown (the caller defaults)", async () => {
  const file = await tarball({ defender: "x", "manifest.json": "not json" });
  expect(await inspectDefenderTarball(file)).toEqual({ version: undefined, platform: undefined });
});

test("a tarball without a top-level defender is refused", async () => {
  fs.mkdirSync(path.join(work, "src", "bin"), { recursive: true });
  const file = await tarball({ "bin/defender": "x", "version.txt": "34.04.145 x86_64" });
  await expect(inspectDefenderTarball(file)).rejects.toThrow(
    "has no `defender` at its top level; refusing to build",
  );
});

test.each([
  ["wss://console.example.com:8084", true],
  ["wss://us-west1.cloud.twistlock.com:443", true],
  ["wss://[::1]:8084", true],
  ['wss://host:8084"\nRUN evil', false],
  ["https://console.example.com", false],
  ["", false],
])("wsAddress %j accepted: %s", (value, ok) => {
  if (ok) expect(checkWsAddress(value)).toBe(value);
  else expect(() => checkWsAddress(value)).toThrow("unusable wsAddress");
});
