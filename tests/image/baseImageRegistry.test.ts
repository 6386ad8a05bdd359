// Base images read from a real registry (docker-registry on 127.0.0.1 with token authentication, images pushed by
// buildah): the client's manifest, index and config handling, its authentication, and what the component does
// with what it reads: a Dockerfile with only CMD keeps its base image's ENTRYPOINT, a base image whose CMD is the
// whole program is protected, a base image's USER gets the data folder, and an unreadable base fails closed.
// Each protected image is run next to the same Dockerfile built as is: same output, same exit code, and the
// (simulated) Defender ran first.
import { simulatorConsole } from "./support";
import { ProblemsError } from "../../provider/core/problems";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { EmbeddedImageRequest, planEmbeddedImage } from "../../provider/image/embeddedImagePlan";
import { EmbedMode, InstallBundlePlacement } from "../../provider/image/embeddedImageRules";
import {
  isLoopback,
  parseChallenge,
  parseImageReference,
  readImageConfig,
} from "../../provider/image/registryImageConfig";
import { startConsoleSimulator } from "../../provider/simulator";
import { ConsoleSimulator } from "../../provider/simulator/types";
import { Buildah, buildahMissing, BUSYBOX } from "../helpers/buildah";
import { registryMissing, startRegistry, TestRegistry } from "../helpers/registry";

describe("image references and challenges", () => {
  test.each([
    ["alpine", { registry: "docker.io", repository: "library/alpine", reference: "latest" }],
    ["team/app:1.2", { registry: "docker.io", repository: "team/app", reference: "1.2" }],
    ["localhost/app", { registry: "localhost", repository: "app", reference: "latest" }],
    ["127.0.0.1:5000/a/b:tag", { registry: "127.0.0.1:5000", repository: "a/b", reference: "tag" }],
    [
      `ghcr.io/o/app:1@sha256:${"a".repeat(64)}`,
      {
        registry: "ghcr.io",
        repository: "o/app",
        reference: `sha256:${"a".repeat(64)}`,
        digest: `sha256:${"a".repeat(64)}`,
      },
    ],
  ])("%s", (ref, expected) => expect(parseImageReference(ref)).toEqual(expected));

  test("only loopback registries may be plain HTTP", () => {
    for (const host of ["127.0.0.1:5000", "localhost:5000", "127.1.2.3", "[::1]:5000"]) {
      expect(isLoopback(host)).toBe(true);
    }
    for (const host of ["10.0.0.1:5000", "registry.example.com", "127.0.0.1.example.com"]) {
      expect(isLoopback(host)).toBe(false);
    }
  });

  test("WWW-Authenticate challenges", () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      ),
    ).toEqual({
      scheme: "bearer",
      params: {
        realm: "https://auth.docker.io/token",
        service: "registry.docker.io",
        scope: "repository:library/alpine:pull",
      },
    });
    expect(parseChallenge('Basic realm="r"')).toEqual({ scheme: "basic", params: { realm: "r" } });
  });
});

const missing = [...buildahMissing(), ...registryMissing()];
const suite = missing.length ? describe.skip : describe;
if (missing.length) {
  console.warn(`Skipping the registry tests: ${missing.join("; ")}. Run scripts/setup.sh.`);
}

const APP = `#!/bin/sh
echo "args=$*"
echo "uid=$(id -u) cwd=$(pwd)"
echo "pid=$$ defender=\${TW_DEFENDER_SIMULATED:-none}" >&2
exit 3
`;
const ENTRYPOINT_SCRIPT = `#!/bin/sh
echo "prepared by docker-entrypoint.sh"
exec "$@"
`;
const BASE_LINES = [
  "FROM scratch",
  "COPY busybox /bin/busybox",
  'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
  "COPY docker-entrypoint.sh /docker-entrypoint.sh",
  "COPY app.sh /app.sh",
];
const CREDENTIALS = { username: "alice", password: "registry-pass-4711" };

let sim: ConsoleSimulator;
let registry: TestRegistry;
let work: string;
let buildah: Buildah;
let contexts = 0;
const digests: Record<string, string> = {};

function contextDir(dockerfile: string): string {
  const dir = path.join(work, `ctx-${++contexts}`);
  fs.mkdirSync(dir);
  fs.copyFileSync(BUSYBOX, path.join(dir, "busybox"));
  fs.chmodSync(path.join(dir, "busybox"), 0o755);
  fs.writeFileSync(path.join(dir, "app.sh"), APP, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, "docker-entrypoint.sh"), ENTRYPOINT_SCRIPT, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, "Dockerfile"), dockerfile);
  return dir;
}

async function push(tag: string, repo: string, extra: string[] = []) {
  const file = path.join(work, `digest-${repo.replace(/\W/g, "-")}`);
  await buildah.okAsync([
    "push",
    "-q",
    "--tls-verify=false",
    "--digestfile",
    file,
    ...extra,
    tag,
    `docker://${registry.host}/${repo}`,
  ]);
  digests[repo] = fs.readFileSync(file, "utf8").trim();
}

const read = (repo: string, options: Parameters<typeof readImageConfig>[1] = {}) =>
  readImageConfig(`${registry.host}/${repo}`, { dockerSocket: false, ...options });

function plan(over: Partial<EmbeddedImageRequest>) {
  const compute = simulatorConsole(sim);
  return planEmbeddedImage(compute, {
    mode: EmbedMode.Tarball,
    appId: "base-image",
    filesystemMonitoring: false,
    installBundlePlacement: InstallBundlePlacement.InjectAtRuntime,
    cacheDir: path.join(work, "cache"),
    ...over,
  });
}

/** The plain image (the Dockerfile as is, or the base image itself) and the protected one, both run. */
async function parity(plainTag: string, over: Partial<EmbeddedImageRequest>) {
  const p = await plan(over);
  const tag = `localhost/protected-${++contexts}:1`;
  await buildah.buildAsync(p.contextDir, tag, p.dockerfilePath);
  const env = { INSTALL_BUNDLE: p.installBundle };
  const plain = buildah.run(plainTag, env);
  const guarded = buildah.run(tag, env, ["cat", "/twistlock/defender-ran.log"]);
  expect(plain.stdout).toMatch(/args=/);
  expect(guarded.stdout).toBe(plain.stdout);
  expect(guarded.status).toBe(plain.status);
  expect(plain.stderr).toContain("defender=none");
  const pid = /pid=(\d+) defender=app-embedded/.exec(guarded.stderr);
  expect(pid).not.toBeNull();
  // Reading the marker is a second command in the same container: on failure its stderr is shown.
  expect(guarded.after).toMatchObject({ status: 0 });
  expect(guarded.after?.stdout).toContain(`app_id=base-image pid=${pid![1]} `);
  return { plan: p, plain, guarded, dockerfile: fs.readFileSync(p.dockerfilePath, "utf8") };
}

async function plainBuild(dockerfile: string) {
  const dir = contextDir(dockerfile);
  const tag = `localhost/plain-${contexts}:1`;
  await buildah.buildAsync(dir, tag);
  return { dir, tag };
}

suite("base images from a registry", () => {
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "edi-registry-"));
    buildah = new Buildah(work);
    sim = await startConsoleSimulator();
    registry = await startRegistry(path.join(work, "registry"), {
      [CREDENTIALS.username]: CREDENTIALS.password,
    });
    // A base image whose ENTRYPOINT prepares the container, and one whose CMD is the whole program.
    await buildah.buildAsync(
      contextDir(
        [...BASE_LINES, 'ENTRYPOINT ["/docker-entrypoint.sh"]', 'CMD ["/app.sh", "default"]'].join(
          "\n",
        ),
      ),
      "localhost/entry-base:1",
    );
    await buildah.buildAsync(
      contextDir(
        [...BASE_LINES, "WORKDIR /srv", "USER 10001", 'CMD ["/app.sh", "from-base"]'].join("\n"),
      ),
      "localhost/cmd-base:1",
    );
    await push("localhost/entry-base:1", "team/entry:1");
    await push("localhost/entry-base:1", "team/entry-oci:1", ["--format", "oci"]);
    await push("localhost/entry-base:1", "private/entry:1", [
      "--creds",
      `${CREDENTIALS.username}:${CREDENTIALS.password}`,
    ]);
    await push("localhost/cmd-base:1", "team/cmd:1");
    // A manifest list / OCI index with an amd64 and an arm64 image.
    for (const [arch, cmd] of [
      ["amd64", "amd"],
      ["arm64", "arm"],
    ]) {
      const c = buildah.ok(["from", "scratch"]).stdout.trim();
      buildah.ok(["config", "--arch", arch, "--os", "linux", "--cmd", cmd, c]);
      buildah.ok(["commit", "-q", c, `localhost/multi-${arch}:1`]);
    }
    for (const [list, format] of [
      ["localhost/multi-list", "v2s2"],
      ["localhost/multi-index", "oci"],
    ]) {
      buildah.ok(["manifest", "create", list]);
      for (const arch of ["amd64", "arm64"]) {
        buildah.ok(["manifest", "add", list, `containers-storage:localhost/multi-${arch}:1`]);
      }
      await buildah.okAsync([
        "manifest",
        "push",
        "-q",
        "--all",
        "--tls-verify=false",
        "--format",
        format,
        list,
        `docker://${registry.host}/team/${format === "oci" ? "multi-oci" : "multi"}:1`,
      ]);
    }
  }, 600_000);
  afterAll(async () => {
    await sim?.close();
    await registry?.close();
    if (work) {
      buildah.cleanUp();
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  describe("the client", () => {
    const entry = {
      entrypoint: ["/docker-entrypoint.sh"],
      cmd: ["/app.sh", "default"],
      user: undefined,
      workingDir: undefined,
    };

    test("Docker v2 and OCI manifests, anonymous Bearer token", async () => {
      registry.tokenRequests.length = 0;
      expect(await read("team/entry:1")).toMatchObject(entry);
      expect(await read("team/entry-oci:1")).toMatchObject(entry);
      expect(registry.tokenRequests).toEqual([
        { who: "anonymous", scope: "repository:team/entry:pull" },
        { who: "anonymous", scope: "repository:team/entry-oci:pull" },
      ]);
      expect(await read("team/cmd:1")).toMatchObject({
        entrypoint: undefined,
        cmd: ["/app.sh", "from-base"],
        user: "10001",
        workingDir: "/srv",
      });
    });

    test("by digest; an unknown digest is refused", async () => {
      expect(await read(`team/entry@${digests["team/entry:1"]}`)).toMatchObject(entry);
      await expect(read(`team/entry@sha256:${"0".repeat(64)}`)).rejects.toThrow(/answered 404/);
    });

    test("a manifest list and an OCI index: the platform's image", async () => {
      for (const repo of ["team/multi:1", "team/multi-oci:1"]) {
        expect((await read(repo)).cmd).toEqual(["amd"]);
        expect((await read(repo, { platform: "linux/arm64" })).cmd).toEqual(["arm"]);
        await expect(read(repo, { platform: "linux/s390x" })).rejects.toThrow(
          /has no linux\/s390x manifest \(it has linux\/amd64, linux\/arm64\)/,
        );
      }
    });

    test("credentials: sent to the token service of their registry only, never in errors", async () => {
      registry.tokenRequests.length = 0;
      const err = await read("private/entry:1").catch((e: Error) => e);
      expect(String(err)).toMatch(/token service .* answered 401 to an anonymous request/);
      const mine = { server: registry.host, ...CREDENTIALS };
      expect(await read("private/entry:1", { credentials: [mine] })).toMatchObject(entry);
      const other = { server: "registry.example.com", ...CREDENTIALS };
      await expect(read("private/entry:1", { credentials: [other] })).rejects.toThrow(/anonymous/);
      const wrong = { ...mine, password: "not-the-password" };
      const refused = await read("private/entry:1", { credentials: [wrong] }).catch(
        (e: Error) => e,
      );
      expect(String(refused)).toMatch(/answered 401 with the given credentials/);
      expect(String(refused)).not.toContain("not-the-password");
      // Logged once Basic credentials (if any) check out: the anonymous request, later refused, is; the wrong password is not.
      expect(registry.tokenRequests.map((r) => r.who)).toEqual(["anonymous", "alice", "anonymous"]);
    });

    test("a local Docker daemon that has the image is asked first; one that has not falls through to the registry", async () => {
      // A Unix socket answering the Engine API's image inspect (GET /images/{name}/json) as dockerd does.
      const socket = path.join(work, "docker.sock");
      const asked: string[] = [];
      const daemon = http.createServer((req, res) => {
        asked.push(req.url ?? "");
        if (req.url === "/images/local.example/app:1/json") {
          res.writeHead(200, { "Content-Type": "application/json" }).end(
            JSON.stringify({
              Id: `sha256:${"b".repeat(64)}`,
              Os: "linux",
              Architecture: "amd64",
              Config: { Entrypoint: ["/local"], Cmd: null, User: "app", WorkingDir: "/w" },
            }),
          );
        } else {
          res
            .writeHead(404, { "Content-Type": "application/json" })
            .end('{"message":"No such image"}');
        }
      });
      await new Promise<void>((resolve) => daemon.listen(socket, resolve));
      try {
        expect(await readImageConfig("local.example/app:1", { dockerSocket: socket })).toEqual({
          entrypoint: ["/local"],
          cmd: undefined,
          user: "app",
          workingDir: "/w",
          source: "the local Docker daemon",
        });
        const fromRegistry = await readImageConfig(`${registry.host}/team/entry:1`, {
          dockerSocket: socket,
        });
        expect(fromRegistry).toMatchObject({ ...entry, source: `registry ${registry.host}` });
        expect(asked).toEqual([
          "/images/local.example/app:1/json",
          `/images/${registry.host}/team/entry:1/json`,
        ]);
      } finally {
        await new Promise<void>((resolve) => daemon.close(() => resolve()));
      }
    });

    test("nothing listening: rejected", async () => {
      await expect(
        readImageConfig("127.0.0.1:1/team/entry:1", { dockerSocket: false, timeoutMs: 5000 }),
      ).rejects.toThrow();
    });
  });

  describe("what the component does with it", () => {
    test("CMD only on a base image with an ENTRYPOINT: the ENTRYPOINT is kept and wrapped", async () => {
      const { dir, tag } = await plainBuild(
        `FROM ${registry.host}/team/entry:1\nCMD ["/app.sh", "greet"]\n`,
      );
      const r = await parity(tag, { context: dir });
      expect(r.plain.stdout).toBe("prepared by docker-entrypoint.sh\nargs=greet\nuid=0 cwd=/\n");
      expect(r.plan.wrappedEntrypoint).toEqual([
        "/twistlock/defender",
        "app-embedded",
        "/docker-entrypoint.sh",
      ]);
      expect(r.plan.command).toEqual(["/app.sh", "greet"]);
      expect(r.plan.warnings).toEqual([]);
    }, 300_000);

    test("mode console: the Console's answer drops the base ENTRYPOINT, so ours is built, with a warning", async () => {
      const { dir, tag } = await plainBuild(
        `FROM ${registry.host}/team/entry:1\nCMD ["/app.sh", "greet"]\n`,
      );
      const r = await parity(tag, { context: dir, mode: EmbedMode.Console });
      expect(r.plan.warnings).toEqual([
        expect.stringContaining(
          'the Console\'s rewritten Dockerfile would run ["/twistlock/defender","app-embedded","/app.sh","greet"], but the Dockerfile, protected, runs ["/twistlock/defender","app-embedded","/docker-entrypoint.sh","/app.sh","greet"]',
        ),
      ]);
    }, 300_000);

    test("a base image whose CMD is the whole program, run as its USER 10001 in its WORKDIR", async () => {
      const { dir, tag } = await plainBuild(`FROM ${registry.host}/team/cmd:1\nENV MODE=x\n`);
      const r = await parity(tag, { context: dir });
      expect(r.plain.stdout).toBe("args=from-base\nuid=10001 cwd=/srv\n");
      expect(r.dockerfile).toContain('ADD --chown=10001 ["twistlock_defender_app_embedded.tar.gz"');
      expect(r.plan.command).toEqual(["/app.sh", "from-base"]);
    }, 300_000);

    test("mode image: the image's own configuration, no originalEntrypoint needed", async () => {
      const base = `${registry.host}/team/cmd:1`;
      await buildah.okAsync(["pull", "-q", "--tls-verify=false", base]);
      const r = await parity(base, { mode: EmbedMode.Image, baseImage: base });
      expect(r.plan.wrappedEntrypoint).toEqual(["/twistlock/defender", "app-embedded"]);
      expect(r.plan.command).toEqual(["/app.sh", "from-base"]);
    }, 300_000);

    test("an unreadable base image fails closed, naming the way out, before any Console request", async () => {
      const dir = contextDir('FROM 127.0.0.1:1/team/entry:1\nCMD ["/app.sh"]\n');
      sim.reset();
      const error = await plan({ context: dir }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(ProblemsError);
      expect((error as Error).message).toMatch(
        /^dockerfile: the base image 127\.0\.0\.1:1\/team\/entry:1 decides what the container runs \(the Dockerfile does not set ENTRYPOINT\), and its configuration could not be read: .*set `originalEntrypoint`\/`originalCommand`/,
      );
      expect(sim.requests).toEqual([]);
      const image = await plan({
        mode: EmbedMode.Image,
        baseImage: "127.0.0.1:1/team/entry:1",
        registry: { server: "127.0.0.1:1", ...CREDENTIALS },
      }).catch((e: Error) => e);
      expect((image as Error).message).toMatch(
        /^baseImage: the base image 127\.0\.0\.1:1\/team\/entry:1 decides what the container runs \(no `originalEntrypoint`\/`originalCommand` was given\)/,
      );
      expect((image as Error).message).not.toContain(CREDENTIALS.password);
      expect(sim.requests).toEqual([]);
      // The way out works without any registry.
      const given = await plan({ context: dir, originalEntrypoint: ["/docker-entrypoint.sh"] });
      expect(given.wrappedEntrypoint).toEqual([
        "/twistlock/defender",
        "app-embedded",
        "/docker-entrypoint.sh",
      ]);
    }, 300_000);
  });
});
