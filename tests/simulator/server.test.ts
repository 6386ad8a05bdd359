// TLS, authentication, API versions, tenant paths, projects and request recording, over real HTTP(S).
import * as https from "https";
import Ajv from "ajv";
import { startConsoleSimulator, ConsoleSimulator } from "../../provider/simulator";
import schemas from "../../provider/simulator/spec/compute-34.04-defender-schemas.json";
import { fakeWallClock } from "../helpers/clock";
import { call, login } from "./helpers";

const validatorFor = (name: string) => {
  const ajv = new Ajv({ strict: false, validateFormats: false });
  ajv.addSchema(schemas, "compute");
  return ajv.getSchema(`compute#/components/schemas/${name}`)!;
};

describe("console simulator: TLS", () => {
  let sim: ConsoleSimulator;
  let other: ConsoleSimulator;
  beforeAll(async () => {
    sim = await startConsoleSimulator();
    other = await startConsoleSimulator();
  });
  afterAll(async () => Promise.all([sim.close(), other.close()]));

  it("serves HTTPS on 127.0.0.1 with a certificate its CA signed", async () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.caCertificate).toContain("-----BEGIN CERTIFICATE-----");
    expect((await call(sim, "/api/v1/_ping")).status).toBe(200);
  });

  it("is refused by a client that trusts another CA, or only the system CAs", async () => {
    await expect(call(sim, "/api/v1/_ping", { ca: other.caCertificate })).rejects.toThrow(
      /self.signed|unable to verify|certificate/i,
    );
    const systemOnly = new Promise((resolve, reject) =>
      https.get(`${sim.url}/api/v1/_ping`, resolve).on("error", reject),
    );
    await expect(systemOnly).rejects.toThrow(/certificate/i);
  });

  it("has 127.0.0.1 and localhost in the certificate", async () => {
    const port = new URL(sim.url).port;
    const answer = await new Promise<number>((resolve, reject) =>
      https
        .get(`https://localhost:${port}/api/v1/_ping`, { ca: sim.caCertificate }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
        .on("error", reject),
    );
    expect(answer).toBe(200);
  });

  it("serves plain HTTP when asked", async () => {
    const plain = await startConsoleSimulator({ https: false });
    try {
      expect(plain.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(plain.caCertificate).toBe("");
      expect(await call(plain, "/api/v1/version", { token: await login(plain) })).toMatchObject({
        status: 200,
      });
    } finally {
      await plain.close();
    }
  });
});

describe("console simulator: authentication", () => {
  let sim: ConsoleSimulator;
  beforeAll(async () => {
    sim = await startConsoleSimulator({ tokenTtlSeconds: 1 });
  });
  afterAll(() => sim.close());

  it("issues a JWT-looking token for the right credentials, and 401 {err} otherwise", async () => {
    const ok = await call(sim, "/api/v34.04/authenticate", { body: sim.credentials });
    expect(ok.status).toBe(200);
    expect(validatorFor("api.AuthenticationResponse")(ok.json())).toBe(true);
    expect(ok.json().token).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    const wrong = await call(sim, "/api/v1/authenticate", {
      body: { username: sim.credentials.username, password: "nope" },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.json().err).toMatch(/invalid username or password/);
  });

  it("needs a token or Basic credentials everywhere except _ping and authenticate", async () => {
    expect((await call(sim, "/api/v1/_ping")).status).toBe(200);
    const none = await call(sim, "/api/v1/version");
    expect(none.status).toBe(401);
    expect(none.json()).toEqual({ err: expect.any(String) });
    expect((await call(sim, "/api/v1/version", { token: "eyJ.bogus.token" })).status).toBe(401);
    const basic = await call(sim, "/api/v34.04/version", { basic: sim.credentials });
    expect(basic.status).toBe(200);
    expect(basic.json()).toBe("34.04.145");
    const badBasic = await call(sim, "/api/v1/version", {
      basic: { username: "admin", password: "x" },
    });
    expect(badBasic.status).toBe(401);
  });

  it("expires tokens after tokenTtlSeconds, and renews an unexpired one (replacing it)", async () => {
    const clock = fakeWallClock();
    try {
      const token = await login(sim);
      const renewed = await call(sim, "/api/v1/authenticate/renew", { token });
      expect(renewed.status).toBe(200);
      const fresh = renewed.json().token;
      expect(fresh).not.toBe(token);
      expect((await call(sim, "/api/v1/version", { token })).status).toBe(401);
      expect((await call(sim, "/api/v1/version", { token: fresh })).status).toBe(200);
      clock.advance(999);
      expect((await call(sim, "/api/v1/version", { token: fresh })).status).toBe(200);
      clock.advance(1);
      const expired = await call(sim, "/api/v1/version", { token: fresh });
      expect(expired.status).toBe(401);
      expect(expired.json().err).toMatch(/expired/);
      expect((await call(sim, "/api/v1/authenticate/renew", { token: fresh })).status).toBe(401);
    } finally {
      clock.restore();
    }
  });

  it("exchanges a valid token given in the body for a new one (the spec's `token` field)", async () => {
    const token = await login(sim);
    const exchanged = await call(sim, "/api/v1/authenticate", { body: { token } });
    expect(exchanged.status).toBe(200);
    expect(exchanged.json().token).not.toBe(token);
    expect(
      (await call(sim, "/api/v1/authenticate", { body: { token: "eyJ.not.ours" } })).status,
    ).toBe(401);
  });

  it("accepts the configured users only", async () => {
    const custom = await startConsoleSimulator({
      https: false,
      users: [{ username: "ci-bot", password: "s3cret!" }],
    });
    try {
      expect(custom.credentials).toEqual({ username: "ci-bot", password: "s3cret!" });
      expect(
        (
          await call(custom, "/api/v1/authenticate", {
            body: { username: "admin", password: "s3cret!" },
          })
        ).status,
      ).toBe(401);
      expect(
        (await call(custom, "/api/v1/authenticate", { body: custom.credentials })).status,
      ).toBe(200);
    } finally {
      await custom.close();
    }
  });
});

describe("console simulator: routes, versions, tenant path, projects", () => {
  let sim: ConsoleSimulator;
  let token: string;
  beforeAll(async () => {
    sim = await startConsoleSimulator({ tenantPath: "/us-3-123456789", projects: ["team-a"] });
    token = await login(sim);
  });
  afterAll(() => sim.close());

  it("serves under the tenant path only", async () => {
    expect(sim.url).toMatch(/\/us-3-123456789$/);
    const bare = new URL(sim.url).origin;
    const outside = await new Promise<number>((resolve, reject) =>
      https
        .get(`${bare}/api/v1/_ping`, { ca: sim.caCertificate }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
        .on("error", reject),
    );
    expect(outside).toBe(404);
  });

  it.each([
    ["v1", 200],
    ["v34.04", 200],
    ["v34.03", 200],
    ["v30.00", 200],
    ["v34.05", 404],
    ["v35.00", 404],
    ["v29.03", 404],
    ["v34.4", 404],
    ["latest", 404],
  ])("GET /api/%s/version answers %i", async (version, status) => {
    const answer = await call(sim, `/api/${version}/version`, { token });
    expect(answer.status).toBe(status);
    if (status === 404) expect(answer.text).toBe("404 page not found\n");
  });

  it("404s unknown routes and 405s a wrong method", async () => {
    expect((await call(sim, "/api/v34.04/defenders/names", { token })).status).toBe(404);
    expect(
      (await call(sim, "/api/v34.04/version", { token, method: "POST", body: {} })).status,
    ).toBe(405);
  });

  it("answers settings/certs in the spec's shape, with the SANs", async () => {
    const answer = await call(sim, "/api/v34.04/settings/certs", { token });
    expect(validatorFor("types.CertSettings")(answer.json())).toBe(true);
    expect(answer.json().consoleSAN).toEqual(["127.0.0.1", "localhost"]);
    expect(Date.parse(answer.json().caExpiration)).toBeGreaterThan(Date.now());
  });

  it("honours project: Central Console and configured projects pass, others get 400 {err}", async () => {
    expect((await call(sim, "/api/v1/version?project=Central+Console", { token })).status).toBe(
      200,
    );
    expect((await call(sim, "/api/v1/version?project=team-a", { token })).status).toBe(200);
    const unknown = await call(sim, "/api/v1/version?project=team-b", { token });
    expect(unknown.status).toBe(400);
    expect(unknown.json().err).toMatch(/team-b/);
    // "This does not apply to authentication endpoints" (docs/console-api.md#project-parameter).
    expect(
      (await call(sim, "/api/v1/authenticate?project=team-b", { body: sim.credentials })).status,
    ).toBe(200);
    expect(sim.requestsTo("version").map((r) => r.project)).toEqual(
      expect.arrayContaining(["Central Console", "team-a", "team-b"]),
    );
  });

  it("records requests without passwords or tokens", async () => {
    sim.reset();
    await call(sim, "/api/v34.04/authenticate", { body: sim.credentials });
    await call(sim, "/api/v34.04/version", { token });
    await call(sim, "/api/v34.04/version", { basic: sim.credentials });
    expect(sim.requests.map((r) => [r.method, r.endpoint, r.apiVersion, r.auth, r.status])).toEqual(
      [
        ["POST", "authenticate", "v34.04", "none", 200],
        ["GET", "version", "v34.04", "bearer", 200],
        ["GET", "version", "v34.04", "basic", 200],
      ],
    );
    expect(sim.requests[1].path).toBe("/us-3-123456789/api/v34.04/version");
    const recorded = JSON.stringify(sim.requests);
    expect(recorded).not.toContain(sim.credentials.password);
    for (const issued of sim.tokensIssued()) expect(recorded).not.toContain(issued);
  });

  it("can emulate an older Console version", async () => {
    const old = await startConsoleSimulator({ version: "32.07.123", https: false });
    try {
      const t = await login(old, "v32.07");
      expect((await call(old, "/api/v32.07/version", { token: t })).json()).toBe("32.07.123");
      expect((await call(old, "/api/v34.04/version", { token: t })).status).toBe(404);
    } finally {
      await old.close();
    }
  });
});
