// Embedded code built once per process for equal inputs, and again when an input changes or the zip is gone.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { writeZip, mergeEntries, listDirectory, extractZip } from "../../provider/core/archive";
import { buildEmbeddedCodeOnce } from "../../provider/lambda/lambdaCodeMemo";
import { codeDir } from "./support";

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-code-memo-"));
  process.env.PRISMA_DEFENDER_CACHE_DIR = path.join(tmp, "cache");
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function bundle(): Promise<string> {
  const dir = codeDir({ "twistlock/index.js": "module.exports = {};" });
  return (await writeZip(await mergeEntries([await listDirectory(dir, "x")]), tmp)).path;
}

const request = (dir: string, bundlePath: string, handler = "index.handler") => ({
  code: new pulumi.asset.FileArchive(dir),
  runtime: "nodejs20.x",
  handler,
  bundlePath,
  codeAlreadyWrapped: false,
});

describe("buildEmbeddedCodeOnce", () => {
  it("writes the zip once for equal inputs, even from separate archives of the same directory", async () => {
    const b = await bundle();
    const dir = codeDir({ "index.js": "exports.handler = async () => 1;" });
    const writes = jest.spyOn(fs.promises, "rename");
    try {
      const results = await Promise.all(
        [1, 2, 3].map(() => buildEmbeddedCodeOnce(request(dir, b))),
      );
      expect(new Set(results.map((r) => r.path)).size).toBe(1);
      expect(writes.mock.calls.filter(([, to]) => String(to) === results[0].path)).toHaveLength(1);
    } finally {
      writes.mockRestore();
    }
  });

  it("builds again when a file of the code changes, the handler differs or the zip was deleted", async () => {
    const b = await bundle();
    const dir = codeDir({ "index.js": "exports.handler = async () => 1;" });
    const first = await buildEmbeddedCodeOnce(request(dir, b));
    fs.writeFileSync(path.join(dir, "index.js"), "exports.handler = async () => 2;");
    const changed = await buildEmbeddedCodeOnce(request(dir, b));
    expect(changed.sha256).not.toBe(first.sha256);
    const out = path.join(tmp, "out");
    await extractZip(changed.path, out);
    expect(fs.readFileSync(path.join(out, "index.js"), "utf8")).toBe(
      "exports.handler = async () => 2;",
    );

    const other = await buildEmbeddedCodeOnce(request(dir, b, "index.other"));
    expect(other.sha256).not.toBe(changed.sha256);

    fs.rmSync(changed.path);
    const again = await buildEmbeddedCodeOnce(request(dir, b));
    expect(again.path).toBe(changed.path);
    expect(fs.existsSync(again.path)).toBe(true);
  });
});
