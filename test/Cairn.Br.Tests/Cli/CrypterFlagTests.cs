using Cairn.Cli.Commands;
using Cairn.Hosting;
using Cairn.Rpc.Encryptionpb;

namespace Cairn.Br.Tests.Cli;

/// <summary>What <c>--crypter.*</c> and <c>--master-key*</c> become in the options, and the refusals of bad values (parsed in-process).</summary>
public sealed class CrypterFlagTests : IDisposable
{
    private const string Key128 = "00112233445566778899aabbccddeeff";
    private readonly TempDirectory _dir = new("crypter-flags");

    [Fact]
    public async Task Methods_keys_and_key_files_reach_the_options()
    {
        Assert.Null((await FlagMappingTests.ParseAsync("backup", "full", "-s", "/tmp/b")).Crypter);
        Assert.Null((await FlagMappingTests.ParseAsync("backup", "full", "-s", "/tmp/b", "--crypter.method", "plaintext")).Crypter);

        var lower = (await FlagMappingTests.ParseAsync("backup", "full", "-s", "/tmp/b", "--crypter.method", "aes128-ctr", "--crypter.key", Key128)).Crypter!;
        Assert.Equal(EncryptionMethod.Aes128Ctr, lower.Method);
        Assert.Equal(Convert.FromHexString(Key128), lower.Key.ToArray());
        Assert.DoesNotContain(Key128, lower.ToString(), StringComparison.OrdinalIgnoreCase);

        var file = Path.Combine(_dir.Path, "key");
        await File.WriteAllTextAsync(file, new string('a', 64) + "\n");
        var (restore, _) = await RestoreFlagMappingTests.ParseAsync("restore", "full", "-s", "/tmp/b", "--crypter.method", "AES256-CTR", "--crypter.key-file", file);
        Assert.Equal(EncryptionMethod.Aes256Ctr, restore.Crypter!.Method);
        Assert.Equal(32, restore.Crypter.Key.Length);

        var master = (await FlagMappingTests.ParseAsync("backup", "db", "-s", "/tmp/b", "--db", "x", "--master-key", "local:///etc/cairn/master.key")).Crypter!;
        Assert.Equal(EncryptionMethod.Aes256Ctr, master.Method);
        Assert.Equal("/etc/cairn/master.key", master.MasterKey!.FilePath);
        var (command, _) = await RestoreFlagMappingTests.ParseAsync("restore", "raw", "-s", "/tmp/b", "--master-key-command", "kms-cli get k");
        Assert.Equal("kms-cli get k", command.Crypter!.MasterKey!.Command);
    }

    [Theory]
    [InlineData("crypter method and key length not match", "--crypter.method", "aes256-ctr", "--crypter.key", Key128)]
    [InlineData("not one of plaintext, aes128-ctr", "--crypter.method", "Aes128-Ctr", "--crypter.key", Key128)]
    [InlineData("needs exactly one of --crypter.key and --crypter.key-file", "--crypter.method", "aes128-ctr")]
    [InlineData("needs exactly one of --crypter.key and --crypter.key-file", "--crypter.method", "aes128-ctr", "--crypter.key", Key128, "--crypter.key-file", "/tmp/k")]
    [InlineData("is not a key in hex digits", "--crypter.method", "aes128-ctr", "--crypter.key", "zz")]
    [InlineData("need --crypter.method aes128-ctr", "--crypter.key", Key128)]
    [InlineData("only local:///path/to/key is supported", "--master-key", "s3://b/k")]
    [InlineData("not both", "--master-key", "local:///k", "--master-key-command", "cat k")]
    [InlineData("do not go with a master key", "--master-key", "local:///k", "--crypter.key", Key128)]
    public async Task Bad_combinations_are_refused_with_one_line(string message, params string[] flags)
    {
        using var error = new StringWriter();
        var ran = false;
        var exit = await CliRunner.RunAsync(BrRoot.Create((_, _, _, _, _) =>
        {
            ran = true;
            return Task.FromResult(0);
        }), "br", ["backup", "full", "-s", "/tmp/b", .. flags], error);
        Assert.NotEqual(0, exit);
        Assert.False(ran);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Key128, error.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    public void Dispose() => _dir.Dispose();
}
