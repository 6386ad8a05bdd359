// When a token is renewed, and what a given token that has expired does.
import { consoleFor } from "../../provider/console/client";
import {
  jwtExpiryMs,
  renewAtMs,
  SAAS_TOKEN_RENEW_MS,
  SELF_HOSTED_TOKEN_RENEW_MS,
} from "../../provider/console/auth";
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
