// A plain CommonJS handler: it knows nothing of the Defender. In layer mode Lambda calls `twistlock.handler`
// from the layer, which runs the Defender and then this function (ORIGINAL_HANDLER=index.handler).
exports.handler = async (event, context) => ({
  statusCode: 200,
  body: JSON.stringify({ order: event.orderId ?? null, requestId: context.awsRequestId }),
});
