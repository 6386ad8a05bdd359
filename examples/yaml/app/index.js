// The function the YAML example protects: the Defender's layer calls this handler (ORIGINAL_HANDLER=index.handler).
exports.handler = async (event) => ({
  statusCode: 200,
  body: JSON.stringify({ hello: "from a protected function", path: event?.rawPath ?? null }),
});
