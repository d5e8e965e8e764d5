namespace GlideFunctions.Tests.Azurite;

/// <summary>
/// The test classes that share the one <see cref="AzuriteFixture"/> of a test run: mark them
/// <c>[Collection(AzuriteCollection.Name)]</c> and take the fixture in the constructor.
/// </summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
