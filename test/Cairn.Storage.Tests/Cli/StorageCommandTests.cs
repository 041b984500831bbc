using Cairn.Storage.Tests.Contract;
using Cairn.Storage.Tests.Infrastructure;

namespace Cairn.Storage.Tests.Cli;

/// <summary><c>cairn storage</c> on local storage, run as a process.</summary>
public sealed class StorageCommandTests : IDisposable
{
    private readonly TempDirectory _root = new("cli");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Put_ls_get_and_rm_round_trip_files_and_standard_streams()
    {
        var store = Path.Combine(_root.Path, "store");
        var data = TestData.Bytes(3_000_001, seed: 1);
        var input = Path.Combine(_root.Path, "in.bin");
        await File.WriteAllBytesAsync(input, data);

        var put = await CairnProcess.RunAsync(["storage", "put", $"local://{store}/dir/obj.bin", input]);
        Assert.True(put.ExitCode == 0, put.StandardError);
        var putStdin = await CairnProcess.RunAsync(["storage", "put", $"{store}/piped.txt", "-"], "from stdin"u8.ToArray());
        Assert.True(putStdin.ExitCode == 0, putStdin.StandardError);

        var ls = await CairnProcess.RunAsync(["storage", "ls", store]);
        Assert.Equal(0, ls.ExitCode);
        Assert.Equal(["dir/obj.bin\t3000001", "piped.txt\t10"], ls.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        var lsPrefix = await CairnProcess.RunAsync(["storage", "ls", $"file://{store}", "--prefix", "dir"]);
        Assert.Equal("dir/obj.bin\t3000001", lsPrefix.StandardOutput.Trim());

        var output = Path.Combine(_root.Path, "out.bin");
        var get = await CairnProcess.RunAsync(["storage", "get", $"{store}/dir/obj.bin", output]);
        Assert.True(get.ExitCode == 0, get.StandardError);
        Assert.Equal(TestData.Sha256(data), TestData.Sha256(await File.ReadAllBytesAsync(output)));
        var getStdout = await CairnProcess.RunAsync(["storage", "get", $"{store}/piped.txt", "-"]);
        Assert.Equal("from stdin"u8.ToArray(), getStdout.StandardOutputBytes);

        var rm = await CairnProcess.RunAsync(["storage", "rm", $"{store}/piped.txt"]);
        Assert.Equal(0, rm.ExitCode);
        Assert.False(File.Exists(Path.Combine(store, "piped.txt")));
    }

    [Theory]
    [InlineData("ls")]
    [InlineData("put", "noop://x")]
    [InlineData("get")]
    [InlineData("rm", "s3://bucket-only")]
    [InlineData("ls", "noop://", "extra")]
    [InlineData("ls", "noop://", "--ratelimit", "fast")]
    [InlineData("ls", "gopher://x/y")]
    public async Task Bad_usage_exits_2_with_one_line_on_stderr(params string[] args)
    {
        var result = await CairnProcess.RunAsync(["storage", .. args]);
        Assert.Equal(2, result.ExitCode);
        var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("cairn storage: ", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failures_exit_1_with_one_redacted_line()
    {
        const string secret = "VerySecretValue123";
        var missing = await CairnProcess.RunAsync(["storage", "get", $"{_root.Path}/nothing.bin", Path.Combine(_root.Path, "o")]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not found", missing.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root.Path, "o")));

        var badUrl = await CairnProcess.RunAsync(["storage", "ls", $"hdfs://nn/p?secret-access-key={secret}"]);
        Assert.Equal(2, badUrl.ExitCode);
        Assert.DoesNotContain(secret, badUrl.StandardError, StringComparison.Ordinal);
        Assert.Contains("<redacted>", badUrl.StandardError, StringComparison.Ordinal);

        var halfKeys = await CairnProcess.RunAsync(["storage", "ls", "s3://b/p", "--s3.secret-access-key", secret]);
        Assert.Equal(2, halfKeys.ExitCode);
        Assert.DoesNotContain(secret, halfKeys.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_in_the_url_are_refused_without_printing_them()
    {
        const string secret = "VerySecretValue123";
        foreach (var url in new[] { $"s3://AKIAEXAMPLE:{secret}@bucket/p", $"gcs://user:{secret}@bucket/p", $"azure://{secret}@container/p" })
        {
            var result = await CairnProcess.RunAsync(["storage", "ls", url]);
            Assert.True(result.ExitCode == 2, result.StandardError);
            Assert.DoesNotContain(secret, result.StandardError + result.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("<redacted>", result.StandardError, StringComparison.Ordinal);
            Assert.Contains("credentials", result.StandardError, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Listing_a_missing_local_path_creates_nothing()
    {
        var missing = Path.Combine(_root.Path, "not", "there");
        var result = await CairnProcess.RunAsync(["storage", "ls", missing]);
        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Equal("", result.StandardOutput);
        Assert.False(Directory.Exists(Path.Combine(_root.Path, "not")));
    }

    [Fact]
    public async Task Parent_segments_in_a_local_url_are_refused_so_nothing_is_written_outside_the_base()
    {
        var input = Path.Combine(_root.Path, "in.bin");
        await File.WriteAllBytesAsync(input, [1, 2, 3]);
        var baseDir = Path.Combine(_root.Path, "base");
        foreach (var url in new[] { $"{baseDir}/sub/../../escaped.bin", $"local://{baseDir}/sub/../../escaped.bin" })
        {
            var put = await CairnProcess.RunAsync(["storage", "put", url, input]);
            Assert.True(put.ExitCode == 2, put.StandardError);
            Assert.Contains("..", put.StandardError, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(Path.Combine(_root.Path, "escaped.bin")));
    }

    [Fact]
    public async Task Removing_a_folder_says_it_is_a_folder_not_access_denied()
    {
        var store = Path.Combine(_root.Path, "store");
        Directory.CreateDirectory(Path.Combine(store, "dir"));
        await File.WriteAllBytesAsync(Path.Combine(store, "dir", "obj"), [1]);
        var rm = await CairnProcess.RunAsync(["storage", "rm", $"{store}/dir"]);
        Assert.Equal(1, rm.ExitCode);
        Assert.Contains("is a folder", rm.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("access denied", rm.StandardError, StringComparison.Ordinal);
    }
}
