"""Loads and invokes one handler as Lambda's Python runtime does, and prints what Lambda would report (one JSON line).

Written after the public source of AWS's runtime interface client for Python, awslambdaric/bootstrap.py
(https://github.com/aws/aws-lambda-python-runtime-interface-client): `_get_handler` splits the handler at its last
dot, imports `module.replace("/", ".")` with importlib, and turns ImportError, SyntaxError and a missing attribute
into FaultExceptions (Runtime.ImportModuleError, Runtime.UserCodeSyntaxError, Runtime.HandlerNotFound) reported at
init; any other exception at init is reported with its class name; exceptions from the handler are reported at
invoke with their class name. The FaultException class and this loader are registered under the module names they
have in Lambda. With FAULTS_AT_INVOKE=1 it behaves as older releases of that bootstrap, which report those three
faults when the function is invoked (make_fault_handler) instead of at init.

Usage: python3 python_bootstrap.py '<sys.path entries as JSON>' <handler> '<event as JSON>'
"""
import os
import importlib
import json
import sys
import types


class FaultException(Exception):
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"

    def __init__(self, exception_type, msg, trace=None):
        self.msg = msg
        self.exception_type = exception_type
        self.trace = trace


_exceptions = types.ModuleType("awslambdaric.lambda_runtime_exception")
_exceptions.FaultException = FaultException
sys.modules["awslambdaric.lambda_runtime_exception"] = _exceptions


FAULTS_AT_INVOKE = os.environ.get("FAULTS_AT_INVOKE") == "1"


def make_fault_handler(fault):
    def result(*args):
        raise fault

    return result


def fault(error):
    if FAULTS_AT_INVOKE:
        return make_fault_handler(error)
    raise error


def get_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        return fault(FaultException(FaultException.MALFORMED_HANDLER_NAME, "Bad handler '%s': %s" % (handler, e)))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            return fault(
                FaultException(
                    FaultException.BUILT_IN_MODULE_CONFLICT,
                    "Cannot use built-in module %s as a handler module" % modname,
                )
            )
        m = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        return fault(
            FaultException(FaultException.IMPORT_MODULE_ERROR, "Unable to import module '%s': %s" % (modname, e))
        )
    except SyntaxError as e:
        return fault(
            FaultException(
                FaultException.USER_CODE_SYNTAX_ERROR,
                "Syntax error in module '%s': %s" % (modname, e),
                ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)],
            )
        )
    try:
        return getattr(m, fname)
    except AttributeError:
        return fault(
            FaultException(FaultException.HANDLER_NOT_FOUND, "Handler '%s' missing on module '%s'" % (fname, modname))
        )


_bootstrap = types.ModuleType("awslambdaric.bootstrap")
_bootstrap._get_handler = get_handler
if FAULTS_AT_INVOKE:
    _bootstrap.make_fault_handler = make_fault_handler
sys.modules["awslambdaric.bootstrap"] = _bootstrap


class Context:
    function_name = "demo"
    aws_request_id = "req-1"

    def get_remaining_time_in_millis(self):
        return 60000


def report(kind, error):
    if isinstance(error, FaultException):
        out = {"kind": kind, "errorType": error.exception_type, "errorMessage": error.msg}
    else:
        out = {"kind": kind, "errorType": type(error).__name__, "errorMessage": str(error)}
    print(json.dumps(out))


def main():
    sys.path[:0] = json.loads(sys.argv[1])
    try:
        handler = get_handler(sys.argv[2])
    except Exception as e:
        return report("initError", e)
    try:
        result = handler(json.loads(sys.argv[3]), Context())
    except Exception as e:
        return report("error", e)
    print(json.dumps({"kind": "response", "result": result}))


main()
