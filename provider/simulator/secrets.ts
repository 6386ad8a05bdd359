// The credentials a Console hands out: INSTALL_BUNDLE (per Console, stable for its life) and TW_POLICY values.
import { createHash, createHmac, randomBytes } from "crypto";

export interface SecretSource {
  /** Deterministic bytes for `purpose` (from the seed), or random ones when there is no seed. */
  bytes(purpose: string, length: number): Buffer;
}

export function secretSource(seed: string | undefined): SecretSource {
  return {
    bytes(purpose, length) {
      if (seed === undefined) return randomBytes(length);
      const out = Buffer.alloc(length);
      for (let block = 0, offset = 0; offset < length; block++) {
        const digest = createHmac("sha256", seed).update(`${purpose}/${block}`).digest();
        offset += digest.copy(out, offset);
      }
      return out;
    },
  };
}

/**
 * INSTALL_BUNDLE: base64 of a JSON object with the keys docs/console-api.md#install-bundle lists (decoded from a
 * public value).
 * `marker` is a random string placed in the secret fields so tests can search for leaks of the decoded value too.
 */
export function makeInstallBundle(marker: string, source: SecretSource): string {
  const bundle = {
    secrets: {
      "service-parameter": `${marker}:${source.bytes("service-parameter", 24).toString("base64")}`,
    },
    globalProxyOpt: {
      httpProxy: "",
      noProxy: "",
      ca: "",
      user: "",
      password: { encrypted: "" },
    },
    customerID: `sim-${source.bytes("customer", 6).toString("hex")}`,
    apiKey: `${marker}${source.bytes("api-key", 32).toString("base64")}`,
    microsegCompatible: false,
    imageScanID: source.bytes("image-scan-id", 12).toString("hex"),
  };
  return Buffer.from(JSON.stringify(bundle)).toString("base64");
}

export interface EncodeInput {
  consoleAddr: string;
  function: string;
  provider: string;
  region?: string;
}

/**
 * TW_POLICY: base64 of a serverless runtime rule. Deterministic for equal input (fixed key order, no clock); the
 * `key` field, derived from the simulator's marker, is the credential part.
 */
export function encodeServerlessRule(input: EncodeInput, marker: string, version: string): string {
  const region = input.region && input.region.length > 0 ? input.region : "*";
  const rule = {
    rules: [
      {
        name: `simulated serverless rule for ${input.function}`,
        collections: [
          { functions: [input.function], providers: [input.provider], regions: [region] },
        ],
        processes: { effect: "alert" },
        network: { effect: "alert" },
        filesystem: { effect: "alert" },
      },
    ],
    consoleAddr: input.consoleAddr,
    function: input.function,
    provider: input.provider,
    region,
    consoleVersion: version,
    key: `${marker}-${createHash("sha256").update(`${marker}/${input.function}`).digest("hex").slice(0, 24)}`,
  };
  return Buffer.from(JSON.stringify(rule)).toString("base64");
}
