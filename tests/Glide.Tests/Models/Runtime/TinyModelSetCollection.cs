namespace Glide.Tests.Models.Runtime;

/// <summary>The test classes sharing one <see cref="TinyModelSetFixture"/>: one set of sessions for all.</summary>
[CollectionDefinition(Name)]
public sealed class TinyModelSetCollection : ICollectionFixture<TinyModelSetFixture>
{
    public const string Name = "Tiny model set";
}
