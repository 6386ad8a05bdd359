# A plain Python handler. In embedded mode the component adds the Defender bundle (twistlock/) and a generated
# module, _prisma_defender_wrapper.py, which decorates this function; Lambda's handler points at the wrapper.
import json


def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"report": event.get("name"), "function": context.function_name})}
