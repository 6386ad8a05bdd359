// A real OCI distribution registry (Debian's `docker-registry`, github.com/distribution/distribution) on 127.0.0.1,
// with token authentication: a small token service here issues the JWTs the registry verifies against our
// certificate (https://distribution.github.io/distribution/spec/auth/jwt/). Anyone gets pull and push tokens
// anonymously, except for repositories under `private/`, which need the Basic credentials given.
import { ChildProcess, spawn } from "node:child_process";
import { createPrivateKey, randomBytes, sign, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import * as selfsigned from "selfsigned";

export const REGISTRY_BINARY = "/usr/bin/docker-registry";

export function registryMissing(): string[] {
  return fs.existsSync(REGISTRY_BINARY)
    ? []
    : [`${REGISTRY_BINARY} is missing (Debian package docker-registry; run scripts/setup.sh)`];
}

export interface TestRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  /** Token requests received: `anonymous` or the user name, and the scope asked for. */
  tokenRequests: { who: string; scope: string }[];
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function registryTlsConfig(dir: string, tls: RegistryTlsOptions): string[] {
  const file = (name: string, pem: string) => {
    fs.writeFileSync(path.join(dir, name), pem, { mode: 0o600 });
    return path.join(dir, name);
  };
  return [
    "  tls:",
    `    certificate: ${file("server.crt", tls.cert)}`,
    `    key: ${file("server.key", tls.key)}`,
    ...(tls.clientCa ? ["    clientcas:", `      - ${file("client-ca.crt", tls.clientCa)}`] : []),
  ];
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

export interface RegistryTlsOptions {
  /** PEM certificate and key the registry serves HTTPS with (plain HTTP without them). */
  cert: string;
  key: string;
  /** PEM of the CA client certificates must be signed by: with it, the registry asks for one. */
  clientCa?: string;
}

export async function startRegistry(
  dir: string,
  users: Record<string, string> = {},
  tls?: RegistryTlsOptions,
): Promise<TestRegistry> {
  fs.mkdirSync(dir, { recursive: true });
  const service = "prisma-defender-test-registry";
  const issuer = "prisma-defender-test-issuer";
  const pems = await selfsigned.generate([{ name: "commonName", value: "test token issuer" }], {
    keyType: "ec",
    algorithm: "sha256",
    days: 2,
  } as any);
  fs.writeFileSync(path.join(dir, "token.pem"), pems.cert);
  const der = new X509Certificate(pems.cert).raw;
  const key = createPrivateKey(pems.private);
  const tokenRequests: TestRegistry["tokenRequests"] = [];

  const tokens = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const scope = url.searchParams.get("scope") ?? "";
    const auth = req.headers.authorization;
    let who = "anonymous";
    if (auth?.startsWith("Basic ")) {
      const [user, password] = Buffer.from(auth.slice(6), "base64").toString().split(":");
      if (users[user] === undefined || users[user] !== password) {
        res.writeHead(401).end();
        return;
      }
      who = user;
    }
    tokenRequests.push({ who, scope });
    const [, name, actions] = /^repository:([^:]+):(.*)$/.exec(scope) ?? [];
    if (!name || (name.startsWith("private/") && who === "anonymous")) {
      res.writeHead(401, { "Content-Type": "application/json" }).end('{"details":"unauthorized"}');
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "ES256", typ: "JWT", x5c: [der.toString("base64")] };
    const claims = {
      iss: issuer,
      sub: who === "anonymous" ? "" : who,
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString("hex"),
      access: [{ type: "repository", name, actions: actions.split(",") }],
    };
    const signing = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign("sha256", Buffer.from(signing), { key, dsaEncoding: "ieee-p1363" });
    res
      .writeHead(200, { "Content-Type": "application/json" })
      .end(JSON.stringify({ token: `${signing}.${b64url(signature)}` }));
  });
  await new Promise<void>((resolve) => tokens.listen(0, "127.0.0.1", resolve));
  const tokenPort = (tokens.address() as net.AddressInfo).port;

  const port = await freePort();
  const config = [
    "version: 0.1",
    "log:",
    "  level: info",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${path.join(dir, "data")}`,
    "http:",
    `  addr: 127.0.0.1:${port}`,
    ...(tls ? registryTlsConfig(dir, tls) : []),
    "auth:",
    "  token:",
    `    realm: http://127.0.0.1:${tokenPort}/token`,
    `    service: ${service}`,
    `    issuer: ${issuer}`,
    `    rootcertbundle: ${path.join(dir, "token.pem")}`,
    "",
  ].join("\n");
  fs.writeFileSync(path.join(dir, "config.yml"), config);
  const child: ChildProcess = spawn(REGISTRY_BINARY, ["serve", path.join(dir, "config.yml")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  // Ready when it says it listens (an event, not a delay), or failed when it exits first.
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes(`listening on 127.0.0.1:${port}`)) resolve();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`docker-registry exited (${code}): ${log}`)));
  });
  return {
    host: `127.0.0.1:${port}`,
    tokenRequests,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await new Promise<void>((resolve) => tokens.close(() => resolve()));
    },
  };
}
