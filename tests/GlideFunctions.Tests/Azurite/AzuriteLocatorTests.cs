namespace GlideFunctions.Tests.Azurite;

public sealed class AzuriteLocatorTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("azurite-locator-");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void AZURITE_PATH_comes_first()
    {
        var explicitPath = CreateFile("custom", "azurite");
        CreateFile(".tools", "azurite", "node_modules", ".bin", "azurite");
        var onPath = CreateFile("bin", "azurite");

        var found = AzuriteLocator.Find(explicitPath, () => _root.FullName, Path.GetDirectoryName(onPath));

        Assert.Equal(explicitPath, found);
    }

    [Fact]
    public void An_AZURITE_PATH_without_a_file_fails_naming_it()
    {
        var missing = Path.Combine(_root.FullName, "nowhere", "azurite");
        CreateFile(".tools", "azurite", "node_modules", ".bin", "azurite");

        var error = Assert.Throws<InvalidOperationException>(
            () => AzuriteLocator.Find(missing, () => _root.FullName, searchPath: null));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("AZURITE_PATH", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_repository_install_comes_before_PATH()
    {
        var install = CreateFile(".tools", "azurite", "node_modules", ".bin", "azurite");
        var onPath = CreateFile("bin", "azurite");

        var found = AzuriteLocator.Find(null, () => _root.FullName, Path.GetDirectoryName(onPath));

        Assert.Equal(install, found);
    }

    [Fact]
    public void PATH_is_searched_last_in_order()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_root.FullName, "empty")).FullName;
        var first = CreateFile("first", "azurite");
        CreateFile("second", "azurite");
        var searchPath = string.Join(
            Path.PathSeparator, empty, Path.GetDirectoryName(first), Path.Combine(_root.FullName, "second"));

        var found = AzuriteLocator.Find(string.Empty, () => _root.FullName, searchPath);

        Assert.Equal(first, found);
    }

    [Fact]
    public void Without_azurite_anywhere_it_fails_with_the_install_command()
    {
        var error = Assert.Throws<InvalidOperationException>(
            () => AzuriteLocator.Find(null, () => _root.FullName, _root.FullName));

        Assert.Contains("npm install --prefix .tools/azurite azurite@3.37.0", error.Message, StringComparison.Ordinal);
        Assert.Contains("AZURITE_PATH", error.Message, StringComparison.Ordinal);
    }

    private string CreateFile(params string[] parts)
    {
        var path = Path.Combine([_root.FullName, .. parts]);
        if (OperatingSystem.IsWindows() && parts[^1] == "azurite")
        {
            path += ".cmd";
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Empty);
        return path;
    }
}
