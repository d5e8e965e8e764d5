using Glide.Models;

namespace Glide.Tests.Models.Runtime;

public sealed class OrtSessionFactoryTests
{
    [Fact]
    public void The_cpu_is_used_as_asked_with_a_thread_per_core_by_default()
    {
        using var factory = new OrtSessionFactory(ExecutionDevice.Cpu);

        Assert.Equal(ExecutionDevice.Cpu, factory.EffectiveDevice);
        Assert.Null(factory.Fallback);
        Assert.Equal(Environment.ProcessorCount, factory.IntraOpThreads);
    }

    [Fact]
    public void Cuda_without_cuda_is_reported_once_and_sessions_run_on_the_cpu()
    {
        using var factory = new OrtSessionFactory(ExecutionDevice.Cuda, intraOpThreads: 1);
        var manifest = TinyFixture.Load();
        var graph = manifest.GetGraph("clip.text");

        using var first = factory.CreateSession(manifest.ResolvePath(graph.File));
        using var second = factory.CreateSession(manifest.ResolvePath(graph.File));

        Assert.Equal(ExecutionDevice.Cuda, factory.RequestedDevice);
        Assert.Equal(1, factory.IntraOpThreads);
        if (GlideModelSetTests.CudaDriverPresent())
        {
            Assert.Equal(
                factory.Fallback is null ? ExecutionDevice.Cuda : ExecutionDevice.Cpu, factory.EffectiveDevice);
            return;
        }

        Assert.Equal(ExecutionDevice.Cpu, factory.EffectiveDevice);
        Assert.NotNull(factory.Fallback);
        Assert.StartsWith(
            "requested Cuda, running on Cpu: the CUDA execution provider (device 0) could not be added: ",
            factory.Fallback.ToString(),
            StringComparison.Ordinal);
        manifest.ValidateSession(graph, second);
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            "intraOpThreads", () => new OrtSessionFactory(ExecutionDevice.Cpu, 0));
        Assert.Throws<ArgumentOutOfRangeException>(
            "cudaDeviceId", () => new OrtSessionFactory(ExecutionDevice.Cuda, 1, -1));
        Assert.Throws<ArgumentOutOfRangeException>("device", () => new OrtSessionFactory((ExecutionDevice)7));
    }

    [Fact]
    public void A_disposed_factory_creates_no_sessions()
    {
        var factory = new OrtSessionFactory(ExecutionDevice.Cpu);
        factory.Dispose();

        Assert.Throws<ObjectDisposedException>(() => factory.CreateSession("unused.onnx"));
    }
}
