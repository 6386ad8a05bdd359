// The CloudFormation forms of fargate.json (cloudFormation=true) and fargate.yaml.
import * as YAML from "yaml";
import { startConsoleSimulator, ConsoleSimulator } from "../../provider/simulator";
import { call, fixture, login } from "./helpers";

const Q = "consoleaddr=console.example.com&defenderType=appEmbedded";

describe("console simulator: CloudFormation forms", () => {
  let sim: ConsoleSimulator;
  let token: string;
  const properties = {
    Family: "cfn-task",
    Cpu: "256",
    ContainerDefinitions: [
      { Name: "app", Image: "nginx", EntryPoint: ["entry.sh"], Essential: true },
    ],
  };
  beforeAll(async () => {
    sim = await startConsoleSimulator({ https: false });
    token = await login(sim);
  });
  afterAll(() => sim.close());

  const cfnJson = (body: unknown) =>
    call(sim, `/api/v34.04/defenders/fargate.json?${Q}&cloudFormation=true`, { body, token });

  it("protects a resource, its properties and a full template, in PascalCase", async () => {
    const resource = { Type: "AWS::ECS::TaskDefinition", Properties: properties };
    const fromResource = (await cfnJson(resource)).json();
    expect(fromResource.Type).toBe("AWS::ECS::TaskDefinition");
    const [app, sidecar] = fromResource.Properties.ContainerDefinitions;
    expect(app.EntryPoint).toEqual([
      "/var/lib/twistlock/fargate/defender",
      "fargate",
      "entrypoint",
      "entry.sh",
    ]);
    expect(app.VolumesFrom).toEqual([{ SourceContainer: "TwistlockDefender", ReadOnly: false }]);
    expect(app.LinuxParameters).toEqual({ Capabilities: { Add: ["SYS_PTRACE"] } });
    expect(sidecar.Environment[0]).toEqual({
      Name: "INSTALL_BUNDLE",
      Value: sim.secrets.installBundle,
    });
    expect(sidecar.HealthCheck.Command).toEqual([
      "/usr/local/bin/defender",
      "fargate",
      "healthcheck",
    ]);
    expect((await cfnJson(properties)).json().ContainerDefinitions).toHaveLength(2);
    const template = {
      AWSTemplateFormatVersion: "2010-09-09",
      Resources: {
        TaskDef: resource,
        Service: { Type: "AWS::ECS::Service", Properties: { TaskDefinition: { Ref: "TaskDef" } } },
      },
    };
    const out = (await cfnJson(template)).json();
    expect(out.Resources.Service).toEqual(template.Resources.Service);
    expect(out.Resources.TaskDef.Properties.ContainerDefinitions[1].Name).toBe("TwistlockDefender");
  });

  it("refuses intrinsic functions in a task definition, and native JSON sent as CloudFormation", async () => {
    const withSub = {
      Type: "AWS::ECS::TaskDefinition",
      Properties: { ...properties, Family: { "Fn::Sub": "${AWS::StackName}-task" } },
    };
    const answer = await cfnJson(withSub);
    expect(answer.status).toBe(400);
    expect(answer.json().err).toMatch(
      /intrinsic functions.*Fn::Sub at TaskDefinition\.Properties\.Family/,
    );
    const native = await cfnJson(
      fixture("prisma-sample-code--single-container-entrypoint-command-null.json"),
    );
    expect(native.status).toBe(400);
    expect(native.json().err).toMatch(/AWS::ECS::TaskDefinition/);
  });

  it("fargate.yaml protects a YAML template and refuses short-form intrinsics", async () => {
    const yaml = YAML.stringify({
      Resources: { TaskDef: { Type: "AWS::ECS::TaskDefinition", Properties: properties } },
    });
    const answer = await call(sim, `/api/v34.04/defenders/fargate.yaml?${Q}&cloudFormation=true`, {
      raw: yaml,
      contentType: "application/yaml",
      token,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/yaml");
    const out = YAML.parse(answer.text);
    expect(out.Resources.TaskDef.Properties.ContainerDefinitions[1].Environment[3]).toEqual({
      Name: "WS_ADDRESS",
      Value: "wss://console.example.com:8084",
    });
    const withRef = yaml.replace("Image: nginx", "Image: !Ref ImageParam");
    expect(withRef).toContain("!Ref");
    const refused = await call(sim, `/api/v34.04/defenders/fargate.yaml?${Q}&cloudFormation=true`, {
      raw: withRef,
      contentType: "application/yaml",
      token,
    });
    expect(refused.status).toBe(400);
    expect(refused.json().err).toMatch(
      /intrinsic functions.*Ref at Resources\.TaskDef\.Properties/,
    );
    const broken = await call(sim, `/api/v34.04/defenders/fargate.yaml?${Q}`, {
      raw: "Resources: [unclosed",
      contentType: "application/yaml",
      token,
    });
    expect(broken.status).toBe(400);
    expect(broken.json().err).toMatch(/yaml/);
  });
});
