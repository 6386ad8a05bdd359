// The arguments of ProtectedCloudFormationTemplate: they become the schema users of every language read.
import * as pulumi from "@pulumi/pulumi";
import { FargateDefenderArgs } from "./protectedFargateTaskArgs";

/** Format of a CloudFormation template. */
export const CloudFormationTemplateFormat = {
  /** JSON, sent to `fargate.json?cloudFormation=true`. */
  Json: "json",
  /** YAML, sent to `fargate.yaml`. */
  Yaml: "yaml",
} as const;
/** Format of a CloudFormation template. */
export type CloudFormationTemplateFormat =
  (typeof CloudFormationTemplateFormat)[keyof typeof CloudFormationTemplateFormat];

export interface ProtectedCloudFormationTemplateArgs extends FargateDefenderArgs {
  /**
   * The template: a whole CloudFormation template, one `AWS::ECS::TaskDefinition` resource, or its Properties. Literal
   * values only: the Console does not support intrinsic functions (`Ref`, `Fn::*`, `!Sub`...). Every container needs
   * an `EntryPoint` unless `extractEntrypoint` is set.
   */
  template: pulumi.Input<string>;
  /** Format of `template`; the protected template comes back in the same. Default: JSON if it starts with `{`. */
  format?: pulumi.Input<CloudFormationTemplateFormat>;
  /**
   * Default true. `false`: `template` is your template as given (the stack that deploys it keeps its URN and updates
   * in place), no Console call.
   */
  enabled?: boolean;
}
