using GlideFunctions.Bulk;

return await BulkApp.RunAsync(args, Console.Out, Console.Error, handler: null, CancellationToken.None).ConfigureAwait(false);
