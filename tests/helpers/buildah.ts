// Building and running images with buildah (vfs storage, chroot isolation: no daemon), for tests that compare a
// Dockerfile built as is with the same Dockerfile protected. Needs buildah, busybox-static and root.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export const BUSYBOX = "/bin/busybox";

/** Why buildah tests cannot run here, or [] when they can. */
export function buildahMissing(): string[] {
  return [
    spawnSync("buildah", ["--version"]).status === 0 ? "" : "buildah is not installed",
    fs.existsSync(BUSYBOX) ? "" : `${BUSYBOX} (busybox-static) is missing`,
    process.getuid?.() === 0 ? "" : "buildah with vfs storage and chroot isolation needs root here",
  ].filter(Boolean);
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  User?: string;
  WorkingDir?: string;
}

/** A private buildah store under `dir`. */
export class Buildah {
  private readonly storage: string[];
  private containers = 0;

  constructor(readonly dir: string) {
    this.storage = [
      "--root",
      path.join(dir, "root"),
      "--runroot",
      path.join(dir, "runroot"),
      "--storage-driver",
      "vfs",
    ];
  }

  raw(args: string[]): RunResult {
    const r = spawnSync("buildah", [...this.storage, ...args], {
      encoding: "utf8",
      timeout: 240_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /**
   * Like `ok`, without blocking the event loop: for commands that talk to a server in this process (a token
   * service), which could not answer while spawnSync waits.
   */
  async okAsync(args: string[]): Promise<RunResult> {
    const child = spawn("buildah", [...this.storage, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const status = await new Promise<number | null>((resolve) => child.once("close", resolve));
    if (status !== 0) {
      throw new Error(`buildah ${args.join(" ")} failed (${status}): ${stderr}${stdout}`);
    }
    return { status, stdout, stderr };
  }

  ok(args: string[]): RunResult {
    const r = this.raw(args);
    if (r.status !== 0) {
      throw new Error(`buildah ${args.join(" ")} failed (${r.status}): ${r.stderr}${r.stdout}`);
    }
    return r;
  }

  private budArgs(
    context: string,
    tag: string,
    dockerfile?: string,
    buildArgs: Record<string, string> = {},
  ) {
    const args = Object.entries(buildArgs).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]);
    return [
      "bud",
      "--isolation",
      "chroot",
      "-q",
      // Base images may come from a test registry on 127.0.0.1 over plain HTTP.
      "--tls-verify=false",
      ...args,
      ...(dockerfile ? ["-f", dockerfile] : []),
      "-t",
      tag,
      context,
    ];
  }

  build(context: string, tag: string, dockerfile?: string, buildArgs: Record<string, string> = {}) {
    this.ok(this.budArgs(context, tag, dockerfile, buildArgs));
  }

  async buildAsync(context: string, tag: string, dockerfile?: string) {
    await this.okAsync(this.budArgs(context, tag, dockerfile));
  }

  config(tag: string): ImageConfig {
    return JSON.parse(this.ok(["inspect", "--type", "image", tag]).stdout).OCIv1.config;
  }

  /**
   * Run the image as a container runtime would: Entrypoint + Cmd as the image's User in its WorkingDir, with
   * extra environment. `after`: a second command run in the same container afterwards (to read files).
   */
  run(tag: string, env: Record<string, string> = {}, after?: string[]) {
    const config = this.config(tag);
    const container = this.ok([
      "from",
      "--name",
      `run-${++this.containers}-${tag.replace(/\W/g, "-")}`,
      tag,
    ]).stdout.trim();
    for (const [k, v] of Object.entries(env)) this.ok(["config", "--env", `${k}=${v}`, container]);
    const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
    const run = this.raw(["run", "--isolation", "chroot", container, "--", ...argv]);
    const then = after && this.raw(["run", "--isolation", "chroot", container, "--", ...after]);
    return { config, argv, ...run, after: then };
  }

  cleanUp() {
    spawnSync("buildah", [...this.storage, "rm", "--all"]);
    spawnSync("buildah", [...this.storage, "rmi", "--all", "--force"]);
  }
}
