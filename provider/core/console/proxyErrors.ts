// ConsoleErrors for failures at the proxy rather than at the Console: the proxy refused the tunnel (407 for a login,
// 403 by policy, 502-504 when it cannot reach the Console) or could not be reached at all. Messages name the proxy
// by address and where it was set, never by its URL: that may carry a password.
import { ConsoleError } from "../errors";
import { ConsoleProxy, RefusedTunnel } from "./proxy";
import { markRetryable } from "./retry";

const NO_PROXY_TIP = "or, if this machine reaches the Console directly, list its host in NO_PROXY";

const named = (proxy: ConsoleProxy) => `the proxy ${proxy.address} (${proxy.source})`;

/** A sentence for the hint of a TLS or network failure that happened through a proxy; empty without one. */
export function proxyHint(proxy: ConsoleProxy | undefined, kind: "tls" | "network"): string {
  if (!proxy) return "";
  if (kind === "network") {
    return ` The request went through ${named(proxy)}: check that it reaches the Console, ${NO_PROXY_TIP}.`;
  }
  const proxyTls =
    proxy.url.protocol === "https:"
      ? " `caCertificate` applies to the Console only: the https proxy's own CA must be trusted by Node (NODE_EXTRA_CA_CERTS)."
      : "";
  return ` The request went through ${named(proxy)}: a proxy that inspects TLS shows its own certificate instead of the Console's, then \`caCertificate\` must be that proxy's CA.${proxyTls}`;
}

/** A malformed proxy setting or variable (`problem` names it and the fix): nothing is sent. */
export function invalidProxy(endpoint: string, problem: string): ConsoleError {
  return new ConsoleError({
    endpoint,
    kind: "request",
    problem: `invalid proxy (${problem})`,
    hint: "Fix the proxy URL, or exclude the Console from proxying with NO_PROXY; nothing was sent.",
  });
}

const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/**
 * The failure when the proxy itself cannot be reached or does not answer CONNECT; undefined for other failures
 * (through a proxy, the client only ever connects to the proxy, so a refused connection is the proxy's).
 */
export function proxyNetworkError(
  endpoint: string,
  error: unknown,
  code: string | undefined,
  proxy: ConsoleProxy,
): ConsoleError | undefined {
  if (code && UNREACHABLE.has(code)) {
    return new ConsoleError({
      endpoint,
      kind: "proxy",
      problem: `cannot connect to the proxy ${proxy.address} (${code})`,
      hint: `Check the proxy's host and port in ${proxy.source}: nothing accepted the connection there; ${NO_PROXY_TIP}.`,
      cause: error,
    });
  }
  const message = String((error as { message?: unknown } | null)?.message ?? "");
  if (/proxy CONNECT response/i.test(message)) {
    return new ConsoleError({
      endpoint,
      kind: "proxy",
      problem: `the proxy ${proxy.address} did not answer the CONNECT request`,
      hint: `Check that ${proxy.source} points at an HTTP proxy that allows CONNECT (a proxy that speaks TLS needs an https:// URL).`,
      cause: error,
    });
  }
  return undefined;
}

/** Authentication schemes a `Proxy-Authenticate` header offers, such as `Negotiate, NTLM`. */
function offeredSchemes(header: unknown): string[] {
  const text = Array.isArray(header) ? header.join(", ") : String(header ?? "");
  const schemes = [...text.matchAll(/(?:^|,)\s*([A-Za-z][\w-]*)(?=\s+[^\s=,]|\s*(?:,|$))/g)].map(
    (m) => m[1],
  );
  return [...new Set(schemes)];
}

/** The proxy answered instead of the Console: 407 (a login), or a refused CONNECT tunnel. */
export function proxyRefusal(
  endpoint: string,
  proxy: ConsoleProxy,
  consoleUrl: string,
  answer: RefusedTunnel | { status: number; statusText?: string; headers: object },
): ConsoleError {
  const status = "statusCode" in answer ? answer.statusCode : answer.status;
  const target = new URL(consoleUrl).host;
  const text = answer.statusText ? ` ${answer.statusText}` : "";
  const problem = `the proxy ${proxy.address} refused the connection to ${target} (HTTP ${status}${text})`;
  if (status === 407) {
    const schemes = offeredSchemes(
      (answer.headers as Record<string, unknown>)["proxy-authenticate"],
    );
    let hint: string;
    if (schemes.length && !schemes.some((s) => s.toLowerCase() === "basic")) {
      hint = `The proxy asks for ${schemes.join(" or ")} authentication, but this client only logs in to a proxy with Basic (the user and password of the proxy URL): use a proxy account allowed to use Basic, or a local proxy that logs in for you (such as cntlm or px) in ${proxy.source}.`;
    } else if (proxy.hasCredentials) {
      hint = `The proxy refused the user and password in ${proxy.source}: check them (special characters must be percent-encoded in the URL, such as %40 for @).`;
    } else {
      hint = `The proxy requires a login: give it in the proxy URL, as ${proxy.url.protocol}//USER:PASSWORD@${proxy.url.host}, in ${proxy.source} (special characters percent-encoded; the proxyUrl setting is kept as a secret).`;
    }
    return new ConsoleError({ endpoint, kind: "proxy", problem, hint });
  }
  if (status === 502 || status === 503 || status === 504) {
    return markRetryable(
      new ConsoleError({
        endpoint,
        kind: "proxy",
        problem,
        hint: `The proxy could not reach the Console: check \`url\` and that the proxy may connect to ${target}, ${NO_PROXY_TIP}.`,
      }),
    );
  }
  return new ConsoleError({
    endpoint,
    kind: "proxy",
    problem,
    hint: `The proxy does not allow connections to ${target}: ask its administrators to allow CONNECT to that host and port, ${NO_PROXY_TIP}.`,
  });
}
