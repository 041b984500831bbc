namespace Cairn.Storage;

/// <summary>An object found by <see cref="IExternalStorage.ListAsync"/>: its path relative to the storage base and its size.</summary>
public readonly record struct StorageObject(string Path, long Size);
