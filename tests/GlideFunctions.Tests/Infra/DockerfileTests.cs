using System.Reflection;
using System.Text.Json;
using Glide.Testing;
using GlideFunctions.Http;
using Microsoft.Azure.Functions.Worker;

namespace GlideFunctions.Tests.Infra;

/// <summary>
/// infra/Dockerfile without a Docker daemon: known instructions only, every COPY source present in the build context
/// (the repository root) and let through by its .dockerignore, a non-root user, and a probe on the readiness endpoint
/// at the port the container app's ingress and probes use.
/// </summary>
public sealed class DockerfileTests
{
    /// <summary>The port the Functions host listens on in the image (a non-root user cannot bind 80).</summary>
    public const int ListenPort = 8080;

    private static string DockerfilePath => RepoRoot.Combine("infra", "Dockerfile");

    private static string DockerIgnorePath => RepoRoot.Combine("infra", "Dockerfile.dockerignore");

    [Fact]
    public void The_dockerfile_passes_the_checker()
    {
        var dockerfile = DockerfileChecker.Parse(File.ReadAllText(DockerfilePath));
        var ignore = DockerIgnore.Parse(File.ReadAllText(DockerIgnorePath));

        var problems = dockerfile.Check(RepoRoot.Path, ignore);

        Assert.True(problems.Count == 0, $"infra/Dockerfile:{Environment.NewLine}{string.Join(Environment.NewLine, problems)}");
        Assert.Equal(["build", "runtime"], dockerfile.StageNames);
    }

    [Fact]
    public void It_builds_with_the_dotnet_10_sdk_and_runs_on_the_functions_dotnet_10_isolated_image()
    {
        var dockerfile = DockerfileChecker.Parse(File.ReadAllText(DockerfilePath));
        var args = dockerfile.Instructions.Where(i => i.Keyword == "ARG" && i.Stage == 0 && i.Arguments.Contains('='))
            .Select(i => i.Arguments.Split('=', 2))
            .ToDictionary(a => a[0], a => a[1]);

        var froms = dockerfile.Instructions.Where(i => i.Keyword == "FROM").Select(i => i.Operands[0]).ToList();

        Assert.Equal(["${SDK_IMAGE}", "${FUNCTIONS_IMAGE}"], froms);
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", args["SDK_IMAGE"]);
        Assert.Equal("mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0", args["FUNCTIONS_IMAGE"]);
    }

    [Fact]
    public void It_installs_the_cuda_13_and_cudnn_9_libraries_the_cuda_provider_loads()
    {
        var dockerfile = DockerfileChecker.Parse(File.ReadAllText(DockerfilePath));
        var runtime = dockerfile.FinalStage.ToList();
        var install = string.Join('\n', runtime.Where(i => i.Keyword == "RUN").Select(i => i.Arguments));
        var args = runtime.Where(i => i.Keyword == "ARG").Select(i => i.Arguments).ToList();

        // libonnxruntime_providers_cuda.so 1.31.0: libcudart.so.13, libcublas(Lt).so.13, libcurand.so.10 are
        // DT_NEEDED (versioned by major only, so any 13.x runtime serves); cuDNN 9, cuFFT and NVRTC are loaded at
        // run time.
        foreach (var package in new[] { "cuda-cudart-", "libcublas-", "libcurand-", "libcufft-", "cuda-nvrtc-" })
        {
            Assert.Contains(package, install, StringComparison.Ordinal);
        }

        Assert.Matches(@"^CUDA_VERSION=13\.\d+$", Assert.Single(args, a => a.StartsWith("CUDA_VERSION=", StringComparison.Ordinal)));
        Assert.Contains("CUDNN_PACKAGE=libcudnn9-cuda-13", args);
        var packages = File.ReadAllText(RepoRoot.Combine("src", "Directory.Packages.props"));
        Assert.Contains("\"Microsoft.ML.OnnxRuntime.Gpu.Linux\" Version=\"1.31.", packages, StringComparison.Ordinal);
    }

    [Fact]
    public void The_image_serves_and_probes_the_readiness_endpoint_on_the_ingress_port()
    {
        var dockerfile = DockerfileChecker.Parse(File.ReadAllText(DockerfilePath));
        var runtime = dockerfile.FinalStage.ToList();

        var env = string.Join(' ', runtime.Where(i => i.Keyword == "ENV").Select(i => i.Arguments));
        Assert.Contains($"ASPNETCORE_URLS=http://+:{ListenPort}", env, StringComparison.Ordinal);
        Assert.Contains(runtime, i => i.Keyword == "EXPOSE" && i.Arguments == ListenPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var healthcheck = runtime.Single(i => i.Keyword == "HEALTHCHECK");
        Assert.Contains($"http://127.0.0.1:{ListenPort}/api/v1/health/ready", healthcheck.Arguments, StringComparison.Ordinal);

        // The route the probe calls is the readiness function's: host.json routePrefix + the trigger's route.
        var trigger = typeof(HealthReadyFunction).GetMethod(nameof(HealthReadyFunction.Run))!.GetParameters()[0]
            .GetCustomAttribute<HttpTriggerAttribute>()!;
        using var host = JsonDocument.Parse(File.ReadAllText(RepoRoot.Combine("host.json")));
        var prefix = host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString();
        Assert.Equal("/api/v1/health/ready", $"/{prefix}/{trigger.Route}");
        Assert.Equal(AuthorizationLevel.Anonymous, trigger.AuthLevel);
    }

    [Fact]
    public void The_model_fetcher_the_init_container_runs_is_in_the_image()
    {
        var dockerfile = DockerfileChecker.Parse(File.ReadAllText(DockerfilePath));

        var copy = dockerfile.FinalStage.Single(i => i.Keyword == "COPY" && !i.Flags.ContainsKey("from"));

        Assert.Equal(["infra/docker/fetch-models.sh", "/usr/local/bin/fetch-models"], copy.Operands);
        Assert.Equal("0755", copy.Flags["chmod"]);
        var bicep = File.ReadAllText(RepoRoot.Combine("infra", "modules", "functionapp.bicep"));
        Assert.Contains("'/usr/local/bin/fetch-models'", bicep, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dockerignore_at_the_context_root_is_the_same_as_the_dockerfiles_own()
    {
        // `az acr build` reads only <context>/.dockerignore; BuildKit prefers infra/Dockerfile.dockerignore.
        var root = RepoRoot.Combine(".dockerignore");
        if (File.Exists(root))
        {
            Assert.Equal(File.ReadAllText(DockerIgnorePath), File.ReadAllText(root));
        }
    }

    [Fact]
    public void The_checker_reports_each_kind_of_problem()
    {
        var context = Directory.CreateTempSubdirectory("glide-dockerfile-check-");
        try
        {
            File.WriteAllText(Path.Combine(context.FullName, "present.txt"), "x");
            File.WriteAllText(Path.Combine(context.FullName, "secret.env"), "x");
            var dockerfile = DockerfileChecker.Parse("""
                # syntax=docker/dockerfile:1
                FROM alpine:3 AS build
                COPPY present.txt /x
                COPY present.txt \
                     missing.txt /dest/
                COPY secret.env /dest/
                FROM alpine:3
                COPY --from=nowhere /a /b
                COPY --from=build /a /b
                USER root
                """);
            var ignore = DockerIgnore.Parse("*.env\n");

            var problems = dockerfile.Check(context.FullName, ignore);

            Assert.Contains(problems, p => p.Contains("unknown instruction 'COPPY'", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("'missing.txt' does not exist", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("'secret.env' exists but the .dockerignore excludes it", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("--from=nowhere names no earlier stage", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("runs as root", StringComparison.Ordinal));
            Assert.Contains(problems, p => p.Contains("no HEALTHCHECK", StringComparison.Ordinal));
            Assert.DoesNotContain(problems, p => p.Contains("present.txt", StringComparison.Ordinal));
            Assert.DoesNotContain(problems, p => p.Contains("--from=build", StringComparison.Ordinal));
            Assert.Equal(6, problems.Count);
        }
        finally
        {
            context.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_final_stage_without_a_user_is_reported()
    {
        var dockerfile = DockerfileChecker.Parse("FROM alpine:3\nHEALTHCHECK CMD true\n");

        var problems = dockerfile.Check(Path.GetTempPath(), DockerIgnore.Parse(string.Empty));

        Assert.Equal(["the final stage has no USER: the container would run as root"], problems);
    }

    [Theory]
    [InlineData("src/Glide/Glide.csproj", true)]
    [InlineData("src/Glide/bin/Release/x.dll", false)]
    [InlineData("src/GlideFunctions/obj/project.assets.json", false)]
    [InlineData("src/GlideFunctions/local.settings.json", false)]
    [InlineData("tests/fixtures/tiny/manifest.json", true)]
    [InlineData("src/models/glide-shapes/base.unet.onnx", true)]
    [InlineData("src/export/glide_shapes/kept/base.pt.gz", false)]
    [InlineData("tests/fixtures/reference/x.npz", false)]
    [InlineData("host.json", true)]
    [InlineData(".git/HEAD", false)]
    [InlineData("artifacts/test-results/a.trx", false)]
    [InlineData("infra/docker/fetch-models.sh", true)]
    [InlineData("infra/main.bicep", false)]
    public void The_dockerignore_sends_only_what_the_build_copies(string path, bool included)
    {
        var ignore = DockerIgnore.Parse(File.ReadAllText(DockerIgnorePath));

        Assert.Equal(included, ignore.Includes(path));
    }
}
