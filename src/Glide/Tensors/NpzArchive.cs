namespace Glide.Tensors;

/// <summary>The arrays of one <c>.npz</c> file, by key (the entry name without <c>.npy</c>).</summary>
public sealed class NpzArchive
{
    private readonly Dictionary<string, NpyArray> _arrays;

    internal NpzArchive(string fileName, Dictionary<string, NpyArray> arrays)
    {
        FileName = fileName;
        _arrays = arrays;
    }

    public string FileName { get; }

    public IReadOnlyCollection<string> Keys => _arrays.Keys;

    public NpyArray this[string key] =>
        _arrays.TryGetValue(key, out var array)
            ? array
            : throw new KeyNotFoundException(
                $"{FileName}: no array '{key}' (it has {string.Join(", ", _arrays.Keys.Order(StringComparer.Ordinal))})");

    public bool TryGet(string key, out NpyArray array) => _arrays.TryGetValue(key, out array!);
}
