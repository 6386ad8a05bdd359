// ProtectedCloudFormationTemplate and its pure functions: intrinsic functions and missing entrypoints refused before
// any request, the protected template checked (fail closed) and returned as a secret, in the format it came in.
import * as YAML from "yaml";
import { captureDeployErrors, details, installMocks } from "../helpers/pulumi";
import {
  CloudFormationTemplateFormat,
  ProtectedCloudFormationTemplate,
} from "../../provider/fargate/protectedCloudFormationTemplate";
import {
  checkProtectedTemplate,
  findIntrinsicFunctions,
  parseTemplate,
  preflightTemplate,
  templateTasks,
} from "../../provider/fargate/cloudFormation";
import { FargateTaskError } from "../../provider/fargate/taskDefinition";
import { startSidecarDroppingConsole, useSimulator } from "./support";

const mocks = installMocks();
const env = useSimulator();
beforeEach(() => mocks.reset());

const PROPERTIES = {
  Family: "web",
  Cpu: "256",
  Memory: "512",
  NetworkMode: "awsvpc",
  RequiresCompatibilities: ["FARGATE"],
  ExecutionRoleArn: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
  ContainerDefinitions: [
    {
      Name: "web",
      Image: "nginx:1.27",
      EntryPoint: ["/docker-entrypoint.sh"],
      Command: ["nginx", "-g", "daemon off;"],
      Environment: [{ Name: "ZED", Value: "1" }],
      PortMappings: [{ ContainerPort: 80 }],
    },
  ],
};
const TEMPLATE = {
  AWSTemplateFormatVersion: "2010-09-09",
  Description: "web task",
  Resources: { WebTask: { Type: "AWS::ECS::TaskDefinition", Properties: PROPERTIES } },
};

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FargateTaskError);
    return (e as FargateTaskError).details;
  }
  throw new Error("expected a FargateTaskError");
}

describe("CloudFormation preflight (pure)", () => {
  it("finds task definitions in a template, a resource, or bare Properties", () => {
    expect(templateTasks(TEMPLATE).map((t) => t.where)).toEqual(["Resources.WebTask"]);
    expect(templateTasks(TEMPLATE.Resources.WebTask).map((t) => t.where)).toEqual([
      "TaskDefinition",
    ]);
    expect(templateTasks(PROPERTIES).map((t) => t.where)).toEqual(["TaskDefinition"]);
  });

  it("names every intrinsic function and where it is, long forms and YAML short forms alike", () => {
    const yaml = [
      "Parameters: { Image: { Type: String } }",
      "Resources:",
      "  WebTask:",
      "    Type: AWS::ECS::TaskDefinition",
      "    Properties:",
      "      Family: !Sub '${AWS::StackName}-web'",
      "      ExecutionRoleArn: !GetAtt Role.Arn",
      "      ContainerDefinitions:",
      "        - Name: web",
      "          Image: !Ref Image",
      "          EntryPoint: [/app]",
      "Outputs: { Family: { Value: { 'Fn::Join': ['', [a, b]] } } }",
    ].join("\n");
    const doc = parseTemplate(yaml, "yaml");
    expect(findIntrinsicFunctions(doc)).toEqual([
      "Fn::Sub at Resources.WebTask.Properties.Family",
      "Fn::GetAtt at Resources.WebTask.Properties.ExecutionRoleArn",
      "Ref at Resources.WebTask.Properties.ContainerDefinitions[0].Image",
      "Fn::Join at Outputs.Family.Value",
    ]);
    const [problem] = problemsOf(() => preflightTemplate(doc, {}));
    expect(problem).toMatch(/^the Console does not support CloudFormation intrinsic functions/);
    expect(problem).toContain("Ref at Resources.WebTask.Properties.ContainerDefinitions[0].Image");
  });

  it("applies the entrypoint rule and the other container checks, per task definition", () => {
    const noEntry = structuredClone(TEMPLATE);
    delete (noEntry.Resources.WebTask.Properties.ContainerDefinitions[0] as any).EntryPoint;
    expect(problemsOf(() => preflightTemplate(noEntry, {}))).toEqual([
      expect.stringMatching(/^Resources\.WebTask: container "web" has no `entryPoint`/),
    ]);
    expect(() => preflightTemplate(noEntry, { extractEntrypoint: true })).not.toThrow();
    expect(problemsOf(() => preflightTemplate({ Resources: {} }, {}))).toEqual([
      "it has no AWS::ECS::TaskDefinition: pass a template with one, the resource itself, or its Properties",
    ]);
    expect(problemsOf(() => parseTemplate("{ nope", "json"))[0]).toMatch(/^it is not valid JSON/);
    const secretValue = '{"Resources": {"T": {"Properties": {"Value": hunter22}}}}';
    const [problem] = problemsOf(() => parseTemplate(secretValue, "json"));
    expect(problem).toMatch(/^it is not valid JSON/);
    expect(problem).not.toContain("hunter22");
  });

  it("refuses an answer with different task definitions than were sent", () => {
    const sent = templateTasks(TEMPLATE);
    expect(problemsOf(() => checkProtectedTemplate('{"Resources": {}}', "json", sent, {}))).toEqual(
      ["it has the task definitions [] where [Resources.WebTask] were sent"],
    );
  });
});

describe("ProtectedCloudFormationTemplate", () => {
  const make = (template: string, extra: Record<string, unknown> = {}) =>
    new ProtectedCloudFormationTemplate("tpl", { console: env.console(), template, ...extra });

  it("protects a JSON template through fargate.json?cloudFormation=true and returns it as a secret", async () => {
    const t = make(JSON.stringify(TEMPLATE));
    const template = await details(t.template);
    expect(template.secret).toBe(true);
    const doc = JSON.parse(template.value as string);
    expect(doc.Description).toBe("web task");
    const [web, sidecar] = doc.Resources.WebTask.Properties.ContainerDefinitions;
    expect(web.EntryPoint).toEqual([
      "/var/lib/twistlock/fargate/defender",
      "fargate",
      "entrypoint",
      "/docker-entrypoint.sh",
    ]);
    expect(web.Environment.map((e: any) => e.Name)).toEqual([
      "DEFENDER_TYPE",
      "FARGATE_TASK",
      "FILESYSTEM_MONITORING",
      "TW_CONTAINER_NAME",
      "TW_IMAGE_NAME",
      "ZED",
    ]);
    expect(sidecar.Name).toBe("TwistlockDefender");
    // CloudFormation refuses the empty LogConfiguration the Console adds.
    expect(sidecar).not.toHaveProperty("LogConfiguration");
    expect(sidecar.Environment).toContainEqual({
      Name: "INSTALL_BUNDLE",
      Value: env.sim().secrets.installBundle,
    });
    expect(
      env
        .sim()
        .requestsTo("defenders/fargate.json")
        .map((r) => r.query),
    ).toEqual([{ consoleaddr: "127.0.0.1", defenderType: "appEmbedded", cloudFormation: "true" }]);
    const review = {
      protectedContainers: await details(t.protectedContainers),
      wrappedEntrypoints: await details(t.wrappedEntrypoints),
      defenderVersion: await details(t.defenderVersion),
      defenderImage: await details(t.defenderImage),
    };
    expect(review.protectedContainers).toEqual({
      value: ["Resources.WebTask/web"],
      known: true,
      secret: false,
    });
    expect(review.wrappedEntrypoints.value).toEqual({ "Resources.WebTask/web": web.EntryPoint });
    expect(review.defenderVersion.value).toBe("34.04.145");
    for (const r of Object.values(review)) {
      expect(r.secret).toBe(false);
      expect(JSON.stringify(r.value)).not.toContain(env.sim().secrets.installBundle);
    }
  });

  it("protects a YAML template through fargate.yaml and returns YAML", async () => {
    const t = make(YAML.stringify(TEMPLATE), { format: CloudFormationTemplateFormat.Yaml });
    const doc = YAML.parse((await details(t.template)).value as string);
    expect(doc.Resources.WebTask.Properties.ContainerDefinitions.map((c: any) => c.Name)).toEqual([
      "web",
      "TwistlockDefender",
    ]);
    expect(env.sim().requestsTo("defenders/fargate.yaml")).toHaveLength(1);
    expect(env.sim().requestsTo("defenders/fargate.json")).toEqual([]);
  });

  it("refuses intrinsic functions in the constructor, before any request", () => {
    const yaml = YAML.stringify(TEMPLATE).replace("Family: web", "Family: !Ref FamilyName");
    expect(() => make(yaml)).toThrow(
      /intrinsic functions.*Ref at Resources\.WebTask\.Properties\.Family/s,
    );
    expect(() => make(JSON.stringify(TEMPLATE), { format: "xml" })).toThrow(
      /^ProtectedCloudFormationTemplate tpl: format: must be "json" or "yaml"/,
    );
    expect(env.sim().requests).toEqual([]);
  });

  it("fails closed when the Console's template comes back without the sidecar", async () => {
    const rogue = await startSidecarDroppingConsole();
    try {
      const errors = await captureDeployErrors(
        () =>
          new ProtectedCloudFormationTemplate("tpl", {
            console: {
              url: rogue.url,
              username: rogue.sim.credentials.username,
              password: rogue.sim.credentials.password,
              // The rogue Console is plain http (a local proxy that rewrites answers).
              allowInsecureHttp: true,
            },
            template: JSON.stringify(TEMPLATE),
          }).template,
      );
      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors) {
        expect(e).toMatch(
          /ProtectedCloudFormationTemplate tpl: console: the Console's answer for Resources\.WebTask does not look like a protected task definition/,
        );
        expect(e).not.toContain(rogue.sim.secrets.installBundle);
      }
    } finally {
      await rogue.close();
    }
  });
});
