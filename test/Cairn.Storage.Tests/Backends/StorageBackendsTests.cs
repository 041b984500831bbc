using Cairn.Rpc.Backup;
using Cairn.Storage.Backends;

namespace Cairn.Storage.Tests.Backends;

/// <summary>URL → kvproto StorageBackend → storage: the same place, secrets only when asked for, clear refusals.</summary>
public sealed class StorageBackendsTests : IDisposable
{
    private const string Secret = "Top/Secret+Key=42abc";

    private readonly TempDirectory _root = new("backends");

    public void Dispose() => _root.Dispose();

    private static StorageOpenOptions NoEnvironment(params (string Key, string? Value)[] settings) => new()
    {
        Settings = settings.ToDictionary(s => s.Key, s => s.Value),
        EnvironmentVariables = _ => null,
    };

    [Fact]
    public async Task A_local_url_maps_to_an_absolute_path_and_opens_the_same_folder()
    {
        var url = StorageUrl.Parse(_root.Sub("backup"), NoEnvironment());
        var backend = StorageBackends.ToBackend(url, includeCredentials: true);
        Assert.Equal(StorageBackend.BackendOneofCase.Local, backend.BackendCase);
        Assert.True(Path.IsPathFullyQualified(backend.Local.Path));
        Assert.Equal(_root.Sub("backup"), backend.Local.Path);

        await using (var fromBackend = await StorageBackends.OpenAsync(backend, NoEnvironment(), CancellationToken.None))
        {
            await fromBackend.WriteAllAsync("1_2_3_write.sst", "sst bytes"u8.ToArray());
        }

        await using var fromUrl = await ExternalStorage.OpenAsync(url, NoEnvironment());
        Assert.Equal("sst bytes"u8.ToArray(), await fromUrl.ReadAllAsync("1_2_3_write.sst"));
    }

    [Fact]
    public void A_relative_local_backend_path_is_refused_with_what_to_do()
    {
        var backend = new StorageBackend { Local = new Cairn.Rpc.Backup.Local { Path = "backups/today" } };
        var e = Assert.Throws<StorageException>(() => StorageBackends.ToUrl(backend, NoEnvironment()));
        Assert.Equal(StorageErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("not absolute", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Noop_maps_to_noop_and_discards_writes()
    {
        var backend = StorageBackends.ToBackend(StorageUrl.Parse("noop://", NoEnvironment()), includeCredentials: true);
        Assert.Equal(StorageBackend.BackendOneofCase.Noop, backend.BackendCase);
        await using var storage = await StorageBackends.OpenAsync(backend, NoEnvironment(), CancellationToken.None);
        await storage.WriteAllAsync("x", "1"u8.ToArray());
        Assert.Equal("noop://", storage.Uri);
    }

    [Fact]
    public void S3_fields_map_one_to_one_and_come_back_the_same()
    {
        var url = StorageUrl.Parse(
            "s3://bucket/some/prefix?endpoint=http://127.0.0.1:9000&region=eu-west-1&storage-class=STANDARD_IA&sse=aws:kms" +
            $"&sse-kms-key-id=key-1&acl=private&force-path-style=false&access-key=AK&secret-access-key={Uri.EscapeDataString(Secret)}&session-token=TOKEN",
            NoEnvironment());
        var s3 = StorageBackends.ToBackend(url, includeCredentials: true).S3;
        Assert.Equal("http://127.0.0.1:9000", s3.Endpoint);
        Assert.Equal("eu-west-1", s3.Region);
        Assert.Equal("bucket", s3.Bucket);
        Assert.Equal("some/prefix", s3.Prefix);
        Assert.Equal("STANDARD_IA", s3.StorageClass);
        Assert.Equal("aws:kms", s3.Sse);
        Assert.Equal("key-1", s3.SseKmsKeyId);
        Assert.Equal("private", s3.Acl);
        Assert.False(s3.ForcePathStyle);
        Assert.Equal("AK", s3.AccessKey);
        Assert.Equal(Secret, s3.SecretAccessKey);
        Assert.Equal("TOKEN", s3.SessionToken);

        var back = StorageBackends.ToUrl(new StorageBackend { S3 = s3 }, NoEnvironment());
        Assert.Equal(url, back);
    }

    [Fact]
    public void Without_credentials_every_secret_is_blank_and_the_store_environment_fills_them()
    {
        var options = NoEnvironment(("s3.access-key", "AK"), ("s3.secret-access-key", Secret), ("s3.session-token", "TOKEN"));
        var s3 = StorageBackends.ToBackend(StorageUrl.Parse("s3://bucket/p", options), includeCredentials: false).S3;
        Assert.Equal("", s3.AccessKey);
        Assert.Equal("", s3.SecretAccessKey);
        Assert.Equal("", s3.SessionToken);

        var azure = StorageBackends.ToBackend(StorageUrl.Parse($"azure://container/p?account-name=acct&account-key={Uri.EscapeDataString(Secret)}&sas-token=sig", NoEnvironment()), includeCredentials: false).AzureBlobStorage;
        Assert.Equal("acct", azure.AccountName);
        Assert.Equal("", azure.SharedKey);
        Assert.Equal("", azure.AccessSig);

        var keyFile = _root.Sub("key.json");
        System.IO.File.WriteAllText(keyFile, "{\"type\":\"service_account\"}");
        var gcs = StorageBackends.ToBackend(StorageUrl.Parse($"gcs://bucket/p?credentials-file={keyFile}", NoEnvironment()), includeCredentials: false).Gcs;
        Assert.Equal("", gcs.CredentialsBlob);

        var storeEnvironment = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "STORE-AK", ["AWS_SECRET_ACCESS_KEY"] = "store-secret" };
        var opened = StorageBackends.ToUrl(new StorageBackend { S3 = s3 }, new StorageOpenOptions { EnvironmentVariables = storeEnvironment.GetValueOrDefault });
        Assert.Equal("STORE-AK", opened.S3!.AccessKey);
        Assert.Equal("store-secret", opened.S3.SecretAccessKey);
    }

    [Fact]
    public void Azure_maps_container_tier_and_keys_and_comes_back_the_same()
    {
        var url = StorageUrl.Parse(
            $"azure://container/a/b?endpoint=http://127.0.0.1:10000/devstoreaccount1&account-name=devstoreaccount1&account-key={Uri.EscapeDataString(Secret)}&access-tier=Cool",
            NoEnvironment());
        var azure = StorageBackends.ToBackend(url, includeCredentials: true).AzureBlobStorage;
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1", azure.Endpoint);
        Assert.Equal("container", azure.Bucket);
        Assert.Equal("a/b", azure.Prefix);
        Assert.Equal("Cool", azure.StorageClass);
        Assert.Equal("devstoreaccount1", azure.AccountName);
        Assert.Equal(Secret, azure.SharedKey);

        Assert.Equal(url, StorageBackends.ToUrl(new StorageBackend { AzureBlobStorage = azure }, NoEnvironment()));
    }

    [Fact]
    public void Gcs_sends_the_key_file_content_and_the_store_keeps_it_in_memory_only()
    {
        var keyFile = _root.Sub("key.json");
        const string Key = "{\"type\":\"service_account\",\"private_key\":\"secret\"}";
        System.IO.File.WriteAllText(keyFile, Key);
        var url = StorageUrl.Parse($"gcs://bucket/p?endpoint=http://127.0.0.1:9199&storage-class=NEARLINE&predefined-acl=private&credentials-file={keyFile}", NoEnvironment());
        var gcs = StorageBackends.ToBackend(url, includeCredentials: true).Gcs;
        Assert.Equal("http://127.0.0.1:9199", gcs.Endpoint);
        Assert.Equal("bucket", gcs.Bucket);
        Assert.Equal("p", gcs.Prefix);
        Assert.Equal("NEARLINE", gcs.StorageClass);
        Assert.Equal("private", gcs.PredefinedAcl);
        Assert.Equal(Key, gcs.CredentialsBlob);

        var back = StorageBackends.ToUrl(new StorageBackend { Gcs = gcs }, NoEnvironment());
        Assert.Equal(Key, back.Gcs!.CredentialsJson);
        Assert.Null(back.Gcs.CredentialsFile);
        Assert.DoesNotContain("secret", back.Gcs.ToString(), StringComparison.Ordinal);
        Assert.Equal(url.Uri, back.Uri);
    }

    [Theory]
    [InlineData("hdfs", "HDFS")]
    [InlineData("cloud", "cloud_dynamic")]
    [InlineData("none", "no storage backend")]
    public async Task Unsupported_backends_are_refused_by_name(string which, string named)
    {
        var backend = which switch
        {
            "hdfs" => new StorageBackend { Hdfs = new HDFS { Remote = "hdfs://nn/backup" } },
            "cloud" => new StorageBackend { CloudDynamic = new CloudDynamic { ProviderName = "aws" } },
            _ => new StorageBackend(),
        };
        var e = await Assert.ThrowsAsync<StorageException>(async () => await StorageBackends.OpenAsync(backend, NoEnvironment(), CancellationToken.None));
        Assert.Equal(StorageErrorKind.InvalidArgument, e.Kind);
        Assert.False(e.IsTransient);
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }
}
