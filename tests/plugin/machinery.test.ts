// The plugin machinery (schema generation, the precomputed-schema provider, construct from wire-form inputs) on a
// throw-away component, so it is tested even while no real component exists. The real components: plugin.test.ts.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { details, installMocks } from "../helpers/pulumi";
import { PrismaDefenderProvider } from "../../provider/plugin/provider";
import { formatSchema, inferSchema, providerNaming, sortKeys } from "../../scripts/schema";
import { inputsFromWire, wireSecret } from "../../scripts/demo/wire";
import { FixtureWidget } from "./fixture";
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

const FIXTURE = path.join(__dirname, "fixture");
const TOKEN = "prisma-defender:index:FixtureWidget";

installMocks();

let schemaText: string;
beforeAll(async () => {
  schemaText = formatSchema(
    await inferSchema({ root: FIXTURE, entry: path.join(FIXTURE, "index.ts") }),
  );
});

describe("schema generation", () => {
  it("names the package like run-plugin does", () => {
    expect(providerNaming("prisma-defender")).toEqual({
      name: "prisma-defender",
      namespace: undefined,
    });
    expect(providerNaming("@acme/defender")).toEqual({ name: "defender", namespace: "acme" });
    expect(providerNaming("@acme/de.fender")).toEqual({ name: "de-fender", namespace: "acme" });
    expect(() => providerNaming("9lives")).toThrow("must start with a letter");
  });

  it("writes sorted keys, so regenerating gives the same bytes", () => {
    expect(Object.keys(sortKeys({ b: 1, a: { d: 1, c: [{ f: 1, e: 2 }] } }) as object)).toEqual([
      "a",
      "b",
    ]);
    expect(JSON.stringify(sortKeys({ a: { d: 1, c: [{ f: 1, e: 2 }] } }))).toBe(
      '{"a":{"c":[{"e":2,"f":1}],"d":1}}',
    );
    expect(formatSchema(JSON.parse(schemaText))).toBe(schemaText);
  });

  it("carries JSDoc, enums and the token", () => {
    const schema = JSON.parse(schemaText);
    const widget = schema.resources[TOKEN];
    expect(widget.inputProperties.wrapping).toEqual({
      $ref: "#/types/prisma-defender:index:FixtureWrapping",
      description: "How to wrap.",
    });
    expect(
      schema.types["prisma-defender:index:FixtureWrapping"].enum.map((e: any) => e.value),
    ).toEqual(["sidecar", "embedded"]);
    expect(Object.keys(widget.properties)).toEqual([
      "environmentNames",
      "passwordDigest",
      "wrapping",
    ]);
  });

  it("refuses a module that exports no component", async () => {
    await expect(
      inferSchema({ root: FIXTURE, entry: path.join(FIXTURE, "tsconfig.json") }),
    ).rejects.toThrow("exports no ComponentResource classes");
  });
});

describe("the precomputed-schema provider", () => {
  it("serves the committed schema text unchanged, with its version", async () => {
    const provider = new PrismaDefenderProvider([FixtureWidget], schemaText);
    expect(await provider.getSchema()).toBe(schemaText);
    expect(provider.version).toBe("0.0.1-fixture");
  });

  it("refuses to start when the schema and the exported components disagree", () => {
    const schema = JSON.parse(schemaText);
    const renamed = JSON.stringify({
      ...schema,
      resources: { "prisma-defender:index:OldWidget": schema.resources[TOKEN] },
    });
    expect(() => new PrismaDefenderProvider([FixtureWidget], renamed)).toThrow(
      "sdk/schema.json does not match provider/index.ts (in the schema but not exported: OldWidget; exported but not in the schema: FixtureWidget); run `npm run schema`",
    );
  });

  it("loads the components only for construct, and checks them against the schema then", async () => {
    let loads = 0;
    const lazy = new PrismaDefenderProvider(() => {
      loads++;
      return [FixtureWidget];
    }, schemaText);
    expect(await lazy.getSchema()).toBe(schemaText);
    expect(loads).toBe(0);
    await lazy.construct("w1", TOKEN, await inputsFromWire({ wrapping: "sidecar" }), {});
    await lazy.construct("w2", TOKEN, await inputsFromWire({ wrapping: "embedded" }), {});
    expect(loads).toBe(1);

    const stale = new PrismaDefenderProvider(() => [], schemaText);
    await expect(stale.construct("w3", TOKEN, {}, {})).rejects.toThrow(
      "in the schema but not exported: FixtureWidget",
    );
  });

  it("rejects tokens of another package or module, like ComponentProvider", async () => {
    const provider = new PrismaDefenderProvider([FixtureWidget], schemaText);
    await expect(provider.construct("w", "other:index:FixtureWidget", {}, {})).rejects.toThrow(
      "Invalid package name other, expected 'prisma-defender'",
    );
    await expect(
      provider.construct("w", "prisma-defender:ecs:FixtureWidget", {}, {}),
    ).rejects.toThrow("Invalid module 'ecs'");
    await expect(provider.construct("w", "prisma-defender:index:Nope", {}, {})).rejects.toThrow(
      "Component class not found for 'Nope'",
    );
  });

  it("constructs from wire-form inputs with the same state as Pulumi's ComponentProvider", async () => {
    const wire = {
      wrapping: "sidecar",
      environment: { B: "2", A: "1" },
      console: { url: "https://console.example:8083", password: wireSecret("s3cret-pw") },
    };
    const ours = await new PrismaDefenderProvider([FixtureWidget], schemaText).construct(
      "ours",
      TOKEN,
      await inputsFromWire(wire),
      {},
    );
    const theirs = await new ComponentProvider({
      components: [FixtureWidget],
      dirname: FIXTURE,
      name: "prisma-defender",
    }).construct("theirs", TOKEN, await inputsFromWire(wire), {});
    expect(Object.keys(ours.state).sort()).toEqual(Object.keys(theirs.state).sort());
    const state = ours.state as Record<string, pulumi.Output<unknown>>;
    expect(await details(state.wrapping)).toEqual({ value: "sidecar", known: true, secret: false });
    expect((await details(state.environmentNames)).value).toEqual(["A", "B"]);
    // The secret arrived as a secret and everything derived from it stays one.
    expect(await details(state.passwordDigest)).toEqual({
      value: "len:9",
      known: true,
      secret: true,
    });
  });
});

describe("schema review rules", () => {
  const schema = {
    name: "prisma-defender",
    resources: {
      "prisma-defender:index:Widget": {
        inputProperties: {
          mode: { type: "string", description: "Process namespace (`host` or `task`)." },
          kind: { $ref: "#/types/prisma-defender:index:Kind", description: "Closed, as an enum." },
          appId: { type: "string", description: "Letters, digits, `.`, `_` or `-`." },
          settings: {
            $ref: "#/types/prisma-defender:index:WidgetSettings",
            description: "Settings.",
          },
          bare: { type: "string" },
        },
        properties: {
          arn: { type: "string" },
          __cache: { type: "string" },
          "__#1@#secret": { type: "string" },
        },
      },
    },
    types: {
      "prisma-defender:index:Kind": { type: "string", enum: [{ value: "a" }, { value: "b" }] },
      "prisma-defender:index:WidgetSettings": { properties: { undocumented: { type: "number" } } },
    },
  };

  it("finds missing components, undocumented inputs (nested too), open choices and private fields", () => {
    expect(missingComponents(schema, ["Widget", "Gadget"])).toEqual(["Gadget"]);
    expect(undocumentedInputs(schema)).toEqual(["Widget.bare", "WidgetSettings.undocumented"]);
    expect(closedChoicesWithoutEnum(schema)).toEqual(["Widget.mode"]);
    expect(privateLooking(schema)).toEqual(["Widget.__cache", "Widget.__#1@#secret"]);
  });

  it("finds type names declared in two files, and root azure-native imports", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "schema-rules-"));
    fs.writeFileSync(
      path.join(dir, "a.ts"),
      'import * as azure from "@pulumi/azure-native";\nexport interface Settings { a: string }\n',
    );
    fs.writeFileSync(
      path.join(dir, "b.ts"),
      'import * as web from "@pulumi/azure-native/web";\ninterface Settings { b: string }\nexport const Mode = { A: "a" } as const;\nexport type Mode = (typeof Mode)[keyof typeof Mode];\n',
    );
    const files = sourceFiles(dir);
    expect(duplicateTypeNames(files, dir)).toEqual(["Settings (a.ts, b.ts)"]);
    expect(ambiguousSchemaTypes({ types: { "p:index:Settings": {} } }, files, dir)).toEqual([
      "Settings (a.ts, b.ts)",
    ]);
    expect(azureNativeRootImports(files, dir)).toEqual(["a.ts"]);
  });
});
