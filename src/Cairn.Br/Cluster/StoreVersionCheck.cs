using Cairn.Rpc.Metapb;

namespace Cairn.Br.Cluster;

/// <summary>
/// <c>--check-requirements</c>: which stores this br can back up. The rule, BR's adapted to our versions: every
/// store that is not a tombstone and not a TiFlash-like store (<c>engine=tiflash</c>, which holds nothing br backs
/// up) must report a version (<c>metapb.Store.version</c>, semantic <c>major.minor.patch[-pre]</c>, an optional
/// leading <c>v</c>) with the same major version as br's <see cref="BrVersion.Release"/> and at least
/// <see cref="MinimumStoreVersion"/>, the first store release with the backup service. A store with an older or
/// newer major version may encode data or answer backup requests differently, so it is refused.
/// </summary>
internal static class StoreVersionCheck
{
    /// <summary>The oldest store version br backs up.</summary>
    public static readonly Version MinimumStoreVersion = new(5, 0, 0);

    /// <summary>Throws <see cref="BrException"/> naming the first incompatible store.</summary>
    public static void Check(IEnumerable<Store> stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        var own = Parse(BrVersion.Release) ?? throw new InvalidOperationException($"br's own version {BrVersion.Release} does not parse");
        foreach (var store in stores)
        {
            if (store.State == StoreState.Tombstone || StoreSelection.IsTiFlash(store))
            {
                continue;
            }

            var version = Parse(store.Version);
            if (version is null)
            {
                throw new BrException("ErrVersionMismatch",
                    $"store {store.Id} ({store.Address}) reports version '{store.Version}', which is not a version: upgrade the store, or pass --check-requirements=false");
            }

            if (version.Major != own.Major || version < MinimumStoreVersion)
            {
                throw new BrException("ErrVersionMismatch",
                    $"store {store.Id} ({store.Address}) runs version {store.Version}, but br {BrVersion.Release} backs up stores {MinimumStoreVersion.ToString(3)} to {own.Major}.x: use a matching br, or pass --check-requirements=false");
            }
        }
    }

    /// <summary>The numeric part of a semantic version (a pre-release suffix is ignored), or null.</summary>
    internal static Version? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var core = text.Trim().TrimStart('v', 'V');
        var cut = core.IndexOfAny(['-', '+']);
        if (cut >= 0)
        {
            core = core[..cut];
        }

        var parts = core.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        return int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var major)
            && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var minor)
            && int.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var patch)
            ? new Version(major, minor, patch)
            : null;
    }
}
