// The harness is shared by every component test: check the three things they rely on.
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import {
  captureDeployErrors,
  details,
  installMocks,
  isSecretInput,
  plaintextSecretsIn,
} from "./pulumi";

const mocks = installMocks();

class Probe extends pulumi.ComponentResource {
  public readonly arn: pulumi.Output<string>;
  constructor(
    name: string,
    args: { fail: boolean; secret: string },
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("prisma-defender:index:Probe", name, {}, opts);
    const defs = pulumi.output(args.fail).apply(async (fail) => {
      if (fail) throw new Error("Console said no");
      return "[]";
    });
    const td = new aws.ecs.TaskDefinition(
      `${name}-td`,
      { family: name, containerDefinitions: defs, tags: { note: pulumi.secret(args.secret) } },
      { parent: this },
    );
    this.arn = td.arn;
    this.registerOutputs({ arn: this.arn });
  }
}

beforeEach(() => mocks.reset());

test("a failing deploy-time call is reported and registers no child", async () => {
  const errors = await captureDeployErrors(
    () => new Probe("bad", { fail: true, secret: "s3cr3t-value" }).arn,
  );
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain("Console said no");
  expect(mocks.children()).toEqual([]);
});

test("a successful component registers its child, with secrets wrapped", async () => {
  const probe = new Probe("good", { fail: false, secret: "s3cr3t-value" });
  const arn = await details(probe.arn);
  expect(arn).toMatchObject({ known: true, secret: false });
  const [td] = mocks.children("aws:ecs/taskDefinition:TaskDefinition");
  expect(isSecretInput(td.inputs.tags)).toBe(true);
  expect(plaintextSecretsIn(mocks.resources, ["s3cr3t-value"])).toEqual([]);
  expect(
    plaintextSecretsIn([{ ...td, inputs: { x: "s3cr3t-value" } }], ["s3cr3t-value"]),
  ).toHaveLength(1);
});
