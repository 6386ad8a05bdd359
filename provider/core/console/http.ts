// One Console exchange: TLS, headers, the project parameter, status handling and reading the body, every failure
// turned into a ConsoleError that says whether it may be retried. The retry loop (retry.ts), authentication
// (auth.ts) and the cache (downloads.ts) build on this; nothing else in the package does HTTP.
import axios, { AxiosResponse } from "axios";
import { Readable } from "node:stream";
import { ConsoleError, hintForStatus, isTlsError, TLS_HINT } from "../errors";
import { consoleAgents, ConsoleProxy, RefusedTunnel } from "./proxy";
import { invalidProxy, proxyHint, proxyNetworkError, proxyRefusal } from "./proxyErrors";
import {
  AttemptContext,
  markFinal,
  markRetryable,
  parseRetryAfter,
  RetryOptions,
  withRetries,
} from "./retry";
import { DEFAULT_MAX_IN_FLIGHT } from "../settingsRules";
import { createGate } from "./throttle";
import { ResolvedConsoleSettings } from "../types";

export interface ConsoleRequest {
  method: "GET" | "POST";
  /** Path after the Console URL, starting with `/api/`. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: string;
  contentType?: string;
  /** Send the bearer token (every endpoint but `authenticate`). */
  authenticated: boolean;
}

/** Where the token comes from; implemented by auth.ts. */
export interface TokenSource {
  token(signal: AbortSignal): Promise<string>;
  /** Forget `token` after a 401; false when it cannot be replaced (a given token). */
  invalidate(token: string): boolean;
  readonly givenToken: boolean;
}

/** Reads the body of a 2xx answer; throws ConsoleErrors (marked retryable where a new attempt may help). */
export type BodyReader<T> = (response: AxiosResponse<Readable>, ctx: ReadContext) => Promise<T>;

export interface ReadContext {
  endpoint: string;
  /** Milliseconds without a byte before the read fails. */
  idleTimeoutMs: number;
  attempt: AttemptContext;
}

const RETRYABLE_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EPIPE",
  "EAI_AGAIN",
  "ERR_STREAM_PREMATURE_CLOSE",
  "ERR_BAD_RESPONSE",
]);

export interface Transport {
  readonly settings: ResolvedConsoleSettings;
  /** Run `request` with retries, re-authenticating on 401 within the attempt budget, and read a 2xx body with `read`. */
  call<T>(request: ConsoleRequest, read: BodyReader<T>, tokens?: TokenSource): Promise<T>;
}

export function createTransport(settings: ResolvedConsoleSettings, retry: RetryOptions): Transport {
  /** Requests whose CONNECT the proxy refused: their "response" is the proxy's answer, not the Console's. */
  const refusedTunnels = new WeakMap<object, RefusedTunnel>();
  const { proxy, proxyProblem, ...agents } = consoleAgents(settings, (req, answer) =>
    refusedTunnels.set(req, answer),
  );
  const timeoutMs = Math.round(settings.requestTimeoutSeconds * 1000);
  const client = axios.create({
    ...agents,
    maxRedirects: 0,
    responseType: "stream",
    validateStatus: () => true,
    // The proxy is chosen once, in proxy.ts (proxyUrl, else HTTPS_PROXY/HTTP_PROXY and NO_PROXY; README "Reaching
    // the Console through a proxy"), and used by the agents above, which tunnel with CONNECT and keep the Console's
    // TLS checks inside the tunnel. axios must not choose one from the environment a second time.
    proxy: false,
  });

  // At most `maxInFlight` requests to this Console at once; a 429 pauses every caller (throttle.ts), so callers
  // wait together instead of each spending an attempt on another 429.
  const gate = createGate(settings.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT, retry);

  async function call<T>(request: ConsoleRequest, read: BodyReader<T>, tokens?: TokenSource) {
    const endpoint = `${request.method} ${request.path}`;
    return withRetries(retry, async (attempt) => {
      const headers: Record<string, string> = { Accept: "application/json, */*" };
      if (request.contentType) headers["Content-Type"] = request.contentType;
      let token: string | undefined;
      if (request.authenticated && tokens) {
        token = await tokens
          .token(attempt.signal)
          .catch((e: unknown) => Promise.reject(markFinal(e)));
        headers.Authorization = `Bearer ${token}`;
      }
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.query ?? {})) if (v !== undefined) params[k] = v;
      // Sent on every request, authenticate included, as the Terraform provider does.
      if (settings.project) params.project = settings.project;

      if (proxyProblem) throw markFinal(invalidProxy(endpoint, proxyProblem));
      // The token is taken before a slot: a sign-in needs a slot itself, and must not wait behind its own waiters.
      return gate.run(attempt.signal, async (epoch) => {
        const perAttempt = Math.min(timeoutMs, attempt.remainingMs());
        let response: AxiosResponse<Readable>;
        try {
          response = await client.request<Readable>({
            url: settings.url + request.path,
            method: request.method,
            params,
            data: request.body,
            headers,
            timeout: Math.max(1, perAttempt),
            signal: attempt.signal,
            transformRequest: [(d: unknown) => d],
          });
        } catch (error) {
          throw networkError(endpoint, error, settings, proxy);
        }
        const { status } = response;
        // The pause starts the moment a 429 is seen, before its body is read: no slot this frees, and no other
        // answer arriving meanwhile, may send a request into it.
        const retryAfter = parseRetryAfter(response.headers["retry-after"]);
        if (status === 429) gate.throttled(epoch, retryAfter);
        else gate.answered();
        const refused = refusedTunnels.get(response.request as object);
        if (proxy && (refused || status === 407)) {
          response.data.destroy();
          throw proxyRefusal(endpoint, proxy, settings.url, refused ?? response);
        }
        if (status >= 200 && status < 300) {
          return read(response, { endpoint, idleTimeoutMs: timeoutMs, attempt });
        }
        const text = await readSmall(response.data, timeoutMs, 1024 * 1024).catch(() => "");
        if (status === 401 && token && tokens!.invalidate(token)) {
          // The token expired under us. The next attempt takes the current token: a fresh one when this was the
          // latest (invalidate starts one single-flight sign-in for every caller), or the one a sign-in already
          // replaced it with. Each such retry counts against the attempt budget; only a sign-in that itself answers
          // 401 is a credentials error (it fails the call at once, see markFinal above).
          // Reached only when the sign-in itself succeeded: the credentials are fine, the token is not accepted.
          const hint =
            "The sign-in succeeded but the Console refused the token it issued: with Projects, check `project` (arg, stack config `prisma-defender:project` or env PRISMACLOUDCOMPUTE_PROJECT); else check the Console's clock and logs.";
          throw markRetryable(statusError(endpoint, status, text, response, false, hint), 0);
        }
        const error = statusError(endpoint, status, text, response, Boolean(tokens?.givenToken));
        // 429 and 503 may say when to come back (Retry-After); the retry loop honours it, capped.
        if (status === 429) throw markRetryable(error, retryAfter);
        if (status >= 500 && status !== 501 && status !== 505)
          throw markRetryable(error, retryAfter);
        throw error;
      });
    });
  }
  return { settings, call };
}

/** The Console's `{"err": ...}` text, or a description of what came instead. */
export function consoleMessageOf(
  text: string,
  contentType: string | undefined,
): string | undefined {
  if (!text.trim()) return undefined;
  if (/html/i.test(contentType ?? "") || /^\s*<(!doctype|html)/i.test(text)) {
    return "(an HTML page, not a Console API answer: a login page, proxy or wrong URL?)";
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === "object" && "err" in parsed)
      return String((parsed as { err: unknown }).err);
    if (typeof parsed === "string") return parsed;
  } catch {
    /* not JSON: fall through */
  }
  // A zip or tarball sent with a text Content-Type decodes to control characters and U+FFFD: say what it is
  // instead of printing it.
  if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text)) {
    return `(a binary body of ${Buffer.byteLength(text)} bytes, not text)`;
  }
  return text.trim().slice(0, 300);
}

function statusError(
  endpoint: string,
  status: number,
  text: string,
  response: AxiosResponse,
  givenToken: boolean,
  hint?: string,
): ConsoleError {
  const contentType = String(response.headers["content-type"] ?? "");
  if (status >= 300 && status < 400) {
    return new ConsoleError({
      endpoint,
      status,
      kind: "http",
      problem: `HTTP ${status} redirect to ${String(response.headers.location ?? "(nowhere)")}`,
      hint: "The Console API does not redirect: check `url` (scheme, port, SaaS tenant segment); a redirect usually means a login page or proxy.",
    });
  }
  return new ConsoleError({
    endpoint,
    status,
    kind: status === 401 ? "auth" : "http",
    consoleMessage: consoleMessageOf(text, contentType),
    hint: hint ?? hintForStatus(status, givenToken, consoleMessageOf(text, contentType)),
  });
}

/** Map a failure before any answer (network, TLS, timeout, deadline) to a ConsoleError. */
export function networkError(
  endpoint: string,
  error: unknown,
  settings: ResolvedConsoleSettings,
  proxy?: ConsoleProxy,
): ConsoleError {
  const e = error as { code?: string; message?: string; cause?: { code?: string } };
  const code = e.cause?.code ?? e.code;
  if (isTlsError(code)) {
    return new ConsoleError({
      endpoint,
      kind: "tls",
      problem: `TLS failure (${code})`,
      hint: TLS_HINT + proxyHint(proxy, "tls"),
      cause: error,
    });
  }
  const atProxy = proxy && proxyNetworkError(endpoint, error, code, proxy);
  if (atProxy) return code && RETRYABLE_CODES.has(code) ? markRetryable(atProxy) : atProxy;
  if (code === "ERR_CANCELED") {
    return new ConsoleError({
      endpoint,
      kind: "timeout",
      problem: "the call's total deadline passed",
      hint: "The Console kept failing or was too slow across the retries: check the network and the Console's health, or raise `requestTimeoutSeconds`.",
      cause: error,
    });
  }
  const timedOut =
    code === "ECONNABORTED" || code === "ETIMEDOUT" || /timeout/i.test(e.message ?? "");
  const failure = new ConsoleError({
    endpoint,
    kind: timedOut ? "timeout" : "network",
    problem: timedOut
      ? `no answer within ${settings.requestTimeoutSeconds}s`
      : `connection failed (${code ?? e.message ?? "unknown error"})`,
    hint: timedOut
      ? `Raise \`requestTimeoutSeconds\` (config prisma-defender:requestTimeoutSeconds, env PRISMACLOUDCOMPUTE_REQUEST_TIMEOUT) or check the network path to the Console.${proxyHint(proxy, "network")}`
      : `Check that ${settings.url} is reachable from here (url, DNS, firewall, proxy).${proxyHint(proxy, "network")}`,
    cause: error,
  });
  return code && RETRYABLE_CODES.has(code) ? markRetryable(failure) : failure;
}

/** Read a small body (error answers, JSON) into a string, failing when the stream stalls for `idleMs`. */
export async function readSmall(
  stream: Readable,
  idleMs: number,
  limit = 64 * 1024 * 1024,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  await consume(stream, idleMs, (chunk) => {
    size += chunk.length;
    if (size > limit) throw new Error(`answer larger than ${limit} bytes`);
    chunks.push(chunk);
  });
  return Buffer.concat(chunks).toString("utf8");
}

/** Feed every chunk of `stream` to `onChunk`; reject when no byte arrives for `idleMs`, destroying the stream. */
export function consume(
  stream: Readable,
  idleMs: number,
  onChunk: (chunk: Buffer) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const err = Object.assign(new Error(`no data for ${idleMs} ms`), { code: "ETIMEDOUT" });
        stream.destroy(err);
      }, idleMs);
    };
    arm();
    stream.on("data", (chunk: Buffer) => {
      arm();
      try {
        onChunk(chunk);
      } catch (e) {
        stream.destroy(e as Error);
      }
    });
    stream.once("end", () => {
      clearTimeout(timer);
      resolve();
    });
    stream.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    stream.once("close", () => {
      clearTimeout(timer);
      // A close without end is a body cut short; "error" usually comes first and wins.
      if (!stream.readableEnded)
        reject(
          Object.assign(new Error("connection closed before the end of the answer"), {
            code: "ERR_STREAM_PREMATURE_CLOSE",
          }),
        );
    });
  });
}
