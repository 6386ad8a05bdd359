// Mode Console: what we accept from the Console's rewritten Dockerfile, what we refuse (fail closed), and how
// INSTALL_BUNDLE is taken out of it. The shapes are the real outputs quoted in docs/console-api.md#console-dockerfile.
import {
  checkConsoleDockerfile,
  UnprotectedDockerfileError,
} from "../../provider/image/consoleDockerfile";

const BUNDLE = "eyJzZWNyZXRzIjp7fSwiZ2xvYmFsUHJveHlPcHQiOnt9fQ==";

// The shape of BILLHOPH's committed Dockerfile (SaaS), data folder /tmp.
const saas = `FROM alpine:3.19
COPY init.sh /init.sh
ENTRYPOINT ["init.sh"]

# Twistlock Container Defender - app embedded
ADD twistlock_defender_app_embedded.tar.gz /tmp
ENV DEFENDER_TYPE="appEmbedded"
ENV DEFENDER_APP_ID="demo-app"
ENV FILESYSTEM_MONITORING="false"
ENV WS_ADDRESS="wss://us-west1.cloud.twistlock.com:443"
ENV DATA_FOLDER="/tmp"
ENV INSTALL_BUNDLE="${BUNDLE}"
ENV FIPS_ENABLED="false"
ENTRYPOINT ["/tmp/defender", "app-embedded", "init.sh"]
`;

const check = { dataFolder: "/tmp", bakeInstallBundle: false };

test("the Console's block is accepted and read back", () => {
  const result = checkConsoleDockerfile(saas, check);
  expect(result.wrappedEntrypoint).toEqual(["/tmp/defender", "app-embedded", "init.sh"]);
  expect(result.command).toEqual([]);
  expect(result.environment).toEqual({
    DEFENDER_TYPE: "appEmbedded",
    DEFENDER_APP_ID: "demo-app",
    FILESYSTEM_MONITORING: "false",
    WS_ADDRESS: "wss://us-west1.cloud.twistlock.com:443",
    DATA_FOLDER: "/tmp",
    FIPS_ENABLED: "false",
  });
  expect(result.installBundle).toBe(BUNDLE);
});

test("InjectAtRuntime: the INSTALL_BUNDLE line is removed and nothing else changes", () => {
  const result = checkConsoleDockerfile(saas, check);
  expect(result.dockerfile).not.toContain(BUNDLE);
  expect(result.dockerfile).not.toContain("INSTALL_BUNDLE");
  expect(result.dockerfile).toBe(saas.replace(`ENV INSTALL_BUNDLE="${BUNDLE}"\n`, ""));
});

test("BakedIntoImage: the value is replaced by an ARG fed from a secret build arg", () => {
  const result = checkConsoleDockerfile(saas, { ...check, bakeInstallBundle: true });
  expect(result.dockerfile).not.toContain(BUNDLE);
  expect(result.dockerfile).toContain(
    'ENV DATA_FOLDER="/tmp"\nARG PRISMA_DEFENDER_INSTALL_BUNDLE\nENV INSTALL_BUNDLE="${PRISMA_DEFENDER_INSTALL_BUNDLE}"\nENV FIPS_ENABLED',
  );
  expect(result.installBundle).toBe(BUNDLE);
});

test("INSTALL_BUNDLE sharing an ENV line with other variables keeps the others", () => {
  const text = saas.replace(
    `ENV INSTALL_BUNDLE="${BUNDLE}"`,
    `ENV INSTALL_BUNDLE="${BUNDLE}" \\\n    OTHER="x y"`,
  );
  const result = checkConsoleDockerfile(text, check);
  expect(result.dockerfile).toContain('ENV OTHER="x y"\nENV FIPS_ENABLED');
  expect(result.dockerfile).not.toContain(BUNDLE);
  expect(result.installBundle).toBe(BUNDLE);
});

test("the shell form the Console writes for a shell-form ENTRYPOINT is accepted", () => {
  const text = `FROM python:3.12
ENTRYPOINT /webapp.py
ADD twistlock_defender_app_embedded.tar.gz /tmp/
ENV INSTALL_BUNDLE="${BUNDLE}"
ENTRYPOINT exec /tmp/defender app-embedded /bin/sh -c '/webapp.py'
`;
  const result = checkConsoleDockerfile(text, { ...check, bakeInstallBundle: true });
  expect(result.wrappedEntrypoint).toEqual([
    "/bin/sh",
    "-c",
    "exec /tmp/defender app-embedded /bin/sh -c '/webapp.py'",
  ]);
  expect(result.installBundle).toBe(BUNDLE);
});

test("a Console answer without INSTALL_BUNDLE gets the ARG before the ENTRYPOINT when baking", () => {
  const text = saas.replace(`ENV INSTALL_BUNDLE="${BUNDLE}"\n`, "");
  const result = checkConsoleDockerfile(text, { ...check, bakeInstallBundle: true });
  expect(result.installBundle).toBeUndefined();
  expect(result.dockerfile).toContain(
    'ENV FIPS_ENABLED="false"\nARG PRISMA_DEFENDER_INSTALL_BUNDLE\nENV INSTALL_BUNDLE="${PRISMA_DEFENDER_INSTALL_BUNDLE}"\nENTRYPOINT ["/tmp/defender"',
  );
});

describe("fails closed", () => {
  test.each([
    [
      "no ADD of the tarball",
      saas.replace(/ADD .*\n/, ""),
      /no ADD twistlock_defender_app_embedded.tar.gz \/tmp/,
    ],
    ["ADD into another folder", saas.replace("gz /tmp", "gz /opt"), /no ADD/],
    [
      "the last ENTRYPOINT is not the Defender",
      saas + 'ENTRYPOINT ["init.sh"]\n',
      /last ENTRYPOINT does not start with \/tmp\/defender app-embedded/,
    ],
    [
      "the block went to another stage",
      saas + "FROM alpine:3.19\nCOPY --from=0 /init.sh /init.sh\n",
      /no ADD/,
    ],
    ["an empty answer", "", /no FROM instruction/],
    [
      "a shell ENTRYPOINT that only mentions the defender",
      saas.replace(/ENTRYPOINT \["\/tmp.*\n/, "ENTRYPOINT echo /tmp/defender app-embedded\n"),
      /last ENTRYPOINT/,
    ],
  ])("%s", (_name, text, message) => {
    let error: unknown;
    try {
      checkConsoleDockerfile(text, check);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnprotectedDockerfileError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain("refusing to build it");
    expect((error as Error).message).not.toContain(BUNDLE);
  });
});
