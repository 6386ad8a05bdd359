exports.handler = async () => "legacy";
