// A registry with a private CA, or one that wants a client certificate, is configured for Docker and Podman/buildah
// in a certs.d directory named after the registry's `host[:port]`: `*.crt` are CA roots, added to the system's,
// and `<name>.cert` with `<name>.key` a client certificate
// (https://docs.docker.com/engine/security/certificates/, containers-certs.d(5) in
// https://github.com/containers/image/blob/main/docs/containers-certs.d.5.md). Reading the same directories makes a
// base image readable here wherever `docker build` or buildah can pull it, with verification kept on.
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";

import { CERT_VERIFY_CODES } from "../core/errors";

/** The certs.d directories consulted, highest priority first (containers-certs.d(5), Docker's last). */
export function defaultCertsDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const config = env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config");
  return [
    path.join(config, "containers", "certs.d"),
    "/etc/containers/certs.d",
    "/etc/docker/certs.d",
  ];
}

export interface RegistryTls {
  /** The host directory the files came from. */
  dir: string;
  /** CA certificates (PEM) added to the system's roots. */
  ca: string[];
  cert?: string;
  key?: string;
}

/**
 * The TLS files for `host` (`host[:port]`, exactly as in the image reference) from the first certs.d directory that
 * has a folder for it, or undefined when none has.
 */
export function registryTlsFor(host: string, dirs = defaultCertsDirs()): RegistryTls | undefined {
  // The folder is the host as written; a name that could leave the directory is never looked up.
  if (!host || /[/\\]/.test(host) || host === "." || host === "..") return undefined;
  for (const base of dirs) {
    const dir = path.join(base, host);
    let names: string[];
    try {
      names = fs.readdirSync(dir).sort();
    } catch {
      continue;
    }
    const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");
    const ca = names.filter((n) => n.endsWith(".crt")).map(read);
    const certName = names.find(
      (n) => n.endsWith(".cert") && names.includes(`${n.slice(0, -".cert".length)}.key`),
    );
    return {
      dir,
      ca,
      ...(certName
        ? { cert: read(certName), key: read(`${certName.slice(0, -".cert".length)}.key`) }
        : {}),
    };
  }
  return undefined;
}

/** An agent that trusts the system's roots plus the registry's CAs and presents its client certificate, if any. */
export function registryAgent(files: RegistryTls): https.Agent {
  return new https.Agent({
    ...(files.ca.length ? { ca: [...tls.rootCertificates, ...files.ca] } : {}),
    ...(files.cert ? { cert: files.cert, key: files.key } : {}),
  });
}

/** A registry's certificate could not be verified: never a reason to try plain HTTP instead. */
export class RegistryTlsError extends Error {}

/** The way out for a certificate the registry presents and we cannot verify, or undefined for other errors. */
export function tlsHint(
  error: unknown,
  host: string,
  dirs = defaultCertsDirs(),
): string | undefined {
  const code = (error as { code?: string } | undefined)?.code;
  if (!code || !CERT_VERIFY_CODES.has(code)) return undefined;
  return (
    `the TLS certificate of registry ${host} could not be verified (${code}). If it is signed by a private CA, put ` +
    `the CA in ${path.join(dirs[dirs.length - 1] ?? "/etc/docker/certs.d", host, "ca.crt")} (as Docker reads it) ` +
    `or in NODE_EXTRA_CA_CERTS`
  );
}
