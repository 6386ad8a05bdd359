// The deploy-time plan against the Console simulator through the real client: the requests each mode makes,
// what is staged, what is refused before any request, and Console faults failing closed.
import { ProblemsError } from "../../provider/core/problems";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { consoleFor, forgetConsoles } from "../../provider/core/console/client";
import { STAGED_DOCKERFILE } from "../../provider/image/buildContext";
import { DEFENDER_TARBALL } from "../../provider/image/defenderBlock";
import { EmbeddedImageRequest, planEmbeddedImage } from "../../provider/image/embeddedImagePlan";
import {
  APP_ID_PATTERN,
  DATA_FOLDER_PATTERN,
  EmbedMode,
  InstallBundlePlacement,
} from "../../provider/image/embeddedImageRules";
import * as simulatorRules from "../../provider/simulator/appEmbedded";
import { startConsoleSimulator } from "../../provider/simulator";
import { ConsoleSimulator } from "../../provider/simulator/types";

let sim: ConsoleSimulator;
let work: string;
let context: string;
let cacheDir: string;

const APP_DOCKERFILE =
  'FROM scratch\nCOPY app /app\nENTRYPOINT ["/app", "--serve"]\nCMD ["--port", "8080"]\n';

beforeAll(async () => {
  sim = await startConsoleSimulator();
});
afterAll(() => sim.close());

beforeEach(() => {
  sim.reset();
  forgetConsoles();
  work = fs.mkdtempSync(path.join(os.tmpdir(), "edi-plan-"));
  context = path.join(work, "app");
  cacheDir = path.join(work, "cache");
  process.env.PRISMA_DEFENDER_CACHE_DIR = cacheDir;
  fs.mkdirSync(context);
  fs.writeFileSync(path.join(context, "Dockerfile"), APP_DOCKERFILE);
  fs.writeFileSync(path.join(context, "app"), "#!/bin/sh\n", { mode: 0o755 });
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const computeConsole = () =>
  consoleFor(
    {
      url: sim.url,
      username: sim.credentials.username,
      password: sim.credentials.password,
      caCertificate: sim.caCertificate,
      insecureSkipVerify: false,
      requestTimeoutSeconds: 10,
    },
    { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20, deadlineMs: 5000 },
  );

const request = (over: Partial<EmbeddedImageRequest> = {}): EmbeddedImageRequest => ({
  mode: EmbedMode.Tarball,
  context,
  appId: "demo-app",
  filesystemMonitoring: false,
  installBundlePlacement: InstallBundlePlacement.InjectAtRuntime,
  cacheDir,
  ...over,
});

const defenderRequests = () =>
  sim.requests.filter((r) => !["authenticate", "version", "_ping"].includes(r.endpoint));

test("Tarball: tarball and install bundle are fetched, the block is ours, nothing secret on disk", async () => {
  const plan = await planEmbeddedImage(computeConsole(), request());
  expect(
    defenderRequests()
      .map((r) => r.endpoint)
      .sort(),
  ).toEqual(
    [
      "defenders/install-bundle",
      "images/twistlock_defender_app_embedded.tar.gz",
      "settings/certs",
    ].sort(),
  );
  expect(plan.wrappedEntrypoint).toEqual([
    "/twistlock/defender",
    "app-embedded",
    "/app",
    "--serve",
  ]);
  expect(plan.command).toEqual(["--port", "8080"]);
  expect(plan.environment.WS_ADDRESS).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
  expect(plan.installBundle).toBe(sim.secrets.installBundle);
  expect(plan.platform).toBe("linux/amd64");
  expect(plan.defenderVersion).toBe(sim.version);
  expect(plan.warnings).toEqual([]);
  const staged = fs.readdirSync(plan.contextDir).sort();
  expect(staged).toEqual(["Dockerfile", STAGED_DOCKERFILE, "app", DEFENDER_TARBALL].sort());
  expect(plan.dockerfilePath).toBe(path.join(plan.contextDir, STAGED_DOCKERFILE));
  const dockerfile = fs.readFileSync(plan.dockerfilePath, "utf8");
  expect(dockerfile.startsWith(APP_DOCKERFILE)).toBe(true);
  expect(dockerfile).toContain(`ENV WS_ADDRESS="${plan.environment.WS_ADDRESS}"`);
  expect(dockerfile).not.toContain("INSTALL_BUNDLE");
  const everything = fs.readdirSync(cacheDir, { recursive: true }) as string[];
  for (const rel of everything) {
    const file = path.join(cacheDir, rel);
    if (fs.statSync(file).isFile() && !file.endsWith(".tar.gz") && !file.endsWith(".zip")) {
      expect(fs.readFileSync(file, "utf8")).not.toContain(sim.secrets.installBundle);
    }
  }
});

test("two runs with unchanged inputs stage the same directory", async () => {
  const first = await planEmbeddedImage(computeConsole(), request());
  forgetConsoles();
  const second = await planEmbeddedImage(computeConsole(), request());
  expect(second).toEqual(first);
});

test("Console: the Dockerfile's content is sent, the answer is checked and INSTALL_BUNDLE taken out", async () => {
  const plan = await planEmbeddedImage(
    computeConsole(),
    request({ mode: EmbedMode.Console, dataFolder: "/srv/defender", filesystemMonitoring: true }),
  );
  const [embed] = sim.requestsTo("defenders/app-embedded");
  expect(embed.method).toBe("POST");
  expect(plan.wrappedEntrypoint.slice(0, 2)).toEqual(["/srv/defender/defender", "app-embedded"]);
  expect(plan.environment).toMatchObject({
    DEFENDER_APP_ID: "demo-app",
    FILESYSTEM_MONITORING: "true",
  });
  expect(plan.warnings).toEqual([]);
  expect(plan.installBundle).toBe(sim.secrets.installBundle);
  const dockerfile = fs.readFileSync(plan.dockerfilePath, "utf8");
  expect(dockerfile).not.toContain(sim.secrets.installBundle);
  expect(dockerfile).not.toContain("INSTALL_BUNDLE");
  expect(dockerfile).toContain("ADD twistlock_defender_app_embedded.tar.gz /srv/defender");
});

test("Console + BakedIntoImage: the Dockerfile reads INSTALL_BUNDLE from a build arg", async () => {
  const plan = await planEmbeddedImage(
    computeConsole(),
    request({
      mode: EmbedMode.Console,
      installBundlePlacement: InstallBundlePlacement.BakedIntoImage,
    }),
  );
  const dockerfile = fs.readFileSync(plan.dockerfilePath, "utf8");
  expect(dockerfile).toContain('ENV INSTALL_BUNDLE="${PRISMA_DEFENDER_INSTALL_BUNDLE}"');
  expect(dockerfile).not.toContain(sim.secrets.installBundle);
});

test("Image: FROM the given image, nothing of the user's tree", async () => {
  const plan = await planEmbeddedImage(
    computeConsole(),
    request({
      mode: EmbedMode.Image,
      context: undefined,
      baseImage: "registry.example.com/team/api:1.4",
      originalEntrypoint: ["/usr/local/bin/api"],
      originalCommand: ["--port", "8080"],
    }),
  );
  expect(fs.readdirSync(plan.contextDir).sort()).toEqual(
    [STAGED_DOCKERFILE, DEFENDER_TARBALL].sort(),
  );
  expect(fs.readFileSync(plan.dockerfilePath, "utf8")).toMatch(
    /^FROM registry\.example\.com\/team\/api:1\.4\n/,
  );
  expect(plan.wrappedEntrypoint).toEqual([
    "/twistlock/defender",
    "app-embedded",
    "/usr/local/bin/api",
  ]);
});

describe("refused before any request, naming the field", () => {
  test.each<[string, () => Partial<EmbeddedImageRequest>, string[]]>([
    [
      "missing context",
      () => ({ context: path.join(work, "nope") }),
      ["context: ", "does not exist"],
    ],
    [
      "missing Dockerfile",
      () => ({ dockerfile: path.join(work, "Nope.Dockerfile") }),
      ["dockerfile: ", "does not exist"],
    ],
    [
      "bad appId and relative dataFolder together",
      () => ({ appId: "my app", dataFolder: "twistlock" }),
      ['appId: "my app"', 'dataFolder: "twistlock" must be an absolute'],
    ],
    [
      "no ENTRYPOINT or CMD",
      () => (fs.writeFileSync(path.join(context, "Dockerfile"), "FROM scratch\n"), {}),
      ["dockerfile: ", "neither ENTRYPOINT nor CMD"],
    ],
    [
      "a JSON typo",
      () => (
        fs.writeFileSync(path.join(context, "Dockerfile"), "FROM scratch\nCMD ['/app']\n"),
        {}
      ),
      ["dockerfile: ", 'line 2: CMD starts with "["'],
    ],
    [
      "Console mode with originalEntrypoint",
      () => ({ mode: EmbedMode.Console, originalEntrypoint: ["/x"] }),
      ["originalEntrypoint: cannot be used in mode `console`"],
    ],
    [
      "Console mode building an earlier stage",
      () => (
        fs.writeFileSync(
          path.join(context, "Dockerfile"),
          'FROM scratch AS a\nCMD ["x"]\nFROM a\n',
        ),
        { mode: EmbedMode.Console, target: "a" }
      ),
      ["target: a is not the last stage"],
    ],
    [
      "Image mode without baseImage",
      () => ({ mode: EmbedMode.Image, context: undefined }),
      ["baseImage: is required in mode `image`"],
    ],
    [
      "a platform typo",
      () => ({ platform: "amd64" }),
      ['platform: "amd64" must look like linux/amd64'],
    ],
  ])("%s", async (_name, change, fragments) => {
    const error = await planEmbeddedImage(computeConsole(), request(change())).catch((e) => e);
    expect(error).toBeInstanceOf(ProblemsError);
    // Each problem names its field; the component prefixes them with its name (tests/consumer/errors.test.ts).
    expect(error.problems.length).toBeGreaterThan(0);
    for (const fragment of fragments) expect(error.message).toContain(fragment);
    expect(sim.requests).toEqual([]);
  });
});

test("the appId and dataFolder rules are the simulator's, so preflight refuses what the Console would", () => {
  expect(APP_ID_PATTERN.source).toBe(simulatorRules.APP_ID_PATTERN.source);
  expect(DATA_FOLDER_PATTERN.source).toBe(simulatorRules.DATA_FOLDER_PATTERN.source);
});

test("a platform the Defender is not built for is refused", async () => {
  await expect(
    planEmbeddedImage(computeConsole(), request({ platform: "linux/arm64" })),
  ).rejects.toThrow(
    "platform: linux/arm64 does not match the Defender the Console provides (linux/amd64)",
  );
});

describe("Console faults fail closed and stage nothing", () => {
  test.each<[string, Parameters<ConsoleSimulator["injectFault"]>[0], EmbedMode]>([
    [
      "a corrupt tarball",
      { endpoint: "images/twistlock_defender_app_embedded.tar.gz", kind: "corruptArchive" },
      EmbedMode.Tarball,
    ],
    [
      "install-bundle refused",
      { endpoint: "defenders/install-bundle", kind: "status", status: 403 },
      EmbedMode.Tarball,
    ],
    [
      "app-embedded failing",
      { endpoint: "defenders/app-embedded", kind: "status", status: 500 },
      EmbedMode.Console,
    ],
    [
      "a corrupt zip",
      { endpoint: "defenders/app-embedded", kind: "corruptArchive" },
      EmbedMode.Console,
    ],
  ])("%s", async (_name, fault, mode) => {
    sim.injectFault(fault);
    const error = await planEmbeddedImage(computeConsole(), request({ mode })).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).not.toContain(sim.secrets.installBundle);
    expect(
      fs.existsSync(path.join(cacheDir, "contexts"))
        ? fs.readdirSync(path.join(cacheDir, "contexts"))
        : [],
    ).toEqual([]);
  });
});

describe("mode console gives the warnings mode tarball gives for the same Dockerfile", () => {
  test.each([
    [
      "a folder created root-owned before a non-root USER",
      'FROM scratch\nCOPY app /app\nCOPY app /twistlock/notes.txt\nUSER 10001\nENTRYPOINT ["/app"]\n',
      "line 3 (COPY) may create dataFolder /twistlock",
    ],
  ])("%s", async (_name, dockerfile, fragment) => {
    fs.writeFileSync(path.join(context, "Dockerfile"), dockerfile);
    const tarball = await planEmbeddedImage(computeConsole(), request());
    expect(tarball.warnings.length).toBeGreaterThan(0);
    forgetConsoles();
    const viaConsole = await planEmbeddedImage(
      computeConsole(),
      request({ mode: EmbedMode.Console }),
    );
    expect(tarball.warnings).toEqual([expect.stringContaining(fragment)]);
    expect(viaConsole.warnings).toEqual(tarball.warnings);
  });

  test("a non-root USER: the Console's ADD gets --chown, as ours does", async () => {
    fs.writeFileSync(
      path.join(context, "Dockerfile"),
      'FROM scratch\nCOPY app /app\nUSER app:staff\nENTRYPOINT ["/app"]\n',
    );
    const plan = await planEmbeddedImage(computeConsole(), request({ mode: EmbedMode.Console }));
    expect(fs.readFileSync(plan.dockerfilePath, "utf8")).toContain(
      "\nADD --chown=app:staff twistlock_defender_app_embedded.tar.gz /twistlock\n",
    );
    expect(plan.warnings).toEqual([]);
  });
});

describe("mode console: an answer that would run another program is never built", () => {
  test("a final stage named through ARG: the Console wraps CMD alone, our block is used instead", async () => {
    fs.writeFileSync(
      path.join(context, "Dockerfile"),
      'ARG VARIANT=base\nFROM scratch AS base\nCOPY app /app\nENTRYPOINT ["/app", "--serve"]\nFROM ${VARIANT} AS final\nCMD ["--port", "8080"]\n',
    );
    const plan = await planEmbeddedImage(computeConsole(), request({ mode: EmbedMode.Console }));
    expect(plan.warnings[0]).toBe(
      'the Console\'s rewritten Dockerfile would run ["/twistlock/defender","app-embedded","--port","8080"], but the Dockerfile, protected, runs ["/twistlock/defender","app-embedded","/app","--serve","--port","8080"] (ENTRYPOINT + CMD as Docker builds them); prisma-defender wrote the Defender block itself instead, as mode `tarball` does, with the Console\'s Defender',
    );
    expect(plan.wrappedEntrypoint).toEqual([
      "/twistlock/defender",
      "app-embedded",
      "/app",
      "--serve",
    ]);
    expect(plan.command).toEqual(["--port", "8080"]);
    const dockerfile = fs.readFileSync(plan.dockerfilePath, "utf8");
    expect(dockerfile).toContain("added by prisma-defender");
    expect(dockerfile).not.toContain("# Twistlock Container Defender");
    expect(dockerfile).not.toContain(sim.secrets.installBundle);
    expect(plan.environment.WS_ADDRESS).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    expect(plan.installBundle).toBe(sim.secrets.installBundle);
  });

  test("a Console answer that matches is built as the Console wrote it", async () => {
    const plan = await planEmbeddedImage(computeConsole(), request({ mode: EmbedMode.Console }));
    expect(plan.warnings).toEqual([]);
    expect(fs.readFileSync(plan.dockerfilePath, "utf8")).toContain(
      "# Twistlock Container Defender - app embedded",
    );
  });
});
