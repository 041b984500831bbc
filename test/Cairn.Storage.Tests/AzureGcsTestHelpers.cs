namespace Cairn.Storage.Tests;

/// <summary>Small helpers shared by the Azure Blob and GCS backend tests.</summary>
internal static class AzureGcsTestHelpers
{
    public static byte[] RandomBytes(int count)
    {
        var data = new byte[count];
        Random.Shared.NextBytes(data);
        return data;
    }

    public static async Task<byte[]> ReadRangeAsync(IExternalStorage storage, string path, long offset, long? length)
    {
        await using var stream = await storage.OpenReadAsync(path, offset, length);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    public static async Task<List<StorageObject>> ListAsync(IExternalStorage storage, string prefix = "")
    {
        var result = new List<StorageObject>();
        await foreach (var item in storage.ListAsync(prefix))
        {
            result.Add(item);
        }
        return result;
    }

    public static List<StorageObject> Sorted(IEnumerable<StorageObject> items) => items.OrderBy(o => o.Path, StringComparer.Ordinal).ToList();
}
