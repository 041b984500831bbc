using Cairn.Testing.Storage;

namespace Cairn.Br.Tests;

/// <summary>The test classes that use radosgw share one gateway (a Ceph cluster is costly to start).</summary>
[CollectionDefinition(Name)]
public sealed class CloudStorageCollection : ICollectionFixture<RadosGatewayFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "cloud storage";
}
