// HTTP plumbing: path parsing (tenant prefix, API version), auth, projects, faults, recording, sending.
import type { IncomingMessage, ServerResponse } from "http";
import { damage, sleep, statusFault } from "./faults";
import { ConsoleHttpError, errorResponse, SimResponse } from "./http";
import type { RequestContext } from "./route";
import { routes } from "./routes";
import { acceptsApiVersion, SimState } from "./state";
import type { FaultSpec, RecordedRequest, SimulatorEndpoint } from "./types";

const MAX_BODY_BYTES = 32 * 1024 * 1024;
const SECRET_QUERY = /pass|token|secret|key|auth/i;

/** What a Go mux answers for a route it does not know. */
const NOT_FOUND: SimResponse = {
  status: 404,
  contentType: "text/plain; charset=utf-8",
  body: Buffer.from("404 page not found\n"),
};

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new ConsoleHttpError(413, "request body too large"));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, response: SimResponse, fault: FaultSpec | undefined): void {
  const streamed = response.body === undefined && response.stream ? response.stream() : undefined;
  const length = response.body?.length ?? streamed?.length;
  res.statusCode = response.status;
  res.setHeader("Content-Type", response.contentType);
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  if (fault?.kind === "truncate") {
    // Announce more than will come, send part of the body (or all of a streamed one), then drop the connection.
    if (streamed) {
      res.setHeader("Content-Length", String((length ?? 0) + 1024));
      streamed.stream.on("end", () => res.destroy());
      streamed.stream.pipe(res, { end: false });
      return;
    }
    const body = response.body ?? Buffer.from("{}");
    res.setHeader("Content-Length", String(body.length * 2 + 128));
    res.write(body.subarray(0, Math.ceil(body.length / 2)), () => res.destroy());
    return;
  }
  if (length !== undefined) res.setHeader("Content-Length", String(length));
  if (streamed) {
    streamed.stream.on("error", () => res.destroy());
    streamed.stream.pipe(res);
  } else res.end(response.body);
}

/** The handler for every request of one simulator. */
export function requestListener(state: SimState) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void handle(state, req, res).catch((error) => {
      console.error("console simulator: unexpected error", error);
      if (!res.headersSent) send(res, errorResponse(500, "internal server error"), undefined);
      else res.destroy();
    });
  };
}

/** Requests open across this process's simulators; tests run one simulator at a time per cap check. */
let openRequests = 0;

async function handle(state: SimState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://simulator");
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  const recordedQuery = Object.fromEntries(
    Object.entries(query).map(([k, v]) => [k, SECRET_QUERY.test(k) ? "[redacted]" : v]),
  );
  const record: RecordedRequest = {
    method: req.method ?? "GET",
    endpoint: url.pathname,
    path: url.pathname,
    apiVersion: "",
    query: recordedQuery,
    status: 0,
    auth: "none",
    ...(query.project !== undefined ? { project: query.project } : {}),
  };
  openRequests += 1;
  record.inFlight = openRequests;
  record.receivedAt = Date.now();
  state.requests.push(record);
  // Open from arrival until the simulator has handed over the answer's last byte (`end`), or the connection went:
  // a client cannot have read the whole answer before that, so a capped client never shows more than its cap here.
  // (Counting until "close" instead would overcount: a client in another process may read the answer and send its
  // next request before this process runs the close handler.)
  let open = true;
  const done = () => {
    if (open) openRequests -= 1;
    open = false;
  };
  const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
  res.end = ((...a: unknown[]) => {
    done();
    return end(...a);
  }) as typeof res.end;
  res.on("finish", () => (record.status = res.statusCode));
  // When the answer starts (its headers are about to be written): no client can see it earlier.
  const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
  res.writeHead = ((...a: unknown[]) => {
    record.answeredAt ??= Date.now();
    return writeHead(...a);
  }) as typeof res.writeHead;
  res.on("close", () => {
    done();
    state.onRequest?.(record);
  });

  let rest = url.pathname;
  if (state.tenantPath) {
    rest = rest.startsWith(`${state.tenantPath}/`) ? rest.slice(state.tenantPath.length) : "";
  }
  const match = /^\/api\/(v[^/]+)\/(.+?)\/?$/.exec(rest);
  if (!match || !acceptsApiVersion(state, match[1])) {
    await readBody(req).catch(() => undefined);
    return send(res, NOT_FOUND, undefined);
  }
  record.apiVersion = match[1];
  record.endpoint = match[2];
  const route = routes[match[2] as SimulatorEndpoint];
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (e) {
    return send(res, errorResponse(413, (e as Error).message), undefined);
  }
  if (!route) return send(res, NOT_FOUND, undefined);
  if (state.latencyMs > 0) await sleep(state.latencyMs);

  const fault = state.faults.take(record.endpoint);
  if (fault?.ready) await fault.ready;
  if (fault?.kind === "latency") await sleep(fault.ms ?? 0);
  if (fault?.kind === "reset") {
    record.status = 0;
    req.socket.destroy();
    return;
  }
  if (fault?.kind === "expireToken") state.tokens.expireAll();
  if (fault?.kind === "status") return send(res, statusFault(fault), undefined);

  let response: SimResponse;
  try {
    if (req.method !== route.method) {
      throw new ConsoleHttpError(405, `method ${req.method} not allowed on ${record.endpoint}`);
    }
    const auth = route.auth
      ? state.tokens.authenticate(req.headers.authorization)
      : { kind: "none" as const };
    if (route.auth && auth.kind === "none") throw new ConsoleHttpError(401, "Unauthorized");
    record.auth = auth.kind;
    if (query.project !== undefined && route.auth && !state.projects.includes(query.project)) {
      throw new ConsoleHttpError(400, `project ${JSON.stringify(query.project)} does not exist`);
    }
    const ctx: RequestContext = {
      method: record.method,
      endpoint: record.endpoint as SimulatorEndpoint,
      apiVersion: record.apiVersion,
      query,
      body,
      auth,
    };
    response = await route.handle(ctx, state);
  } catch (e) {
    if (!(e instanceof ConsoleHttpError)) throw e;
    response = errorResponse(e.status, e.message, e.headers);
  }
  send(res, response.status === 200 ? damage(fault, response) : response, fault);
}
