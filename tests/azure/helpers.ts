// Shared by the Azure tests: copy fixtures, read trees, build NuGet packages and bundles like the Console's.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yazl from "yazl";

export const FIXTURES = path.join(__dirname, "..", "fixtures", "azure");
export const GOLDEN = path.join(__dirname, "..", "golden", "azure");
export const PROJECTS = ["inprocess", "isolated-logger", "isolated-context"];

/** Every file under `dir` (relative `/` paths) with its bytes; `twistlock/` included. */
export function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(relPath);
      else out.set(relPath, fs.readFileSync(path.join(dir, relPath)));
    }
  };
  walk("");
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A fresh copy of a fixture project in a temporary directory. */
export function copyFixture(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `azfn-${name}-`));
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

export function zip(files: Record<string, string | Buffer>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, data] of Object.entries(files))
    z.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data), name, { mtime: new Date(0) });
  z.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    z.outputStream.on("data", (c: Buffer) => chunks.push(c));
    z.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    z.outputStream.on("error", reject);
  });
}

/** A minimal NuGet package for Twistlock at `version`, laid out as NuGet writes one. */
export function twistlockNupkg(version: string): Promise<Buffer> {
  return zip({
    "Twistlock.nuspec": `<?xml version="1.0" encoding="utf-8"?>\n<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">\n  <metadata>\n    <id>Twistlock</id>\n    <version>${version}</version>\n    <authors>Palo Alto Networks</authors>\n  </metadata>\n</package>\n`,
    "lib/netstandard2.0/Twistlock.dll": "not really a dll",
  });
}
