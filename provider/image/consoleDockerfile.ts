// Mode Console: the Console rewrites the Dockerfile itself (POST /defenders/app-embedded). Before anything is
// built from its answer we check that it really protects the image (fail closed), read back what it did, and
// take INSTALL_BUNDLE out of the file: the Console writes the credential as an ENV line
// (docs/console-api.md#console-dockerfile). It is either dropped (the runtime injects it) or replaced by an ARG fed
// from a secret build arg.
import { problem, ProblemsError } from "../core/problems";
import { analyzeDockerfile, DockerfileError, foldedArguments } from "./dockerfile";
import {
  DEFENDER_TARBALL,
  defenderPath,
  envValue,
  INSTALL_BUNDLE_BUILD_ARG,
} from "./defenderBlock";
import { Instruction } from "dockerfile-ast";

export interface ConsoleDockerfileCheck {
  /** The built stage (`--target`); the Console appends to the last stage, so it must be the last one. */
  target?: string;
  dataFolder: string;
  bakeInstallBundle: boolean;
  /** The image's non-root USER: the Console's ADD of the tarball gets `--chown=<user>`, as ours does. */
  chown?: string;
}

export interface CheckedConsoleDockerfile {
  /** The Dockerfile to build: the Console's, with no INSTALL_BUNDLE value in it. */
  dockerfile: string;
  /** The INSTALL_BUNDLE value the Console wrote, when it wrote one (a credential). */
  installBundle?: string;
  wrappedEntrypoint: string[];
  command: string[];
  /** The Defender variables the Console set, INSTALL_BUNDLE excluded. */
  environment: Record<string, string>;
}

/** The Console answered something that would not protect the image. */
export class UnprotectedDockerfileError extends ProblemsError {
  constructor(found: string) {
    const text = `the Console's rewritten Dockerfile does not look protected (${found}); refusing to build it. Check the Console version, or use mode \`tarball\``;
    super(problem("console", text));
    this.message = text;
    this.name = "UnprotectedDockerfileError";
  }
}

const DEFENDER_KEYS = [
  "DEFENDER_TYPE",
  "DEFENDER_APP_ID",
  "FILESYSTEM_MONITORING",
  "WS_ADDRESS",
  "DATA_FOLDER",
  "FIPS_ENABLED",
];
const OUR_REFERENCE = `\${${INSTALL_BUNDLE_BUILD_ARG}}`;
const trimSlash = (p: string) => p.replace(/\/+$/, "") || "/";

/** Sources and destination of an ADD or COPY (flags skipped; JSON or whitespace form). */
function addOperands(instruction: Instruction, escapeChar: string): string[] {
  let text = foldedArguments(instruction, escapeChar);
  while (/^--\S+/.test(text)) text = text.replace(/^--\S+\s*/, "");
  if (text.startsWith("[")) {
    try {
      const parsed = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // Not JSON: read as words below.
    }
  }
  return text.split(/\s+/).filter(Boolean);
}

const envProperties = (i: Instruction) =>
  ((i as any).getProperties?.() ?? []) as {
    getName(): string;
    getValue(): string | null;
  }[];

/** Check the Console's Dockerfile and take INSTALL_BUNDLE out of it. Throws `UnprotectedDockerfileError`. */
export function checkConsoleDockerfile(
  rewritten: string,
  check: ConsoleDockerfileCheck,
): CheckedConsoleDockerfile {
  let analysis;
  try {
    analysis = analyzeDockerfile(rewritten, { target: check.target });
  } catch (e) {
    if (e instanceof DockerfileError) throw new UnprotectedDockerfileError(e.message);
    throw e;
  }
  const { stage, config, escapeChar } = analysis;
  const dataFolder = trimSlash(check.dataFolder);
  const adds = stage.instructions.filter((i) => i.getKeyword() === "ADD");
  const tarballAdds = adds.filter((i) => {
    const operands = addOperands(i, escapeChar);
    const dest = operands[operands.length - 1] ?? "";
    return operands.slice(0, -1).includes(DEFENDER_TARBALL) && trimSlash(dest) === dataFolder;
  });
  if (!tarballAdds.length)
    throw new UnprotectedDockerfileError(`no ADD ${DEFENDER_TARBALL} ${dataFolder}`);

  const entrypoint = config.entrypointInstruction;
  const defender = defenderPath(dataFolder);
  const wraps =
    entrypoint &&
    (entrypoint.form === "exec"
      ? entrypoint.argv[0] === defender && entrypoint.argv[1] === "app-embedded"
      : new RegExp(
          `^(exec\\s+)?${defender.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s+app-embedded(\\s|$)`,
        ).test(entrypoint.argv[entrypoint.argv.length - 1]));
  if (!wraps) {
    throw new UnprotectedDockerfileError(
      `its last ENTRYPOINT does not start with ${defender} app-embedded`,
    );
  }

  const environment: Record<string, string> = {};
  let installBundle: string | undefined;
  const edits: { from: number; to: number; lines: string[] }[] = [];
  const bakedLines = [`ARG ${INSTALL_BUNDLE_BUILD_ARG}`, `ENV INSTALL_BUNDLE="${OUR_REFERENCE}"`];
  let bakedPlaced = false;
  for (const env of stage.instructions.filter((i) => i.getKeyword() === "ENV")) {
    const props = envProperties(env);
    for (const p of props) {
      if (DEFENDER_KEYS.includes(p.getName())) environment[p.getName()] = p.getValue() ?? "";
    }
    const bundle = props.find((p) => p.getName() === "INSTALL_BUNDLE");
    if (!bundle || bundle.getValue() === OUR_REFERENCE) {
      if (bundle) bakedPlaced = true;
      continue;
    }
    installBundle = bundle.getValue() ?? undefined;
    const rest = props.filter((p) => p.getName() !== "INSTALL_BUNDLE");
    const lines = rest.length
      ? [`ENV ${rest.map((p) => `${p.getName()}=${envValue(p.getValue() ?? "")}`).join(" ")}`]
      : [];
    if (check.bakeInstallBundle && !bakedPlaced) lines.push(...bakedLines);
    bakedPlaced ||= check.bakeInstallBundle;
    const range = env.getRange();
    edits.push({ from: range.start.line, to: range.end.line, lines });
  }
  if (check.bakeInstallBundle && !bakedPlaced) {
    const line = entrypoint!.line - 1;
    edits.push({ from: line, to: line - 1, lines: bakedLines });
  }
  const lines = [...analysis.lines];
  if (check.chown) {
    // The Console's ADD leaves the data folder root-owned, which a non-root USER cannot write.
    for (const add of tarballAdds) {
      const at = add.getRange().start.line;
      if (!/^\s*ADD\s+--chown=/i.test(lines[at]))
        lines[at] = lines[at].replace(/^(\s*ADD)\s+/i, `$1 --chown=${check.chown} `);
    }
  }
  for (const edit of edits.sort((a, b) => b.from - a.from)) {
    lines.splice(edit.from, edit.to - edit.from + 1, ...edit.lines);
  }
  return {
    dockerfile: lines.join(analysis.eol),
    installBundle,
    wrappedEntrypoint: entrypoint!.argv,
    command: config.cmd ?? [],
    environment,
  };
}
