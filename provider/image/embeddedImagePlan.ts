// Deploy-time work of EmbeddedDefenderImage, once its Outputs have resolved: check everything that can be
// checked locally (before any Console request), ask the Console for the Defender, produce the protected
// Dockerfile, check it, and stage the build context. Returns plain data for the component to wire.
import { InputProblem, problem, ProblemsError, throwProblems } from "../core/problems";
import * as fs from "node:fs";
import { cacheDirectory, ensurePrivateDirectory } from "../core/console/downloads";
import { redact, registerSecret } from "../core/secrets";
import { ComputeConsole } from "../core/types";
import { stageBuildContext } from "./buildContext";
import { execedArgv, sameArgv } from "./consoleArgv";
import { checkConsoleDockerfile } from "./consoleDockerfile";
import { readConsoleZip } from "./consoleZip";
import {
  DefenderSettings,
  embedDefender,
  EmbedResult,
  protectImageDockerfile,
} from "./defenderBlock";
import { analyzeDockerfile, DockerfileError } from "./dockerfile";
import { inspectDefenderTarball } from "./defenderTarball";
import { chownFor } from "./dataFolderOwner";
import { BaseImageConfig, readImageConfig, RegistryCredentials } from "./registryImageConfig";
import {
  DEFAULT_DATA_FOLDER,
  dockerfilePathOf,
  EmbeddedImageValues,
  embeddedImageProblems,
  EmbedMode,
  InstallBundlePlacement,
} from "./embeddedImageRules";

export interface EmbeddedImageRequest extends EmbeddedImageValues {
  appId: string;
  filesystemMonitoring: boolean;
  installBundlePlacement: InstallBundlePlacement;
  /** Default: the download cache directory. */
  cacheDir?: string;
  /** Registry credentials (the component's `registry`), used to read a base image from that registry. */
  registry?: RegistryCredentials;
}

export interface EmbeddedImagePlan {
  /** The staged build context and the generated Dockerfile in it. */
  contextDir: string;
  dockerfilePath: string;
  platform: string;
  defenderVersion: string;
  wrappedEntrypoint: string[];
  command: string[];
  environment: Record<string, string>;
  /** The INSTALL_BUNDLE credential (for a secret build arg, or the secret output). */
  installBundle: string;
  warnings: string[];
}

export const DEFAULT_PLATFORM = "linux/amd64";
const WS_ADDRESS_PATTERN = /^wss?:\/\/[A-Za-z0-9.\-[\]:]+(\/[A-Za-z0-9._~\-/]*)?$/;

/** The Console's `wsAddress` goes into an ENV line: accept only a plain ws(s) URL, else refuse to build. */
export function checkWsAddress(wsAddress: string): string {
  if (!WS_ADDRESS_PATTERN.test(wsAddress)) {
    throw new ProblemsError(
      problem(
        "console",
        `the Console's install-bundle answer has an unusable wsAddress ${JSON.stringify(wsAddress)}; refusing to build`,
      ),
    );
  }
  return wsAddress;
}

function dockerfileProblem(file: string, error: unknown): InputProblem {
  if (error instanceof DockerfileError) return problem("dockerfile", `${file}: ${error.message}`);
  throw error;
}

const STAND_IN_WS_ADDRESS = "wss://preflight.invalid:8084";

/** What must be read from the base image: the image, and which of ENTRYPOINT and CMD the build leaves to it. */
function baseImageNeeded(
  request: EmbeddedImageRequest,
  text: string | undefined,
): { ref: string; entrypoint: boolean; cmd: boolean } | undefined {
  if (request.originalEntrypoint !== undefined || request.originalCommand !== undefined)
    return undefined;
  if (request.mode === EmbedMode.Image)
    return { ref: request.baseImage!, entrypoint: true, cmd: true };
  let analysis;
  try {
    analysis = analyzeDockerfile(text!, { target: request.target, buildArgs: request.buildArgs });
  } catch {
    return undefined; // Reported with its line by the trial rewrite.
  }
  let root = analysis.stage;
  while (root.parentStage !== undefined) root = analysis.stages[root.parentStage];
  const { entrypoint, cmd } = analysis.config;
  if (root.baseKind !== "image" || (entrypoint !== undefined && cmd !== undefined))
    return undefined;
  return { ref: root.base, entrypoint: entrypoint === undefined, cmd: cmd === undefined };
}

/** The base image's program, as `originalEntrypoint`/`originalCommand` for the parts the build leaves to it. */
interface BaseProgram {
  originalEntrypoint?: string[];
  originalCommand?: string[];
  user?: string;
}

/**
 * Everything before any Console request: args, the Dockerfile, the base image's configuration when the Dockerfile
 * does not say what runs (read from the local Docker daemon or the registry; unreadable fails closed), and a trial
 * rewrite with a stand-in address. In mode Console that trial rewrite is what the Console's answer is compared
 * with (what runs, the warnings).
 */
export async function preflight(
  request: EmbeddedImageRequest,
): Promise<{ text?: string; file?: string; ours: EmbedResult; base?: BaseProgram }> {
  const problems = embeddedImageProblems(request);
  throwProblems(problems);
  const file = request.mode === EmbedMode.Image ? undefined : dockerfilePathOf(request);
  const text = file !== undefined ? fs.readFileSync(file, "utf8") : undefined;
  try {
    if (request.mode === EmbedMode.Console) {
      const analysis = analyzeDockerfile(text!, {
        target: request.target,
        buildArgs: request.buildArgs,
      });
      if (analysis.stage.index !== analysis.stages.length - 1) {
        problems.push(
          problem(
            "target",
            `${request.target} is not the last stage, but the Console adds the Defender to the last stage; use mode \`tarball\`, or build the last stage`,
          ),
        );
      }
      const { entrypoint, cmd } = analysis.config;
      if (!entrypoint?.length && !cmd?.length) {
        problems.push(
          problem(
            "dockerfile",
            `${file}: the built stage has neither ENTRYPOINT nor CMD, which the Console requires`,
          ),
        );
      }
    }
    let base: BaseProgram | undefined;
    const needed = problems.length ? undefined : baseImageNeeded(request, text);
    if (needed) {
      registerSecret(request.registry?.password);
      try {
        const config: BaseImageConfig = await readImageConfig(needed.ref, {
          platform: request.platform ?? DEFAULT_PLATFORM,
          credentials: request.registry ? [request.registry] : [],
        });
        base = {
          originalEntrypoint: needed.entrypoint ? (config.entrypoint ?? []) : undefined,
          originalCommand: needed.cmd ? (config.cmd ?? []) : undefined,
          user: config.user,
        };
      } catch (error) {
        const field = request.mode === EmbedMode.Image ? "baseImage" : "dockerfile";
        const fix =
          request.mode === EmbedMode.Console
            ? "use mode `tarball` with `originalEntrypoint`/`originalCommand` set to the image's ENTRYPOINT and CMD"
            : "set `originalEntrypoint`/`originalCommand` to the image's ENTRYPOINT and CMD";
        const why =
          request.mode === EmbedMode.Image
            ? "no `originalEntrypoint`/`originalCommand` was given"
            : `the Dockerfile does not set ${[needed.entrypoint && "ENTRYPOINT", needed.cmd && "CMD"].filter(Boolean).join(" or ")}`;
        problems.push(
          problem(
            field,
            `the base image ${needed.ref} decides what the container runs (${why}), and its configuration could not be read: ${redact((error as Error).message)}. Make it readable (registry credentials in \`registry\`), or ${fix} (docker inspect --format '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' ${needed.ref})`,
          ),
        );
      }
    }
    if (!problems.length) {
      const ours = embed(request, text, STAND_IN_WS_ADDRESS, base);
      return { text, file, ours, base };
    }
  } catch (error) {
    problems.push(dockerfileProblem(file ?? "(generated)", error));
  }
  throw new ProblemsError(problems);
}

function settingsOf(request: EmbeddedImageRequest, wsAddress: string): DefenderSettings {
  return {
    appId: request.appId,
    dataFolder: request.dataFolder ?? DEFAULT_DATA_FOLDER,
    wsAddress,
    filesystemMonitoring: request.filesystemMonitoring,
    bakeInstallBundle: request.installBundlePlacement === InstallBundlePlacement.BakedIntoImage,
  };
}

function embed(
  request: EmbeddedImageRequest,
  text: string | undefined,
  wsAddress: string,
  base: BaseProgram | undefined,
): EmbedResult {
  const settings = settingsOf(request, wsAddress);
  const originalEntrypoint = request.originalEntrypoint ?? base?.originalEntrypoint;
  const originalCommand = request.originalCommand ?? base?.originalCommand;
  if (request.mode === EmbedMode.Image) {
    return protectImageDockerfile({
      ...settings,
      baseImage: request.baseImage!,
      originalEntrypoint,
      originalCommand,
      chown: chownFor(base?.user),
    });
  }
  return embedDefender(text!, {
    ...request,
    ...settings,
    originalEntrypoint,
    originalCommand,
    baseUser: base?.user,
  });
}

/** Run the plan: preflight, Console requests, rewrite and checks, staging. Rejects on any doubt (fail closed). */
export async function planEmbeddedImage(
  computeConsole: ComputeConsole,
  request: EmbeddedImageRequest,
): Promise<EmbeddedImagePlan> {
  const { text, file, ours, base } = await preflight(request);
  const cacheDir = request.cacheDir ?? cacheDirectory();
  ensurePrivateDirectory(cacheDir);
  const dataFolder = request.dataFolder ?? DEFAULT_DATA_FOLDER;
  let dockerfile: string;
  let tarball: { path: string; sha256: string };
  let result: Pick<EmbedResult, "wrappedEntrypoint" | "command" | "environment" | "warnings">;
  let installBundle: string | undefined;
  if (request.mode === EmbedMode.Console) {
    const consoleAddr = await computeConsole.consoleAddress();
    const zip = await computeConsole.embedDockerfile({
      appID: request.appId,
      consoleAddr,
      dataFolder,
      dockerfile: text!,
      filesystemMonitoring: request.filesystemMonitoring,
    });
    const content = await readConsoleZip(zip.path, cacheDir);
    const checked = checkConsoleDockerfile(content.dockerfile, {
      target: request.target,
      dataFolder,
      bakeInstallBundle: request.installBundlePlacement === InstallBundlePlacement.BakedIntoImage,
      chown: ours.chown,
    });
    registerSecret(checked.installBundle);
    installBundle =
      checked.installBundle ?? (await computeConsole.installBundle(consoleAddr)).installBundle;
    tarball = content.tarball;
    // What the Console's image would exec, against what the Dockerfile runs under Docker, wrapped.
    const expected = [...ours.wrappedEntrypoint, ...ours.command];
    const consoleRuns = execedArgv([...checked.wrappedEntrypoint, ...checked.command]);
    if (sameArgv(consoleRuns, expected)) {
      dockerfile = checked.dockerfile;
      // The Console's own values, read back: a difference is worth knowing, but its rule for them is undocumented.
      const said = checked.environment;
      const differences = [
        ["DEFENDER_APP_ID", request.appId],
        ["DATA_FOLDER", dataFolder],
      ]
        .filter(([key, value]) => said[key] !== undefined && said[key] !== value)
        .map(
          ([key, value]) => `the Console wrote ${key}="${said[key]}" where "${value}" was asked`,
        );
      // The same Dockerfile gives the same warnings in every mode.
      result = { ...checked, warnings: [...ours.warnings, ...differences] };
    } else {
      // Never build the Console's image: it would run another program. The block is written here instead, from
      // the same reading of the Dockerfile as mode tarball, with the Console's Defender and address.
      const wsAddress = checkWsAddress(
        checked.environment.WS_ADDRESS ??
          (await computeConsole.installBundle(consoleAddr)).wsAddress,
      );
      const own = embed(request, text, wsAddress, base);
      dockerfile = own.dockerfile;
      result = {
        ...own,
        warnings: [
          `the Console's rewritten Dockerfile would run ${JSON.stringify(consoleRuns)}, but the Dockerfile, protected, runs ${JSON.stringify(expected)} (ENTRYPOINT + CMD as Docker builds them); prisma-defender wrote the Defender block itself instead, as mode \`tarball\` does, with the Console's Defender`,
          ...own.warnings,
        ],
      };
    }
  } else {
    const [archive, bundle] = await Promise.all([
      computeConsole.appEmbeddedTarball(),
      computeConsole.consoleAddress().then((address) => computeConsole.installBundle(address)),
    ]);
    checkWsAddress(bundle.wsAddress);
    installBundle = bundle.installBundle;
    result = embed(request, text, bundle.wsAddress, base);
    dockerfile = (result as EmbedResult).dockerfile;
    tarball = archive;
  }
  if (!installBundle)
    throw new ProblemsError(
      problem("console", "the Console returned an empty INSTALL_BUNDLE; refusing to build"),
    );
  registerSecret(installBundle);
  if (dockerfile.includes(installBundle)) {
    // Never the case by construction; checked because a leak here would be written to disk and pushed.
    throw new Error(
      "internal error: the generated Dockerfile contains INSTALL_BUNDLE; refusing to stage it",
    );
  }
  const info = await inspectDefenderTarball(tarball.path);
  if (request.platform && info.platform && request.platform !== info.platform) {
    throw new ProblemsError(
      problem(
        "platform",
        `${request.platform} does not match the Defender the Console provides (${info.platform}); remove \`platform\` or set it to ${info.platform}`,
      ),
    );
  }
  const staged = await stageBuildContext({
    contextDir: request.mode === EmbedMode.Image ? undefined : request.context,
    dockerfilePath: file,
    dockerfile,
    tarball,
    cacheDir,
  });
  const warnings = [...result.warnings];
  for (const name of staged.replaced) {
    warnings.push(`the build context's ${name} was replaced by the one prisma-defender generates`);
  }
  return {
    contextDir: staged.dir,
    dockerfilePath: staged.dockerfile,
    platform: request.platform ?? info.platform ?? DEFAULT_PLATFORM,
    defenderVersion: info.version ?? (await computeConsole.consoleVersion()),
    wrappedEntrypoint: result.wrappedEntrypoint,
    command: result.command,
    environment: result.environment,
    installBundle,
    warnings,
  };
}
