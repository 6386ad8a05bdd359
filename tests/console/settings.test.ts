// How Console settings are found (args > stack config > PRISMACLOUDCOMPUTE_* env), checked and reported.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as selfsigned from "selfsigned";
import { ConsoleSettingsError } from "../../provider/core/errors";
import {
  checkConsoleSettings,
  resolveConsoleSettings,
  SETTING_SOURCES,
} from "../../provider/core/settings";
import {
  checkApiVersion,
  checkHost,
  normalizeConsoleUrl,
  readCaCertificate,
} from "../../provider/core/settingsRules";
import { captureDeployErrors, details, installMocks } from "../helpers/pulumi";
import { startConsoleSimulator } from "../../provider/simulator";

const ENV_NAMES = Object.values(SETTING_SOURCES).flatMap((s) => (s.env ? [s.env] : []));
let pem: string;

beforeAll(async () => {
  pem = (await selfsigned.generate([{ name: "commonName", value: "test CA" }], { keyType: "ec" }))
    .cert;
});

beforeEach(() => {
  for (const name of ENV_NAMES) delete process.env[name];
  installMocks();
});

/** The message of the error `fn` throws synchronously. */
function thrown(fn: () => unknown): ConsoleSettingsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConsoleSettingsError);
    return e as ConsoleSettingsError;
  }
  throw new Error("expected a ConsoleSettingsError");
}

describe("resolveConsoleSettings", () => {
  it("resolves args into a secret Output with defaults and a normalised URL", async () => {
    const out = resolveConsoleSettings(
      { url: "https://console.example.com:8083/", username: "admin", password: "s3cret-pw" },
      "task",
    );
    const d = await details(out);
    expect(d.secret).toBe(true);
    expect(d.value).toEqual({
      url: "https://console.example.com:8083",
      username: "admin",
      password: "s3cret-pw",
      insecureSkipVerify: false,
      requestTimeoutSeconds: 60,
    });
  });

  it("takes each field from args, then stack config, then the environment", async () => {
    installMocks({
      config: {
        "prisma-defender:consoleUrl": "https://from-config.example.com",
        "prisma-defender:username": "config-user",
        "prisma-defender:password": "config-password",
        "prisma-defender:requestTimeoutSeconds": "15",
      },
      secretKeys: ["prisma-defender:password"],
    });
    process.env.PRISMACLOUDCOMPUTE_CONSOLE_URL = "https://from-env.example.com";
    process.env.PRISMACLOUDCOMPUTE_USERNAME = "env-user";
    process.env.PRISMACLOUDCOMPUTE_PROJECT = "Central Console";
    process.env.PRISMACLOUDCOMPUTE_API_VERSION = "34.03";
    process.env.PRISMACLOUDCOMPUTE_INSECURE = "true";
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    const d = await details(
      resolveConsoleSettings({ username: "arg-user", requestTimeoutSeconds: 5 }, "task"),
    );
    warn.mockRestore();
    expect(d.value).toEqual({
      url: "https://from-config.example.com",
      username: "arg-user",
      password: "config-password",
      project: "Central Console",
      apiVersion: "34.03",
      insecureSkipVerify: true,
      requestTimeoutSeconds: 5,
    });
  });

  it("reads a token and a CA certificate file path from the environment", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pd-ca-")), "ca.pem");
    fs.writeFileSync(file, pem);
    process.env.PRISMACLOUDCOMPUTE_CONSOLE_URL = "https://c.example.com/us-3-123/api/v1/";
    process.env.PRISMACLOUDCOMPUTE_TOKEN = "tok-from-env-123";
    process.env.PRISMACLOUDCOMPUTE_CA_CERT = file;
    const d = await details(resolveConsoleSettings(undefined, "fn"));
    expect(d.value).toMatchObject({
      url: "https://c.example.com/us-3-123",
      token: "tok-from-env-123",
      caCertificate: expect.stringContaining("-----BEGIN CERTIFICATE-----"),
    });
  });

  it("falls through an empty environment variable to nothing, and an Output arg to its value", async () => {
    process.env.PRISMACLOUDCOMPUTE_CONSOLE_URL = "  ";
    const e = thrown(() => resolveConsoleSettings({ token: "t0ken-value" }, "x"));
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toContain("no Console URL");
    const d = await details(
      resolveConsoleSettings(
        { url: pulumi.output("https://c.example.com"), token: pulumi.secret("t0ken-value") },
        "x",
      ),
    );
    expect(d.value?.url).toBe("https://c.example.com");
  });

  it("accepts the whole console object as one Output, as another language may send it", async () => {
    process.env.PRISMACLOUDCOMPUTE_CONSOLE_URL = "https://from-env.example.com";
    const args = pulumi.secret({ username: "u", password: "pw-from-python" });
    const d = await details(resolveConsoleSettings(args, "t"));
    expect(d.value).toMatchObject({
      url: "https://from-env.example.com",
      username: "u",
      password: "pw-from-python",
    });
    expect(d.secret).toBe(true);
  });

  it("checks a whole-Output console object once it resolves", async () => {
    const errors = await captureDeployErrors(() =>
      resolveConsoleSettings(pulumi.output({ token: "tok-abcdef", password: "pw-abcdef" }), "t"),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("no Console URL");
    expect(errors[0]).toContain("both a token (arg `token`) and a password (arg `password`)");
    expect(errors[0]).not.toContain("pw-abcdef");
  });

  it("reports every missing setting at once, synchronously, with where to set it", () => {
    const e = thrown(() => resolveConsoleSettings(undefined, "my-task"));
    expect(e.message).toContain('"my-task"');
    expect(e.problems).toEqual([
      "no Console URL: set the `url` arg, stack config `prisma-defender:consoleUrl` or env PRISMACLOUDCOMPUTE_CONSOLE_URL",
      "no credentials: set `token` (the `token` arg, stack config `prisma-defender:token` or env PRISMACLOUDCOMPUTE_TOKEN), or `username` and `password` (the `username` arg, stack config `prisma-defender:username` or env PRISMACLOUDCOMPUTE_USERNAME; the `password` arg, stack config `prisma-defender:password` or env PRISMACLOUDCOMPUTE_PASSWORD)",
    ]);
  });

  it("knows that an Output is present before it resolves", () => {
    const e = thrown(() =>
      resolveConsoleSettings(
        { url: pulumi.output("https://c.example.com"), username: pulumi.output("u") },
        "t",
      ),
    );
    expect(e.problems).toEqual([
      "a username (arg `username`) but no password: set the `password` arg, stack config `prisma-defender:password` or env PRISMACLOUDCOMPUTE_PASSWORD",
    ]);
  });

  it("names the sources of contradictory settings, never their values", () => {
    process.env.PRISMACLOUDCOMPUTE_PASSWORD = "env-password-value";
    const e = thrown(() =>
      resolveConsoleSettings(
        {
          url: "https://c.example.com",
          token: "token-value-xyz",
          insecureSkipVerify: true,
          caCertificate: pem,
        },
        "t",
      ),
    );
    expect(e.problems).toEqual([
      "both a token (arg `token`) and a password (env PRISMACLOUDCOMPUTE_PASSWORD) are set: use either `token`, or `username` and `password`, not both",
      "insecureSkipVerify (arg `insecureSkipVerify`) and caCertificate (arg `caCertificate`) are both set: a CA is only useful when the certificate is verified; keep one",
    ]);
    expect(e.message).not.toContain("env-password-value");
    expect(e.message).not.toContain("token-value-xyz");
  });

  it("rejects malformed values before any request, naming the field and where it came from", () => {
    process.env.PRISMACLOUDCOMPUTE_REQUEST_TIMEOUT = "0";
    const e = thrown(() =>
      resolveConsoleSettings(
        {
          url: "console.example.com:8083",
          username: "u",
          password: "p4ssw0rd",
          apiVersion: "v34.04",
          consoleAddress: "https://console.example.com:8083",
        },
        "t",
      ),
    );
    expect(e.problems).toEqual([
      expect.stringMatching(/^url \(arg `url`\) must start with https:\/\//),
      'apiVersion (arg `apiVersion`) must look like 34.04 (major.minor, no "v", no patch number); got "v34.04"',
      'consoleAddress (arg `consoleAddress`) must be a host name such as console.example.com, not a URL; got "https://console.example.com:8083" (use "console.example.com")',
      'requestTimeoutSeconds (env PRISMACLOUDCOMPUTE_REQUEST_TIMEOUT) must be a number of seconds greater than 0; got "0"',
    ]);
  });

  it("takes maxInFlight from the arg, stack config or PRISMACLOUDCOMPUTE_MAX_IN_FLIGHT, and refuses what is not 1-256", async () => {
    const base = { url: "https://c.example.com", username: "u", password: "p4ssw0rd" };
    expect(
      (await details(resolveConsoleSettings({ ...base, maxInFlight: 4 }, "fn"))).value,
    ).toEqual(expect.objectContaining({ maxInFlight: 4 }));
    process.env.PRISMACLOUDCOMPUTE_MAX_IN_FLIGHT = "32";
    expect((await details(resolveConsoleSettings(base, "fn"))).value).toEqual(
      expect.objectContaining({ maxInFlight: 32 }),
    );
    installMocks({ config: { "prisma-defender:maxInFlight": "8" } });
    expect((await details(resolveConsoleSettings(base, "fn"))).value).toEqual(
      expect.objectContaining({ maxInFlight: 8 }),
    );
    for (const bad of [0, 2.5, 257, "many"]) {
      const e = thrown(() => resolveConsoleSettings({ ...base, maxInFlight: bad as number }, "fn"));
      expect(e.problems).toEqual([
        `maxInFlight (arg \`maxInFlight\`) must be a whole number of requests from 1 to 256 (default 16); got "${bad}"`,
      ]);
    }
    // Unset, the resolved settings have no maxInFlight (the client applies the default of 16).
    delete process.env.PRISMACLOUDCOMPUTE_MAX_IN_FLIGHT;
    installMocks();
    expect((await details(resolveConsoleSettings(base, "fn"))).value).not.toHaveProperty(
      "maxInFlight",
    );
  });

  it("warns once when TLS verification is turned off", async () => {
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      const args = {
        url: "https://insecure.example.com",
        token: "tok-123456",
        insecureSkipVerify: true,
      };
      await details(resolveConsoleSettings(args, "a"));
      await details(resolveConsoleSettings(args, "b"));
      const lines = warn.mock.calls
        .map((c) => String(c[0]))
        .filter((l) => l.includes("insecure.example.com"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(
        "TLS verification of the Console at https://insecure.example.com is OFF",
      );
      expect(lines[0]).not.toContain("tok-123456");
    } finally {
      warn.mockRestore();
    }
  });
});

describe("a plain-http Console URL", () => {
  const base = {
    url: { value: "http://console.example.com:8081", where: "arg `url`" },
    username: { value: "admin", where: "arg `username`" },
    password: { value: "pw", where: "arg `password`" },
  };

  it("is refused without the opt-in, naming https://, port 8083 and where to opt in", () => {
    const { settings, problems } = checkConsoleSettings(base);
    expect(settings).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("url (arg `url`) is plain http");
    expect(problems[0]).toContain("use https://console.example.com:8081");
    expect(problems[0]).toContain("port 8083");
    expect(problems[0]).toContain("stack config `prisma-defender:allowInsecureHttp`");
    expect(problems[0]).toContain("PRISMACLOUDCOMPUTE_ALLOW_INSECURE_HTTP");
  });

  it.each([
    ["arg", { value: true, where: "arg `allowInsecureHttp`" }],
    ["env", { value: "true", where: "env PRISMACLOUDCOMPUTE_ALLOW_INSECURE_HTTP" }],
  ])("is allowed with the opt-in (%s)", (_n, allowInsecureHttp) => {
    const { settings, problems } = checkConsoleSettings({ ...base, allowInsecureHttp });
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({
      url: "http://console.example.com:8081",
      allowInsecureHttp: true,
    });
  });

  it("fails before any request to the Console", async () => {
    const sim = await startConsoleSimulator({ https: false });
    try {
      expect(() =>
        resolveConsoleSettings(
          { url: sim.url, username: "admin", password: sim.credentials.password },
          "ProtectedLambda",
        ),
      ).toThrow(/plain http/);
      expect(sim.requests).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});

describe("checkConsoleSettings (values that were Outputs)", () => {
  it("checks resolved values with the same rules", () => {
    const { settings, problems } = checkConsoleSettings({
      url: { value: "https://c.example.com?x=1", where: "arg `url`" },
      token: { value: "t0ken", where: "arg `token`" },
      requestTimeoutSeconds: { value: -1, where: "arg `requestTimeoutSeconds`" },
    });
    expect(settings).toBeUndefined();
    expect(problems).toEqual([
      'url (arg `url`) must not have a query or fragment (found "?..."): give the Console\'s base URL; set the project with `project`',
      'requestTimeoutSeconds (arg `requestTimeoutSeconds`) must be a number of seconds greater than 0; got "-1"',
    ]);
  });
});

describe("setting rules", () => {
  it.each([
    ["https://console.example.com:8083", "https://console.example.com:8083"],
    ["https://console.example.com:8083//", "https://console.example.com:8083"],
    ["https://Console.Example.com/api/v1", "https://console.example.com"],
    [
      "https://us-west1.cloud.twistlock.com/us-3-123456789",
      "https://us-west1.cloud.twistlock.com/us-3-123456789",
    ],
    [
      "https://us-west1.cloud.twistlock.com/us-3-123456789/api/v34.04/",
      "https://us-west1.cloud.twistlock.com/us-3-123456789",
    ],
    ["https://c.example.com/us-3-1/api", "https://c.example.com/us-3-1"],
    ["http://127.0.0.1:8081", "http://127.0.0.1:8081"],
  ])("normalises %s", (input, expected) => {
    expect(normalizeConsoleUrl(input, "url")).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["ftp://c.example.com", "must start with https://"],
    ["https://c.example.com/#frag", "must not have a query or fragment"],
    ["https://c.example.com/?access_token=hunter22", "must not have a query or fragment"],
    ["https://c.example.com/#access_token=hunter22", "must not have a query or fragment"],
    ["https://admin:hunter22@c.example.com", "must not contain credentials"],
  ])("rejects %s", (input, problem) => {
    const r = normalizeConsoleUrl(input, "url");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toContain(problem);
    expect(!r.ok && r.problem).not.toContain("hunter22");
  });

  it("accepts only major.minor API versions", () => {
    expect(checkApiVersion("34.04", "v").ok).toBe(true);
    expect(checkApiVersion("34.04.145", "v").ok).toBe(false);
    expect(checkApiVersion("v1", "v").ok).toBe(false);
  });

  it("accepts host names and IPs, not URLs or host:port", () => {
    expect(checkHost("console.example.com", "h")).toEqual({
      ok: true,
      value: "console.example.com",
    });
    expect(checkHost("10.0.0.5", "h").ok).toBe(true);
    expect(checkHost("::1", "h").ok).toBe(true);
    const r = checkHost("console.example.com:8084", "h");
    expect(!r.ok && r.problem).toContain('(use "console.example.com": the port is not part of it)');
  });

  it("accepts PEM text or a PEM file, and rejects anything else naming the setting", () => {
    expect(readCaCertificate(pem, "ca")).toEqual({
      ok: true,
      value: expect.stringContaining("BEGIN CERTIFICATE"),
    });
    const missing = readCaCertificate("/nonexistent/ca.pem", "caCertificate (env X)");
    expect(!missing.ok && missing.problem).toBe(
      "caCertificate (env X) is neither PEM text (-----BEGIN CERTIFICATE-----) nor a readable file: ENOENT",
    );
    const broken = readCaCertificate(
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
      "ca",
    );
    expect(!broken.ok && broken.problem).toContain("not a valid X.509 certificate");
  });
});
