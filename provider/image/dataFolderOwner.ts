// Who must be able to write the Defender's data folder, and whether `ADD --chown` can make it so. The Defender
// writes its state into the data folder at run time; a non-root USER cannot write a root-owned folder, and the
// Defender then never starts while the program runs on. `ADD --chown=<user> <tarball> <folder>` creates the folder
// owned by that user (BuildKit and buildah both chown the directory the ADD creates; BuildKit >= 0.23 also chowns
// the extracted files, older ones and buildah leave those root-owned and readable, which the Defender only reads).
// It needs no shell in the image. It cannot change a folder that already exists, so an instruction that may have
// created the folder before the ADD is reported.
import { Instruction } from "dockerfile-ast";
import { DockerfileAnalysis, DockerfileError, DockerStage, foldedArguments } from "./dockerfile";

/** A USER the image runs as: `root`, `0` (with any group) or unset mean root. */
export const isRootUser = (user: string | undefined) =>
  user === undefined || user.trim() === "" || /^(root|0)(:.*)?$/.test(user.trim());

const USER_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]*(:[A-Za-z0-9_][A-Za-z0-9._-]*)?$/;

/** The `--chown=` value for a non-root USER, or undefined for root. Refuses a USER that is no user name. */
export function chownFor(user: string | undefined): string | undefined {
  if (isRootUser(user)) return undefined;
  const value = user!.trim();
  if (!USER_PATTERN.test(value)) {
    throw new DockerfileError(
      `USER ${JSON.stringify(value)} is not a user name or uid (with an optional :group), so the Defender's data folder cannot be given to it`,
    );
  }
  return value;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const trimSlash = (p: string) => p.replace(/\/+$/, "") || "/";

/** Destination of an ADD or COPY (flags skipped; JSON or whitespace form). */
function destinationOf(instruction: Instruction, escapeChar: string): string | undefined {
  let text = foldedArguments(instruction, escapeChar);
  while (/^--\S+/.test(text)) text = text.replace(/^--\S+\s*/, "");
  if (text.startsWith("[")) {
    try {
      const parsed = JSON.parse(text);
      if (Array.isArray(parsed)) return String(parsed[parsed.length - 1]);
    } catch {
      // Not JSON: read as words below.
    }
  }
  return text.split(/\s+/).filter(Boolean).pop();
}

/**
 * The first instruction of the built stage (or a stage it is built FROM) that may create `folder` before the
 * Defender's ADD: a COPY/ADD or WORKDIR at or under it, a VOLUME or RUN naming it. A RUN that names it with
 * chown or chmod is taken as the Dockerfile preparing it itself: then nothing is reported.
 */
export function folderCreatedBefore(
  analysis: DockerfileAnalysis,
  folder: string,
): { line: number; keyword: string } | undefined {
  const target = trimSlash(folder);
  const named = new RegExp(`(^|[\\s"'=:])${escapeRegExp(target)}(/|[\\s"']|$)`);
  const under = (p: string | undefined) =>
    p !== undefined && (trimSlash(p) === target || p.startsWith(`${target}/`));
  const chain: DockerStage[] = [];
  for (let stage: DockerStage | undefined = analysis.stage; stage;) {
    chain.unshift(stage);
    stage = stage.parentStage === undefined ? undefined : analysis.stages[stage.parentStage];
  }
  let first: { line: number; keyword: string } | undefined;
  for (const stage of chain) {
    for (const i of stage.instructions) {
      const keyword = i.getKeyword();
      const text = foldedArguments(i, analysis.escapeChar);
      let creates = false;
      if (keyword === "COPY" || keyword === "ADD")
        creates = under(destinationOf(i, analysis.escapeChar));
      else if (keyword === "WORKDIR") creates = under(text);
      else if (keyword === "VOLUME" || keyword === "RUN") creates = named.test(text);
      if (keyword === "RUN" && creates && /\bch(own|mod)\b/.test(text)) return undefined;
      if (creates && !first) first = { line: i.getRange().start.line + 1, keyword };
    }
  }
  return first;
}
