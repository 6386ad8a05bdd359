// The Console client through an HTTP(S) proxy: a real CONNECT proxy started here on 127.0.0.1 (tunnel counting,
// optional Basic login) in front of the real simulator over HTTPS. Proxy variables are set per test and restored.
import * as http from "http";
import * as net from "net";
import type { AddressInfo } from "net";
import { consoleFor } from "../../provider/core/console/client";
import { bypassesProxy, proxyFor } from "../../provider/core/console/proxy";
import { checkConsoleSettings, resolveConsoleSettings } from "../../provider/core/settings";
import { checkProxyUrl } from "../../provider/core/settingsRules";
import { startConsoleSimulator, type ConsoleSimulator } from "../../provider/simulator";
import { details, installMocks } from "../helpers/pulumi";
import {
  captureConsole,
  everything,
  FAST,
  rejectionOf,
  secretsOf,
  settingsFor,
  useFreshCacheAndClients,
} from "./support";

const PROXY_VARS = [
  "https_proxy",
  "HTTPS_PROXY",
  "http_proxy",
  "HTTP_PROXY",
  "no_proxy",
  "NO_PROXY",
  "PRISMACLOUDCOMPUTE_PROXY_URL",
];
const TASK = {
  family: "web",
  containerDefinitions: [{ name: "app", image: "nginx", entryPoint: ["/docker-entrypoint.sh"] }],
};
const PROXY_USER = "svc-deployer";
const PROXY_PASSWORD = "pr0xy-p@ss:w0rd/!";
const ENCODED_LOGIN = `${PROXY_USER}:${encodeURIComponent(PROXY_PASSWORD)}`;

interface ProxyOptions {
  /** `user:password` the proxy requires (Basic), else none. */
  login?: string;
  /** `Proxy-Authenticate` value of its 407 answers. */
  authenticate?: string;
  /** Answer every CONNECT with this status instead of opening the tunnel. */
  refuse?: number;
}

interface TestProxy {
  url: string;
  port: number;
  /** `host:port` of every tunnel opened. */
  tunnels: string[];
  /** Absolute URLs of plain-http requests forwarded. */
  forwarded: string[];
  /** Requests answered 407 or refused. */
  refusals: number;
  close(): Promise<void>;
}

/**
 * A forward proxy: CONNECT tunnels for https, absolute-URI forwarding for http. Like a proxy that resolves names
 * for its clients, it connects every tunnel to 127.0.0.1 on the requested port, whatever host was asked.
 */
async function startProxy(options: ProxyOptions = {}): Promise<TestProxy> {
  const open = new Set<net.Socket>();
  const expected = options.login && `Basic ${Buffer.from(options.login).toString("base64")}`;
  const state = { tunnels: [] as string[], forwarded: [] as string[], refusals: 0 };
  const denied = (auth: string | undefined) => (expected && auth !== expected ? 407 : 0);
  const challenge = `Proxy-Authenticate: ${options.authenticate ?? 'Basic realm="test"'}\r\n`;

  const server = http.createServer((req, res) => {
    const status = denied(req.headers["proxy-authorization"]) || options.refuse;
    if (status) {
      state.refusals++;
      res.writeHead(status, { "Proxy-Authenticate": options.authenticate ?? 'Basic realm="test"' });
      return res.end("<html>login required</html>");
    }
    const target = new URL(req.url!);
    state.forwarded.push(req.url!);
    const headers = { ...req.headers };
    delete headers["proxy-authorization"];
    delete headers["proxy-connection"];
    const upstream = http.request(
      {
        host: "127.0.0.1",
        port: target.port,
        method: req.method,
        path: target.pathname + target.search,
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connection", (s: net.Socket) => {
    open.add(s);
    s.on("close", () => open.delete(s));
  });
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const status = denied(req.headers["proxy-authorization"]) || options.refuse;
    if (status) {
      state.refusals++;
      const extra = status === 407 ? challenge : "";
      client.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${extra}Content-Length: 0\r\n\r\n`,
      );
      return;
    }
    state.tunnels.push(req.url!);
    const port = Number(/:(\d+)$/.exec(req.url!)![1]);
    const upstream = net.connect(port, "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    open.add(upstream);
    upstream.on("close", () => open.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get tunnels() {
      return state.tunnels;
    },
    get forwarded() {
      return state.forwarded;
    },
    get refusals() {
      return state.refusals;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function setEnv(values: Record<string, string>) {
  Object.assign(process.env, values);
}

useFreshCacheAndClients();
const saved: Record<string, string | undefined> = {};
let sim: ConsoleSimulator;
let simPort: string;
let proxy: TestProxy;
beforeAll(async () => {
  for (const name of PROXY_VARS) saved[name] = process.env[name];
  sim = await startConsoleSimulator();
  simPort = new URL(sim.url).port;
});
afterAll(async () => {
  for (const name of PROXY_VARS) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await sim.close();
});
beforeEach(async () => {
  for (const name of PROXY_VARS) delete process.env[name];
  sim.reset();
  proxy = await startProxy();
});
afterEach(() => proxy.close());

describe("through HTTPS_PROXY", () => {
  it("tunnels every request with CONNECT and still verifies the Console with caCertificate", async () => {
    setEnv({ HTTPS_PROXY: proxy.url });
    const c = consoleFor(settingsFor(sim), FAST);
    const task = await c.protectFargateTask(TASK, { consoleAddress: "127.0.0.1" });
    expect((task.containerDefinitions as unknown[]).length).toBe(2);
    await c.installBundle("127.0.0.1");
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    expect(new Set(proxy.tunnels)).toEqual(new Set([`127.0.0.1:${simPort}`]));
    expect(sim.requests.map((r) => r.endpoint)).toEqual([
      "authenticate",
      "version",
      "defenders/fargate.json",
      "defenders/install-bundle",
    ]);
  });

  it("reads https_proxy before HTTPS_PROXY, as curl does", async () => {
    setEnv({ https_proxy: proxy.url, HTTPS_PROXY: `http://127.0.0.1:${await closedPort()}` });
    await consoleFor(settingsFor(sim), FAST).consoleVersion();
    expect(proxy.tunnels.length).toBeGreaterThan(0);
  });

  it("takes a proxy without a scheme as http://", async () => {
    setEnv({ HTTPS_PROXY: `127.0.0.1:${proxy.port}` });
    await consoleFor(settingsFor(sim), FAST).consoleVersion();
    expect(proxy.tunnels.length).toBeGreaterThan(0);
  });

  it("refuses a Console whose CA is not the configured one, through the proxy too", async () => {
    const other = await startConsoleSimulator();
    try {
      setEnv({ HTTPS_PROXY: proxy.url });
      const c = consoleFor(settingsFor(sim, { caCertificate: other.caCertificate }), FAST);
      const e = await rejectionOf(c.consoleVersion());
      expect(e).toMatchObject({ kind: "tls" });
      expect(e.hint).toContain("caCertificate");
      expect(e.hint).toContain(`the proxy ${proxy.url} (env HTTPS_PROXY)`);
      expect(proxy.tunnels.length).toBe(1); // through the tunnel, and not retried
      expect(sim.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it("refuses the system CAs alone (no caCertificate) and accepts the explicit insecure opt-in", async () => {
    setEnv({ HTTPS_PROXY: proxy.url });
    const strict = consoleFor(settingsFor(sim, { caCertificate: undefined }), FAST);
    expect(await rejectionOf(strict.consoleVersion())).toMatchObject({ kind: "tls" });
    const insecure = settingsFor(sim, { caCertificate: undefined, insecureSkipVerify: true });
    expect(await consoleFor(insecure, FAST).consoleVersion()).toBe(sim.version);
    expect(proxy.tunnels.length).toBe(2);
  });

  it("checks the certificate against the Console's host, not the proxy's", async () => {
    // The simulator's certificate names 127.0.0.1 and localhost only. The proxy is addressed as localhost, so a
    // check against the proxy's host would wrongly pass; the test proxy connects every tunnel to the simulator.
    setEnv({ HTTPS_PROXY: `http://localhost:${proxy.port}` });
    for (const host of ["10.255.255.1", "console.invalid"]) {
      const url = `https://${host}:${simPort}`;
      const e = await rejectionOf(consoleFor({ ...settingsFor(sim), url }, FAST).consoleVersion());
      expect(e).toMatchObject({ kind: "tls" });
      expect(e.message).toContain("ERR_TLS_CERT_ALTNAME_INVALID");
      expect(proxy.tunnels).toContain(`${host}:${simPort}`);
    }
    const byName = { ...settingsFor(sim), url: `https://localhost:${simPort}` };
    expect(await consoleFor(byName, FAST).consoleVersion()).toBe(sim.version);
  });

  it("keeps clients apart by proxy: a changed HTTPS_PROXY gets a new client", async () => {
    const settings = settingsFor(sim);
    await consoleFor(settings, FAST).consoleVersion();
    expect(proxy.tunnels).toHaveLength(0);
    setEnv({ HTTPS_PROXY: proxy.url });
    await consoleFor(settings, FAST).consoleVersion();
    expect(proxy.tunnels.length).toBeGreaterThan(0);
  });
});

describe("NO_PROXY", () => {
  it.each([
    ["127.0.0.1"],
    ["127.0.0.0/8"],
    ["*"],
    ["example.com, 127.0.0.1:PORT"],
    ["example.com 127.0.0.1"],
  ])("%s bypasses the proxy for the Console at 127.0.0.1", async (noProxy) => {
    // The proxy variable points at a port where nothing listens: any use of it would fail the call.
    setEnv({
      HTTPS_PROXY: `http://127.0.0.1:${await closedPort()}`,
      NO_PROXY: noProxy.replace("PORT", simPort),
    });
    expect(await consoleFor(settingsFor(sim), FAST).consoleVersion()).toBe(sim.version);
  });

  it.each([["localhost"], ["127.0.0.2"], ["127.0.0.1:1"], ["10.0.0.0/8"]])(
    "%s does not bypass it",
    async (noProxy) => {
      setEnv({ HTTPS_PROXY: proxy.url, no_proxy: noProxy });
      await consoleFor(settingsFor(sim), FAST).consoleVersion();
      expect(proxy.tunnels.length).toBeGreaterThan(0);
    },
  );

  it("matches names and addresses as curl does (pure rule)", () => {
    const yes: [string, string][] = [
      ["https://console.example.com", "example.com"],
      ["https://console.example.com", ".example.com"],
      ["https://console.example.com", "*.example.com"],
      ["https://example.com", ".example.com"],
      ["https://EXAMPLE.com.", "example.COM"],
      ["https://console.example.com:8083", "console.example.com:8083"],
      ["https://console.example.com", "console.example.com:443"],
      ["https://10.1.2.3:8083", "10.0.0.0/8"],
      ["https://[fd00::5]:8083", "fd00::/8"],
      ["https://[::1]", "::1"],
      ["https://[::1]:8083", "[::1]:8083"],
      ["https://x.test", "a.test,,  x.test"],
    ];
    const no: [string, string][] = [
      ["https://nonexample.com", "example.com"],
      ["https://console.example.com:8083", "console.example.com:443"],
      ["https://10.1.2.3", "10.1.2.4"],
      ["https://10.1.2.3", "11.0.0.0/8"],
      ["https://10.1.2.3", "example.com"],
      ["https://localhost", "127.0.0.1"],
      ["https://127.0.0.1", "localhost"],
      ["https://console.example.com", ""],
    ];
    for (const [url, noProxy] of yes)
      expect([url, noProxy, bypassesProxy(url, noProxy)]).toEqual([url, noProxy, true]);
    for (const [url, noProxy] of no)
      expect([url, noProxy, bypassesProxy(url, noProxy)]).toEqual([url, noProxy, false]);
  });

  it("uses only the proxy variable of the Console's scheme", () => {
    const env = { HTTP_PROXY: "http://p1:3128", HTTPS_PROXY: "http://p2:3128" };
    expect(proxyFor({ url: "https://c.example.com" }, env).proxy?.address).toBe("http://p2:3128");
    expect(proxyFor({ url: "http://c.example.com" }, env).proxy?.address).toBe("http://p1:3128");
    expect(proxyFor({ url: "https://c.example.com" }, { HTTP_PROXY: "http://p1:3128" })).toEqual(
      {},
    );
  });
});

describe("proxy login", () => {
  it("sends the user and password of the proxy URL (percent-encoded) and never shows them", async () => {
    await proxy.close();
    proxy = await startProxy({ login: `${PROXY_USER}:${PROXY_PASSWORD}` });
    setEnv({ HTTPS_PROXY: `http://${ENCODED_LOGIN}@127.0.0.1:${proxy.port}` });
    const c = consoleFor(settingsFor(sim), FAST);
    expect(await c.consoleVersion()).toBe(sim.version);
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    expect(proxy.refusals).toBe(0);
  });

  it("407 without credentials: a hint to put them in the proxy URL, not retried", async () => {
    await proxy.close();
    proxy = await startProxy({ login: `${PROXY_USER}:${PROXY_PASSWORD}` });
    setEnv({ HTTPS_PROXY: proxy.url });
    const e = await rejectionOf(consoleFor(settingsFor(sim), FAST).consoleVersion());
    expect(e).toMatchObject({ kind: "proxy", status: undefined });
    expect(e.message).toContain(
      `the proxy ${proxy.url} refused the connection to 127.0.0.1:${simPort} (HTTP 407`,
    );
    expect(e.hint).toContain(`http://USER:PASSWORD@127.0.0.1:${proxy.port}, in env HTTPS_PROXY`);
    expect(proxy.refusals).toBe(1);
    expect(sim.requests).toHaveLength(0);
  });

  it("407 with wrong credentials: says they were refused, and no error or log line holds them", async () => {
    await proxy.close();
    proxy = await startProxy({ login: `${PROXY_USER}:another-password` });
    setEnv({ HTTPS_PROXY: `http://${ENCODED_LOGIN}@127.0.0.1:${proxy.port}` });
    const logs = captureConsole();
    try {
      const c = consoleFor(settingsFor(sim), FAST);
      const e = await rejectionOf(c.consoleVersion());
      expect(e).toMatchObject({ kind: "proxy" });
      expect(e.hint).toContain("refused the user and password in env HTTPS_PROXY");
      const seen = `${everything(e)}\n${logs.lines.join("\n")}`;
      for (const secret of [
        PROXY_PASSWORD,
        encodeURIComponent(PROXY_PASSWORD),
        PROXY_USER,
        Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString("base64"),
        ...secretsOf(sim),
      ]) {
        expect(seen).not.toContain(secret);
      }
    } finally {
      logs.restore();
    }
  });

  it("407 asking for Negotiate/NTLM: says that only Basic is sent", async () => {
    await proxy.close();
    proxy = await startProxy({ login: "x:y", authenticate: "Negotiate, NTLM" });
    setEnv({ HTTPS_PROXY: proxy.url });
    const e = await rejectionOf(consoleFor(settingsFor(sim), FAST).consoleVersion());
    expect(e.hint).toContain("asks for Negotiate or NTLM authentication");
    expect(e.hint).toContain("only logs in to a proxy with Basic (the user and password");
  });
});

describe("proxy failures", () => {
  it("connection refused names the proxy address (without the password) and where it was set", async () => {
    const port = await closedPort();
    setEnv({ https_proxy: `http://${ENCODED_LOGIN}@127.0.0.1:${port}` });
    const e = await rejectionOf(consoleFor(settingsFor(sim), FAST).consoleVersion());
    expect(e).toMatchObject({ kind: "proxy" });
    expect(e.message).toContain(
      `cannot connect to the proxy http://127.0.0.1:${port} (ECONNREFUSED)`,
    );
    expect(e.hint).toContain("host and port in env https_proxy");
    expect(everything(e)).not.toContain(PROXY_PASSWORD);
    expect(everything(e)).not.toContain(encodeURIComponent(PROXY_PASSWORD));
    expect(everything(e)).not.toContain(PROXY_USER);
    expect(sim.requests).toHaveLength(0);
  });

  it("a CONNECT refused by policy (403) says to allow it or use NO_PROXY, at once", async () => {
    await proxy.close();
    proxy = await startProxy({ refuse: 403 });
    setEnv({ HTTPS_PROXY: proxy.url });
    const e = await rejectionOf(consoleFor(settingsFor(sim), FAST).consoleVersion());
    expect(e).toMatchObject({ kind: "proxy" });
    expect(e.message).toContain("(HTTP 403 Forbidden)");
    expect(e.hint).toContain("allow CONNECT");
    expect(e.hint).toContain("NO_PROXY");
    expect(proxy.refusals).toBe(1);
  });

  it("a proxy that cannot reach the Console (502) is retried, then fails with its hint", async () => {
    await proxy.close();
    proxy = await startProxy({ refuse: 502 });
    setEnv({ HTTPS_PROXY: proxy.url });
    const e = await rejectionOf(consoleFor(settingsFor(sim), FAST).consoleVersion());
    expect(e).toMatchObject({ kind: "proxy" });
    expect(e.hint).toContain("could not reach the Console");
    expect(proxy.refusals).toBe(FAST.maxAttempts);
  });

  it("a proxy that never answers CONNECT: the request times out and its connection is closed", async () => {
    const accepted: Promise<unknown>[] = [];
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => {
      sockets.push(s);
      s.resume(); // reads (and ignores) the CONNECT, so that the client's close is seen
      accepted.push(new Promise((r) => s.on("close", r)));
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      setEnv({ HTTPS_PROXY: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` });
      const settings = settingsFor(sim, { requestTimeoutSeconds: 0.5 });
      const e = await rejectionOf(
        consoleFor(settings, { ...FAST, maxAttempts: 2 }).consoleVersion(),
      );
      expect(e).toMatchObject({ kind: "timeout" });
      expect(e.hint).toContain(
        `the proxy http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      );
      expect(accepted).toHaveLength(2);
      // Each abandoned CONNECT's connection is closed by the client (else this waits for the jest timeout).
      await Promise.all(accepted);
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  it.each([
    ["socks5://127.0.0.1:1080", "env HTTPS_PROXY is a socks5 proxy: only HTTP(S) proxies"],
    ["http://proxy.example.com/proxy.pac", "has a path or query (/proxy.pac)"],
    ["http://", "not a valid proxy URL"],
  ])("a malformed proxy (%s) fails before anything is sent", async (value, words) => {
    setEnv({ HTTPS_PROXY: value });
    const e = await rejectionOf(consoleFor(settingsFor(sim), FAST).consoleVersion());
    expect(e).toMatchObject({ kind: "request" });
    expect(e.message).toContain(words);
    expect(sim.requests).toHaveLength(0);
  });
});

describe("plain http Console through HTTP_PROXY", () => {
  let plain: ConsoleSimulator;
  beforeAll(async () => {
    plain = await startConsoleSimulator({ https: false });
  });
  afterAll(() => plain.close());

  it("forwards absolute-URI requests through the proxy, and a 407 gets the login hint", async () => {
    setEnv({ HTTP_PROXY: proxy.url, HTTPS_PROXY: `http://127.0.0.1:${await closedPort()}` });
    const settings = { ...settingsFor(plain), caCertificate: undefined, allowInsecureHttp: true };
    expect(await consoleFor(settings, FAST).consoleVersion()).toBe(plain.version);
    expect(proxy.forwarded.length).toBeGreaterThan(0);

    await proxy.close();
    proxy = await startProxy({ login: `${PROXY_USER}:${PROXY_PASSWORD}` });
    setEnv({ HTTP_PROXY: proxy.url });
    const e = await rejectionOf(consoleFor(settings, FAST).consoleVersion());
    expect(e).toMatchObject({ kind: "proxy" });
    expect(e.hint).toContain("USER:PASSWORD");
  });
});

describe("the proxyUrl setting", () => {
  it("overrides the environment, NO_PROXY included", async () => {
    setEnv({ HTTPS_PROXY: `http://127.0.0.1:${await closedPort()}`, NO_PROXY: "*" });
    const c = consoleFor(settingsFor(sim, { proxyUrl: proxy.url }), FAST);
    expect(await c.consoleVersion()).toBe(sim.version);
    expect(proxy.tunnels.length).toBeGreaterThan(0);
  });

  it("is read from PRISMACLOUDCOMPUTE_PROXY_URL, kept secret, and checked without echoing it", async () => {
    installMocks();
    setEnv({ PRISMACLOUDCOMPUTE_PROXY_URL: `http://${ENCODED_LOGIN}@proxy.example.com:3128` });
    const out = resolveConsoleSettings({ url: "https://c.example.com", token: "tok-123456" }, "t");
    const d = await details(out);
    expect(d.secret).toBe(true);
    expect(d.value?.proxyUrl).toBe(`http://${ENCODED_LOGIN}@proxy.example.com:3128`);

    const { problems } = checkConsoleSettings({
      url: { value: "https://c.example.com", where: "arg `url`" },
      token: { value: "tok-123456", where: "arg `token`" },
      proxyUrl: { value: `socks5://${ENCODED_LOGIN}@proxy:1080`, where: "arg `proxyUrl`" },
    });
    expect(problems).toEqual([
      "proxyUrl (arg `proxyUrl`) is a socks5 proxy: only HTTP(S) proxies (CONNECT) are supported; use http://host:port, or http://user:password@host:port for a proxy that asks for a login",
    ]);
  });

  it("normalises proxy URLs (pure rule)", () => {
    expect(checkProxyUrl(" proxy.example.com:3128 ", "x")).toEqual({
      ok: true,
      value: "http://proxy.example.com:3128",
    });
    expect(checkProxyUrl("https://u:p%40ss@proxy.example.com/", "x")).toEqual({
      ok: true,
      value: "https://u:p%40ss@proxy.example.com",
    });
    expect(checkProxyUrl("http://u@[fd00::1]:8080", "x")).toEqual({
      ok: true,
      value: "http://u@[fd00::1]:8080",
    });
  });
});
