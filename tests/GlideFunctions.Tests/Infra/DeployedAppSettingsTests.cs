using System.Text.Json;
using Glide.Testing;

namespace GlideFunctions.Tests.Infra;

/// <summary>
/// Every app setting the code reads is set by the Bicep template (the container's environment in
/// infra/modules/functionapp.bicep) and listed in local.settings.sample.json; nothing is set in Azure that the code
/// does not read, except the documented settings of the platform below.
/// </summary>
[Collection(BicepCollection.Name)]
public sealed class DeployedAppSettingsTests(BicepFixture bicep)
{
    /// <summary>Set in Azure although no code of this repository reads them, and why.</summary>
    private static readonly IReadOnlyDictionary<string, string> AzureOnly = new Dictionary<string, string>
    {
        ["AzureWebJobsStorage__accountName"] =
            "the identity form of AzureWebJobsStorage (locally a connection string): host, Durable backend, and the " +
            "worker's blob and queue clients (StorageServiceCollectionExtensions, QueueClients)",
        ["AzureWebJobsStorage__credential"] = "identity form of AzureWebJobsStorage: 'managedidentity'",
        ["AzureWebJobsStorage__clientId"] = "identity form of AzureWebJobsStorage: the user-assigned identity",
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "the Functions host's telemetry (no Application Insights locally)",
        ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "Entra-authenticated telemetry (the component allows no key)",
        ["DURABLE_TASK_SCHEDULER_CONNECTION_STRING"] =
            "read by the Durable Task Scheduler backend once the image is built for it (infra/README.md, " +
            "\"Durable backend\"); empty with the Azure Storage backend",
    };

    [Fact]
    public void The_catalog_finds_the_options_classes()
    {
        Assert.Contains(typeof(GlideFunctions.Options.GlideOptions), AppSettingCatalog.OptionsTypes);
        Assert.Contains(typeof(GlideFunctions.Webhooks.WebhookOptions), AppSettingCatalog.OptionsTypes);
        Assert.Contains("GLIDE_TASKHUB", AppSettingCatalog.Read);
        Assert.Contains("Queue__RequestsQueue", AppSettingCatalog.Read);
    }

    [Fact]
    public void The_template_sets_every_setting_the_code_reads()
    {
        var set = TemplateSettings().Keys.ToList();

        var missing = AppSettingCatalog.Read
            .Where(key => key == "AzureWebJobsStorage"
                ? !AppSettingCatalog.ConfiguresConnection(set, key)
                : !set.Contains(key))
            .ToList();

        Assert.True(missing.Count == 0,
            $"infra/modules/functionapp.bicep does not set: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_template_sets_nothing_the_code_does_not_read_except_the_documented_platform_settings()
    {
        var unknown = TemplateSettings().Keys
            .Where(key => !AppSettingCatalog.Read.Contains(key) && !AzureOnly.ContainsKey(key))
            .ToList();

        Assert.True(unknown.Count == 0,
            $"set in the template but read by nothing: {string.Join(", ", unknown)} (read it, remove it, or document it " +
            "in DeployedAppSettingsTests.AzureOnly)");
    }

    [Fact]
    public void Every_key_of_the_settings_template_is_set_in_azure()
    {
        var set = TemplateSettings().Keys.ToList();
        using var sample = JsonDocument.Parse(File.ReadAllText(RepoRoot.Combine("local.settings.sample.json")));

        var missing = sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name)
            .Where(key => key == "AzureWebJobsStorage"
                ? !AppSettingCatalog.ConfiguresConnection(set, key)
                : !set.Contains(key))
            .ToList();

        Assert.True(missing.Count == 0,
            $"in local.settings.sample.json but not set by the template: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_setting_the_code_reads_is_in_the_settings_template()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(RepoRoot.Combine("local.settings.sample.json")));
        var listed = sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToHashSet();

        var missing = AppSettingCatalog.Read.Where(key => !listed.Contains(key)).ToList();

        Assert.True(missing.Count == 0, $"local.settings.sample.json lacks: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_webhook_secret_is_a_key_vault_reference()
    {
        var (app, _) = ArmTemplate.Single(bicep.RequireMainTemplate(), "Microsoft.App/containerApps");

        var secretRef = TemplateSettings()["Webhooks__Secret"].GetProperty("secretRef").GetString();

        var secrets = app.GetProperty("properties").GetProperty("configuration").GetProperty("secrets").EnumerateArray();
        var secret = Assert.Single(secrets, s => s.GetProperty("name").GetString() == secretRef);
        Assert.True(secret.TryGetProperty("keyVaultUrl", out _), "Webhooks__Secret must come from Key Vault");
        Assert.False(secret.TryGetProperty("value", out _));
    }

    [Fact]
    public void No_setting_is_a_plain_secret()
    {
        // Only values that are not credentials are plain: storage and the scheduler are reached with the identity.
        foreach (var (name, entry) in TemplateSettings())
        {
            if (entry.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String)
            {
                Assert.DoesNotContain("AccountKey=", value.GetString(), StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("SharedAccessSignature", value.GetString(), StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("whsec_", value.GetString(), StringComparison.Ordinal);
            }

            Assert.True(entry.TryGetProperty("value", out _) || entry.TryGetProperty("secretRef", out _),
                $"{name} has neither a value nor a secretRef");
        }
    }

    private IReadOnlyDictionary<string, JsonElement> TemplateSettings()
    {
        var (app, _) = ArmTemplate.Single(bicep.RequireMainTemplate(), "Microsoft.App/containerApps");
        return ArmTemplate.AppSettings(app);
    }
}
