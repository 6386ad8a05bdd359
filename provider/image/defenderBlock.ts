// The App-Embedded Defender block we add to a Dockerfile ourselves (modes Tarball and Image), in the shape the
// Console itself writes (docs/console-api.md#console-dockerfile: ADD of the tarball into the data folder, the ENV
// lines in the Console's order, then an ENTRYPOINT that runs
// `<dataFolder>/defender app-embedded <original program...>`).
// Pure: Dockerfile text in, Dockerfile text out.
import { chownFor, folderCreatedBefore } from "./dataFolderOwner";
import { analyzeDockerfile, DockerfileAnalysis, DockerfileError } from "./dockerfile";

/** File name of the Defender tarball, in the build context and in the Console's zip. */
export const DEFENDER_TARBALL = "twistlock_defender_app_embedded.tar.gz";
/** Build arg that carries INSTALL_BUNDLE when it is baked in, so the credential is never written to disk. */
export const INSTALL_BUNDLE_BUILD_ARG = "PRISMA_DEFENDER_INSTALL_BUNDLE";

export interface DefenderSettings {
  appId: string;
  /** Absolute directory the tarball is unpacked into; the Defender writes its state there at run time. */
  dataFolder: string;
  /** `wss://<console>:<port>` from the install-bundle endpoint. */
  wsAddress: string;
  filesystemMonitoring: boolean;
  /** Add `ARG`/`ENV INSTALL_BUNDLE` fed by `INSTALL_BUNDLE_BUILD_ARG` (true), or leave it to the runtime. */
  bakeInstallBundle: boolean;
}

export interface EmbedResult {
  /** The protected Dockerfile. Never contains INSTALL_BUNDLE's value. */
  dockerfile: string;
  /** The ENTRYPOINT the image ends with: `[<dataFolder>/defender, app-embedded, ...original]`. */
  wrappedEntrypoint: string[];
  /** The CMD the image ends with (arguments after the entrypoint). */
  command: string[];
  /** The non-secret Defender environment (INSTALL_BUNDLE is never in it). */
  environment: Record<string, string>;
  /** Things the user should know, such as a base image entrypoint that could not be seen. */
  warnings: string[];
  /** The registry image the built stage starts from, after ARG substitution (`scratch` when none). */
  baseImage: string;
  /** The non-root USER the data folder is given to (`ADD --chown`), when there is one. */
  chown?: string;
}

export interface TarballEmbedOptions extends DefenderSettings {
  target?: string;
  buildArgs?: Record<string, string>;
  /** The base image's ENTRYPOINT, for a Dockerfile whose stages do not set one (we cannot inspect registries). */
  originalEntrypoint?: string[];
  /** The base image's CMD, for a Dockerfile whose stages do not set one. */
  originalCommand?: string[];
  /** The base image's USER, for a Dockerfile whose stages do not set one. */
  baseUser?: string;
}

/** The non-secret Defender variables, in the order the Console writes them. */
export function defenderEnvironment(settings: DefenderSettings): Record<string, string> {
  return {
    DEFENDER_TYPE: "appEmbedded",
    DEFENDER_APP_ID: settings.appId,
    FILESYSTEM_MONITORING: String(settings.filesystemMonitoring),
    WS_ADDRESS: settings.wsAddress,
    DATA_FOLDER: settings.dataFolder,
    FIPS_ENABLED: "false",
  };
}

export const defenderPath = (dataFolder: string) => `${dataFolder.replace(/\/+$/, "")}/defender`;

/** A double-quoted ENV value: the builder substitutes `$` and reads `\` escapes inside quotes. */
export function envValue(value: string): string {
  // A line break would end the ENV line and start an instruction of its own: never let one through.
  if (/[\r\n\0]/.test(value))
    throw new DockerfileError(`a Defender setting contains a line break: ${JSON.stringify(value)}`);
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}
const json = (argv: string[]) => `[${argv.map((a) => JSON.stringify(a)).join(", ")}]`;

/**
 * The block's lines (ADD, ENV..., ENTRYPOINT, CMD). `chown`: the image's non-root USER, which gets the data folder
 * (`ADD --chown`) so the Defender can write its state there.
 */
export function renderDefenderBlock(
  settings: DefenderSettings,
  wrappedEntrypoint: string[],
  command: string[],
  explanation: string[],
  chown?: string,
): string[] {
  const env = defenderEnvironment(settings);
  const lines = [
    "# Prisma Cloud Compute App-Embedded Defender, added by prisma-defender (EmbeddedDefenderImage).",
    ...explanation.map((l) => `# ${l}`),
    `ADD ${chown ? `--chown=${chown} ` : ""}${json([DEFENDER_TARBALL, settings.dataFolder])}`,
  ];
  for (const [key, value] of Object.entries(env)) {
    if (key === "FIPS_ENABLED" && settings.bakeInstallBundle) {
      // The credential comes from a build arg (a Pulumi secret), so no file on disk ever holds it.
      lines.push(`ARG ${INSTALL_BUNDLE_BUILD_ARG}`);
      lines.push(`ENV INSTALL_BUNDLE="\${${INSTALL_BUNDLE_BUILD_ARG}}"`);
    }
    lines.push(`ENV ${key}=${envValue(value)}`);
  }
  lines.push(`ENTRYPOINT ${json(wrappedEntrypoint)}`);
  // Restate CMD: a new ENTRYPOINT resets a CMD inherited from a parent stage or image.
  if (command.length) lines.push(`CMD ${json(command)}`);
  return lines;
}

/** Decide what to wrap: the built stage's ENTRYPOINT, else its CMD alone, else what the user told us. */
function originalProgram(
  analysis: DockerfileAnalysis,
  options: TarballEmbedOptions,
): { entrypoint: string[]; command: string[]; warnings: string[]; explanation: string[] } {
  const { config, stage } = analysis;
  const warnings: string[] = [];
  const ignored = (field: string, instruction?: { line: number }) =>
    warnings.push(
      `\`${field}\` is ignored: the Dockerfile sets it${instruction ? ` on line ${instruction.line}` : " in a parent stage"}`,
    );
  if (options.originalEntrypoint && config.entrypoint !== undefined) {
    ignored("originalEntrypoint", config.entrypointInstruction);
  }
  if (options.originalCommand && config.cmd !== undefined) {
    ignored("originalCommand", config.cmdInstruction);
  }
  const entrypoint = config.entrypoint ?? options.originalEntrypoint;
  const command = config.cmd ?? options.originalCommand ?? [];
  if (entrypoint === undefined && !config.cmd?.length && !options.originalCommand?.length) {
    throw new DockerfileError(
      `the built stage (FROM ${stage.base}) sets neither ENTRYPOINT nor CMD, and its base image's are not known here: add an ENTRYPOINT to the Dockerfile, or give \`originalEntrypoint\`/\`originalCommand\` (see docker inspect --format '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' ${stage.base})`,
    );
  }
  if (entrypoint === undefined) {
    warnings.push(
      `the built stage sets CMD but no ENTRYPOINT; if its base image ${stage.base} has an ENTRYPOINT, the Defender's entrypoint replaces it. Set \`originalEntrypoint\` to the base image's ENTRYPOINT to keep it.`,
    );
  } else if (config.cmd === undefined && options.originalCommand === undefined) {
    warnings.push(
      `the new ENTRYPOINT resets the CMD of base image ${stage.base}; if the image relies on that CMD, set \`originalCommand\` to it.`,
    );
  }
  const original = entrypoint ?? [];
  if (original.length === 0 && command.length === 0) {
    throw new DockerfileError(
      `the built stage (FROM ${stage.base}) has neither ENTRYPOINT nor CMD: the Defender must wrap the program the container runs. Add an ENTRYPOINT (exec form, such as ENTRYPOINT ["/app/server"])`,
    );
  }
  const runs = json([...original, ...command]);
  const explanation =
    original.length > 0
      ? [
          command.length
            ? "The Defender starts first, then runs the original entrypoint with CMD as its arguments:"
            : "The Defender starts first, then runs the original entrypoint:",
          runs,
        ]
      : [
          "The stage has CMD but no ENTRYPOINT, so the entrypoint is the Defender alone and CMD its",
          "arguments: the container runs `defender app-embedded <CMD...>`, which starts the Defender and then:",
          runs,
        ];
  return { entrypoint: original, command, warnings, explanation };
}

/** Insert `block` after the built stage's last instruction (at the end of the file for the last stage). */
function insertBlock(analysis: DockerfileAnalysis, block: string[]): string {
  const lines = [...analysis.lines];
  const isLast = analysis.stage.index === analysis.stages.length - 1;
  let at = isLast ? lines.length : analysis.stage.endLine + 1;
  if (isLast) {
    while (at > 0 && lines[at - 1].trim() === "") at--;
  }
  lines.splice(at, isLast ? lines.length - at : 0, "", ...block, ...(isLast ? [""] : []));
  return lines.join(analysis.eol);
}

/** The image at the root of the built stage's `FROM <stage>` chain. */
function rootBase(analysis: DockerfileAnalysis): string {
  let stage = analysis.stage;
  while (stage.parentStage !== undefined) stage = analysis.stages[stage.parentStage];
  return stage.base;
}

/** Tarball mode: add the Defender block to the built stage of `dockerfile`. */
export function embedDefender(dockerfile: string, options: TarballEmbedOptions): EmbedResult {
  const analysis = analyzeDockerfile(dockerfile, {
    target: options.target,
    buildArgs: options.buildArgs,
  });
  const program = originalProgram(analysis, options);
  const wrappedEntrypoint = [
    defenderPath(options.dataFolder),
    "app-embedded",
    ...program.entrypoint,
  ];
  const user = analysis.config.user ?? options.baseUser;
  const chown = chownFor(user);
  const block = renderDefenderBlock(
    options,
    wrappedEntrypoint,
    program.command,
    program.explanation,
    chown,
  );
  const created = chown && folderCreatedBefore(analysis, options.dataFolder);
  if (created) {
    program.warnings.push(
      `the image runs as USER ${user}, and line ${created.line} (${created.keyword}) may create dataFolder ${options.dataFolder} before the Defender is added, owned by root: ADD --chown cannot change a folder that already exists, so the Defender could not write its state and would not start. Make it writable for that user in the Dockerfile (RUN chown ${user} ${options.dataFolder}), or choose a dataFolder nothing else uses`,
    );
  }
  return {
    dockerfile: insertBlock(analysis, block),
    wrappedEntrypoint,
    command: program.command,
    environment: defenderEnvironment(options),
    warnings: program.warnings,
    baseImage: rootBase(analysis),
    chown,
  };
}

export interface ImageEmbedOptions extends DefenderSettings {
  /** The image to protect, by reference (`repo:tag` or `repo@sha256:...`). */
  baseImage: string;
  originalEntrypoint?: string[];
  originalCommand?: string[];
  /** The image's non-root USER, which gets the data folder. */
  chown?: string;
}

/** Image mode: `FROM <image>` plus the block, wrapping the entrypoint and command the user gave. */
export function protectImageDockerfile(options: ImageEmbedOptions): EmbedResult {
  const entrypoint = options.originalEntrypoint ?? [];
  const command = options.originalCommand ?? [];
  if (entrypoint.length === 0 && command.length === 0) {
    throw new DockerfileError(
      `mode \`image\` needs the image's \`originalEntrypoint\` and/or \`originalCommand\` (read them with docker inspect --format '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' ${options.baseImage})`,
    );
  }
  const wrappedEntrypoint = [defenderPath(options.dataFolder), "app-embedded", ...entrypoint];
  const block = renderDefenderBlock(
    options,
    wrappedEntrypoint,
    command,
    [
      "Protects the image above: the Defender starts first, then runs its original program:",
      json([...entrypoint, ...command]),
    ],
    options.chown,
  );
  return {
    dockerfile: [`FROM ${options.baseImage}`, "", ...block, ""].join("\n"),
    wrappedEntrypoint,
    command,
    environment: defenderEnvironment(options),
    warnings: [],
    baseImage: options.baseImage,
    chown: options.chown,
  };
}
