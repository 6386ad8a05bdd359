// Comments and docs cite files of this repository or public links only: the team's reference documents are not
// in the repository, so a citation of them is a dead end for every reader. And every cited section of
// docs/console-api.md exists.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const SELF = path.relative(ROOT, __filename).split(path.sep).join("/");
const FORBIDDEN = [
  "compute-api.md",
  "pulumi-components.md",
  "testing-with-real-clients.md",
  "prior-art.md",
  "../shared/",
];

/** Tracked files (outside node_modules) with their text. */
function trackedTexts(): [string, string][] {
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    .filter((f) => f && !f.split("/").includes("node_modules"));
  expect(files.length).toBeGreaterThan(100);
  return files
    .filter((f) => fs.existsSync(path.join(ROOT, f)) && fs.statSync(path.join(ROOT, f)).isFile())
    .map((f) => [f, fs.readFileSync(path.join(ROOT, f), "utf8")]);
}

/** GitHub's anchor for a Markdown heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

it("no tracked file cites a document outside the repository", () => {
  const found: string[] = [];
  for (const [file, text] of trackedTexts()) {
    if (file === SELF) continue;
    text.split("\n").forEach((line, i) => {
      for (const needle of FORBIDDEN)
        if (line.includes(needle)) found.push(`${file}:${i + 1}: ${needle}`);
    });
  }
  expect(found).toEqual([]);
});

it("every cited section of docs/console-api.md exists", () => {
  const doc = fs.readFileSync(path.join(ROOT, "docs/console-api.md"), "utf8");
  const anchors = new Set([
    ...[...doc.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1])),
    ...[...doc.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]),
  ]);
  const cited = new Set<string>();
  const broken: string[] = [];
  for (const [file, text] of trackedTexts()) {
    if (file === SELF) continue;
    for (const m of text.matchAll(/console-api\.md#([\w-]+)/g)) {
      cited.add(m[1]);
      if (!anchors.has(m[1])) broken.push(`${file}: #${m[1]}`);
    }
    if (file === "docs/console-api.md") {
      for (const m of text.matchAll(/\]\(#([\w-]+)\)/g)) {
        cited.add(m[1]);
        if (!anchors.has(m[1])) broken.push(`${file}: #${m[1]}`);
      }
    }
  }
  expect(broken).toEqual([]);
  // The check ran on real citations.
  expect(cited.size).toBeGreaterThan(10);
});
