using Glide.Models;
using Glide.Testing;
using GlideFunctions.Activities;
using GlideFunctions.Tests.Http;

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
    public void The_tiny_model_set_can_also_clip_guide_and_inpaint()
    {
        var catalog = new ModelCatalog(RepoRoot.Combine("tests", "fixtures", "tiny"));

        Assert.True(catalog.CanClipGuide);
        Assert.True(catalog.CanInpaint);
    }

    [Theory]
    [InlineData("clip", false, false, true)]
    [InlineData("clip.grad", true, false, true)]
    [InlineData("base-inpaint", true, true, false)]
    [InlineData("upsample-inpaint", true, true, false)]
    public void A_directory_without_a_model_part_cannot_do_what_needs_it(
        string missing, bool rerank, bool clipGuide, bool inpaint)
    {
        var directory = Directory.CreateTempSubdirectory("glide-catalog-");
        try
        {
            var catalog = new ModelCatalog(GenerationsBadRequestTests.WithoutModelPart(directory.FullName, missing));

            Assert.Equal((rerank, clipGuide, inpaint), (catalog.CanRerank, catalog.CanClipGuide, catalog.CanInpaint));
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
