import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";
import prettier from "eslint-config-prettier";
import importX from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";

// The layers of provider/ (docs/architecture.md): core imports no product; a product (fargate, lambda, azure, image)
// imports only core; stack/ (stack-wide tools) imports products and core; cli/ and plugin/ sit on top; the simulator
// stands apart, imported only by tests, bench and scripts (the demo).
const PRODUCTS = ["fargate", "lambda", "azure", "image"];
const TOP = ["stack", "cli", "plugin", "index.ts"];
const zone = (target, from, why) => ({
  target: `./provider/${target}`,
  from: from.map((f) => `./provider/${f}`),
  message: why,
});
const boundaries = [
  zone(
    "core",
    [...PRODUCTS, ...TOP, "simulator"],
    "core imports no product (move the shared piece into core).",
  ),
  ...PRODUCTS.map((p) =>
    zone(
      p,
      [...PRODUCTS.filter((o) => o !== p), ...TOP, "simulator"],
      "products import each other only through core.",
    ),
  ),
  zone(
    "stack",
    ["cli", "plugin", "index.ts", "simulator"],
    "stack/ builds on products and core only.",
  ),
  zone(
    "simulator",
    ["core", ...PRODUCTS, ...TOP],
    "the simulator stands apart from the components.",
  ),
  ...["cli", "plugin", "index.ts"].map((t) =>
    zone(t, ["simulator"], "only tests, bench and the demo load the simulator."),
  ),
  {
    target: ["./policy", "./examples"],
    from: "./provider/simulator",
    message: "only tests, bench and the demo load the simulator.",
  },
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "dist/**",
      ".tmp/**",
      "policy/node_modules/**",
      "sdk/**",
      "tests/fixtures/**",
      "tests/golden/**",
      "**/*.js",
      "**/*.mjs",
    ],
  },
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ["provider/**/*.ts", "policy/**/*.ts", "examples/**/*.ts"],
    plugins: { "import-x": importX },
    settings: {
      "import-x/extensions": [".ts", ".js", ".mjs", ".cjs"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
      "import-x/resolver-next": [
        createTypeScriptImportResolver({ project: "./tsconfig.dev.json" }),
      ],
    },
    rules: {
      "import-x/no-restricted-paths": ["error", { zones: boundaries }],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
  {
    languageOptions: {
      parserOptions: { project: "./tsconfig.dev.json", tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      "prefer-const": "error",
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
);
