// install-bundle and the TW_POLICY encode endpoint: shapes, secrets inside, determinism and seeds.
import Ajv from "ajv";
import { startConsoleSimulator, ConsoleSimulator } from "../../provider/simulator";
import schemas from "../../provider/simulator/spec/compute-34.04-defender-schemas.json";
import { call, login } from "./helpers";

const decode = (value: string) => JSON.parse(Buffer.from(value, "base64").toString("utf8"));

describe("console simulator: install-bundle and serverless encode", () => {
  let sim: ConsoleSimulator;
  let token: string;
  const encode = (body: unknown, version = "v1") =>
    call(sim, `/api/${version}/policies/runtime/serverless/encode?project=Central+Console`, {
      body,
      token,
    });
  beforeAll(async () => {
    sim = await startConsoleSimulator({ tenantPath: "/eu-2-42" });
    token = await login(sim);
  });
  afterAll(() => sim.close());

  it("answers install-bundle in the spec's shape with the simulator's bundle and a SaaS wsAddress", async () => {
    const answer = await call(
      sim,
      "/api/v34.04/defenders/install-bundle?consoleaddr=eu.example.com&defenderType=appEmbedded",
      { token },
    );
    const ajv = new Ajv({ strict: false });
    ajv.addSchema(schemas, "compute");
    expect(
      ajv.validate("compute#/components/schemas/shared.DefenderInstallBundle", answer.json()),
    ).toBe(true);
    expect(answer.json()).toEqual({
      installBundle: sim.secrets.installBundle,
      wsAddress: "wss://eu.example.com:443",
    });
    expect(decode(answer.json().installBundle).apiKey).toContain(sim.secrets.marker);
    const missing = await call(sim, "/api/v34.04/defenders/install-bundle", { token });
    expect([missing.status, missing.json().err]).toEqual([400, "missing consoleaddr"]);
  });

  it("encodes a TW_POLICY rule naming the function, deterministically, with the simulator's secret", async () => {
    const body = {
      consoleAddr: "eu.example.com",
      function: "orders-api",
      provider: "aws",
      region: "eu-west-1",
    };
    const first = await encode(body);
    expect(first.status).toBe(200);
    expect(Object.keys(first.json())).toEqual(["data"]);
    expect((await encode(body, "v34.04")).json().data).toBe(first.json().data);
    const rule = decode(first.json().data);
    expect(rule).toMatchObject({
      consoleAddr: "eu.example.com",
      function: "orders-api",
      provider: "aws",
      region: "eu-west-1",
    });
    expect(rule.key).toContain(sim.secrets.marker);
    expect(decode((await encode({ ...body, region: undefined })).json().data).region).toBe("*");
    expect((await encode({ ...body, function: "other" })).json().data).not.toBe(first.json().data);
    const azure = decode(
      (await encode({ ...body, provider: "azure", function: "func-app" })).json().data,
    );
    expect(azure.provider).toBe("azure");
  });

  it.each([
    [
      { consoleAddr: "https://eu.example.com", function: "f", provider: "aws" },
      /consoleAddr.*not a URL/,
    ],
    [{ consoleAddr: "eu.example.com", provider: "aws" }, /missing function/],
    [
      { consoleAddr: "eu.example.com", function: "f", provider: "gcp" },
      /invalid provider: must be one of aws, azure/,
    ],
    [
      { consoleAddr: "eu.example.com", function: "f", provider: "aws", region: 3 },
      /invalid region: must be string/,
    ],
  ])("400s encode %j", async (body, message) => {
    const answer = await encode(body);
    expect(answer.status).toBe(400);
    expect(answer.json().err).toMatch(message);
  });

  it("gives equal secrets and byte-identical artefacts for equal seeds, different ones otherwise", async () => {
    const [a, b, c] = await Promise.all([
      startConsoleSimulator({ https: false, seed: "bench-1" }),
      startConsoleSimulator({ https: false, seed: "bench-1" }),
      startConsoleSimulator({ https: false, seed: "bench-2" }),
    ]);
    try {
      expect(a.secrets).toEqual(b.secrets);
      expect(a.credentials).toEqual(b.credentials);
      expect(a.secrets.installBundle).not.toBe(c.secrets.installBundle);
      const embed = async (s: ConsoleSimulator) =>
        (
          await call(s, "/api/v1/defenders/app-embedded", {
            token: await login(s),
            body: {
              appID: "app",
              consoleAddr: "h",
              dataFolder: "/tw",
              dockerfile: 'FROM x\nCMD ["run"]\n',
            },
          })
        ).body;
      expect((await embed(a)).equals(await embed(b))).toBe(true);
      expect((await embed(a)).equals(await embed(c))).toBe(false);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});
