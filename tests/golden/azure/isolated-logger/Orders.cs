using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Twistlock;

namespace Contoso.Orders;

public class Orders
{
    private readonly ILogger<Orders> _logger;

    public Orders(ILogger<Orders> logger)
    {
        _logger = logger;
    }

    [Function("CreateOrder")]
    public async Task<IActionResult> CreateOrder(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "orders")] HttpRequest req)
    {
        Twistlock.Serverless.Init(_logger);
        _logger.LogInformation("Creating an order");
        var body = await new StreamReader(req.Body).ReadToEndAsync();
        return new OkObjectResult(new { received = body.Length, note = @"a ""quoted"" { brace" });
    }

    [Function(nameof(ListOrders))]
    public IActionResult ListOrders([HttpTrigger(AuthorizationLevel.Function, "get", Route = "orders")] HttpRequest req)
    {
        Twistlock.Serverless.Init(_logger);
        return new OkObjectResult(Array.Empty<string>());
    }
}
