// Fault injection: each kind, `times`, and that faults stay on their endpoint.
import * as http from "http";
import { gunzipSync } from "zlib";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { verifyArchive } from "../../provider/core/console/downloads";
import { startConsoleSimulator, ConsoleSimulator } from "../../provider/simulator";
import { call, login, unzip } from "./helpers";

describe("console simulator: faults", () => {
  let sim: ConsoleSimulator;
  let token: string;
  beforeAll(async () => {
    sim = await startConsoleSimulator({ https: false });
    token = await login(sim);
  });
  afterEach(() => sim.clearFaults());
  afterAll(() => sim.close());

  it("status: answers the status with {err} and Retry-After, `times` times, on that endpoint only", async () => {
    sim.injectFault({
      endpoint: "version",
      kind: "status",
      status: 429,
      retryAfterSeconds: 7,
      times: 2,
    });
    for (let i = 0; i < 2; i++) {
      const limited = await call(sim, "/api/v1/version", { token });
      expect(limited.status).toBe(429);
      expect(limited.headers["retry-after"]).toBe("7");
      expect(limited.json()).toEqual({ err: expect.stringContaining("429") });
      expect((await call(sim, "/api/v1/settings/certs", { token })).status).toBe(200);
    }
    expect((await call(sim, "/api/v1/version", { token })).status).toBe(200);
  });

  it("status without times: every request until cleared; also before authentication", async () => {
    sim.injectFault({ endpoint: "authenticate", kind: "status", status: 503 });
    expect((await call(sim, "/api/v1/authenticate", { body: sim.credentials })).status).toBe(503);
    expect((await call(sim, "/api/v1/authenticate", { body: sim.credentials })).status).toBe(503);
    sim.clearFaults();
    expect((await call(sim, "/api/v1/authenticate", { body: sim.credentials })).status).toBe(200);
  });

  it("latency: delays the answer past a client's timeout", async () => {
    sim.injectFault({ endpoint: "version", kind: "latency", ms: 1500, times: 1 });
    const timedOut = await new Promise<string>((resolve) => {
      const req = http.get(`${sim.url}/api/v1/version`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      req.setTimeout(200, () => {
        req.destroy();
        resolve("timeout");
      });
      req.on("response", () => resolve("answered"));
      req.on("error", () => undefined);
    });
    expect(timedOut).toBe("timeout");
    expect((await call(sim, "/api/v1/version", { token })).status).toBe(200);
  });

  it("reset: drops the connection without an answer, recorded as status 0", async () => {
    sim.injectFault({ endpoint: "defenders/install-bundle", kind: "reset", times: 1 });
    await expect(
      call(sim, "/api/v1/defenders/install-bundle?consoleaddr=h", { token }),
    ).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(sim.requestsTo("defenders/install-bundle").pop()!.status).toBe(0);
    expect(
      (await call(sim, "/api/v1/defenders/install-bundle?consoleaddr=h", { token })).status,
    ).toBe(200);
  });

  it("truncate: announces more bytes than it sends, then closes", async () => {
    sim.injectFault({
      endpoint: "images/twistlock_defender_app_embedded.tar.gz",
      kind: "truncate",
      times: 1,
    });
    await expect(
      call(sim, "/api/v1/images/twistlock_defender_app_embedded.tar.gz", { token }),
    ).rejects.toThrow(/aborted|ECONNRESET|premature/i);
    sim.injectFault({ endpoint: "settings/certs", kind: "truncate", times: 1 });
    await expect(call(sim, "/api/v1/settings/certs", { token })).rejects.toThrow(
      /aborted|ECONNRESET|premature/i,
    );
  });

  it("malformedJson: 200 with a JSON content type and a body that is not JSON", async () => {
    sim.injectFault({ endpoint: "authenticate", kind: "malformedJson", times: 1 });
    const answer = await call(sim, "/api/v1/authenticate", { body: sim.credentials });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(() => answer.json()).toThrow(SyntaxError);
  });

  it("corruptArchive: 200 with the archive's content type and bytes that are not an archive", async () => {
    sim.injectFault({
      endpoint: "images/twistlock_defender_layer.zip",
      kind: "corruptArchive",
      times: 1,
    });
    const zip = await call(sim, "/api/v1/images/twistlock_defender_layer.zip", {
      body: { provider: "aws", runtime: "nodejs" },
      token,
    });
    expect([zip.status, zip.headers["content-type"]]).toEqual([200, "application/zip"]);
    await expect(unzip(zip.body)).rejects.toThrow();
    sim.injectFault({
      endpoint: "images/twistlock_defender_app_embedded.tar.gz",
      kind: "corruptArchive",
      times: 1,
    });
    const tgz = await call(sim, "/api/v1/images/twistlock_defender_app_embedded.tar.gz", { token });
    expect(tgz.headers["content-type"]).toBe("application/gzip");
    expect(tgz.body.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(false);
  });

  it("flipArchiveData: the real archive with its directory intact and its data damaged", async () => {
    const body = { provider: "aws", runtime: "nodejs" };
    const url = "/api/v1/images/twistlock_defender_layer.zip";
    const good = await call(sim, url, { body, token });
    sim.injectFault({
      endpoint: "images/twistlock_defender_layer.zip",
      kind: "flipArchiveData",
      times: 1,
    });
    const bad = await call(sim, url, { body, token });
    expect(bad.status).toBe(200);
    expect(bad.body.length).toBe(good.body.length);
    const differ = [...bad.body].filter((b, i) => b !== good.body[i]).length;
    expect(differ).toBe(16);
    // The central directory is the same bytes: only the data changed.
    const tail = good.body.length - 22;
    expect(bad.body.subarray(tail).equals(good.body.subarray(tail))).toBe(true);
    // Only reading the data finds the damage: the client's check (inflate and CRC-32) refuses it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flip-"));
    try {
      fs.writeFileSync(path.join(dir, "good.zip"), good.body);
      fs.writeFileSync(path.join(dir, "bad.zip"), bad.body);
      await expect(verifyArchive(path.join(dir, "good.zip"), "zip")).resolves.toBeGreaterThan(0);
      await expect(verifyArchive(path.join(dir, "bad.zip"), "zip")).rejects.toThrow(
        /CRC-32 mismatch|invalid|bytes/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }

    sim.injectFault({
      endpoint: "images/twistlock_defender_app_embedded.tar.gz",
      kind: "flipArchiveData",
      times: 1,
    });
    const tgz = await call(sim, "/api/v1/images/twistlock_defender_app_embedded.tar.gz", { token });
    expect(tgz.body.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(true);
    expect(() => gunzipSync(tgz.body)).toThrow();
  });

  it("expireToken: every token issued so far stops working from that request on", async () => {
    const mine = await login(sim);
    sim.injectFault({ endpoint: "defenders/fargate.json", kind: "expireToken", times: 1 });
    const answer = await call(sim, "/api/v1/defenders/fargate.json?consoleaddr=h", {
      body: {},
      token: mine,
    });
    expect(answer.status).toBe(401);
    expect(answer.json().err).toMatch(/expired/);
    expect((await call(sim, "/api/v1/version", { token })).status).toBe(401);
    token = await login(sim);
    expect((await call(sim, "/api/v1/version", { token })).status).toBe(200);
  });

  it("refuses malformed fault specs, and reset() forgets requests and faults", async () => {
    expect(() => sim.injectFault({ endpoint: "version", kind: "status" })).toThrow(/status/);
    expect(() => sim.injectFault({ endpoint: "version", kind: "latency" })).toThrow(/ms/);
    expect(() => sim.injectFault({ endpoint: "version", kind: "reset", times: 0 })).toThrow(
      /times/,
    );
    sim.injectFault({ endpoint: "version", kind: "status", status: 500 });
    sim.reset();
    expect(sim.requests).toHaveLength(0);
    expect((await call(sim, "/api/v1/version", { token })).status).toBe(200);
    expect(sim.requests).toHaveLength(1);
  });
});
