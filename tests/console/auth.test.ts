// When a token is renewed, and what a given token that has expired does.
import { consoleFor } from "../../provider/core/console/client";
import {
  jwtExpiryMs,
  renewAtMs,
  SAAS_TOKEN_RENEW_MS,
  SELF_HOSTED_TOKEN_RENEW_MS,
} from "../../provider/core/console/auth";
import { startConsoleSimulator } from "../../provider/simulator";
import { everything, FAST, rejectionOf, settingsFor, useFreshCacheAndClients } from "./support";

const jwt = (claims: object) =>
  `${Buffer.from('{"alg":"HS256"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2ln`;

useFreshCacheAndClients();

describe("renewAtMs", () => {
  const now = 1_800_000_000_000;

  it("renews a JWT a fifth of its remaining life early, at most a minute", () => {
    expect(renewAtMs(jwt({ exp: now / 1000 + 1800 }), "https://c.example.com", now)).toBe(
      now + 1800_000 - 60_000,
    );
    expect(renewAtMs(jwt({ exp: now / 1000 + 100 }), "https://c.example.com", now)).toBe(
      now + 100_000 - 20_000,
    );
  });

  it("renews an opaque token after 5 minutes on SaaS (tenant path) and 25 minutes self-hosted", () => {
    expect(renewAtMs("opaque", "https://us-west1.cloud.twistlock.com/us-3-1", now)).toBe(
      now + SAAS_TOKEN_RENEW_MS,
    );
    expect(renewAtMs("opaque", "https://console.example.com:8083", now)).toBe(
      now + SELF_HOSTED_TOKEN_RENEW_MS,
    );
    expect(jwtExpiryMs(jwt({ sub: "x" }))).toBeUndefined();
    expect(jwtExpiryMs("a.b.c")).toBeUndefined();
  });
});

describe("a given token that has expired", () => {
  it("fails before any request, saying when it expired and what to do", async () => {
    const sim = await startConsoleSimulator();
    try {
      const token = jwt({ exp: 1_700_000_000 });
      const c = consoleFor(
        settingsFor(sim, { username: undefined, password: undefined, token }),
        FAST,
      );
      const e = await rejectionOf(c.consoleVersion());
      expect(e).toMatchObject({ kind: "auth" });
      expect(e.message).toContain("the given token expired at 2023-11-14T22:13:20.000Z");
      expect(everything(e)).not.toContain(token);
      expect(sim.requests).toHaveLength(0);
    } finally {
      await sim.close();
    }
  });
});

describe("tokens that live for only a few requests", () => {
  it("12 calls in flight, tokens expiring after 3 requests: all succeed through single-flight sign-ins", async () => {
    const sim = await startConsoleSimulator({ tokenMaxUses: 3 });
    try {
      const c = consoleFor(settingsFor(sim), FAST);
      const policies = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          c.encodeServerlessPolicy({
            consoleAddr: "127.0.0.1",
            function: `f${i}`,
            provider: "aws",
          }),
        ),
      );
      expect(new Set(policies).size).toBe(12);
      const encodes = sim.requestsTo("policies/runtime/serverless/encode");
      expect(encodes.filter((r) => r.status === 200)).toHaveLength(12);
      // Every 401 was a token used up, never a wrong password: each sign-in succeeded, and there were fewer
      // sign-ins than 401s (callers failing together share one).
      const signIns = sim.requestsTo("authenticate");
      const rejected = encodes.filter((r) => r.status === 401).length;
      expect(rejected).toBeGreaterThan(0);
      expect(signIns.every((r) => r.status === 200)).toBe(true);
      expect(signIns.length).toBeLessThanOrEqual(rejected);
    } finally {
      await sim.close();
    }
  });

  it("a sign-in that answers 401 is the credentials error, at once", async () => {
    const sim = await startConsoleSimulator({ tokenMaxUses: 3 });
    try {
      const c = consoleFor(settingsFor(sim, { password: "wrong" }), FAST);
      const e = await rejectionOf(c.consoleVersion());
      expect(e).toMatchObject({ kind: "auth", status: 401 });
      expect(sim.requestsTo("authenticate")).toHaveLength(1);
    } finally {
      await sim.close();
    }
  });
});
