// The contract between the components, the Console client and the Console simulator.
// Components only ever see `ComputeConsole`; the client implements it over HTTP and the
// simulator answers the same requests, so both are held to one shape.
import * as pulumi from "@pulumi/pulumi";

/**
 * How to reach a Prisma Cloud Compute Console. Every field may instead come from stack config
 * (`prisma-defender:<field>`, `prisma-defender:consoleUrl` for the URL) or from the environment variables the
 * official Terraform provider reads (`PRISMACLOUDCOMPUTE_CONSOLE_URL`, `PRISMACLOUDCOMPUTE_USERNAME`, ...).
 */
export interface ConsoleArgs {
  /**
   * Console URL. Self-hosted: `https://<host>:8083`. SaaS: the "Path to Console" from Compute > Manage > System >
   * Utilities, including its tenant segment (for example `https://us-west1.cloud.twistlock.com/us-3-123456789`).
   */
  url?: pulumi.Input<string>;
  /** User name, or on SaaS the Prisma Cloud access key ID. Used with `password`. */
  username?: pulumi.Input<string>;
  /** Password, or on SaaS the access key's secret key. Treated as a secret. */
  password?: pulumi.Input<string>;
  /** A ready-made Console bearer token, instead of `username`/`password`. Treated as a secret. */
  token?: pulumi.Input<string>;
  /** API version to call, such as `34.04`. Default: the Console's own version, read from `GET /api/v1/version`. */
  apiVersion?: pulumi.Input<string>;
  /** Projects (multi-tenant self-hosted) name to send as `project=` on every request. */
  project?: pulumi.Input<string>;
  /**
   * Host name Defenders use to connect to the Console (one of the names in its certificate). Default: the URL's
   * host when the Console's certificate (`GET /settings/certs`) lists it, else the first DNS name there that is not
   * `localhost`, else the URL's host. A host name, never a URL.
   */
  consoleAddress?: pulumi.Input<string>;
  /** PEM certificate(s) of the CA that signed the Console's certificate, for self-signed or private CAs. */
  caCertificate?: pulumi.Input<string>;
  /** Skip TLS verification of the Console's certificate. Insecure: an explicit opt-in, logged as a warning. */
  insecureSkipVerify?: pulumi.Input<boolean>;
  /**
   * Allow an `http://` Console URL. Insecure: the password or token and the Defender secrets would travel in the
   * clear, so a plain-http URL is refused unless this is set (the Console normally serves HTTPS on port 8083).
   */
  allowInsecureHttp?: pulumi.Input<boolean>;
  /** Timeout of one request to the Console, in seconds. Default: 60. */
  requestTimeoutSeconds?: pulumi.Input<number>;
  /**
   * Most requests this program sends to the Console at once, sign-ins included (an integer from 1 to 256). The
   * Console is a shared server: a stack of a thousand functions still keeps at most this many requests open, and a
   * 429 answer pauses every request to that Console until its Retry-After has passed. Components that share a
   * Console should share the value (set it in stack config). Default: 16.
   */
  maxInFlight?: pulumi.Input<number>;
  /**
   * HTTP(S) proxy for the requests to the Console, such as `http://proxy.example.com:3128`, with
   * `http://user:password@host:port` for Basic proxy authentication (special characters percent-encoded). HTTPS is
   * tunnelled with CONNECT and the Console's certificate is still verified. Overrides `HTTPS_PROXY`/`HTTP_PROXY`
   * and `NO_PROXY`, which are honoured when this is not set. Treated as a secret.
   */
  proxyUrl?: pulumi.Input<string>;
  /**
   * A semver range the Console's version must be in, such as `~34.04` or `>=32.07 <35` (zero-padded parts are read
   * as numbers: `34.04.145` is 34.4.145). A Console outside it fails the deployment (and the preview) before any
   * Defender is fetched, naming both versions, so a Defender upgrade happens on purpose. Default: any version.
   */
  requireDefenderVersion?: pulumi.Input<string>;
}

/** ConsoleArgs with every Input resolved and every default applied (from args, stack config or environment). */
export interface ResolvedConsoleSettings {
  url: string;
  username?: string;
  password?: string;
  token?: string;
  apiVersion?: string;
  project?: string;
  consoleAddress?: string;
  caCertificate?: string;
  insecureSkipVerify: boolean;
  /** Set when a plain-http `url` was allowed explicitly. */
  allowInsecureHttp?: boolean;
  requestTimeoutSeconds: number;
  /** Most requests in flight to this Console at once; default 16 when unset (kept unset unless given). */
  maxInFlight?: number;
  /** An explicit proxy for this Console; without it the client reads HTTPS_PROXY/HTTP_PROXY and NO_PROXY. */
  proxyUrl?: string;
  /** The range the Console's version must satisfy (as given), if any. */
  requireDefenderVersion?: string;
}

// The request types are inferred from the endpoints' schemas: one definition each.
export type {
  AppEmbeddedRequest,
  BundleRequest,
  EncodeRequest,
  FargateProtectParams,
  LayerRequest,
} from "./console/endpoints";
import type * as Requests from "./console/endpoints";

/** An archive the Console returned, streamed to the private cache (0600 file under a 0700 directory). */
export interface DownloadedArchive {
  /** Absolute path of the cached file. Never write to it. */
  path: string;
  /** Hex SHA-256 of the file: stable while the Console returns the same bytes. */
  sha256: string;
  size: number;
  kind: "zip" | "tar.gz";
}

/**
 * One Console, authenticated, versioned and memoised: asking twice for the same thing in one process makes one
 * request. Every method rejects with a `ConsoleError` (provider/core/errors.ts).
 */
export interface ComputeConsole {
  /** The API version used in paths, such as `34.04`. */
  apiVersion(): Promise<string>;
  /** The Console's full version, such as `34.04.145`. */
  consoleVersion(): Promise<string>;
  /** The host name Defenders connect to: the `consoleAddress` setting, else derived as `ConsoleArgs.consoleAddress` says. */
  consoleAddress(): Promise<string>;
  /** `POST /defenders/fargate.json`: returns the Console's protected task definition as parsed JSON. */
  protectFargateTask(
    taskDefinition: Record<string, unknown>,
    params: Requests.FargateProtectParams,
  ): Promise<Record<string, unknown>>;
  /** `POST /defenders/fargate.json?cloudFormation=true` (json) or `fargate.yaml` (yaml): the protected template text. */
  protectCloudFormationTemplate(
    template: string,
    format: "json" | "yaml",
    params: Requests.FargateProtectParams,
  ): Promise<string>;
  /** `POST /defenders/app-embedded`: the zip with the rewritten Dockerfile and the Defender tarball. */
  embedDockerfile(request: Requests.AppEmbeddedRequest): Promise<DownloadedArchive>;
  /** `GET /images/twistlock_defender_app_embedded.tar.gz`. */
  appEmbeddedTarball(): Promise<DownloadedArchive>;
  /** `GET /defenders/install-bundle?consoleaddr=<host>&defenderType=appEmbedded`: the INSTALL_BUNDLE value. */
  installBundle(consoleAddress: string): Promise<{ installBundle: string; wsAddress: string }>;
  /** `POST /images/twistlock_defender_layer.zip`. */
  lambdaLayer(request: Requests.LayerRequest): Promise<DownloadedArchive>;
  /** `POST /defenders/serverless/bundle`. */
  serverlessBundle(request: Requests.BundleRequest): Promise<DownloadedArchive>;
  /** `POST /api/v1/policies/runtime/serverless/encode`: the TW_POLICY value (a credential). */
  encodeServerlessPolicy(request: Requests.EncodeRequest): Promise<string>;
}
