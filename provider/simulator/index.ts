// The Prisma Cloud Compute Console simulator: a real HTTP(S) server answering the deploy-time endpoints the way a
// Console does, for our tests, benchmarks and demo, and for our users' own tests.
import * as http from "http";
import * as https from "https";
import type { AddressInfo } from "net";
import { requestListener } from "./server";
import { resolveState } from "./state";
import { makeTls } from "./tls";
import type { ConsoleSimulator, ConsoleSimulatorOptions, SimulatorEndpoint } from "./types";

export * from "./types";

/** Starts a simulator on 127.0.0.1 (HTTPS with a fresh CA unless `https: false`). Close it with `close()`. */
export async function startConsoleSimulator(
  options: ConsoleSimulatorOptions = {},
): Promise<ConsoleSimulator> {
  const useHttps = options.https ?? true;
  const san = options.consoleSAN ?? ["127.0.0.1", "localhost"];
  const tls = useHttps
    ? await makeTls([...new Set(["127.0.0.1", "localhost", ...san])])
    : undefined;
  const state = resolveState(
    options,
    tls?.caExpiration ?? new Date(Date.now() + 3 * 365 * 24 * 3600 * 1000).toISOString(),
  );
  const listener = requestListener(state);
  const server = tls
    ? https.createServer({ key: tls.key, cert: tls.cert }, listener)
    : http.createServer(listener);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${useHttps ? "https" : "http"}://127.0.0.1:${port}${state.tenantPath}`;
  let closed: Promise<void> | undefined;
  return {
    url,
    caCertificate: tls?.caCertificate ?? "",
    credentials: { ...state.credentials },
    version: state.version,
    secrets: { ...state.secrets },
    tokensIssued: () => state.tokens.all(),
    get requests() {
      return state.requests;
    },
    requestsTo: (endpoint: SimulatorEndpoint) =>
      state.requests.filter((r) => r.endpoint === endpoint),
    injectFault: (fault) => state.faults.add(fault),
    clearFaults: () => state.faults.clear(),
    reset() {
      state.requests.length = 0;
      state.faults.clear();
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
