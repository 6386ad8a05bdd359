// The rules a Console setting must follow, as pure functions: each returns the normalised value or a problem
// sentence naming the field and the fix. settings.ts runs them synchronously on plain values and again, for values
// that were Outputs, once they resolve; tests call them directly.
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import { isIP } from "node:net";

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = <T>(problem: string): Checked<T> => ({ ok: false, problem });

/**
 * Normalise the Console URL. Rule: scheme https (or http), no query, fragment or user info; trailing slashes are
 * dropped, then one pasted API suffix (`/api`, `/api/v1`, `/api/v34.04`) is dropped. Any other path, such as the
 * SaaS tenant segment `/us-3-123456789`, is kept: requests go to `<url>/api/v<version>/...`.
 */
export function normalizeConsoleUrl(raw: string, where: string): Checked<string> {
  const text = raw.trim();
  if (!/^https?:\/\//i.test(text)) {
    return bad(
      `${where} must start with https:// (for example https://console.example.com:8083, or on SaaS the "Path to Console" such as https://us-west1.cloud.twistlock.com/us-3-123456789)`,
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return bad(`${where} is not a valid URL`);
  }
  if (url.username || url.password) {
    // The value is not echoed: it holds a credential.
    return bad(`${where} must not contain credentials: set username/password or token instead`);
  }
  if (url.search || url.hash) {
    // Shown by kind only, as for the proxy URL: a pasted query or fragment may carry a token.
    return bad(
      `${where} must not have a query or fragment (found "${url.search ? "?..." : ""}${url.hash ? "#..." : ""}"): give the Console's base URL; set the project with \`project\``,
    );
  }
  const path = url.pathname
    .replace(/\/+$/, "")
    .replace(/\/api(\/v\d+(\.\d+)?)?$/i, "")
    .replace(/\/+$/, "");
  return ok(`${url.protocol}//${url.host}${path}`);
}

/** True when the URL has a path segment, which on SaaS is the tenant ("Path to Console"). */
export function hasTenantPath(url: string): boolean {
  return new URL(url).pathname.replace(/\/+$/, "") !== "";
}

export function checkApiVersion(raw: string, where: string): Checked<string> {
  const text = raw.trim();
  return /^\d+\.\d+$/.test(text)
    ? ok(text)
    : bad(`${where} must look like 34.04 (major.minor, no "v", no patch number); got "${text}"`);
}

const HOST_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const HOSTNAME = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*\\.?$`);

/** A host name or IP address as Defenders use it (a name in the Console's certificate): never a URL or host:port. */
export function checkHost(raw: string, where: string): Checked<string> {
  const text = raw.trim();
  if (isIP(text)) return ok(text);
  if (text.length <= 253 && HOSTNAME.test(text)) return ok(text.replace(/\.$/, ""));
  let hint = "";
  if (/^[a-z]+:\/\//i.test(text)) {
    try {
      hint = ` (use "${new URL(text).hostname}")`;
    } catch {
      /* no suggestion */
    }
  } else if (/:\d+$/.test(text)) {
    hint = ` (use "${text.replace(/:\d+$/, "")}": the port is not part of it)`;
  }
  return bad(
    `${where} must be a host name such as console.example.com, not a URL; got "${text}"${hint}`,
  );
}

/**
 * PEM text, or the path of a PEM file. Every certificate in it must parse, so a wrong file fails here with the
 * setting's name rather than later as an obscure TLS error.
 */
export function readCaCertificate(raw: string, where: string): Checked<string> {
  let pem = raw.trim();
  if (!pem.includes("-----BEGIN")) {
    try {
      pem = fs.readFileSync(pem, "utf8").trim();
    } catch (e) {
      return bad(
        `${where} is neither PEM text (-----BEGIN CERTIFICATE-----) nor a readable file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      );
    }
  }
  const parsed = parsePemCertificates(pem);
  if (parsed === "none") {
    return bad(`${where} holds no PEM certificate (-----BEGIN CERTIFICATE----- ... )`);
  }
  if (parsed === "invalid") {
    return bad(`${where} holds a PEM block that is not a valid X.509 certificate`);
  }
  return ok(parsed);
}

/**
 * Parsed CA bundles by PEM text. Every component resolves its settings (twice: at construction and when its Outputs
 * resolve), and a program of N components shares one CA: parsing it once per distinct text saves an X.509 parse
 * per certificate per resolution. The key is the text read, so a file that changes is parsed again; a CA is public.
 */
const parsedPem = new Map<string, string | "none" | "invalid">();

function parsePemCertificates(pem: string): string | "none" | "invalid" {
  let result = parsedPem.get(pem);
  if (result !== undefined) return result;
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) result = "none";
  else {
    try {
      for (const block of blocks) new X509Certificate(block);
      result = `${blocks.join("\n")}\n`;
    } catch {
      result = "invalid";
    }
  }
  // Bounded: a long-lived process (the plugin) sees few distinct CAs, but must not grow without limit.
  if (parsedPem.size >= 32) parsedPem.clear();
  parsedPem.set(pem, result);
  return result;
}

export function parseBoolean(raw: unknown, where: string): Checked<boolean> {
  if (typeof raw === "boolean") return ok(raw);
  const text = String(raw).trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(text)) return ok(true);
  if (["false", "0", "no", "off"].includes(text)) return ok(false);
  return bad(`${where} must be true or false; got "${String(raw)}"`);
}

export function parseTimeout(raw: unknown, where: string): Checked<number> {
  const value = typeof raw === "number" ? raw : Number(String(raw).trim());
  return Number.isFinite(value) && value > 0
    ? ok(value)
    : bad(`${where} must be a number of seconds greater than 0; got "${String(raw)}"`);
}

/** Most requests in flight to one Console: an integer from 1 to MAX_IN_FLIGHT_LIMIT. */
export const MAX_IN_FLIGHT_LIMIT = 256;
export const DEFAULT_MAX_IN_FLIGHT = 16;

export function parseMaxInFlight(raw: unknown, where: string): Checked<number> {
  const value = typeof raw === "number" ? raw : Number(String(raw).trim());
  return Number.isInteger(value) && value >= 1 && value <= MAX_IN_FLIGHT_LIMIT
    ? ok(value)
    : bad(
        `${where} must be a whole number of requests from 1 to ${MAX_IN_FLIGHT_LIMIT} (default ${DEFAULT_MAX_IN_FLIGHT}); got "${String(raw)}"`,
      );
}

/** A plain string value, with empty and whitespace-only strings meaning "not set". */
export function presentString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value);
  return text.trim() === "" ? undefined : text;
}

/**
 * An HTTP(S) proxy URL: `http://host:port` or `https://host:port`, optionally with `user:password@` (Basic proxy
 * authentication, special characters percent-encoded). Without a scheme, `http://` is assumed, as curl does. The
 * value is never echoed whole in a problem: it may hold a password.
 */
export function checkProxyUrl(raw: string, where: string): Checked<string> {
  const text = raw.trim();
  const example =
    "use http://host:port, or http://user:password@host:port for a proxy that asks for a login";
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    return bad(`${where} is not a valid proxy URL: ${example}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return bad(
      `${where} is a ${url.protocol.slice(0, -1)} proxy: only HTTP(S) proxies (CONNECT) are supported; ${example}`,
    );
  }
  if (!url.hostname) return bad(`${where} has no proxy host: ${example}`);
  if (url.pathname.replace(/\/+$/, "") || url.search || url.hash) {
    return bad(
      `${where} has a path or query (${url.pathname}${url.search ? "?..." : ""}): give the proxy itself (${url.protocol}//${url.host}), not a page or PAC file`,
    );
  }
  const auth =
    url.username || url.password ? `${url.username}${url.password ? `:${url.password}` : ""}@` : "";
  return ok(`${url.protocol}//${auth}${url.host}`);
}
