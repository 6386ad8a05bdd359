// The one error type of the Console client and its hints. Every message goes through the secret registry
// (core/secrets.ts). Causes are rebuilt as plain errors: an AxiosError carries the request config, whose headers
// hold the bearer token, so it is never attached as is.
import { redact } from "./secrets";

export interface ConsoleErrorDetails {
  /** What was called, as `METHOD /path` without the base URL and query, such as `POST /api/v34.04/authenticate`. */
  endpoint: string;
  /** HTTP status, when the Console answered. */
  status?: number;
  /** The Console's own `{"err": ...}` text, redacted. */
  consoleMessage?: string;
  /** What to check or change. */
  hint: string;
  /**
   * Short machine-readable kind: `http`, `timeout`, `tls`, `network`, `response`, `request`, `auth`, `cache`, or
   * `proxy` (the proxy refused the request or could not be reached; the Console was not asked).
   */
  kind: string;
  /** What went wrong, in words; defaults to the status. */
  problem?: string;
  /** The underlying error (sanitised: message and code only). */
  cause?: unknown;
}

/** A Console request that failed. Its message, fields and cause never contain a credential. */
export class ConsoleError extends Error {
  /** What was called, such as `POST /api/v34.04/defenders/fargate.json`. */
  readonly endpoint: string;
  /** HTTP status, when the Console answered. */
  readonly status?: number;
  /** The Console's `{"err": ...}` text, redacted. */
  readonly consoleMessage?: string;
  /** What to check or change. */
  readonly hint: string;
  /** `http`, `timeout`, `tls`, `network`, `response`, `request`, `auth`, `cache` or `proxy`. */
  readonly kind: string;

  constructor(details: ConsoleErrorDetails) {
    const consoleMessage =
      details.consoleMessage === undefined ? undefined : redact(details.consoleMessage);
    const problem = redact(
      details.problem ?? (details.status ? `HTTP ${details.status}` : "request failed"),
    );
    const said = consoleMessage ? ` The Console said: "${consoleMessage}".` : "";
    const message = `Prisma Cloud Compute Console ${details.endpoint}: ${problem}.${said} ${redact(details.hint)}`;
    super(
      message,
      details.cause === undefined ? undefined : { cause: sanitizeCause(details.cause) },
    );
    this.name = "ConsoleError";
    this.endpoint = details.endpoint;
    this.status = details.status;
    this.consoleMessage = consoleMessage;
    this.hint = redact(details.hint);
    this.kind = details.kind;
  }
}

/**
 * A plain Error with the redacted message and the error code of `cause`, nothing else: no axios config, request,
 * response or headers. Its stack is rebuilt from the redacted message.
 */
export function sanitizeCause(cause: unknown): Error {
  if (cause instanceof ConsoleError) return cause;
  const source = cause as { message?: unknown; code?: unknown; name?: unknown } | null;
  const message = redact(String(source?.message ?? cause));
  const clean = new Error(message);
  if (typeof source?.name === "string") clean.name = source.name;
  if (typeof source?.code === "string") (clean as Error & { code?: string }).code = source.code;
  clean.stack = `${clean.name}: ${message}`;
  return clean;
}

/** The hint for an HTTP status, in the user's terms. */
export function hintForStatus(
  status: number,
  usesGivenToken: boolean,
  consoleMessage?: string,
): string {
  if (status === 401) {
    return usesGivenToken
      ? "The token was refused (expired or invalid) and a given token cannot be renewed: supply a fresh `token`, or `username` and `password` so the client can sign in again."
      : "Check the credentials (`username`/`password`; on SaaS the access key ID and secret key) and, with Projects, the `project` name.";
  }
  if ((status === 403 || status === 400) && consoleMessage && /project/i.test(consoleMessage)) {
    // The Console names a project: a missing or wrong `project` is far likelier than a missing role.
    return 'Check `project` (the `project` arg, stack config `prisma-defender:project` or env PRISMACLOUDCOMPUTE_PROJECT): it must name a project this user may access, exactly as the Console lists it. If it does, give the user the "Defender Manager" role or higher in that project.';
  }
  if (status === 403) {
    return 'The user lacks the permission: give it the "Defender Manager" role or higher (permission manageDefenders), and check `project`.';
  }
  if (status === 404) {
    return "Check `apiVersion` and the URL's path prefix: on SaaS the URL must include the tenant segment, such as https://us-west1.cloud.twistlock.com/us-3-123456789.";
  }
  if (status === 429) {
    return "The Console rate-limited the requests; try again later.";
  }
  if (status === 501 || status === 505) {
    return "The Console does not support this request: check `apiVersion` against the Console's version.";
  }
  if (status >= 500) {
    return "The Console failed to answer; check its health and logs, then try again.";
  }
  return "Check the request's inputs against the message above.";
}

/** Node's codes for a peer certificate that could not be verified (not a protocol failure). */
export const CERT_VERIFY_CODES: ReadonlySet<string> = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_SIGNATURE_FAILURE",
]);

const TLS_CODES = new Set([...CERT_VERIFY_CODES, "EPROTO", "ERR_SSL_WRONG_VERSION_NUMBER"]);

/** True for a certificate or TLS handshake failure (never retried: it will not change by itself). */
export function isTlsError(code: string | undefined): boolean {
  return (
    code !== undefined &&
    (TLS_CODES.has(code) || code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_"))
  );
}

export const TLS_HINT =
  "The Console's TLS certificate was not accepted: set `caCertificate` (config prisma-defender:caCertificate, env PRISMACLOUDCOMPUTE_CA_CERT) to the PEM of the CA that signed it, make `url` use a name the certificate lists, or, insecurely, set `insecureSkipVerify: true`.";

/** Console settings that are missing, contradictory or malformed; one error lists every problem. */
export class ConsoleSettingsError extends Error {
  /** One sentence per problem, each naming the setting and where it can be set. */
  readonly problems: string[];

  constructor(resourceName: string, problems: string[]) {
    const clean = problems.map(redact);
    super(
      `prisma-defender: the Prisma Cloud Compute Console settings of "${resourceName}" are incomplete or invalid:\n` +
        clean.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConsoleSettingsError";
    this.problems = clean;
  }
}
