// Lints files with the repository's eslint config in a plain Node process (jest's VM cannot load eslint.config.mjs).
// stdin: [{ file, extraImport }] (extraImport appended to the file's text; "" lints the file as it is);
// stdout: one list of "ruleId: message" per case.
// Only the import-x rules run, and without type information: they need none, and building the type-checked program
// (every .ts file of tsconfig.dev.json) while other tests run beside this one is the one step that could fail for
// reasons that are not the case's. A parse error still shows up, as a message with ruleId null.
import * as fs from "node:fs";
import * as path from "node:path";
import { ESLint } from "eslint";

const root = path.resolve(import.meta.dirname, "..", "..");
const eslint = new ESLint({
  cwd: root,
  overrideConfig: { languageOptions: { parserOptions: { project: null, projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId.startsWith("import-x/"),
});
const cases = JSON.parse(fs.readFileSync(0, "utf8"));
const out = [];
for (const { file, extraImport } of cases) {
  const filePath = path.join(root, file);
  const text = `${fs.readFileSync(filePath, "utf8")}\n${extraImport}\n`;
  const [result] = await eslint.lintText(text, { filePath });
  out.push(result.messages.map((m) => `${m.ruleId}: ${m.message}`));
}
process.stdout.write(JSON.stringify(out));
