// Per component: the inputs a Python program sends through the plugin (plain JSON; secrets and archives in the
// engine's wire form) and what the constructed component must show. A new component needs a case here (the
// plugin test fails until it has one).
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { ConsoleSimulator } from "../../provider/simulator";
import { wireFileArchive, wireSecret } from "../../scripts/demo/wire";
import {
  details,
  isSecretInput,
  MockHarness,
  plaintextSecretsIn,
  unwrapInput,
} from "../helpers/pulumi";

export interface ConstructContext {
  sim: ConsoleSimulator;
  /** A fresh directory for files the program would have (code, Dockerfiles). */
  workDir: string;
}

export interface ConstructCase {
  name: string;
  wire: Record<string, unknown>;
  /** `owner` is the name the component was constructed with; its children's names start with it. */
  check(
    state: Record<string, pulumi.Output<any>>,
    mocks: MockHarness,
    sim: ConsoleSimulator,
    owner: string,
  ): Promise<void>;
}

/** `console=ConsoleArgsArgs(...)` as a Python program passes it, the password as `pulumi.Output.secret`. */
export const wireConsole = (sim: ConsoleSimulator) => ({
  url: sim.url,
  username: sim.credentials.username,
  password: wireSecret(sim.credentials.password),
  caCertificate: sim.caCertificate,
});

/** The children of one type that belong to the component named `owner` (tests may overlap in the mocks). */
const childrenOf = (mocks: MockHarness, type: string, owner: string) =>
  mocks.children(type).filter((r) => r.name.startsWith(owner));

async function value<T>(o: pulumi.Output<T>): Promise<T> {
  const d = await details(o);
  if (!d.known) throw new Error("output is unknown");
  return d.value as T;
}

export const CONSTRUCT_CASES: Record<string, (ctx: ConstructContext) => ConstructCase> = {
  ProtectedLambda: ({ sim, workDir }) => {
    fs.writeFileSync(
      path.join(workDir, "app.py"),
      "def handler(event, context):\n    return {'ok': True}\n",
    );
    return {
      name: "orders",
      wire: {
        runtime: "python3.12",
        handler: "app.handler",
        role: "arn:aws:iam::123456789012:role/orders",
        code: wireFileArchive(workDir),
        memorySize: 256,
        environment: { variables: { TABLE: "orders" } },
      },
      async check(state, mocks, _sim, owner) {
        expect(await value(state.originalHandler)).toBe("app.handler");
        expect(await value(state.mode)).toBe("layer");
        expect(await value(state.arn)).toMatch(/^arn:aws:lambda:.*:function:/);
        expect(await value(state.defenderVersion)).toBe(sim.version);
        expect([...(await value(state.environmentVariableNames))].sort()).toEqual([
          "ORIGINAL_HANDLER",
          "TABLE",
          "TW_POLICY",
        ]);
        expect((await details(state.twPolicy)).secret).toBe(true);
        const [fn] = childrenOf(mocks, "aws:lambda/function:Function", owner);
        expect(fn.inputs.handler).toBe("twistlock.handler");
        expect(fn.inputs.runtime).toBe("python3.12");
        // TW_POLICY is in the environment: the whole block must reach the engine as a secret.
        expect(isSecretInput(fn.inputs.environment)).toBe(true);
        expect(unwrapInput(fn.inputs.environment).variables.ORIGINAL_HANDLER).toBe("app.handler");
        expect(unwrapInput<string[]>(fn.inputs.layers)).toEqual([await value(state.layerArn)]);
      },
    };
  },

  DefenderLayer: () => ({
    name: "python-defender",
    // No `console` args: the Console comes from stack config, as `pulumi config set` leaves it.
    wire: { runtime: "python" },
    async check(state, mocks, sim, owner) {
      expect(await value(state.runtime)).toBe("python");
      expect(await value(state.defenderVersion)).toBe(sim.version);
      expect(await value(state.arn)).toMatch(/^arn:aws:lambda:.*:layer:/);
      const [layer] = childrenOf(mocks, "aws:lambda/layerVersion:LayerVersion", owner);
      expect(unwrapInput<string[]>(layer.inputs.compatibleRuntimes)).toEqual(
        expect.arrayContaining(["python3.12"]),
      );
      expect(await value(state.sourceCodeHash)).toBe(unwrapInput(layer.inputs.sourceCodeHash));
    },
  }),

  ProtectedFargateTask: ({ sim }) => ({
    name: "web",
    wire: {
      family: "web",
      cpu: "256",
      memory: "512",
      containerDefinitions: JSON.stringify([
        {
          name: "web",
          image: "public.ecr.aws/nginx/nginx:1.27",
          entryPoint: ["/docker-entrypoint.sh"],
          command: ["nginx", "-g", "daemon off;"],
          essential: true,
          portMappings: [{ containerPort: 80 }],
        },
      ]),
    },
    async check(state, mocks, _sim, owner) {
      expect(await value(state.protectedContainers)).toEqual(["web"]);
      const wrapped = (await value(state.wrappedEntrypoints)).web as string[];
      expect(wrapped[0]).toMatch(/twistlock|defender/i);
      expect(wrapped.slice(-1)).toEqual(["/docker-entrypoint.sh"]);
      expect(await value(state.arn)).toMatch(/^arn:aws:ecs:.*:task-definition\//);
      expect(await value(state.installBundleSecretArn)).toMatch(/^arn:aws:secretsmanager:/);
      const [task] = childrenOf(mocks, "aws:ecs/taskDefinition:TaskDefinition", owner);
      const containers = JSON.parse(unwrapInput<string>(task.inputs.containerDefinitions));
      expect(containers.map((c: { name: string }) => c.name)).toEqual(["web", "TwistlockDefender"]);
      expect(JSON.stringify(containers)).not.toContain(sim.secrets.installBundle);
    },
  }),

  EmbeddedDefenderImage: ({ workDir }) => {
    fs.writeFileSync(
      path.join(workDir, "Dockerfile"),
      'FROM scratch\nCOPY app /app\nENTRYPOINT ["/app"]\n',
    );
    fs.writeFileSync(path.join(workDir, "app"), "#!/bin/sh\n", { mode: 0o755 });
    return {
      name: "api-image",
      wire: {
        context: workDir,
        imageName: "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1",
        registry: {
          server: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
          username: "AWS",
          password: wireSecret("ecr-token-from-python"),
        },
        appId: "api",
      },
      async check(state, mocks, _sim, owner) {
        // The Dockerfile's ENTRYPOINT now runs under the Defender.
        expect(await value(state.wrappedEntrypoint)).toEqual([
          "/twistlock/defender",
          "app-embedded",
          "/app",
        ]);
        expect(await value(state.appId)).toBe("api");
        expect((await details(state.installBundle)).secret).toBe(true);
        expect(Object.keys(await value(state.defenderEnvironment))).not.toContain("INSTALL_BUNDLE");
        expect(await value(state.repoDigest)).toMatch(/@sha256:/); // depends on the docker.Image child
        const [image] = childrenOf(mocks, "docker:index/image:Image", owner);
        expect(image.inputs.imageName).toBe("123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1");
        expect(plaintextSecretsIn([image], ["ecr-token-from-python"])).toEqual([]);
      },
    };
  },

  ProtectedAzureFunction: () => ({
    name: "orders-api",
    wire: {
      resourceGroupName: "rg-orders",
      location: "westeurope",
      serverFarmId:
        "/subscriptions/0000/resourceGroups/rg-orders/providers/Microsoft.Web/serverfarms/plan",
      storageConnectionString: wireSecret(
        "DefaultEndpointsProtocol=https;AccountName=ordersstore;AccountKey=c3RvcmFnZS1rZXk=",
      ),
      appSettings: [{ name: "Orders__Queue", value: "orders" }],
    },
    async check(state, mocks, _sim, owner) {
      expect((await details(state.twPolicy)).secret).toBe(true);
      expect(await value(state.appSettingNames)).toEqual(
        expect.arrayContaining(["Orders__Queue", "TW_POLICY"]),
      );
      expect(await value(state.defaultHostName)).toMatch(/\.azurewebsites\.net$/);
      const [app] = childrenOf(mocks, "azure-native:web:WebApp", owner);
      expect(isSecretInput(app.inputs.siteConfig)).toBe(true);
      expect(plaintextSecretsIn([app], ["c3RvcmFnZS1rZXk="])).toEqual([]);
    },
  }),

  ProtectedCloudFormationTemplate: () => ({
    name: "web-template",
    wire: {
      format: "json",
      template: JSON.stringify({
        AWSTemplateFormatVersion: "2010-09-09",
        Resources: {
          WebTask: {
            Type: "AWS::ECS::TaskDefinition",
            Properties: {
              Family: "web",
              Cpu: "256",
              Memory: "512",
              NetworkMode: "awsvpc",
              RequiresCompatibilities: ["FARGATE"],
              ContainerDefinitions: [
                { Name: "web", Image: "nginx:1.27", EntryPoint: ["/docker-entrypoint.sh"] },
              ],
            },
          },
        },
      }),
    },
    async check(state, _mocks, sim) {
      // The protected template carries INSTALL_BUNDLE: a secret for every language.
      const template = await details(state.template);
      expect(template.secret).toBe(true);
      expect(template.value).toContain(sim.secrets.installBundle);
      expect(await value(state.protectedContainers)).toEqual(["Resources.WebTask/web"]);
      const wrapped = (await value(state.wrappedEntrypoints))["Resources.WebTask/web"] as string[];
      expect(wrapped.slice(-1)).toEqual(["/docker-entrypoint.sh"]);
      expect(wrapped.length).toBeGreaterThan(1);
    },
  }),
};
