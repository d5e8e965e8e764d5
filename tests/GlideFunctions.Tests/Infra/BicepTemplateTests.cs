using System.Text.Json;
using System.Xml.Linq;
using Glide.Testing;

namespace GlideFunctions.Tests.Infra;

/// <summary>
/// <c>bicep build</c> and <c>bicep lint</c> on every file under infra/: no error and no warning (the CLI exits 0 on
/// warnings, so its SARIF output is what is checked), and the shape main.bicep promises its callers.
/// </summary>
[Collection(BicepCollection.Name)]
public sealed class BicepTemplateTests(BicepFixture bicep)
{
    [Fact]
    public void There_are_templates_to_check()
    {
        Assert.Contains(Path.Combine("infra", "main.bicep"), bicep.Files);
        Assert.Contains(bicep.Files, f => f.StartsWith(Path.Combine("infra", "modules") + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_file_builds_without_errors_or_warnings()
    {
        bicep.Build.AssertClean();

        // One SARIF document and one ARM JSON file per .bicep file: the pattern reached all of them.
        Assert.Equal(bicep.Files.Count, bicep.Build.SarifDocuments);
        Assert.All(bicep.Files, file => Assert.True(
            File.Exists(Path.Combine(bicep.OutputDirectory, Path.ChangeExtension(Path.GetRelativePath("infra", file), ".json"))),
            $"bicep build wrote no JSON for {file}"));
    }

    [Fact]
    public void Every_file_lints_without_errors_or_warnings()
    {
        bicep.Lint.AssertClean();
        Assert.Equal(bicep.Files.Count, bicep.Lint.SarifDocuments);
    }

    [Fact]
    public async Task The_check_fails_on_a_warning_and_on_an_error()
    {
        // Outside the repository, so no bicepconfig.json applies: the linter's own default levels.
        var directory = Directory.CreateTempSubdirectory("glide-bicep-check-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "warns.bicep"),
                "param unused string\noutput greeting string = 'hello'\n");
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "fails.bicep"),
                "param count int = 'three'\noutput doubled int = count * 2\n");

            var lint = await BicepCli.LintAsync(directory.FullName, "*.bicep");

            var warning = Assert.Single(lint.Problems, p => p.Level == "warning");
            Assert.Equal("no-unused-params", warning.Rule);
            Assert.EndsWith("warns.bicep", warning.File, StringComparison.Ordinal);
            Assert.Equal(1, warning.Line);
            var error = Assert.Single(lint.Problems, p => p.Level == "error");
            Assert.Equal("BCP033", error.Rule);
            var failure = Assert.Throws<Xunit.Sdk.XunitException>(lint.AssertClean);
            Assert.Contains("1 error(s) and 1 warning(s)", failure.Message, StringComparison.Ordinal);

            // A warning alone, with the CLI's exit code 0, still fails the check.
            File.Delete(Path.Combine(directory.FullName, "fails.bicep"));
            var warningsOnly = await BicepCli.BuildAsync(directory.FullName, "*.bicep", Path.Combine(directory.FullName, "out"));
            Assert.Equal(0, warningsOnly.ExitCode);
            Assert.Single(warningsOnly.Problems);
            Assert.Throws<Xunit.Sdk.XunitException>(warningsOnly.AssertClean);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_gpu_profile_parameter_offers_the_serverless_T4_and_A100_profiles()
    {
        var parameters = bicep.RequireMainTemplate().GetProperty("parameters");

        var allowed = parameters.GetProperty("gpuProfile").GetProperty("allowedValues").EnumerateArray()
            .Select(v => v.GetString()).ToList();

        Assert.Contains("Consumption-GPU-NC8as-T4", allowed);
        Assert.Contains("Consumption-GPU-NC24-A100", allowed);
        Assert.Equal(0, parameters.GetProperty("minReplicas").GetProperty("minValue").GetInt32()); // scale to zero allowed
        Assert.True(parameters.TryGetProperty("maxReplicas", out _));
    }

    [Fact]
    public void The_deployment_outputs_the_api_base_url()
    {
        var outputs = bicep.RequireMainTemplate().GetProperty("outputs");

        var apiBaseUrl = outputs.GetProperty("apiBaseUrl");

        Assert.Equal("string", apiBaseUrl.GetProperty("type").GetString());
        Assert.Contains("/api/v1", apiBaseUrl.GetProperty("value").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_parameters_file_sets_only_declared_parameters_with_allowed_values()
    {
        var declared = bicep.RequireMainTemplate().GetProperty("parameters");
        using var file = JsonDocument.Parse(File.ReadAllText(RepoRoot.Combine("infra", "main.parameters.json")));

        foreach (var parameter in file.RootElement.GetProperty("parameters").EnumerateObject())
        {
            Assert.True(declared.TryGetProperty(parameter.Name, out var declaration),
                $"main.parameters.json sets {parameter.Name}, which main.bicep does not declare");
            var value = parameter.Value.GetProperty("value");
            if (declaration.TryGetProperty("allowedValues", out var allowed))
            {
                Assert.Contains(allowed.EnumerateArray(), a => a.GetRawText() == value.GetRawText());
            }

            if (declaration.TryGetProperty("minValue", out var min))
            {
                Assert.True(value.GetInt32() >= min.GetInt32(), $"{parameter.Name} is below its minimum");
            }

            if (declaration.TryGetProperty("maxValue", out var max))
            {
                Assert.True(value.GetInt32() <= max.GetInt32(), $"{parameter.Name} is above its maximum");
            }
        }

        // The secret is never in a file: it is passed on the command line (infra/README.md).
        Assert.False(file.RootElement.GetProperty("parameters").TryGetProperty("webhookSecret", out _));
        Assert.Equal("securestring", declared.GetProperty("webhookSecret").GetProperty("type").GetString());
    }

    [Fact]
    public void The_storage_account_allows_no_shared_key()
    {
        var (account, _) = ArmTemplate.Single(bicep.RequireMainTemplate(), "Microsoft.Storage/storageAccounts");

        var properties = account.GetProperty("properties");

        Assert.False(properties.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.False(properties.GetProperty("allowBlobPublicAccess").GetBoolean());
    }

    [Fact]
    public void The_app_is_a_functions_app_on_container_apps_probing_the_readiness_endpoint()
    {
        var (app, template) = ArmTemplate.Single(bicep.RequireMainTemplate(), "Microsoft.App/containerApps");

        Assert.Equal("functionapp", app.GetProperty("kind").GetString());
        var probes = ArmTemplate.MainContainer(app).GetProperty("probes").EnumerateArray().ToList();
        var readiness = Assert.Single(probes, p => p.GetProperty("type").GetString() == "Readiness");
        Assert.Equal("/api/v1/health/ready", readiness.GetProperty("httpGet").GetProperty("path").GetString());
        Assert.Contains(probes, p => p.GetProperty("type").GetString() == "Liveness");

        // The ingress, the probes and the image (ASPNETCORE_URLS, EXPOSE) agree on the port.
        var port = template.GetProperty("variables").GetProperty("port").GetInt32();
        Assert.Equal(DockerfileTests.ListenPort, port);
    }

    [Fact]
    public void The_tools_project_downloads_the_bicep_version_the_tests_run()
    {
        var project = XDocument.Load(RepoRoot.Combine("infra", "tools", "BicepTool.csproj"));

        var download = Assert.Single(project.Descendants("PackageDownload"));

        Assert.Equal(BicepCli.PackageId, download.Attribute("Include")?.Value);
        Assert.Equal($"[{BicepCli.Version}]", download.Attribute("Version")?.Value);
    }
}
