// Base images on a registry with a private CA, and on one that asks for a client certificate: Debian's
// docker-registry on 127.0.0.1 serving HTTPS, images pushed by buildah with the same certs.d folder our reader uses
// (`--cert-dir`), so the layout is the one buildah and Docker read. Without the folder, the read fails closed,
// naming where the CA goes, and never falls back to plain HTTP.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as selfsigned from "selfsigned";
import { readImageConfig } from "../../provider/image/registryImageConfig";
import { defaultCertsDirs, registryTlsFor } from "../../provider/image/registryTls";
import { makeTls } from "../../provider/simulator/tls";
import { Buildah, buildahMissing } from "../helpers/buildah";
import { registryMissing, startRegistry, TestRegistry } from "../helpers/registry";

describe("certs.d folders", () => {
  let base: string;
  beforeEach(() => (base = fs.mkdtempSync(path.join(os.tmpdir(), "certs-d-"))));
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  const folder = (dir: string, host: string, files: Record<string, string>) => {
    fs.mkdirSync(path.join(base, dir, host), { recursive: true });
    for (const [name, text] of Object.entries(files)) {
      fs.writeFileSync(path.join(base, dir, host, name), text);
    }
  };

  test("the first directory with a folder for the host wins; *.crt are CAs, a .cert with its .key the client", () => {
    folder("user", "registry.example:5000", {
      "b.crt": "B",
      "a.crt": "A",
      "me.cert": "C",
      "me.key": "K",
    });
    folder("etc", "registry.example:5000", { "ca.crt": "ignored: a higher folder has the host" });
    folder("etc", "registry.example", { "ca.crt": "no port" });
    const dirs = [path.join(base, "user"), path.join(base, "etc")];
    expect(registryTlsFor("registry.example:5000", dirs)).toEqual({
      dir: path.join(base, "user", "registry.example:5000"),
      ca: ["A", "B"],
      cert: "C",
      key: "K",
    });
    // The port must match as written in the reference, as containers-certs.d(5) says.
    expect(registryTlsFor("registry.example", dirs)?.ca).toEqual(["no port"]);
    expect(registryTlsFor("other.example", dirs)).toBeUndefined();
  });

  test("a .cert without its .key is no client certificate; a host that climbs out is never looked up", () => {
    folder("d", "r.example", { "me.cert": "C" });
    folder("d", "..", {});
    expect(registryTlsFor("r.example", [path.join(base, "d")])).toEqual({
      dir: path.join(base, "d", "r.example"),
      ca: [],
    });
    expect(registryTlsFor("..", [path.join(base, "d")])).toBeUndefined();
    expect(registryTlsFor("a/../r.example", [path.join(base, "d")])).toBeUndefined();
  });

  test("default directories: the user's containers folder, then /etc/containers, then Docker's", () => {
    expect(defaultCertsDirs({ XDG_CONFIG_HOME: "/x" })).toEqual([
      "/x/containers/certs.d",
      "/etc/containers/certs.d",
      "/etc/docker/certs.d",
    ]);
  });
});

const missing = [...buildahMissing(), ...registryMissing()];
const suite = missing.length ? describe.skip : describe;
if (missing.length) {
  console.warn(`Skipping the TLS registry tests: ${missing.join("; ")}. Run scripts/setup.sh.`);
}

suite("a registry with a private CA", () => {
  let work: string;
  let buildah: Buildah;
  let registry: TestRegistry;
  let mutual: TestRegistry;
  let certsDirs: string[];

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "registry-tls-"));
    buildah = new Buildah(work);
    const server = await makeTls(["127.0.0.1"]);
    const client = await selfsigned.generate([{ name: "commonName", value: "registry client" }], {
      keyType: "ec",
      algorithm: "sha256",
      notBeforeDate: new Date(Date.now() - 60_000),
      extensions: [
        { name: "basicConstraints", cA: true },
        { name: "keyUsage", digitalSignature: true, keyCertSign: true },
        { name: "extKeyUsage", clientAuth: true },
      ],
    } as any);
    const tls = { cert: server.cert, key: server.key };
    registry = await startRegistry(path.join(work, "registry"), {}, tls);
    mutual = await startRegistry(path.join(work, "mutual"), {}, { ...tls, clientCa: client.cert });
    certsDirs = [path.join(work, "certs.d")];
    for (const [host, files] of [
      [registry.host, { "ca.crt": server.caCertificate }],
      [
        mutual.host,
        {
          "ca.crt": server.caCertificate,
          "client.cert": client.cert,
          "client.key": client.private,
        },
      ],
    ] as const) {
      const dir = path.join(certsDirs[0], host);
      fs.mkdirSync(dir, { recursive: true });
      for (const [name, text] of Object.entries(files))
        fs.writeFileSync(path.join(dir, name), text);
    }
    const c = buildah.ok(["from", "scratch"]).stdout.trim();
    buildah.ok(["config", "--arch", "amd64", "--os", "linux", "--cmd", "/app.sh private-ca", c]);
    buildah.ok(["commit", "-q", c, "localhost/tls-base:1"]);
    for (const host of [registry.host, mutual.host]) {
      // Verified with the same folder: buildah reads certs.d the way our reader does.
      await buildah.okAsync([
        "push",
        "-q",
        "--cert-dir",
        path.join(certsDirs[0], host),
        "localhost/tls-base:1",
        `docker://${host}/team/tls:1`,
      ]);
    }
  }, 600_000);

  afterAll(async () => {
    await registry?.close();
    await mutual?.close();
    if (work) {
      buildah.cleanUp();
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  const read = (host: string, dirs: string[]) =>
    readImageConfig(`${host}/team/tls:1`, { dockerSocket: false, certsDirs: dirs });

  test("its CA in certs.d: read over verified HTTPS", async () => {
    registry.tokenRequests.length = 0;
    expect((await read(registry.host, certsDirs)).cmd).toEqual(["/app.sh", "private-ca"]);
    expect(registry.tokenRequests).toEqual([
      { who: "anonymous", scope: "repository:team/tls:pull" },
    ]);
  });

  test("a client certificate the registry asks for: presented from the same folder", async () => {
    expect((await read(mutual.host, certsDirs)).cmd).toEqual(["/app.sh", "private-ca"]);
    // Control: the same CA without the client certificate is turned away by the registry.
    const caOnly = path.join(work, "ca-only");
    fs.mkdirSync(path.join(caOnly, mutual.host), { recursive: true });
    fs.copyFileSync(
      path.join(certsDirs[0], mutual.host, "ca.crt"),
      path.join(caOnly, mutual.host, "ca.crt"),
    );
    await expect(read(mutual.host, [caOnly])).rejects.toThrow();
  });

  test("no folder for it: refused, naming where the CA goes, without trying plain HTTP", async () => {
    const empty = path.join(work, "empty-certs.d");
    registry.tokenRequests.length = 0;
    await expect(read(registry.host, [empty])).rejects.toThrow(
      new RegExp(
        `the TLS certificate of registry ${registry.host.replace(/\./g, "\\.")} could not be verified \\(\\w+\\)\\. ` +
          `If it is signed by a private CA, put the CA in ${path.join(empty, registry.host).replace(/\./g, "\\.")}/ca\\.crt`,
      ),
    );
    expect(registry.tokenRequests).toEqual([]);
  });
});
