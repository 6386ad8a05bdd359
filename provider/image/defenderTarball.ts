// What the Console's App-Embedded Defender tarball says about itself. Its layout beyond `defender` is not
// documented (docs/console-api.md#tarball-layout), so this reads what is there and falls back: `manifest.json`
// (`version`, `architecture`, `os`), else `version.txt` (`<version> <arch>`), else nothing. A tarball without a
// `defender` at its top would build an image whose entrypoint does not exist: that is refused.
import * as tar from "tar";

export interface DefenderTarballInfo {
  /** The Defender's version, when the tarball states it. */
  version?: string;
  /** The Docker platform the Defender binary runs on, when the tarball states it (`linux/amd64`, ...). */
  platform?: string;
}

const PLATFORMS: Record<string, string> = {
  x86_64: "linux/amd64",
  amd64: "linux/amd64",
  aarch64: "linux/arm64",
  arm64: "linux/arm64",
};

const MAX_METADATA_BYTES = 64 * 1024;
const clean = (name: string) => name.replace(/^(\.\/)+/, "");

/** Read the tarball's metadata files. Throws when the archive has no top-level `defender`. */
export async function inspectDefenderTarball(file: string): Promise<DefenderTarballInfo> {
  const texts = new Map<string, string>();
  let hasDefender = false;
  await tar.t({
    file,
    onReadEntry(entry) {
      const name = clean(entry.path);
      if (name === "defender" && entry.type !== "Directory") hasDefender = true;
      if (
        (name === "manifest.json" || name === "version.txt") &&
        entry.size <= MAX_METADATA_BYTES
      ) {
        const chunks: Buffer[] = [];
        entry.on("data", (c: Buffer) => chunks.push(c));
        entry.on("end", () => texts.set(name, Buffer.concat(chunks).toString("utf8")));
      } else {
        entry.resume();
      }
    },
  });
  if (!hasDefender) {
    throw new Error(
      "the Console's App-Embedded Defender tarball has no `defender` at its top level; refusing to build an image whose entrypoint would not exist",
    );
  }
  let version: string | undefined;
  let arch: string | undefined;
  try {
    const manifest = JSON.parse(texts.get("manifest.json") ?? "{}");
    if (typeof manifest.version === "string") version = manifest.version;
    if (typeof manifest.architecture === "string") arch = manifest.architecture;
  } catch {
    // A manifest we cannot read says nothing; version.txt may.
  }
  const [textVersion, textArch] = (texts.get("version.txt") ?? "").trim().split(/\s+/);
  version ??= textVersion || undefined;
  arch ??= textArch || undefined;
  return {
    version,
    platform: arch ? (PLATFORMS[arch.toLowerCase()] ?? `linux/${arch}`) : undefined,
  };
}
