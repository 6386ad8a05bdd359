// The App-Embedded Defender tarball (`GET images/twistlock_defender_app_embedded.tar.gz`). Its `defender` is a
// POSIX sh script (runs under busybox sh in a FROM scratch image) that records it ran, then execs the program it
// guards: images built with it behave like protected ones, and tests can tell the Defender ran.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as tar from "tar";

export const DEFENDER_LOG = "defender-ran.log";
export const ARCHITECTURE = "x86_64";

export function defenderScript(version: string): string {
  return `#!/bin/sh
# Prisma Cloud Compute App-Embedded Defender ${version}: SIMULATED by the prisma-defender Console simulator.
# It protects nothing. It records that it ran (a line in $DATA_FOLDER/${DEFENDER_LOG}, else /tmp/${DEFENDER_LOG},
# and one on stderr), then runs the program it guards in its place (exec), as the real Defender does. A data folder
# it cannot write makes it report that it did not start and run the program unguarded.
set -u
me="twistlock-defender(simulated)"
version="${version}"
usage() {
  echo "$me: usage: defender app-embedded <program> [args...] | defender fargate entrypoint <program> [args...]" >&2
  exit 64
}
case "\${1:-}" in
  app-embedded) mode="app-embedded"; shift ;;
  fargate)
    shift
    case "\${1:-}" in
      entrypoint) mode="fargate-entrypoint"; shift ;;
      healthcheck) exit 0 ;;
      sidecar) echo "$me: fargate sidecar start" >&2; while :; do sleep 3600; done ;;
      *) usage ;;
    esac ;;
  version|--version) echo "$version"; exit 0 ;;
  *) usage ;;
esac
[ "$#" -gt 0 ] || { echo "$me: $mode: no program to run" >&2; exit 64; }
if [ -z "\${INSTALL_BUNDLE:-}" ]; then
  echo "$me: warning: INSTALL_BUNDLE is not set: a real Defender could not connect to Console" >&2
fi
line="$mode start version=$version app_id=\${DEFENDER_APP_ID:-} pid=$$ program=$1"
# The real Defender keeps its state in DATA_FOLDER: when it cannot write there it does not start, and the program
# runs unprotected. Without DATA_FOLDER (Fargate sidecar setups) the log goes to /tmp.
if ! { printf '%s\\n' "$line" >>"\${DATA_FOLDER:-/tmp}/${DEFENDER_LOG}"; } 2>/dev/null; then
  echo "$me: error: cannot write to its data folder \${DATA_FOLDER:-/tmp}: the Defender did not start" >&2
  exec "$@"
fi
echo "$me: $mode start: $1" >&2
TW_DEFENDER_SIMULATED="$mode"
export TW_DEFENDER_SIMULATED
exec "$@"
`;
}

export function defenderManifest(version: string): Record<string, unknown> {
  return {
    name: "twistlock-defender-app-embedded",
    version,
    architecture: ARCHITECTURE,
    os: "linux",
    simulated: true,
    entrypoint: "defender",
  };
}

/** Builds the tarball: `defender` (0755), `manifest.json`, `version.txt`; fixed mtime, no owner names. */
export async function appEmbeddedTarball(version: string): Promise<Buffer> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "twsim-tarball-"));
  try {
    const files: [string, string, number][] = [
      ["defender", defenderScript(version), 0o755],
      ["manifest.json", JSON.stringify(defenderManifest(version), null, 2) + "\n", 0o644],
      ["version.txt", `${version} ${ARCHITECTURE}\n`, 0o644],
    ];
    for (const [name, content, mode] of files) {
      const file = path.join(dir, name);
      await fs.promises.writeFile(file, content);
      await fs.promises.chmod(file, mode);
    }
    const chunks: Buffer[] = [];
    const stream = tar.create(
      { gzip: { level: 9 }, cwd: dir, portable: true, mtime: new Date(Date.UTC(2024, 0, 1)) },
      files.map(([name]) => name),
    );
    for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}
