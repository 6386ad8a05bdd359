// Everything one simulator instance knows, resolved from its options once at start-up.
import { TokenStore } from "./auth";
import { FaultTable } from "./faults";
import { BUILT_IN_IMAGES } from "./fargate";
import { makeInstallBundle, secretSource } from "./secrets";
import { SpecValidator, specFor } from "./spec";
import type {
  AppEmbeddedQuirk,
  ConsoleSimulatorOptions,
  ImageConfig,
  RecordedRequest,
  SimulatorSecrets,
} from "./types";

export interface SimState {
  /** Full Console version, `34.04.145`. */
  version: string;
  /** `34.04`. */
  majorMinor: string;
  /** Normalised tenant path (`/us-3-123`) or "". */
  tenantPath: string;
  /** A SaaS tenant (has a tenant path): Defenders connect on 443 instead of 8084. */
  saas: boolean;
  consoleSAN: string[];
  caExpiration: string;
  projects: string[];
  latencyMs: number;
  bundlePaddingBytes: number;
  appEmbeddedQuirks: AppEmbeddedQuirk[];
  images: Record<string, ImageConfig>;
  tokens: TokenStore;
  faults: FaultTable;
  spec: SpecValidator;
  secrets: SimulatorSecrets;
  credentials: { username: string; password: string };
  /** Defender image of this Console (`registry-auth.twistlock.com/tw_<token>/twistlock/defender:defender_34_04_145`). */
  defenderImage: string;
  requests: RecordedRequest[];
  onRequest?: (request: RecordedRequest) => void;
  /** Memoised generated artefacts, keyed by their request. */
  cache: Map<string, Promise<Buffer>>;
}

/** The project every Console knows: the Central Console's own (`project=Central+Console` in the docs). */
export const CENTRAL_CONSOLE = "Central Console";

export function resolveState(options: ConsoleSimulatorOptions, caExpiration: string): SimState {
  const version = options.version ?? "34.04.145";
  if (!/^\d{2}\.\d{2}\.\d{3}$/.test(version)) {
    throw new Error(`version must look like 34.04.145, got ${JSON.stringify(version)}`);
  }
  let tenantPath = (options.tenantPath ?? "").replace(/\/+$/, "");
  if (tenantPath && !tenantPath.startsWith("/")) tenantPath = `/${tenantPath}`;
  if (tenantPath && !/^(\/[A-Za-z0-9._~-]+)+$/.test(tenantPath)) {
    throw new Error(
      `tenantPath must be a URL path such as /us-3-123456789, got ${options.tenantPath}`,
    );
  }
  const source = secretSource(options.seed);
  const marker = `twsim${source.bytes("marker", 10).toString("hex")}`;
  const defaultUser = {
    username: "admin",
    password: source.bytes("password", 18).toString("base64url"),
  };
  const users = options.users && options.users.length > 0 ? options.users : [defaultUser];
  const ttl = options.tokenTtlSeconds ?? 1800;
  if (!(ttl > 0)) throw new Error("tokenTtlSeconds must be positive");
  if (
    options.tokenMaxUses !== undefined &&
    !(Number.isInteger(options.tokenMaxUses) && options.tokenMaxUses > 0)
  )
    throw new Error("tokenMaxUses must be a positive integer");
  const registryToken = source.bytes("registry-token", 20).toString("hex");
  return {
    version,
    majorMinor: version.split(".").slice(0, 2).join("."),
    tenantPath,
    saas: tenantPath !== "",
    consoleSAN: options.consoleSAN ?? ["127.0.0.1", "localhost"],
    caExpiration,
    projects: [CENTRAL_CONSOLE, ...(options.projects ?? [])],
    latencyMs: options.latencyMs ?? 0,
    bundlePaddingBytes: options.bundlePaddingBytes ?? 0,
    appEmbeddedQuirks: options.appEmbeddedQuirks ?? [],
    images: { ...BUILT_IN_IMAGES, ...(options.imageEntrypoints ?? {}) },
    tokens: new TokenStore(users, ttl, options.tokenMaxUses ?? Infinity),
    faults: new FaultTable(),
    spec: new SpecValidator(specFor(version)),
    secrets: { installBundle: makeInstallBundle(marker, source), marker },
    credentials: users[0],
    defenderImage:
      `registry-auth.twistlock.com/tw_${registryToken}/twistlock/defender:` +
      `defender_${version.replace(/\./g, "_")}`,
    requests: [],
    onRequest: options.onRequest,
    cache: new Map(),
  };
}

/** Whether this Console serves `/api/<segment>/`: v1, its own version, and older ones it still supports. */
export function acceptsApiVersion(state: SimState, segment: string): boolean {
  if (segment === "v1") return true;
  const match = /^v(\d+)\.(\d{2})$/.exec(segment);
  if (!match) return false;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  const [ownMajor, ownMinor] = state.majorMinor.split(".").map(Number);
  if (major > ownMajor || (major === ownMajor && minor > ownMinor)) return false;
  // N-2 majors; from 33.00 on, Consoles also accept calls from 30.xx (docs/console-api.md#version-window).
  const oldest = ownMajor >= 33 ? 30 : ownMajor - 2;
  return major >= oldest;
}

/** Defender→Console websocket address: 8084 self-hosted, 443 SaaS (docs/console-api.md#websocket-address). */
export function wsAddress(state: SimState, consoleAddress: string): string {
  return `wss://${consoleAddress}:${state.saas ? 443 : 8084}`;
}

/** Path of the Defender binary in protected app containers: changed from the shell script in 34.x (inferred). */
export function fargateEntrypointBinary(state: SimState): string {
  return Number(state.version.split(".")[0]) >= 34
    ? "/var/lib/twistlock/fargate/defender"
    : "/var/lib/twistlock/fargate/fargate_defender.sh";
}
