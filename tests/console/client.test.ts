// The Console client against the real simulator over HTTPS: auth modes, versions, SaaS paths, projects, TLS,
// renewal and single flight.
import * as http from "http";
import type { AddressInfo } from "net";
import { chooseConsoleAddress } from "../../provider/core/console/clientRules";
import { ENDPOINTS } from "../../provider/core/console/endpoints";
import { consoleFor } from "../../provider/core/console/client";
import { ConsoleError } from "../../provider/core/errors";
import { startConsoleSimulator, type ConsoleSimulator } from "../../provider/simulator";
import {
  everything,
  FAST,
  rejectionOf,
  secretsOf,
  settingsFor,
  useFreshCacheAndClients,
} from "./support";
import { fakeWallClock } from "../helpers/clock";

const TASK = {
  family: "web",
  containerDefinitions: [{ name: "app", image: "nginx", entryPoint: ["/docker-entrypoint.sh"] }],
};

useFreshCacheAndClients();
let sim: ConsoleSimulator;
beforeAll(async () => {
  sim = await startConsoleSimulator({
    projects: ["team-a"],
    consoleSAN: ["127.0.0.1", "localhost"],
  });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const summary = (s: ConsoleSimulator) =>
  s.requests.map((r) => `${r.method} ${r.path} ${r.status} ${r.auth}`);

describe("username and password", () => {
  it("signs in once, detects the version and protects a task at /api/v34.04", async () => {
    const c = consoleFor(settingsFor(sim), FAST);
    const protectedTask = await c.protectFargateTask(TASK, { consoleAddress: "127.0.0.1" });
    const names = (protectedTask.containerDefinitions as { name: string }[]).map((d) => d.name);
    expect(names).toEqual(["app", "TwistlockDefender"]);
    expect(summary(sim)).toEqual([
      "POST /api/v1/authenticate 200 none",
      "GET /api/v1/version 200 bearer",
      "POST /api/v34.04/defenders/fargate.json 200 bearer",
    ]);
    expect(sim.requestsTo("defenders/fargate.json")[0].query).toEqual({
      consoleaddr: "127.0.0.1",
      defenderType: "appEmbedded",
    });
    expect(await c.consoleVersion()).toBe("34.04.145");
    expect(await c.apiVersion()).toBe("34.04");
  });

  it("runs one sign-in for many concurrent first requests", async () => {
    const c = consoleFor(settingsFor(sim), FAST);
    await Promise.all([
      c.consoleVersion(),
      c.installBundle("127.0.0.1"),
      c.consoleAddress(),
      c.encodeServerlessPolicy({ consoleAddr: "127.0.0.1", function: "f1", provider: "aws" }),
      c.encodeServerlessPolicy({ consoleAddr: "127.0.0.1", function: "f2", provider: "aws" }),
    ]);
    expect(sim.requestsTo("authenticate")).toHaveLength(1);
  });

  it("makes one Console request for 100 concurrent identical calls", async () => {
    const c = consoleFor(settingsFor(sim), FAST);
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        c.protectFargateTask(TASK, { consoleAddress: "127.0.0.1" }),
      ),
    );
    expect(sim.requestsTo("defenders/fargate.json")).toHaveLength(1);
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    // Each caller gets its own copy: one caller's edits do not reach another.
    (results[0].containerDefinitions as unknown[]).length = 0;
    expect((results[1].containerDefinitions as unknown[]).length).toBe(2);
  });

  it("is one client per identity: same settings share, another password does not", () => {
    const a = consoleFor(settingsFor(sim), FAST);
    expect(consoleFor(settingsFor(sim), FAST)).toBe(a);
    expect(consoleFor(settingsFor(sim, { password: "other-password" }), FAST)).not.toBe(a);
  });

  it("signs in again when the token expires mid-run", async () => {
    const c = consoleFor(settingsFor(sim), FAST);
    await c.consoleVersion();
    sim.injectFault({ endpoint: "defenders/install-bundle", kind: "expireToken", times: 1 });
    const bundle = await c.installBundle("127.0.0.1");
    expect(bundle.installBundle).toBe(sim.secrets.installBundle);
    expect(summary(sim)).toEqual([
      "POST /api/v1/authenticate 200 none",
      "GET /api/v1/version 200 bearer",
      "GET /api/v34.04/defenders/install-bundle 401 none",
      "POST /api/v1/authenticate 200 none",
      "GET /api/v34.04/defenders/install-bundle 200 bearer",
    ]);
  });

  it("renews a token ahead of its expiry instead of waiting for a 401", async () => {
    const short = await startConsoleSimulator({ tokenTtlSeconds: 2 });
    const clock = fakeWallClock();
    try {
      const c = consoleFor(settingsFor(short), FAST);
      await c.consoleVersion();
      // 1.8 s into its 2 s life the Console still accepts the token, but the client's renewal is due by then.
      clock.advance(1800);
      await c.installBundle("127.0.0.1");
      expect(summary(short).map((l) => l.replace(/ \S+$/, ""))).toEqual([
        "POST /api/v1/authenticate 200",
        "GET /api/v1/version 200",
        "POST /api/v1/authenticate 200",
        "GET /api/v34.04/defenders/install-bundle 200",
      ]);
    } finally {
      clock.restore();
      await short.close();
    }
  });

  it("reports wrong credentials once, with the credentials hint and without the password", async () => {
    const c = consoleFor(settingsFor(sim, { password: "wrong-password-123" }), FAST);
    const e = await rejectionOf(c.consoleVersion());
    expect(e).toBeInstanceOf(ConsoleError);
    expect(e).toMatchObject({ status: 401, kind: "auth", endpoint: "POST /api/v1/authenticate" });
    expect(e.message).toContain("Check the credentials");
    expect(everything(e)).not.toContain("wrong-password-123");
    expect(sim.requestsTo("authenticate")).toHaveLength(1);
  });
});

describe("a given token", () => {
  it("is sent as Bearer without signing in, and a 401 says it cannot be renewed", async () => {
    const signIn = consoleFor(settingsFor(sim), FAST);
    await signIn.consoleVersion();
    const token = sim.tokensIssued().at(-1)!;
    sim.reset();
    const c = consoleFor(
      settingsFor(sim, { username: undefined, password: undefined, token }),
      FAST,
    );
    expect(await c.consoleVersion()).toBe("34.04.145");
    expect(summary(sim)).toEqual(["GET /api/v1/version 200 bearer"]);
    sim.injectFault({ endpoint: "defenders/install-bundle", kind: "expireToken" });
    const e = await rejectionOf(c.installBundle("127.0.0.1"));
    expect(e).toMatchObject({ status: 401, kind: "auth" });
    expect(e.message).toContain("a given token cannot be renewed");
    expect(everything(e)).not.toContain(token);
    expect(sim.requestsTo("authenticate")).toHaveLength(0);
  });
});

describe("SaaS tenant path and access keys", () => {
  it("keeps the tenant segment in every request and signs in with the access key pair", async () => {
    const saas = await startConsoleSimulator({
      tenantPath: "/us-3-123456789",
      users: [{ username: "0f3c-access-key-id", password: "SecretKey+/=value" }],
    });
    try {
      expect(saas.url).toMatch(/\/us-3-123456789$/);
      const c = consoleFor(
        settingsFor(saas, { username: "0f3c-access-key-id", password: "SecretKey+/=value" }),
        FAST,
      );
      expect(await c.installBundle("127.0.0.1")).toMatchObject({
        wsAddress: "wss://127.0.0.1:443",
      });
      expect(saas.requests.map((r) => r.path)).toEqual([
        "/us-3-123456789/api/v1/authenticate",
        "/us-3-123456789/api/v1/version",
        "/us-3-123456789/api/v34.04/defenders/install-bundle",
      ]);
    } finally {
      await saas.close();
    }
  });

  it("explains a 404 from a URL without the tenant segment", async () => {
    const saas = await startConsoleSimulator({ tenantPath: "/us-3-123456789" });
    try {
      const c = consoleFor(
        settingsFor(saas, { url: saas.url.replace(/\/us-3-123456789$/, "") }),
        FAST,
      );
      const e = await rejectionOf(c.consoleVersion());
      expect(e).toMatchObject({ status: 404 });
      expect(e.hint).toContain("tenant segment");
      expect(saas.requests).toHaveLength(1);
    } finally {
      await saas.close();
    }
  });
});

describe("API versions", () => {
  it("uses the detected version of an older Console", async () => {
    const old = await startConsoleSimulator({ version: "33.01.137" });
    try {
      const c = consoleFor(settingsFor(old), FAST);
      expect(await c.apiVersion()).toBe("33.01");
      await c.installBundle("127.0.0.1");
      expect(old.requestsTo("defenders/install-bundle")[0].apiVersion).toBe("v33.01");
    } finally {
      await old.close();
    }
  });

  it("uses apiVersion when set, for every call but the v1-only encode", async () => {
    const c = consoleFor(settingsFor(sim, { apiVersion: "32.00" }), FAST);
    expect(await c.apiVersion()).toBe("32.00");
    await c.installBundle("127.0.0.1");
    await c.encodeServerlessPolicy({ consoleAddr: "127.0.0.1", function: "fn", provider: "aws" });
    expect(summary(sim)).toEqual([
      "POST /api/v32.00/authenticate 200 none",
      "GET /api/v32.00/defenders/install-bundle 200 bearer",
      "POST /api/v1/policies/runtime/serverless/encode 200 bearer",
    ]);
  });
});

describe("projects", () => {
  it("sends project on every request, authenticate included", async () => {
    const c = consoleFor(settingsFor(sim, { project: "team-a" }), FAST);
    await c.installBundle("127.0.0.1");
    expect(sim.requests.map((r) => r.project)).toEqual(["team-a", "team-a", "team-a"]);
  });

  it("fails with the Console's message for a project that does not exist", async () => {
    const c = consoleFor(settingsFor(sim, { project: "nope" }), FAST);
    const e = await rejectionOf(c.consoleVersion());
    expect(e).toMatchObject({ status: 400, consoleMessage: 'project "nope" does not exist' });
  });
});

describe("TLS", () => {
  it("refuses a Console whose certificate another CA signed, without retrying", async () => {
    const other = await startConsoleSimulator();
    try {
      const c = consoleFor(settingsFor(sim, { caCertificate: other.caCertificate }), FAST);
      const e = await rejectionOf(c.consoleVersion());
      expect(e).toMatchObject({ kind: "tls" });
      expect(e.hint).toContain("caCertificate");
      expect(e.message).not.toContain("attempts");
      expect(sim.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it("refuses a self-signed Console when no CA is given", async () => {
    const c = consoleFor(settingsFor(sim, { caCertificate: undefined }), FAST);
    expect(await rejectionOf(c.consoleVersion())).toMatchObject({ kind: "tls" });
  });

  it("connects without verification only when insecureSkipVerify is set", async () => {
    const c = consoleFor(
      settingsFor(sim, { caCertificate: undefined, insecureSkipVerify: true }),
      FAST,
    );
    expect(await c.consoleVersion()).toBe("34.04.145");
  });
});

describe("console address", () => {
  it("prefers the URL's host when the certificate lists it", async () => {
    const c = consoleFor(settingsFor(sim), FAST);
    expect(await c.consoleAddress()).toBe("127.0.0.1");
    expect(sim.requestsTo("settings/certs")).toHaveLength(1);
  });

  it("takes a DNS name from the certificate when the URL's host is not in it", async () => {
    const named = await startConsoleSimulator({
      consoleSAN: ["10.0.0.7", "localhost", "console.corp.example"],
    });
    try {
      const c = consoleFor(settingsFor(named), FAST);
      expect(await c.consoleAddress()).toBe("console.corp.example");
    } finally {
      await named.close();
    }
  });

  it("uses the setting without asking the Console", async () => {
    const c = consoleFor(settingsFor(sim, { consoleAddress: "console.example.com" }), FAST);
    expect(await c.consoleAddress()).toBe("console.example.com");
    expect(sim.requests).toHaveLength(0);
  });

  it.each([
    [["twistlock-console", "10.1.1.1"], "c.example.com", "twistlock-console"],
    [["10.1.1.1", "localhost"], "c.example.com", "10.1.1.1"],
    [[], "c.example.com", "c.example.com"],
    [["https://bad", "C.Example.com"], "c.example.com", "c.example.com"],
  ])("chooses from %j with URL host %s: %s", (sans, host, expected) => {
    expect(chooseConsoleAddress(sans, host)).toBe(expected);
  });
});

describe("requests", () => {
  it("maps every Fargate parameter to its query name", () => {
    expect(
      ENDPOINTS.fargateTemplateJson.query!({
        consoleAddress: "c.example.com",
        interpreter: "",
        filesystemMonitoring: false,
        extractEntrypoint: true,
        registryType: "aws",
        registryCredentialId: "123456789012",
        defenderImage: "reg.example.com/defender:34_04_145",
        defenderImagePullSecret: "pull",
      }),
    ).toEqual({
      consoleaddr: "c.example.com",
      defenderType: "appEmbedded",
      interpreter: "",
      cloudFormation: "true",
      filesystemMonitoring: "false",
      extractEntrypoint: "true",
      registryType: "aws",
      registryCredentialID: "123456789012",
      defenderImage: "reg.example.com/defender:34_04_145",
      defenderImagePullSecret: "pull",
    });
  });

  it("sends the Fargate parameters as the simulator records them", async () => {
    const c = consoleFor(settingsFor(sim), FAST);
    await c.protectFargateTask(TASK, {
      consoleAddress: "127.0.0.1",
      filesystemMonitoring: true,
      defenderImage: "reg.example.com/defender:1",
    });
    expect(sim.requestsTo("defenders/fargate.json")[0].query).toEqual({
      consoleaddr: "127.0.0.1",
      defenderType: "appEmbedded",
      filesystemMonitoring: "true",
      defenderImage: "reg.example.com/defender:1",
    });
  });

  it.each([
    [
      "a URL as consoleAddress",
      (c: ReturnType<typeof consoleFor>) => c.installBundle("https://127.0.0.1:8083"),
      "consoleAddress must be a host name",
    ],
    [
      "a Dockerfile path",
      (c: ReturnType<typeof consoleFor>) =>
        c.embedDockerfile({
          appID: "a",
          consoleAddr: "127.0.0.1",
          dataFolder: "/tw",
          dockerfile: "./Dockerfile",
        }),
      "dockerfile: dockerfile must be the Dockerfile's content",
    ],
    [
      "a relative data folder",
      (c: ReturnType<typeof consoleFor>) =>
        c.embedDockerfile({
          appID: "a",
          consoleAddr: "127.0.0.1",
          dataFolder: "tw",
          dockerfile: "FROM x",
        }),
      "dataFolder: dataFolder must be an absolute path",
    ],
    [
      "a task without containers",
      (c: ReturnType<typeof consoleFor>) =>
        c.protectFargateTask(
          { family: "x", containerDefinitions: [] },
          { consoleAddress: "127.0.0.1" },
        ),
      "containerDefinitions: containerDefinitions must list at least one container",
    ],
    [
      "a YAML template that does not parse",
      (c: ReturnType<typeof consoleFor>) =>
        c.protectCloudFormationTemplate("a: [", "yaml", { consoleAddress: "127.0.0.1" }),
      "template: not valid YAML",
    ],
    [
      "a JSON template that does not parse names no text of it (it may hold credentials)",
      (c: ReturnType<typeof consoleFor>) =>
        c.protectCloudFormationTemplate('{"Value": hunter22secret}', "json", {
          consoleAddress: "127.0.0.1",
        }),
      "template: not valid JSON: an unexpected character; the text is not shown)",
    ],
    [
      "an encode for a URL",
      (c: ReturnType<typeof consoleFor>) =>
        c.encodeServerlessPolicy({
          consoleAddr: "https://x.example.com",
          function: "f",
          provider: "aws",
        }),
      "consoleAddr must be a host name",
    ],
  ])("rejects %s before sending anything", async (_what, run, text) => {
    const e = await rejectionOf(run(consoleFor(settingsFor(sim), FAST)));
    expect(e).toMatchObject({ kind: "request" });
    expect(e.message).toContain(text);
    expect(e.message).toContain("nothing was sent to the Console");
    expect(sim.requests).toHaveLength(0);
  });

  it("protects a CloudFormation YAML template and registers its INSTALL_BUNDLE as a secret", async () => {
    const c = consoleFor(settingsFor(sim), FAST);
    const template = [
      "Resources:",
      "  Task:",
      "    Type: AWS::ECS::TaskDefinition",
      "    Properties:",
      "      Family: web",
      "      ContainerDefinitions:",
      "        - Name: app",
      "          Image: nginx",
      "          EntryPoint: [/docker-entrypoint.sh]",
      "",
    ].join("\n");
    const out = await c.protectCloudFormationTemplate(template, "yaml", {
      consoleAddress: "127.0.0.1",
    });
    expect(out).toContain("TwistlockDefender");
    expect(sim.requestsTo("defenders/fargate.yaml")[0].query.cloudFormation).toBe("true");
    const leak = new ConsoleError({ endpoint: "x", kind: "http", hint: "h", consoleMessage: out });
    expect(leak.message).not.toContain(sim.secrets.installBundle);
  });

  it("registers INSTALL_BUNDLE and TW_POLICY so no later error can show them", async () => {
    const c = consoleFor(settingsFor(sim), FAST);
    const policy = await c.encodeServerlessPolicy({
      consoleAddr: "127.0.0.1",
      function: "fn",
      provider: "aws",
    });
    const { installBundle } = await c.installBundle("127.0.0.1");
    const e = new ConsoleError({
      endpoint: "x",
      kind: "http",
      hint: "h",
      consoleMessage: `${policy} ${installBundle}`,
    });
    for (const secret of secretsOf(sim, [policy])) expect(everything(e)).not.toContain(secret);
  });
});

describe("answers that are not what was asked for", () => {
  // Not a Console: a plain server standing in for a proxy, a login page or a Console of another shape, to show
  // that such answers are refused rather than used.
  let server: http.Server;
  let base = "";
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = req.url ?? "";
      const send = (
        status: number,
        type: string,
        body: string,
        headers: Record<string, string> = {},
      ) => {
        res.writeHead(status, { "Content-Type": type, ...headers });
        res.end(body);
      };
      if (url.startsWith("/html/"))
        return send(200, "text/html", "<!DOCTYPE html><title>Sign in</title>");
      if (url.startsWith("/redirect/")) return send(302, "text/plain", "", { Location: "/login" });
      if (url.includes("/authenticate"))
        return send(200, "application/json", JSON.stringify({ token: "opaque-token-1" }));
      if (url.includes("/version")) return send(200, "application/json", '"34.04.145"');
      return send(200, "application/json", JSON.stringify({ unexpected: true }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const client = (suffix: string) =>
    consoleFor(
      {
        url: base + suffix,
        username: "u",
        password: "pw-123456",
        insecureSkipVerify: false,
        requestTimeoutSeconds: 5,
      },
      FAST,
    );

  it("refuses an HTML login page", async () => {
    const e = await rejectionOf(client("/html").consoleVersion());
    expect(e).toMatchObject({ kind: "response", endpoint: "POST /api/v1/authenticate" });
    expect(e.message).toContain("an HTML page (text/html) instead of JSON");
  });

  it("refuses a redirect", async () => {
    const e = await rejectionOf(client("/redirect").consoleVersion());
    expect(e).toMatchObject({ kind: "http", status: 302 });
    expect(e.message).toContain("redirect to /login");
  });

  it("refuses a Fargate answer without containerDefinitions and an encode answer without data", async () => {
    const c = client("");
    const fargate = await rejectionOf(c.protectFargateTask(TASK, { consoleAddress: "127.0.0.1" }));
    expect(fargate).toMatchObject({ kind: "response" });
    expect(fargate.message).toContain(
      "a task definition with containerDefinitions was expected but the answer does not match (containerDefinitions:",
    );
    const encode = await rejectionOf(
      c.encodeServerlessPolicy({ consoleAddr: "127.0.0.1", function: "f", provider: "aws" }),
    );
    expect(encode.message).toContain(
      "a TW_POLICY in `data` was expected but the answer does not match (data:",
    );
  });

  it("refuses JSON where a zip was expected", async () => {
    const e = await rejectionOf(client("").lambdaLayer({ provider: "aws", runtime: "nodejs" }));
    expect(e.message).toContain("application/json where a zip archive was expected");
  });
});

describe("requests in flight to one Console", () => {
  const encodeAll = (c: ReturnType<typeof consoleFor>, n: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        c.encodeServerlessPolicy({ consoleAddr: "127.0.0.1", function: `f${i}`, provider: "aws" }),
      ),
    );

  it("are capped (maxInFlight), and a 429 makes every caller wait out its Retry-After together", async () => {
    const sim = await startConsoleSimulator({ latencyMs: 20 });
    try {
      const c = consoleFor(settingsFor(sim, { maxInFlight: 4 }), FAST);
      sim.injectFault({
        endpoint: "policies/runtime/serverless/encode",
        kind: "status",
        status: 429,
        retryAfterSeconds: 0.3,
        times: 1,
      });
      const policies = await encodeAll(c, 24);
      expect(new Set(policies).size).toBe(24);
      const encodes = sim.requestsTo("policies/runtime/serverless/encode");
      expect(Math.max(...sim.requests.map((r) => r.inFlight ?? 0))).toBeLessThanOrEqual(4);
      expect(encodes.filter((r) => r.status === 429)).toHaveLength(1);
      // One 429, and one request per call besides its retry: nobody else spent an attempt on the pause.
      expect(encodes).toHaveLength(25);
    } finally {
      await sim.close();
    }
  });

  /**
   * A burst of callers, `maxInFlight` of them refused together: the simulator holds the first `maxInFlight` requests
   * and answers all of them 429 at once, so every refusal reaches the client before any slot is free.
   */
  async function refusedBurst(retryAfterSeconds: number | undefined, options = FAST) {
    const sim = await startConsoleSimulator({ latencyMs: 5 });
    try {
      const cap = 8;
      const callers = 64;
      const c = consoleFor(settingsFor(sim, { maxInFlight: cap }), options);
      await c.consoleVersion(); // the sign-in and version first: the burst is encode requests only
      sim.injectFault({
        endpoint: "policies/runtime/serverless/encode",
        kind: "status",
        status: 429,
        retryAfterSeconds,
        times: cap,
        together: true,
      });
      const policies = await encodeAll(c, callers);
      expect(new Set(policies).size).toBe(callers);
      const encodes = sim.requestsTo("policies/runtime/serverless/encode");
      const refused = encodes.filter((r) => r.status === 429);
      // Never more than `cap` open at once, and the cap was reached (the refused burst was `cap` wide).
      expect(Math.max(...sim.requests.map((r) => r.inFlight ?? 0))).toBe(cap);
      expect(refused).toHaveLength(cap);
      // One request per caller, plus exactly one retry per refusal: each refused caller retried once, nobody else
      // retried (the refused requests were open together, so they came from `cap` different callers).
      expect(encodes).toHaveLength(callers + cap);
      // (The last answers may still be finishing on the simulator's side: their status is recorded on "finish".)
      expect(encodes.filter((r) => r.status !== 429)).toHaveLength(callers);
      const pauseStart = Math.min(...refused.map((r) => r.answeredAt!));
      return { encodes, pauseStart };
    } finally {
      await sim.close();
    }
  }

  it("answer a burst refused with 429 and Retry-After with one pause for every caller, then one retry each", async () => {
    const { encodes, pauseStart } = await refusedBurst(0.5);
    // The simulator's log: before the first 429 went out, only the refused burst; then nothing for the whole
    // Retry-After; then the rest.
    const inPause = encodes.filter(
      (r) => r.receivedAt! >= pauseStart && r.receivedAt! < pauseStart + 500,
    );
    expect(inPause).toEqual([]);
    expect(encodes.filter((r) => r.receivedAt! < pauseStart).every((r) => r.status === 429)).toBe(
      true,
    );
    expect(encodes.filter((r) => r.receivedAt! >= pauseStart + 500)).toHaveLength(64);
  });

  it("answer a burst refused with 429 without Retry-After with a backoff shared by every caller", async () => {
    // The shared backoff after a first burst is at least half of baseDelayMs (equal jitter).
    const { encodes, pauseStart } = await refusedBurst(undefined, {
      ...FAST,
      baseDelayMs: 400,
      maxDelayMs: 400,
    });
    expect(
      encodes.filter((r) => r.receivedAt! >= pauseStart && r.receivedAt! < pauseStart + 200),
    ).toEqual([]);
    expect(encodes.filter((r) => r.receivedAt! >= pauseStart + 200)).toHaveLength(64);
  });
});
