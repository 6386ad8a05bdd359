// Copyright Contoso. Licensed under the MIT license.

using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Twistlock;

namespace Contoso.Jobs
{
    public static class Jobs
    {
        [Function("Hourly")]
        public static void Hourly([TimerTrigger("0 0 * * * *")] TimerInfo timer, FunctionContext context)
        {
            Twistlock.Serverless.Init(context.GetLogger("Hourly"));
            var logger = context.GetLogger("Hourly");
            logger.LogInformation($"Next run: {timer.ScheduleStatus?.Next:o} {{literal}}");
        }

        [Function("Report")]
        public static string Report([TimerTrigger("0 30 * * * *")] TimerInfo timer, FunctionContext executionContext)
        {
            Twistlock.Serverless.Init(executionContext.GetLogger("Report"));
            return $"report {timer.IsPastDue}";
        }

        [Function("Heartbeat")]
        public static void Heartbeat([TimerTrigger("0 */5 * * * *")] TimerInfo timer)
        {
        }

        [Function("Drain")]
        public static async Task Drain([QueueTrigger("drain")] string item, FunctionContext ctx)
        {
            Twistlock.Serverless.Init(ctx.GetLogger("Drain"));
            await Task.Delay(item.Length);
        }
    }
}
