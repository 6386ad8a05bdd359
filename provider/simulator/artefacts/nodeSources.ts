// Node.js code of the simulated serverless Defender: the layer's `twistlock.handler` and the embedded bundle's
// `handler`/`asyncHandler` wrappers. Plain CommonJS, no dependencies, so it runs in every Lambda Node runtime.

const header = (version: string, what: string) => `"use strict";
// Prisma Cloud Compute serverless Defender ${version} (${what}): SIMULATED by the prisma-defender Console
// simulator. It protects nothing: it records that it ran (a line on stderr, process.env.TW_DEFENDER_SIMULATED,
// globalThis.__twistlockDefender) and calls the function's own handler, whose result it returns unchanged.
const PREFIX = "twistlock-defender(simulated)";
function markRan(mode, handlerName) {
  const state = (globalThis.__twistlockDefender = globalThis.__twistlockDefender || { mode, invocations: 0 });
  state.invocations += 1;
  process.env.TW_DEFENDER_SIMULATED = mode;
  if (!process.env.TW_POLICY) console.warn(PREFIX + ": warning: TW_POLICY is not set");
  console.warn(PREFIX + ": " + mode + " invoke " + handlerName + " #" + state.invocations);
}
`;

/** `nodejs/node_modules/twistlock/index.js` of the layer: Lambda's handler is `twistlock.handler`. */
export function nodeLayerIndex(version: string): string {
  return `${header(version, "Lambda layer")}
const fs = require("fs");
const path = require("path");
const { pathToFileURL } = require("url");

let original;

// Resolves ORIGINAL_HANDLER ("dir/file.export" or "file.nested.export") from LAMBDA_TASK_ROOT as Lambda does:
// file.js (CommonJS, or ES module under "type": "module"), file.mjs, file.cjs.
async function loadOriginal() {
  const spec = process.env.ORIGINAL_HANDLER;
  if (!spec) throw new Error(PREFIX + ": ORIGINAL_HANDLER is not set; set it to the function's own handler");
  const slash = spec.lastIndexOf("/");
  const dot = spec.indexOf(".", slash + 1);
  if (dot < 0) throw new Error(PREFIX + ": ORIGINAL_HANDLER " + spec + " is not of the form file.export");
  const moduleName = spec.slice(0, dot);
  const exportPath = spec.slice(dot + 1).split(".");
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const base = path.resolve(root, moduleName);
  const file = [".js", ".mjs", ".cjs"].map((ext) => base + ext).find((f) => fs.existsSync(f));
  if (!file) throw new Error(PREFIX + ": cannot find module " + moduleName + " in " + root);
  let mod;
  if (file.endsWith(".mjs")) mod = await import(pathToFileURL(file).href);
  else {
    try {
      mod = require(file);
    } catch (error) {
      if (error && error.code === "ERR_REQUIRE_ESM") mod = await import(pathToFileURL(file).href);
      else throw error;
    }
  }
  let fn = mod;
  for (const key of exportPath) fn = fn == null ? undefined : fn[key];
  if (typeof fn !== "function" && mod && mod.default) {
    fn = mod.default;
    for (const key of exportPath) fn = fn == null ? undefined : fn[key];
  }
  if (typeof fn !== "function") throw new Error(PREFIX + ": " + spec + " is not a function");
  return fn;
}

// Calls a handler in either style: async (returns a promise) or callback (event, context, callback).
function call(fn, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (error, result) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve(result);
    };
    let returned;
    try {
      returned = fn(event, context, callback);
    } catch (error) {
      return callback(error);
    }
    if (returned && typeof returned.then === "function") returned.then((r) => callback(null, r), callback);
    else if (fn.length < 3) callback(null, returned);
  });
}

exports.handler = async function handler(event, context) {
  original = original || (await loadOriginal());
  markRan("layer", process.env.ORIGINAL_HANDLER);
  return call(original, event, context);
};
`;
}

/** `twistlock/index.js` of the embedded bundle: `exports.handler = twistlock.handler(exports.handler)`. */
export function nodeBundleIndex(version: string): string {
  return `${header(version, "embedded")}
// Proof that the bundle was loaded, even when the function then fails at init.
console.warn(PREFIX + ": embedded loaded");

// Non-async handlers: keeps the (event, context, callback) signature Lambda uses to pick the callback style.
exports.handler = function (fn) {
  if (typeof fn !== "function") throw new TypeError(PREFIX + ": twistlock.handler expects the handler function");
  return function (event, context, callback) {
    markRan("embedded", fn.name || "handler");
    return fn.call(this, event, context, callback);
  };
};

// Async handlers.
exports.asyncHandler = function (fn) {
  if (typeof fn !== "function") throw new TypeError(PREFIX + ": twistlock.asyncHandler expects the handler function");
  return async function (event, context) {
    markRan("embedded", fn.name || "handler");
    return await fn.call(this, event, context);
  };
};
`;
}
