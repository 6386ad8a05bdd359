// Bearer tokens for one Console identity: sign in with username/password (on SaaS, the access key ID and secret),
// renew ahead of expiry, sign in again after a 401, and never run two sign-ins at once.
//
// Why Bearer and not Basic: Basic sends the password with every request, while a token is one password exchange
// per token lifetime and is what every documented flow uses. `GET /authenticate/renew` is not used: it is absent
// from the 34.04 specs and PANW's own scripts simply sign in again, which is what we do.
import { ConsoleError } from "../errors";
import { registerSecret } from "../secrets";
import { TokenSource, Transport } from "./http";
import { readJson } from "./responses";
import { ENDPOINTS } from "./endpoints";
import { describeIssues } from "./schemas";
import { hasTenantPath } from "../settingsRules";

/** Renewal periods when the token carries no readable `exp`: SaaS wants a new one every 5 min (10 min inner token). */
export const SAAS_TOKEN_RENEW_MS = 5 * 60_000;
export const SELF_HOSTED_TOKEN_RENEW_MS = 25 * 60_000;

/** The `exp` claim of a JWT in milliseconds, or undefined when the token is not a readable JWT. */
export function jwtExpiryMs(token: string): number | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as {
      exp?: unknown;
    };
    return typeof claims.exp === "number" && Number.isFinite(claims.exp)
      ? claims.exp * 1000
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * When to stop using a token: shortly before its `exp` (a fifth of its remaining life, at most one minute, early),
 * else after the default period for the kind of Console.
 */
export function renewAtMs(token: string, url: string, now = Date.now()): number {
  const exp = jwtExpiryMs(token);
  if (exp !== undefined) return exp - Math.min(60_000, Math.max(0, exp - now) / 5);
  return now + (hasTenantPath(url) ? SAAS_TOKEN_RENEW_MS : SELF_HOSTED_TOKEN_RENEW_MS);
}

export function createTokenSource(transport: Transport, apiVersionForAuth: string): TokenSource {
  const { settings } = transport;
  if (settings.token) {
    const given = settings.token;
    const expiry = jwtExpiryMs(given);
    return {
      givenToken: true,
      async token() {
        // A given token that has visibly expired fails here, before a request, with the fix.
        if (expiry !== undefined && Date.now() >= expiry) {
          throw new ConsoleError({
            endpoint: "(given token)",
            kind: "auth",
            problem: `the given token expired at ${new Date(expiry).toISOString()}`,
            hint: "Supply a fresh `token`, or `username` and `password` so the client can sign in and renew by itself.",
          });
        }
        return given;
      },
      invalidate: () => false,
    };
  }
  let current: { token: string; renewAt: number } | undefined;
  let inflight: Promise<string> | undefined;

  async function signIn(): Promise<string> {
    const e = ENDPOINTS.authenticate;
    const path = `/api/v${apiVersionForAuth}/${e.path}`;
    const endpoint = `${e.method} ${path}`;
    const body = e.body!.safeParse({
      username: settings.username,
      password: settings.password,
    });
    if (!body.success) {
      throw new ConsoleError({
        endpoint,
        kind: "request",
        problem: `invalid request (${describeIssues(body.error)})`,
        hint: "Set `username` and `password`, or `token`.",
      });
    }
    const { token } = await transport.call(
      {
        method: e.method,
        path,
        body: JSON.stringify(body.data),
        contentType: "application/json",
        authenticated: false,
      },
      readJson(e.answer!, e.answers),
    );
    registerSecret(token);
    current = { token, renewAt: renewAtMs(token, settings.url) };
    return token;
  }

  return {
    givenToken: false,
    async token() {
      if (current && Date.now() < current.renewAt) return current.token;
      // Single flight: every request waiting for a token shares one sign-in.
      if (!inflight) {
        inflight = signIn().finally(() => {
          inflight = undefined;
        });
      }
      return inflight;
    },
    invalidate(token: string) {
      // Only the token that failed is dropped, so N requests failing together cause one sign-in, not N.
      if (current?.token === token) current = undefined;
      return true;
    },
  };
}
