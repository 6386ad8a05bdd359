// A fresh CA and a server certificate signed by it, made at start-up, like a self-hosted Console's self-signed
// install: clients must trust the CA (`caCertificate`) or refuse the connection.
import { X509Certificate } from "crypto";
import * as selfsigned from "selfsigned";

export interface SimulatorTls {
  /** PEM of the CA that signed the server certificate. */
  caCertificate: string;
  /** When the CA expires, ISO 8601 (`settings/certs` reports it as `caExpiration`). */
  caExpiration: string;
  key: string;
  cert: string;
}

/** Makes a CA (EC P-256: fast to generate) and a server certificate for 127.0.0.1 and localhost. */
export async function makeTls(san: string[]): Promise<SimulatorTls> {
  const now = new Date();
  const caNotAfter = new Date(now.getTime() + 3 * 365 * 24 * 3600 * 1000);
  const ca = await selfsigned.generate(
    [
      { name: "commonName", value: "Prisma Cloud Compute Console Simulator CA" },
      { name: "organizationName", value: "prisma-defender simulator" },
    ],
    {
      keyType: "ec",
      algorithm: "sha256",
      notBeforeDate: new Date(now.getTime() - 60_000),
      notAfterDate: caNotAfter,
      extensions: [
        { name: "basicConstraints", cA: true, critical: true },
        {
          name: "keyUsage",
          keyCertSign: true,
          cRLSign: true,
          digitalSignature: true,
          critical: true,
        },
      ],
    },
  );
  const altNames = san.map((name) =>
    /^[0-9.]+$/.test(name) || name.includes(":")
      ? { type: 7 as const, ip: name }
      : { type: 2 as const, value: name },
  );
  const server = await selfsigned.generate([{ name: "commonName", value: san[0] ?? "127.0.0.1" }], {
    keyType: "ec",
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 365 * 24 * 3600 * 1000),
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames },
    ],
  });
  return {
    caCertificate: ca.cert,
    caExpiration: new Date(new X509Certificate(ca.cert).validTo).toISOString(),
    key: server.private,
    cert: server.cert,
  };
}
