// A callback-style handler (allowed up to nodejs22.x), also protected through the shared layer.
exports.handler = (event, context, callback) => {
  callback(null, { invoice: event.invoiceId ?? null, table: process.env.TABLE_NAME });
};
