namespace Cairn.Storage.Tests.Infrastructure;

/// <summary>
/// Every test that talks to radosgw belongs here: one gateway for the run. The collection runs alone, after the
/// parallel ones, so that the memory measurement of large uploads sees only its own allocations.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RadosGatewayCollection : ICollectionFixture<RadosGatewayFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "radosgw";
}
