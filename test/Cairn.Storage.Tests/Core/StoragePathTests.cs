namespace Cairn.Storage.Tests.Core;

/// <summary>The path rules every backend shares.</summary>
public sealed class StoragePathTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("a/b/c.sst")]
    [InlineData("with space/ünï/数据")]
    [InlineData("..a/b..")]
    [InlineData(".hidden")]
    public void Ordinary_paths_pass(string path) => StoragePath.Validate(path);

    [Theory]
    [InlineData("")]
    [InlineData("/a")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("..")]
    [InlineData("a/../b")]
    [InlineData("./a")]
    [InlineData("a\\b")]
    [InlineData("a\0b")]
    [InlineData("x.cairn-tmp")]
    public void Unsafe_paths_fail_as_invalid_arguments(string path)
    {
        var error = Assert.Throws<StorageException>(() => StoragePath.Validate(path));
        Assert.Equal(StorageErrorKind.InvalidArgument, error.Kind);
        Assert.False(error.IsTransient);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("sub", "sub")]
    [InlineData("sub/", "sub")]
    [InlineData("a/b//", "a/b")]
    public void Listing_prefixes_normalise_to_directories(string prefix, string expected) => Assert.Equal(expected, StoragePath.NormalizeDirectory(prefix));

    [Fact]
    public void Join_skips_empty_prefixes() => Assert.Equal(["p/a", "a"], [StoragePath.Join("p", "a"), StoragePath.Join("", "a")]);
}
