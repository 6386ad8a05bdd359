// The public face of the Console simulator: what tests (ours and our users') start and inspect.

/** The Console endpoints the simulator serves, named by their path after `/api/v<version>/`. */
export type SimulatorEndpoint =
  | "_ping"
  | "authenticate"
  | "authenticate/renew"
  | "version"
  | "settings/certs"
  | "defenders/fargate.json"
  | "defenders/fargate.yaml"
  | "defenders/app-embedded"
  | "defenders/install-bundle"
  | "images/twistlock_defender_app_embedded.tar.gz"
  | "images/twistlock_defender_layer.zip"
  | "defenders/serverless/bundle"
  | "policies/runtime/serverless/encode";

export type FaultKind =
  /** Wait `ms` before answering (use a value past the client's timeout). */
  | "latency"
  /** Answer `status` with `{"err": ...}`; with `retryAfterSeconds`, also a `Retry-After` header. */
  | "status"
  /** Destroy the socket without an answer. */
  | "reset"
  /** Send a Content-Length larger than the body, then close. */
  | "truncate"
  /** 200 with a JSON content type and a body that is not JSON. */
  | "malformedJson"
  /** 200 with an archive content type and bytes that are not a valid archive. */
  | "corruptArchive"
  /**
   * 200 with the real archive whose compressed data is damaged: a zip keeps its central directory and headers
   * intact (bytes in the middle of its largest entry's data are inverted), a tar.gz keeps its gzip header and
   * trailer. Only inflating the data or checking CRCs finds it.
   */
  | "flipArchiveData"
  /** Expire every token issued so far, so the next authenticated request gets 401. */
  | "expireToken";

export interface FaultSpec {
  endpoint: SimulatorEndpoint;
  kind: FaultKind;
  status?: number;
  retryAfterSeconds?: number;
  ms?: number;
  /** How many matching requests the fault applies to; default: every one until cleared. */
  times?: number;
  /**
   * Hold each matching request until `times` of them have arrived, then answer them all at once: a Console that
   * refuses a whole burst (with `status: 429`), so every refusal reaches the client before any retry can.
   */
  together?: boolean;
}

export interface RecordedRequest {
  method: string;
  endpoint: SimulatorEndpoint | string;
  /** Full path as received, including any tenant prefix and `/api/v<version>`. */
  path: string;
  /** API version segment used, such as `v1` or `v34.04`. */
  apiVersion: string;
  query: Record<string, string>;
  status: number;
  /** How the request authenticated: `bearer`, `basic`, or `none`. */
  auth: "bearer" | "basic" | "none";
  project?: string;
  /** Requests open at this Console when this one arrived, itself included (client concurrency caps). */
  inFlight?: number;
  /** When the request arrived (`Date.now()`, ms), to check that no request came during a Retry-After pause. */
  receivedAt?: number;
  /** When the simulator started its answer (`Date.now()`, ms; no client sees it earlier); unset when dropped. */
  answeredAt?: number;
}

export interface ConsoleSimulatorOptions {
  /** Serve HTTPS with a self-signed certificate made at start-up (default true). */
  https?: boolean;
  /** SaaS tenant path segment, such as `/us-3-123456789`; the URL then includes it. */
  tenantPath?: string;
  /** Console version, default `34.04.145`. */
  version?: string;
  /** Accepted credentials; default one user `admin` / a random password exposed as `credentials`. */
  users?: { username: string; password: string }[];
  /** Token lifetime in seconds (default 1800, the self-hosted default). */
  tokenTtlSeconds?: number;
  /** A token answers 401 "token expired" after this many authenticated requests (default: no limit). */
  tokenMaxUses?: number;
  /** Projects that exist; a request naming another project gets the Console's error. */
  projects?: string[];
  /** SAN names returned by `settings/certs` (default `["127.0.0.1", "localhost"]`). */
  consoleSAN?: string[];
  /** Latency added to every answer, in ms (benchmarks). */
  latencyMs?: number;
  /** Size in bytes the serverless bundle and layer zips are padded to (benchmarks of large downloads). */
  bundlePaddingBytes?: number;
  /** TCP port to listen on (default: a free port chosen by the system). The host is always 127.0.0.1. */
  port?: number;
  /**
   * Image entrypoints the simulated registry knows, used by `fargate.json?extractEntrypoint=true` for containers
   * without an `entryPoint` (the real Console reads registry scan results). Merged over a small built-in table.
   */
  imageEntrypoints?: Record<string, ImageConfig>;
  /**
   * Seed for every generated secret (install bundle, policy key, registry token, default password), so two
   * simulators with the same seed answer byte-identical artefacts. Default: random per simulator.
   */
  seed?: string;
  /** Called once each request has been answered (or dropped), with what `requests` records. */
  onRequest?: (request: RecordedRequest) => void;
  /**
   * Mistakes a Console's `defenders/app-embedded` rewrite has been seen to make, to test that they never build:
   * `blankLineEndsInstruction` reads an ENTRYPOINT/CMD only up to a blank line inside its continuation;
   * `keepsResetCmd` restates a CMD from an earlier stage even when the final stage's ENTRYPOINT reset it.
   * (Reading `FROM ${ARG}` without substituting it is the default behaviour.) Default: none.
   */
  appEmbeddedQuirks?: AppEmbeddedQuirk[];
}

export type AppEmbeddedQuirk = "blankLineEndsInstruction" | "keepsResetCmd";

/** What a registry knows about an image: its ENTRYPOINT and CMD. */
export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
}

/** Values the simulator treats as credentials, so tests can assert they never leak. */
export interface SimulatorSecrets {
  /** The INSTALL_BUNDLE value (base64 JSON) that protected task definitions and Dockerfiles carry. */
  installBundle: string;
  /** A random string inside the decoded INSTALL_BUNDLE and every decoded TW_POLICY value. */
  marker: string;
}

export interface ConsoleSimulator {
  /** Base URL to give the client: `https://127.0.0.1:<port>[<tenantPath>]`. */
  readonly url: string;
  /** PEM of the self-signed certificate's CA, to pass as `caCertificate`. */
  readonly caCertificate: string;
  /** The default user's credentials. */
  readonly credentials: { username: string; password: string };
  /** The Console's full version, such as `34.04.145`. */
  readonly version: string;
  /** Credentials the simulator hands out (INSTALL_BUNDLE and its inner secret). */
  readonly secrets: SimulatorSecrets;
  /** Every bearer token issued so far (to check that none leaks into logs, state or errors). */
  tokensIssued(): string[];
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Requests received for one endpoint. */
  requestsTo(endpoint: SimulatorEndpoint): RecordedRequest[];
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** Forget recorded requests and faults (tokens stay valid). */
  reset(): void;
  close(): Promise<void>;
}
