// prisma-defender's CrossGuard policy pack: `pulumi preview --policy-pack <path to this directory>` proves that
// every workload in the stack runs a Prisma Cloud Compute Defender and that its credentials stay secret.
// One policy per rule; each policy's enforcement level (advisory, mandatory, disabled) and options are set in a
// policy config file (`--policy-pack-config`), see docs/policy.md.
import { PolicyPack } from "@pulumi/policy";
import "./rules/wire";
import { azurePolicy } from "./rules/azure";
import { credentialsPolicy } from "./rules/credentials";
import { exclusionsPolicy } from "./rules/exclusions";
import { fargatePolicy } from "./rules/fargate";
import { lambdaPolicy } from "./rules/lambda";
import { versionPolicy } from "./rules/version";

new PolicyPack("prisma-defender", {
  policies: [
    // First: it sets the exclusions the workload policies below honour (rules/common.ts).
    exclusionsPolicy(),
    lambdaPolicy(),
    fargatePolicy(),
    azurePolicy(),
    credentialsPolicy(),
    versionPolicy(),
  ],
});
