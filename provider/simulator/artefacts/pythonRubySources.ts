// Python and Ruby code of the simulated serverless Defender (layer handlers and embedded wrappers).

const pyHeader = (
  version: string,
  what: string,
) => `"""Prisma Cloud Compute serverless Defender ${version} (${what}): SIMULATED.

Made by the prisma-defender Console simulator. It protects nothing: it records that it ran (a line on stderr and
os.environ["TW_DEFENDER_SIMULATED"]) and calls the function's own handler, whose result it returns unchanged.
"""
import os
import sys

_PREFIX = "twistlock-defender(simulated)"
invocations = 0


def _mark_ran(mode, handler_name):
    global invocations
    invocations += 1
    os.environ["TW_DEFENDER_SIMULATED"] = mode
    if not os.environ.get("TW_POLICY"):
        print(_PREFIX + ": warning: TW_POLICY is not set", file=sys.stderr)
    print("%s: %s invoke %s #%d" % (_PREFIX, mode, handler_name, invocations), file=sys.stderr)
`;

/** `python/twistlock/__init__.py` of the layer: Lambda's handler is `twistlock.handler`. */
export function pythonLayerInit(version: string): string {
  return `${pyHeader(version, "Lambda layer")}
import importlib

_original = None


def _load_original():
    spec = os.environ.get("ORIGINAL_HANDLER")
    if not spec or "." not in spec:
        raise RuntimeError(_PREFIX + ": ORIGINAL_HANDLER must be set to the function's handler (module.function)")
    module_name, function_name = spec.rsplit(".", 1)
    root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    if root not in sys.path:
        sys.path.insert(0, root)
    module = importlib.import_module(module_name.replace("/", "."))
    return getattr(module, function_name)


def handler(event, context):
    global _original
    if _original is None:
        _original = _load_original()
    _mark_ran("layer", os.environ.get("ORIGINAL_HANDLER"))
    return _original(event, context)
`;
}

/** `twistlock/__init__.py` of the embedded bundle. */
export function pythonBundleInit(version: string): string {
  return `${pyHeader(version, "embedded")}
# Proof that the bundle was loaded, even when the function then fails at init.
print(_PREFIX + ": embedded loaded", file=sys.stderr)
__version__ = "${version}"
`;
}

/** `twistlock/serverless/__init__.py`: the `@twistlock.serverless.handler` decorator. */
export function pythonBundleServerless(): string {
  return `"""The @twistlock.serverless.handler decorator (simulated Defender)."""
import functools

import twistlock


def handler(fn):
    @functools.wraps(fn)
    def wrapper(event, context):
        twistlock._mark_ran("embedded", fn.__name__)
        return fn(event, context)

    return wrapper
`;
}

const rbMark = (
  version: string,
  what: string,
) => `# Prisma Cloud Compute serverless Defender ${version} (${what}): SIMULATED by the prisma-defender Console
# simulator. It protects nothing: it records that it ran (stderr, ENV["TW_DEFENDER_SIMULATED"]) and calls the
# function's own handler, whose result it returns unchanged.
module TwistlockSimulated
  PREFIX = "twistlock-defender(simulated)"
  @invocations = 0
  def self.mark_ran(mode, name)
    @invocations += 1
    ENV["TW_DEFENDER_SIMULATED"] = mode
    warn("#{PREFIX}: warning: TW_POLICY is not set") if ENV["TW_POLICY"].to_s.empty?
    warn("#{PREFIX}: #{mode} invoke #{name} ##{@invocations}")
  end
end
`;

/** `ruby/lib/twistlock.rb` of the layer: `twistlock.handler` loads ORIGINAL_HANDLER (`file.method` or `file.Class.method`). */
export function rubyLayer(version: string): string {
  return `${rbMark(version, "Lambda layer")}
module TwistlockSimulated
  def self.original
    @original ||= begin
      spec = ENV["ORIGINAL_HANDLER"].to_s
      file, target = spec.split(".", 2)
      raise "#{PREFIX}: ORIGINAL_HANDLER must be file.method or file.Class.method" if target.nil? || target.empty?
      require File.join(ENV["LAMBDA_TASK_ROOT"] || Dir.pwd, file)
      if target.include?(".")
        klass, meth = target.split(".", 2)
        Object.const_get(klass).method(meth)
      else
        TOPLEVEL_BINDING.receiver.method(target)
      end
    end
  end
end

def handler(event:, context:)
  TwistlockSimulated.mark_ran("layer", ENV["ORIGINAL_HANDLER"])
  TwistlockSimulated.original.call(event: event, context: context)
end
`;
}

/** `twistlock/twistlock.rb` of the embedded bundle: `Twistlock.handler(event:, context:) { |event:, context:| ... }`. */
export function rubyBundle(version: string): string {
  return `${rbMark(version, "embedded")}
module Twistlock
  def self.handler(event:, context:, &block)
    raise ArgumentError, "#{TwistlockSimulated::PREFIX}: Twistlock.handler needs a block" unless block
    TwistlockSimulated.mark_ran("embedded", "handler")
    block.call(event: event, context: context)
  end
end
`;
}
