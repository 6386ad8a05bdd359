// EmbeddedDefenderImage with `enabled: false`: the same docker.Image child, under the same URN and image name,
// built from the user's own context and Dockerfile (or, for a `baseImage`, a Dockerfile that is only `FROM` it),
// without the Defender and without a Console call.
import { Checks } from "../core/check";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { workDir } from "../core/archive";
import { dockerfilePathOf } from "./embeddedImageRules";
import { EmbeddedDefenderImageArgs } from "./embeddedDefenderImageArgs";
import { docker as dockerSdk } from "../core/peers";

/** The context and Dockerfile to build: the user's, or a staged `FROM <baseImage>` (same path for the same image). */
function unprotectedBuild(context?: string, dockerfile?: string, baseImage?: string) {
  if (context !== undefined || baseImage === undefined) {
    return { context, dockerfile: dockerfilePathOf({ context, dockerfile }) };
  }
  const text = `FROM ${baseImage}\n`;
  const dir = path.join(
    workDir("image-unprotected"),
    createHash("sha256").update(text).digest("hex").slice(0, 16),
  );
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(dir, "Dockerfile"), text, { mode: 0o600 });
  return { context: dir, dockerfile: path.join(dir, "Dockerfile") };
}

export function unprotectedImage(
  name: string,
  args: EmbeddedDefenderImageArgs,
  parent: pulumi.Resource,
): docker.Image {
  const build = pulumi
    .all([args.context, args.dockerfile, args.baseImage])
    .apply(([c, d, b]) => unprotectedBuild(c, d, b));
  const registry = args.registry === undefined ? undefined : pulumi.output(args.registry);
  return new (dockerSdk(new Checks("EmbeddedDefenderImage", name, parent)).Image)(
    name,
    {
      imageName: args.imageName,
      build: {
        context: build.apply((b) => b.context as string),
        dockerfile: build.apply((b) => b.dockerfile as string),
        args: args.buildArgs,
        target: args.target,
        platform: args.platform,
      },
      registry: registry && {
        server: registry.server,
        username: registry.username,
        password: pulumi.secret(registry.password),
      },
      skipPush: args.skipPush,
    },
    { parent },
  );
}
