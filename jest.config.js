/** Transpile-only (swc): type-checking is `npm run typecheck`, a separate step. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.(t|j)s$": [
      "@swc/jest",
      { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } },
    ],
  },
  moduleNameMapper: {
    "^prisma-defender$": "<rootDir>/provider/index.ts",
    "^prisma-defender/simulator$": "<rootDir>/provider/simulator/index.ts",
  },
  setupFiles: ["<rootDir>/tests/helpers/setupEnv.js"],
  testTimeout: 60000,
};
