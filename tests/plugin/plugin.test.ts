// The package as other languages see it: the committed schema (drift and hand-review rules) and every component
// constructed through the provider from the inputs a Python program sends, against the Console simulator.
// One analyzer run for the whole file (10-15 s): the ComponentProvider below is shared.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as exported from "../../provider";
import { PrismaDefenderProvider, readCommittedSchema } from "../../provider/plugin/provider";
import { startConsoleSimulator } from "../../provider/simulator";
import type { ConsoleSimulator } from "../../provider/simulator";
import { componentProviderFor, formatSchema, REPO_ROOT } from "../../scripts/schema";
import {
  measurePluginStart,
  preparePluginDir,
  providerRpc,
  startPlugin,
} from "../../scripts/measure-plugin-start";
import { inputsFromWire } from "../../scripts/demo/wire";
import {
  details,
  installMocks,
  isSecretInput,
  MockHarness,
  plaintextSecretsIn,
  withoutSecrets,
} from "../helpers/pulumi";
import { startFakeEngine } from "./fakeEngine";
import { CONSTRUCT_CASES, wireConsole } from "./constructCases";
import {
  ambiguousSchemaTypes,
  azureNativeRootImports,
  closedChoicesWithoutEnum,
  duplicateTypeNames,
  missingComponents,
  privateLooking,
  sourceFiles,
  undocumentedInputs,
} from "./schemaChecks";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const structproto = require(
  require.resolve("google-protobuf/google/protobuf/struct_pb", {
    paths: [path.dirname(require.resolve("@pulumi/pulumi"))],
  }),
);

const components = getPulumiComponents(exported);
const classNames = components.map((c) => c.name).sort();

let sim: ConsoleSimulator;
let mocks: MockHarness;
let analyzer: ComponentProvider;
let schema: Record<string, any>;

/** The Console connection as `pulumi config set` leaves it. */
const stackConfig = () => ({
  "prisma-defender:consoleUrl": sim.url,
  "prisma-defender:username": sim.credentials.username,
  "prisma-defender:password": sim.credentials.password,
  "prisma-defender:caCertificate": sim.caCertificate,
});

beforeAll(async () => {
  sim = await startConsoleSimulator();
  // Stack config as `pulumi config set` leaves it; one describe below passes `console` args instead.
  mocks = installMocks({ config: stackConfig(), secretKeys: ["prisma-defender:password"] });
  analyzer = componentProviderFor();
  schema = JSON.parse(await analyzer.getSchema());
}, 180_000);

afterAll(() => sim?.close());

describe("sdk/schema.json", () => {
  it("is what the components' TypeScript infers (run `npm run schema` after changing args or outputs)", () => {
    const committed = fs.existsSync(path.join(REPO_ROOT, "sdk/schema.json"))
      ? readCommittedSchema()
      : "";
    if (formatSchema(schema) !== committed) {
      const was = committed ? JSON.parse(committed) : {};
      const changed = [
        ...new Set([...Object.keys(schema.resources ?? {}), ...Object.keys(was.resources ?? {})]),
      ].filter((t) => JSON.stringify(schema.resources?.[t]) !== JSON.stringify(was.resources?.[t]));
      throw new Error(
        `sdk/schema.json is out of date with the components${changed.length ? ` (${changed.join(", ")})` : ""}: run \`npm run schema\` and commit sdk/schema.json`,
      );
    }
  });

  it("describes every exported component under prisma-defender:index", () => {
    expect(classNames.length).toBeGreaterThan(0);
    expect(missingComponents(schema, classNames)).toEqual([]);
    expect(Object.keys(schema.resources).sort()).toEqual(
      classNames.map((n) => `prisma-defender:index:${n}`),
    );
  });

  it("documents every input property", () => {
    expect(undocumentedInputs(schema)).toEqual([]);
  });

  it("uses enums where the description lists the allowed values", () => {
    // Reviewed: copies of @pulumi/aws input types (the analyzer copies them); AWS types these as strings too.
    const reviewed = [
      "TaskDefinitionRuntimePlatform.cpuArchitecture",
      "TaskDefinitionVolumeDockerVolumeConfiguration.scope",
      // Mirrors of the wrapped resource's own string args (aws.ecs.TaskDefinition's pidMode/ipcMode, web.WebApp's
      // siteConfig.ftpsState), kept as strings so moving to the component stays a rename in TypeScript.
      "ProtectedFargateTask.pidMode",
      "ProtectedFargateTask.ipcMode",
      "ProtectedAzureFunction.ftpsState",
    ];
    expect(closedChoicesWithoutEnum(schema).filter((p) => !reviewed.includes(p))).toEqual([]);
  });

  it("leaks no private field into outputs or types", () => {
    expect(privateLooking(schema)).toEqual([]);
  });

  it("declares each schema type once in provider/ (the analyzer keys types by bare name)", () => {
    const files = sourceFiles(path.join(REPO_ROOT, "provider"));
    expect(ambiguousSchemaTypes(schema, files, REPO_ROOT)).toEqual([]);
  });

  it("has no type name declared twice in the code components reach (provider/ outside the simulator)", () => {
    const simulator = path.join(REPO_ROOT, "provider", "simulator");
    const files = sourceFiles(path.join(REPO_ROOT, "provider")).filter(
      (f) => !f.startsWith(simulator),
    );
    expect(duplicateTypeNames(files, REPO_ROOT)).toEqual([]);
  });

  it("never imports the @pulumi/azure-native root", () => {
    const files = sourceFiles(path.join(REPO_ROOT, "provider"));
    expect(azureNativeRootImports(files, REPO_ROOT)).toEqual([]);
  });
});

describe("construct through the provider, with a Python program's inputs", () => {
  it("has a construct case for every exported component", () => {
    expect(Object.keys(CONSTRUCT_CASES).sort()).toEqual(expect.arrayContaining(classNames));
  });

  for (const [className, makeCase] of Object.entries(CONSTRUCT_CASES)) {
    it(`${className}: Pulumi's ComponentProvider and the shipped provider return the schema's outputs`, async () => {
      if (!classNames.includes(className))
        throw new Error(`${className} is not exported from provider/index.ts`);
      const token = `prisma-defender:index:${className}`;
      const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "construct-"));
      const c = makeCase({ sim, workDir });
      const expectedKeys = Object.keys(schema.resources[token].properties).sort();

      mocks.reset();
      const viaAnalyzer = await analyzer.construct(
        `${c.name}-a`,
        token,
        await inputsFromWire(c.wire),
        {},
      );
      expect(Object.keys(viaAnalyzer.state).sort()).toEqual(expectedKeys);
      await c.check(
        viaAnalyzer.state as Record<string, pulumi.Output<any>>,
        mocks,
        sim,
        `${c.name}-a`,
      );
      // The class registers itself under its schema token (nothing else checks the string passed to super()).
      const self = mocks.resources.find((r) => !r.custom && r.name === `${c.name}-a`);
      expect(self?.type).toBe(token);

      mocks.reset();
      const shipped = new PrismaDefenderProvider(components, formatSchema(schema));
      const viaPlugin = await shipped.construct(
        `${c.name}-p`,
        token,
        await inputsFromWire(c.wire),
        {},
      );
      expect(Object.keys(viaPlugin.state).sort()).toEqual(expectedKeys);
      await c.check(
        viaPlugin.state as Record<string, pulumi.Output<any>>,
        mocks,
        sim,
        `${c.name}-p`,
      );

      const secrets = [
        sim.credentials.password,
        sim.secrets.installBundle,
        sim.secrets.marker,
        ...sim.tokensIssued(),
      ];
      expect(plaintextSecretsIn(mocks.resources, secrets)).toEqual([]);
    }, 120_000);
  }
});

describe("values taken from other resources' outputs (the engine sends them with their dependencies)", () => {
  it("ProtectedLambda uses a DefenderLayer constructed before it, as a Python program would share one", async () => {
    const shipped = new PrismaDefenderProvider(components, formatSchema(schema));
    mocks.reset();
    const layer = await shipped.construct(
      "shared-python",
      "prisma-defender:index:DefenderLayer",
      await inputsFromWire({ runtime: "python" }),
      {},
    );
    const layerState = layer.state as Record<string, pulumi.Output<any>>;
    const known = async (o: pulumi.Input<unknown>) => (await details(pulumi.output(o))).value;
    const [arn, runtime, defenderVersion, layerUrn] = await Promise.all([
      known(layerState.arn),
      known(layerState.runtime),
      known(layerState.defenderVersion),
      known(layer.urn),
    ]);
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "construct-"));
    const c = CONSTRUCT_CASES.ProtectedLambda({ sim, workDir });
    const wire = { ...c.wire, defenderLayer: { arn, runtime, defenderVersion } };
    const fn = await shipped.construct(
      "uses-shared",
      "prisma-defender:index:ProtectedLambda",
      await inputsFromWire(wire, { defenderLayer: [layerUrn as string] }),
      {},
    );
    const state = fn.state as Record<string, pulumi.Output<any>>;
    expect(await known(state.layerArn)).toBe(arn);
    expect(await known(state.defenderVersion)).toBe(sim.version);
    // Only the shared layer: the function did not publish its own.
    const layers = mocks.children("aws:lambda/layerVersion:LayerVersion").map((r) => r.name);
    expect(layers).toContain("shared-python");
    expect(layers.filter((n) => n.startsWith("uses-shared"))).toEqual([]);
  }, 120_000);
});

describe("Console connection passed as `console` args, the password a secret (Python: `pulumi.Output.secret`)", () => {
  // The engine sends such an object as one output value, so it reaches construct as a single Output rather than a
  // plain object: every component must accept that. No stack config here, so only the args can connect.
  beforeAll(() => pulumi.runtime.setAllConfig({}, []));
  afterAll(() => pulumi.runtime.setAllConfig(stackConfig(), ["prisma-defender:password"]));
  for (const className of Object.keys(CONSTRUCT_CASES)) {
    it(`${className}`, async () => {
      const token = `prisma-defender:index:${className}`;
      const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "construct-"));
      const c = CONSTRUCT_CASES[className]({ sim, workDir });
      mocks.reset();
      const shipped = new PrismaDefenderProvider(components, formatSchema(schema));
      const wire = { ...c.wire, console: wireConsole(sim) };
      const res = await shipped.construct(`${c.name}-c`, token, await inputsFromWire(wire), {});
      await c.check(res.state as Record<string, pulumi.Output<any>>, mocks, sim, `${c.name}-c`);
      const secrets = [sim.credentials.password, sim.secrets.installBundle, ...sim.tokensIssued()];
      expect(plaintextSecretsIn(mocks.resources, secrets)).toEqual([]);
    }, 120_000);
  }
});

describe("the plugin process", () => {
  it("is what package.json ships: `main` the compiled plugin entry, `exports` the compiled components", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    const fix = "see docs/plugin.md, 'How the engine starts the plugin'";
    expect({ main: pkg.main, fix }).toEqual({ main: "dist/plugin/index.js", fix });
    // TypeScript programs (`import "prisma-defender"`) resolve the components through these.
    expect({ types: pkg.types, fix }).toEqual({ types: "dist/index.d.ts", fix });
    const dot = pkg.exports?.["."];
    expect({ exports: typeof dot === "string" ? dot : dot?.default, fix }).toEqual({
      exports: "./dist/index.js",
      fix,
    });
  });

  it("builds a ProtectedLambda sent over gRPC by a Python program's engine, secrets kept secret", async () => {
    const engine = await startFakeEngine();
    const dir = preparePluginDir("precomputed");
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "plugin-cache-"));
    const plugin = await startPlugin(dir, {
      args: [engine.address],
      env: { ...process.env, PRISMA_DEFENDER_CACHE_DIR: cacheDir },
    });
    try {
      const { rpc, pb, grpc } = providerRpc();
      const client = new rpc.ResourceProviderClient(
        `127.0.0.1:${plugin.port}`,
        grpc.credentials.createInsecure(),
      );
      const c = CONSTRUCT_CASES.ProtectedLambda({ sim, workDir: cacheDir });
      const req = new pb.ConstructRequest();
      req.setProject("orders-py");
      req.setStack("dev");
      req.setParallel(4);
      req.setMonitorendpoint(engine.address);
      req.setType("prisma-defender:index:ProtectedLambda");
      req.setName("orders");
      for (const [k, v] of Object.entries(stackConfig())) req.getConfigMap().set(k, v);
      req.setConfigsecretkeysList(["prisma-defender:password"]);
      req.setInputs(structproto.Struct.fromJavaScript(c.wire));
      const res = await new Promise<any>((resolve, reject) =>
        client.construct(req, (err: Error | null, r: any) => (err ? reject(err) : resolve(r))),
      );
      client.close();
      const state = res.getState().toJavaScript();
      const token = "prisma-defender:index:ProtectedLambda";
      expect(Object.keys(state).sort()).toEqual(
        Object.keys(schema.resources[token].properties).sort(),
      );
      expect(state.originalHandler).toBe("app.handler");
      expect(isSecretInput(state.twPolicy)).toBe(true);
      const fn = engine.registered.find((r) => r.type === "aws:lambda/function:Function")!;
      expect(fn.inputs.handler).toBe("twistlock.handler");
      expect(isSecretInput(fn.inputs.environment)).toBe(true);
      const secrets = [sim.credentials.password, sim.secrets.marker, ...sim.tokensIssued()];
      const recorded = engine.registered.map((r) => ({ ...r, custom: true }));
      expect(plaintextSecretsIn(recorded, secrets)).toEqual([]);
      expect(JSON.stringify(withoutSecrets(state))).not.toContain(sim.secrets.marker);
    } finally {
      plugin.child.kill();
      await engine.close();
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  }, 120_000);

  it("starts from the compiled dist/plugin/index.js under run-plugin and serves the committed schema over gRPC", async () => {
    const sample = await measurePluginStart({ mode: "precomputed", coldTranspileCache: false });
    expect(sample.resources).toEqual(classNames.map((n) => `prisma-defender:index:${n}`));
  }, 120_000);
});
