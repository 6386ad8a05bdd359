using System;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Logging;
using Twistlock;

namespace Contoso.Functions
{
    public class Nightly
    {
        [FunctionName(nameof(Cleanup))]
        public void Cleanup([TimerTrigger("0 0 2 * * *")] TimerInfo timer, ILogger logger)
        {
            Twistlock.Serverless.Init(logger);
            logger.LogInformation($"Cleanup ran at {DateTime.UtcNow:o}");
        }

        [FunctionName("Ping")]
        public static string Ping([QueueTrigger("pings")] string message, ILogger log) { Twistlock.Serverless.Init(log); return message; }
    }
}
