using GlideFunctions.Bench;

return await BenchCommand.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
