// ConsoleError and redaction: no credential in a message, a cause, a stack or a log line.
import { AxiosError, AxiosHeaders } from "axios";
import { ConsoleError, hintForStatus, sanitizeCause } from "../../provider/core/errors";
import { redact, registerSecret } from "../../provider/core/secrets";
import { consoleMessageOf, networkError } from "../../provider/core/console/http";
import {
  backoffMs,
  DEFAULT_RETRY_OPTIONS,
  parseRetryAfter,
} from "../../provider/core/console/retry";

const PASSWORD = 'pa"ss\\word-4711';
const JWT =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyIjoiYWRtaW4iLCJleHAiOjE5MDAwMDAwMDB9.c2lnbmF0dXJlLXZhbHVl";

/** Everything a user or a log could see of an error, its cause chain included. */
function everything(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  while (e) {
    const err = e as Error & Record<string, unknown>;
    parts.push(
      String(err.message),
      String(err.stack),
      JSON.stringify(err, Object.getOwnPropertyNames(err)),
    );
    e = err.cause;
  }
  return parts.join("\n");
}

describe("redaction", () => {
  beforeAll(() => registerSecret(PASSWORD));

  it("removes registered values in raw, JSON-escaped, URL-encoded and base64 forms", () => {
    const text = [
      PASSWORD,
      JSON.stringify({ password: PASSWORD }),
      encodeURIComponent(PASSWORD),
      Buffer.from(PASSWORD).toString("base64"),
    ].join(" | ");
    const out = redact(text);
    expect(out).not.toContain("word-4711");
    expect(out).not.toContain(Buffer.from(PASSWORD).toString("base64"));
  });

  it("removes credential shapes it was never told about", () => {
    const out = redact(
      `Authorization: Bearer abc.def-123 and ${JWT} and ENV INSTALL_BUNDLE="eyJzZWNyZXQ" TW_POLICY=Zm9vYmFy`,
    );
    expect(out).toBe(
      'Authorization: Bearer [secret] and [secret] and ENV INSTALL_BUNDLE="[secret]" TW_POLICY=[secret]',
    );
  });

  it("ignores values too short to redact safely", () => {
    registerSecret("ab");
    expect(redact("about a tab")).toBe("about a tab");
  });
});

describe("ConsoleError", () => {
  it("names the endpoint, the status, the Console's message and a hint", () => {
    const e = new ConsoleError({
      endpoint: "POST /api/v34.04/defenders/fargate.json",
      status: 403,
      consoleMessage: "Forbidden",
      kind: "http",
      hint: hintForStatus(403, false),
    });
    expect(e.message).toBe(
      'Prisma Cloud Compute Console POST /api/v34.04/defenders/fargate.json: HTTP 403. The Console said: "Forbidden". The user lacks the permission: give it the "Defender Manager" role or higher (permission manageDefenders), and check `project`.',
    );
    expect(e).toMatchObject({ status: 403, consoleMessage: "Forbidden", kind: "http" });
  });

  it("redacts a secret echoed back by the Console", () => {
    const e = new ConsoleError({
      endpoint: "POST /api/v1/authenticate",
      status: 401,
      consoleMessage: `invalid password ${PASSWORD} for token ${JWT}`,
      kind: "auth",
      hint: hintForStatus(401, false),
    });
    expect(everything(e)).not.toContain("word-4711");
    expect(everything(e)).not.toContain(JWT);
  });

  it("keeps axios config, headers and request out of its cause", () => {
    const config = {
      headers: new AxiosHeaders({ Authorization: `Bearer ${JWT}` }),
      data: JSON.stringify({ password: PASSWORD }),
    };
    const axiosError = new AxiosError(
      `connect ECONNREFUSED (token ${JWT})`,
      "ECONNREFUSED",
      config as never,
    );
    const e = networkError("GET /api/v1/version", axiosError, {
      url: "https://c.example.com",
      insecureSkipVerify: false,
      requestTimeoutSeconds: 60,
    });
    expect(e.kind).toBe("network");
    const cause = e.cause as Error & Record<string, unknown>;
    expect(Object.keys(cause).sort()).toEqual(["code", "name"]);
    expect(cause).toMatchObject({ code: "ECONNREFUSED", name: "AxiosError" });
    expect(everything(e)).not.toContain(JWT);
    expect(everything(e)).not.toContain("word-4711");
  });

  it("maps TLS failures and timeouts to their settings", () => {
    const settings = {
      url: "https://c.example.com",
      insecureSkipVerify: false,
      requestTimeoutSeconds: 7,
    };
    const tls = networkError(
      "GET /x",
      Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }),
      settings,
    );
    expect(tls.kind).toBe("tls");
    expect(tls.hint).toContain("caCertificate");
    expect(tls.hint).toContain("insecureSkipVerify");
    const timeout = networkError(
      "GET /x",
      Object.assign(new Error("timeout of 7000ms exceeded"), { code: "ECONNABORTED" }),
      settings,
    );
    expect(timeout.kind).toBe("timeout");
    expect(timeout.message).toContain("no answer within 7s");
    expect(timeout.hint).toContain("requestTimeoutSeconds");
  });

  it("sanitizes arbitrary causes", () => {
    const c = sanitizeCause({
      message: `boom ${PASSWORD}`,
      code: "EFOO",
      config: { secret: PASSWORD },
    });
    expect(c.message).toBe("boom [secret]");
    expect(Object.keys(c)).toEqual(["code"]);
  });

  it("gives the hints the issue asks for", () => {
    expect(hintForStatus(401, true)).toContain("given token cannot be renewed");
    expect(hintForStatus(401, false)).toContain("`project`");
    expect(hintForStatus(404, false)).toContain("tenant segment");
  });
});

describe("retry arithmetic", () => {
  it("reads Retry-After as seconds or an HTTP date", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter("0.5")).toBe(500);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });

  it("backs off exponentially with bounded jitter", () => {
    const o = DEFAULT_RETRY_OPTIONS;
    expect(backoffMs(1, o, () => 0)).toBe(250);
    expect(backoffMs(1, o, () => 1)).toBe(500);
    expect(backoffMs(3, o, () => 1)).toBe(2000);
    expect(backoffMs(10, o, () => 1)).toBe(o.maxDelayMs);
  });
});

describe("hints from the Console's text", () => {
  it("a 403 or 400 that mentions a project says where `project` is set, ahead of role advice", () => {
    for (const status of [403, 400]) {
      const hint = hintForStatus(status, false, 'project "team-a" does not exist');
      expect(hint).toMatch(/^Check `project`/);
      expect(hint).toContain("prisma-defender:project");
      expect(hint).toContain("PRISMACLOUDCOMPUTE_PROJECT");
    }
    expect(hintForStatus(403, false, "forbidden")).toMatch(/Defender Manager/);
  });

  it("a binary body is described as binary, never embedded", () => {
    const zipAsText = Buffer.from([
      0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x08, 0x00, 0xff, 0xfe, 0x9c,
    ]);
    const said = consoleMessageOf(zipAsText.toString("utf8"), "text/plain");
    expect(said).toBe(
      `(a binary body of ${Buffer.byteLength(zipAsText.toString("utf8"))} bytes, not text)`,
    );
    expect(consoleMessageOf("plain words", "text/plain")).toBe("plain words");
  });
});
