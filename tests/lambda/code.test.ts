// Reading the user's code as Pulumi hands it over, and building embedded code from it (no Pulumi engine needed).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { writeZip, mergeEntries, listDirectory, extractZip } from "../../provider/core/archive";
import {
  buildEmbeddedCode,
  listPulumiArchive,
  nodeHandlerModuleType,
} from "../../provider/lambda/lambdaCode";
import { codeDir } from "./support";

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-code-test-"));
  process.env.PRISMA_DEFENDER_CACHE_DIR = path.join(tmp, "cache");
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function zipOf(files: Record<string, string>): Promise<string> {
  const dir = codeDir(files);
  const written = await writeZip(await mergeEntries([await listDirectory(dir, "x")]), tmp);
  fs.rmSync(dir, { recursive: true, force: true });
  return written.path;
}

describe("listPulumiArchive", () => {
  it("reads AssetArchives with nested archives, file assets and string assets, under their keys", async () => {
    const dir = codeDir({ "a.js": "a", "lib/b.js": "b" });
    const zip = await zipOf({ "z.py": "z" });
    const file = path.join(codeDir({ "f.txt": "f" }), "f.txt");
    const archive = new pulumi.asset.AssetArchive({
      "index.js": new pulumi.asset.StringAsset("i"),
      vendor: new pulumi.asset.FileArchive(dir),
      py: new pulumi.asset.FileArchive(zip),
      "conf/f.txt": new pulumi.asset.FileAsset(file),
      nested: new pulumi.asset.AssetArchive({ "n.js": new pulumi.asset.StringAsset("n") }),
    });
    const names = (await listPulumiArchive(archive, "code")).map((e) => e.name).sort();
    expect(names).toEqual([
      "conf/f.txt",
      "index.js",
      "nested/n.js",
      "py/z.py",
      "vendor/a.js",
      "vendor/lib/b.js",
    ]);
  });

  it("refuses remote archives and tarballs with the forms it reads", async () => {
    await expect(
      listPulumiArchive(new pulumi.asset.RemoteArchive("https://example.com/x.zip"), "code"),
    ).rejects.toThrow(
      "code: embedded mode reads FileArchive, AssetArchive, FileAsset and StringAsset only",
    );
    const tgz = path.join(tmp, "code.tgz");
    fs.writeFileSync(tgz, "x");
    await expect(listPulumiArchive(new pulumi.asset.FileArchive(tgz), "code")).rejects.toThrow(
      "is neither a directory nor a .zip/.jar file",
    );
  });
});

describe("buildEmbeddedCode", () => {
  it("merges a zip of code, the bundle and the wrapper, and gives the same zip for the same inputs", async () => {
    const bundle = await zipOf({
      "twistlock/index.js": "exports.handler = (f) => f; exports.asyncHandler = (f) => f;",
    });
    const code = new pulumi.asset.FileArchive(
      await zipOf({ "index.js": "exports.handler = async () => 1;" }),
    );
    const request = {
      code,
      runtime: "nodejs20.x",
      handler: "index.handler",
      bundlePath: bundle,
      codeAlreadyWrapped: false,
    };
    const first = await buildEmbeddedCode(request);
    const second = await buildEmbeddedCode(request);
    expect(second).toEqual(first);
    expect(first.handler).toBe("_prisma_defender_wrapper.handler");
    expect(first.sourceCodeHash).toBe(Buffer.from(first.sha256, "hex").toString("base64"));
    const out = path.join(tmp, "out");
    expect(await extractZip(first.path, out)).toEqual([
      "_prisma_defender_wrapper.mjs",
      "index.js",
      "twistlock/index.js",
      "twistlock/package.json",
    ]);
  });

  it("refuses a bundle with no twistlock module: it would deploy unprotected code", async () => {
    const bundle = await zipOf({ "readme.txt": "not a defender" });
    await expect(
      buildEmbeddedCode({
        code: new pulumi.asset.FileArchive(codeDir({ "app.py": "" })),
        runtime: "python3.12",
        handler: "app.handler",
        bundlePath: bundle,
        codeAlreadyWrapped: false,
      }),
    ).rejects.toThrow("the Defender bundle from the Console holds no twistlock module (1 entries)");
  });

  it("refuses code that already holds the wrapper's file name", async () => {
    const bundle = await zipOf({ "twistlock/__init__.py": "" });
    const code = new pulumi.asset.FileArchive(
      codeDir({ "app.py": "", "_prisma_defender_wrapper.py": "mine" }),
    );
    await expect(
      buildEmbeddedCode({
        code,
        runtime: "python3.12",
        handler: "app.handler",
        bundlePath: bundle,
        codeAlreadyWrapped: false,
      }),
    ).rejects.toThrow(
      'code: "_prisma_defender_wrapper.py" comes from both code and the generated wrapper with different contents.',
    );
  });
});

describe("nodeHandlerModuleType", () => {
  it("follows the nearest package.json, as Node does", async () => {
    const code = new pulumi.asset.FileArchive(
      codeDir({
        "package.json": '{"type":"module"}',
        "a.js": "",
        "cjs/package.json": '{"type":"commonjs"}',
        "cjs/b.js": "",
      }),
    );
    expect(await nodeHandlerModuleType(code, "a.handler")).toBe("ecmascript");
    expect(await nodeHandlerModuleType(code, "cjs/b.handler")).toBe("commonjs");
    expect(await nodeHandlerModuleType(code, "missing.handler")).toBeUndefined();
  });
});
