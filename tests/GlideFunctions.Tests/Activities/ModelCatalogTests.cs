using Glide.Models;
using Glide.Testing;
using GlideFunctions.Activities;

namespace GlideFunctions.Tests.Activities;

public sealed class ModelCatalogTests
{
    [Fact]
    public void The_tiny_model_set_can_rerank()
    {
        var catalog = new ModelCatalog(RepoRoot.Combine("tests", "fixtures", "tiny"));

        Assert.True(catalog.CanRerank);
        Assert.Contains("base", catalog.Kinds);
        Assert.Contains(ModelCatalog.ClipKind, catalog.Kinds);
    }

    [Fact]
    public void A_directory_without_clip_graphs_cannot_rerank()
    {
        var directory = Directory.CreateTempSubdirectory("glide-no-clip-");
        try
        {
            var catalog = new ModelCatalog(TinyModelWithout.Write(directory.FullName, "clip"));

            Assert.False(catalog.CanRerank);
            Assert.Equal(["base", "base-inpaint", "upsample", "upsample-inpaint"], catalog.Kinds.Order(StringComparer.Ordinal));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_manifest_is_read_on_first_use_not_when_constructed()
    {
        var catalog = new ModelCatalog("/nonexistent/models");

        Assert.Throws<ModelManifestException>(() => catalog.CanRerank);
    }
}
