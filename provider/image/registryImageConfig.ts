// The configuration (Entrypoint, Cmd, User, WorkingDir) of a base image, read the way `docker pull` finds it: from
// a local Docker daemon's image store when there is one and it has the image, else from the image's registry
// through the OCI distribution API (https://github.com/opencontainers/distribution-spec/blob/main/spec.md):
// manifest (or manifest list / OCI index, then the platform's manifest), then the config blob, each checked
// against its digest. Authentication as Docker does it: an anonymous or credentialed Bearer token from the realm
// the registry's `WWW-Authenticate` names (https://distribution.github.io/distribution/spec/auth/token/), or
// Basic. TLS is verified; plain HTTP is used only for loopback registries, as Docker allows by default
// (https://docs.docker.com/reference/cli/dockerd/#insecure-registries).
import axios, { AxiosInstance, AxiosResponse } from "axios";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { registerSecret } from "../core/secrets";
import { RegistryTlsError, registryAgent, registryTlsFor, tlsHint } from "./registryTls";

export interface BaseImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  user?: string;
  workingDir?: string;
  /** Where it was read: `registry <host>` or `local Docker daemon`. */
  source: string;
}

export interface RegistryCredentials {
  /** Registry host the credentials are for, such as `ghcr.io` or `https://index.docker.io/v1/`. */
  server?: string;
  username?: string;
  password?: string;
}

export interface ReadImageConfigOptions {
  /** `os/arch[/variant]` to pick from a manifest list. Default `linux/amd64`. */
  platform?: string;
  /** Credentials, used only for the registry they name. */
  credentials?: RegistryCredentials[];
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  /** certs.d directories to read a registry's CA and client certificate from (default: `defaultCertsDirs()`). */
  certsDirs?: string[];
  /** Docker Engine socket; default from DOCKER_HOST (unix://) else /var/run/docker.sock, when it exists. */
  dockerSocket?: string | false;
}

export interface ImageReference {
  /** Registry host as written (`docker.io` for Docker Hub). */
  registry: string;
  /** Repository path in the registry (`library/alpine` for `alpine`). */
  repository: string;
  /** Tag or digest to ask for. */
  reference: string;
  digest?: string;
}

const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
];
const INDEX_TYPES = new Set(MANIFEST_TYPES.slice(0, 2));
const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;
const DOCKER_HUB = "docker.io";

/** Docker's reference rules: the first component is a registry when it has `.` or `:` or is `localhost`. */
export function parseImageReference(ref: string): ImageReference {
  const [name, digest] = ref.split("@", 2) as [string, string | undefined];
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  const hasRegistry = slash >= 0 && (/[.:]/.test(first) || first === "localhost");
  const registry = hasRegistry ? first : DOCKER_HUB;
  let path = hasRegistry ? name.slice(slash + 1) : name;
  let tag: string | undefined;
  const colon = path.lastIndexOf(":");
  if (colon > path.lastIndexOf("/")) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
  }
  if (!path || (digest !== undefined && !/^[a-z0-9]+:[a-f0-9]{32,}$/.test(digest))) {
    throw new Error(`${JSON.stringify(ref)} is not an image reference`);
  }
  if (registry === DOCKER_HUB && !path.includes("/")) path = `library/${path}`;
  return { registry, repository: path, reference: digest ?? tag ?? "latest", digest };
}

const hostOf = (server: string) =>
  server
    .replace(/^[a-z]+:\/\//i, "")
    .replace(/\/.*$/, "")
    .toLowerCase();
const DOCKER_HUB_NAMES = new Set([DOCKER_HUB, "index.docker.io", "registry-1.docker.io"]);

function credentialsFor(registry: string, all: RegistryCredentials[] = []) {
  const host = hostOf(registry);
  const same = (s: string) => s === host || (DOCKER_HUB_NAMES.has(s) && DOCKER_HUB_NAMES.has(host));
  return all.find((c) => c.server && c.username && c.password && same(hostOf(c.server)));
}

/** Loopback registries may be plain HTTP (Docker's default insecure range is 127.0.0.0/8). */
export function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return name === "localhost" || name === "::1" || /^127\.\d+\.\d+\.\d+$/.test(name);
}

function apiHost(registry: string) {
  return registry === DOCKER_HUB ? "registry-1.docker.io" : registry;
}

/** `Bearer realm="...",service="..."` into its scheme and parameters. */
export function parseChallenge(header: string | undefined) {
  if (!header) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const m of match[2].matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[m[1].toLowerCase()] = (m[2] ?? m[3]).replace(/\\(.)/g, "$1");
  }
  return { scheme: match[1].toLowerCase(), params };
}

const sha256 = (data: Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

class Registry {
  private authorization?: string;
  private base?: string;
  private readonly http: AxiosInstance;

  constructor(
    private readonly ref: ImageReference,
    private readonly options: ReadImageConfigOptions,
  ) {
    const files = registryTlsFor(this.host, options.certsDirs);
    this.http = axios.create({
      responseType: "arraybuffer",
      validateStatus: () => true,
      maxContentLength: MAX_DOCUMENT_BYTES,
      // Registries are reached directly: the proxy settings of this package are for the Console.
      proxy: false,
      ...(files ? { httpsAgent: registryAgent(files) } : {}),
    });
  }

  private get host() {
    return apiHost(this.ref.registry);
  }

  private async get(url: string, headers: Record<string, string>): Promise<AxiosResponse<Buffer>> {
    try {
      return await this.http.get(url, { headers, timeout: this.options.timeoutMs ?? 30_000 });
    } catch (error) {
      const hint = tlsHint(error, new URL(url).host, this.options.certsDirs);
      throw hint ? new RegistryTlsError(hint) : error;
    }
  }

  /** `https://host`, or for a loopback registry that does not speak TLS, `http://host`. */
  private async baseUrl(): Promise<string> {
    if (this.base) return this.base;
    const https = `https://${this.host}`;
    if (!isLoopback(this.host)) return (this.base = https);
    try {
      await this.get(`${https}/v2/`, {});
      return (this.base = https);
    } catch (error) {
      // A registry that speaks TLS with a certificate we cannot verify is not an HTTP registry: say so.
      if (error instanceof RegistryTlsError) throw error;
      return (this.base = `http://${this.host}`);
    }
  }

  /** GET a registry path, answering an authentication challenge once. */
  async fetch(path: string, accept: string): Promise<AxiosResponse<Buffer>> {
    const url = `${await this.baseUrl()}/v2/${this.ref.repository}/${path}`;
    const headers = (): Record<string, string> => ({
      Accept: accept,
      ...(this.authorization ? { Authorization: this.authorization } : {}),
    });
    let res = await this.get(url, headers());
    if (res.status === 401 && !this.authorization) {
      await this.authenticate(res.headers["www-authenticate"] as string | undefined);
      res = await this.get(url, headers());
    }
    return res;
  }

  private async authenticate(header: string | undefined): Promise<void> {
    const challenge = parseChallenge(header);
    const creds = credentialsFor(this.ref.registry, this.options.credentials);
    registerSecret(creds?.password);
    const basic =
      creds && `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
    if (challenge?.scheme === "basic") {
      if (!basic)
        throw new Error(`registry ${this.host} asks for credentials and none were given for it`);
      this.authorization = basic;
      return;
    }
    if (challenge?.scheme !== "bearer" || !challenge.params.realm) {
      throw new Error(
        `registry ${this.host} answered 401 without a usable WWW-Authenticate challenge`,
      );
    }
    const realm = new URL(challenge.params.realm);
    if (realm.protocol !== "https:" && !(realm.protocol === "http:" && isLoopback(realm.host))) {
      throw new Error(
        `registry ${this.host} names a token service over plain HTTP (${realm.origin}); refusing`,
      );
    }
    realm.searchParams.set("scope", `repository:${this.ref.repository}:pull`);
    if (challenge.params.service) realm.searchParams.set("service", challenge.params.service);
    const res = await this.get(realm.toString(), {
      Accept: "application/json",
      ...(basic ? { Authorization: basic } : {}),
    });
    if (res.status !== 200) {
      throw new Error(
        `the token service of registry ${this.host} (${realm.origin}${realm.pathname}) answered ${res.status}${basic ? " with the given credentials" : " to an anonymous request"}`,
      );
    }
    let token: unknown;
    try {
      const body = JSON.parse(Buffer.from(res.data).toString("utf8"));
      token = body.token ?? body.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== "string" || !token) {
      throw new Error(`the token service of registry ${this.host} answered no token`);
    }
    registerSecret(token);
    this.authorization = `Bearer ${token}`;
  }

  /** A manifest or blob, checked against `digest` when one is known. */
  async document(kind: "manifests" | "blobs", reference: string, accept: string, digest?: string) {
    const res = await this.fetch(`${kind}/${reference}`, accept);
    if (res.status !== 200) {
      throw new Error(
        `registry ${this.host} answered ${res.status} for ${kind === "blobs" ? "the config blob" : "the manifest"} of ${this.ref.repository}:${reference}`,
      );
    }
    const data = Buffer.from(res.data);
    if (digest && sha256(data) !== digest) {
      throw new Error(
        `registry ${this.host} sent ${kind} ${reference} whose content does not match its digest`,
      );
    }
    let json: any;
    try {
      json = JSON.parse(data.toString("utf8"));
    } catch {
      throw new Error(`registry ${this.host} sent ${kind} ${reference} that is not JSON`);
    }
    return {
      json,
      contentType: String(res.headers["content-type"] ?? "")
        .split(";")[0]
        .trim(),
    };
  }
}

function pickPlatform(index: any, platform: string, registry: string) {
  const [os, architecture, variant] = platform.split("/");
  const entries: any[] = Array.isArray(index.manifests) ? index.manifests : [];
  const matches = entries.filter(
    (m) =>
      m?.platform?.os === os &&
      m?.platform?.architecture === architecture &&
      (variant === undefined ||
        m.platform.variant === variant ||
        (m.platform.variant === undefined && variant === "v8" && architecture === "arm64")),
  );
  if (!matches.length) {
    const has = entries
      .map((m) =>
        [m?.platform?.os, m?.platform?.architecture, m?.platform?.variant]
          .filter(Boolean)
          .join("/"),
      )
      .filter(Boolean);
    throw new Error(
      `the image in registry ${registry} has no ${platform} manifest (it has ${has.join(", ") || "none"})`,
    );
  }
  return matches[0];
}

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((s) => typeof s === "string") ? v : undefined;

function fromConfig(config: any, source: string): BaseImageConfig {
  const c = config?.config ?? config?.Config ?? {};
  return {
    entrypoint: strings(c.Entrypoint),
    cmd: strings(c.Cmd),
    user: typeof c.User === "string" && c.User !== "" ? c.User : undefined,
    workingDir: typeof c.WorkingDir === "string" && c.WorkingDir !== "" ? c.WorkingDir : undefined,
    source,
  };
}

/** The local Docker daemon's socket, when there is one. */
function dockerSocket(option: string | false | undefined): string | undefined {
  if (option === false) return undefined;
  const host = process.env.DOCKER_HOST;
  const candidate =
    option ??
    (host?.startsWith("unix://")
      ? host.slice("unix://".length)
      : host
        ? undefined
        : "/var/run/docker.sock");
  return candidate && fs.existsSync(candidate) ? candidate : undefined;
}

/** The image as the local Docker daemon has it (what `docker build` uses when present), else undefined. */
async function fromLocalDocker(ref: string, socket: string, timeoutMs: number) {
  // The Engine API takes the reference as the path, slashes included (as the docker CLI sends it).
  if (!/^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/.test(ref)) return undefined;
  try {
    const res = await axios.get(`http://localhost/images/${ref}/json`, {
      socketPath: socket,
      validateStatus: () => true,
      timeout: timeoutMs,
      proxy: false,
    });
    if (res.status !== 200 || typeof res.data !== "object") return undefined;
    return fromConfig(res.data, "the local Docker daemon");
  } catch {
    return undefined;
  }
}

/** Read `ref`'s configuration: local Docker daemon first, then its registry. Rejects when neither answers. */
export async function readImageConfig(
  ref: string,
  options: ReadImageConfigOptions = {},
): Promise<BaseImageConfig> {
  const socket = dockerSocket(options.dockerSocket);
  if (socket) {
    const local = await fromLocalDocker(ref, socket, options.timeoutMs ?? 30_000);
    if (local) return local;
  }
  const parsed = parseImageReference(ref);
  const registry = new Registry(parsed, options);
  const platform = options.platform ?? "linux/amd64";
  let manifest = await registry.document(
    "manifests",
    parsed.reference,
    MANIFEST_TYPES.join(", "),
    parsed.digest,
  );
  if (INDEX_TYPES.has(manifest.contentType) || Array.isArray(manifest.json.manifests)) {
    const entry = pickPlatform(manifest.json, platform, parsed.registry);
    manifest = await registry.document(
      "manifests",
      entry.digest,
      entry.mediaType ?? MANIFEST_TYPES.slice(2).join(", "),
      entry.digest,
    );
  }
  const configDigest = manifest.json?.config?.digest;
  if (typeof configDigest !== "string" || !/^sha256:[a-f0-9]{64}$/.test(configDigest)) {
    throw new Error(
      `the manifest of ${ref} in registry ${parsed.registry} has no image config (schema 1 manifests are not supported)`,
    );
  }
  const config = await registry.document("blobs", configDigest, "*/*", configDigest);
  const [os, architecture] = platform.split("/");
  if (
    config.json.os &&
    config.json.architecture &&
    (config.json.os !== os || config.json.architecture !== architecture)
  ) {
    throw new Error(
      `the image ${ref} is built for ${config.json.os}/${config.json.architecture}, not ${platform}`,
    );
  }
  return fromConfig(config.json, `registry ${parsed.registry}`);
}
