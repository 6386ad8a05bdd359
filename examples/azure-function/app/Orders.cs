using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Contoso.Orders;

public class Orders
{
    private readonly ILogger<Orders> _logger;

    public Orders(ILogger<Orders> logger)
    {
        _logger = logger;
    }

    [Function("orders")]
    public IActionResult Run([HttpTrigger(AuthorizationLevel.Function, "get", "post")] HttpRequest req)
    {
        var queue = Environment.GetEnvironmentVariable("ORDERS_QUEUE");
        _logger.LogInformation("Order request for queue {Queue}", queue);
        return new OkObjectResult(new { queue });
    }
}
