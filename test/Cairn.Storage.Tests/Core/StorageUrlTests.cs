namespace Cairn.Storage.Tests.Core;

/// <summary>BR's URL rules: schemes, options from query, flags and environment, and what is kept in the printable URL.</summary>
public sealed class StorageUrlTests
{
    private const string Secret = "Top/Secret+Key=42abc";

    private static StorageOpenOptions NoEnvironment(params (string Key, string? Value)[] settings) => new()
    {
        Settings = settings.ToDictionary(s => s.Key, s => s.Value),
        EnvironmentVariables = _ => null,
    };

    private static StorageOpenOptions Environment(Dictionary<string, string> env) => new() { EnvironmentVariables = name => env.GetValueOrDefault(name) };

    [Fact]
    public void Plain_paths_become_absolute_local_folders()
    {
        var relative = StorageUrl.Parse("backups/today", NoEnvironment());
        Assert.Equal(StorageKind.Local, relative.Kind);
        Assert.Equal(Path.GetFullPath("backups/today"), relative.LocalPath);
        Assert.True(Path.IsPathRooted(relative.LocalPath));
        Assert.Equal("file://" + Path.GetFullPath("backups/today"), relative.Uri);

        var absolute = StorageUrl.Parse("/var/backups/x+y", NoEnvironment());
        Assert.Equal("/var/backups/x+y", absolute.LocalPath);
    }

    [Theory]
    [InlineData("local:///var/backups/a", "/var/backups/a")]
    [InlineData("file:///var/backups/a/", "/var/backups/a/")]
    [InlineData("LOCAL:///tmp/with%20space", "/tmp/with space")]
    public void Local_and_file_schemes_take_the_path(string url, string path)
    {
        var parsed = StorageUrl.Parse(url, NoEnvironment());
        Assert.Equal(StorageKind.Local, parsed.Kind);
        Assert.Equal(path, parsed.LocalPath);
    }

    [Fact]
    public void Noop_is_noop()
    {
        var parsed = StorageUrl.Parse("noop://", NoEnvironment());
        Assert.Equal(StorageKind.Noop, parsed.Kind);
        Assert.Equal("noop://", parsed.Uri);
    }

    [Fact]
    public void S3_takes_bucket_and_prefix_and_defaults()
    {
        var parsed = StorageUrl.Parse("s3://my-bucket/a/b/", NoEnvironment());
        Assert.Equal(StorageKind.S3, parsed.Kind);
        var s3 = parsed.S3!;
        Assert.Equal("my-bucket", s3.Bucket);
        Assert.Equal("a/b", s3.Prefix);
        Assert.Equal("us-east-1", s3.Region);
        Assert.True(s3.ForcePathStyle);
        Assert.Null(s3.Endpoint);
        Assert.Null(s3.AccessKey);
        Assert.Equal("s3://my-bucket/a/b", parsed.Uri);
    }

    [Fact]
    public void Query_parameters_override_flags_case_insensitively_with_underscores_and_are_stripped()
    {
        var options = NoEnvironment(("s3.region", "eu-west-1"), ("s3.endpoint", "http://flag:1"), ("S3.Storage_Class", "GLACIER"));
        var parsed = StorageUrl.Parse("s3://b/p?Region=ap-south-1&STORAGE_CLASS=STANDARD_IA&sse=aws:kms&SSE-KMS-Key-Id=key1&acl=private&provider=ceph", options);
        var s3 = parsed.S3!;
        Assert.Equal("ap-south-1", s3.Region);
        Assert.Equal("STANDARD_IA", s3.StorageClass);
        Assert.Equal("http://flag:1", s3.Endpoint);
        Assert.Equal("aws:kms", s3.Sse);
        Assert.Equal("key1", s3.SseKmsKeyId);
        Assert.Equal("private", s3.Acl);
        Assert.Equal("ceph", s3.Provider);
        Assert.Equal("s3://b/p", parsed.Uri);
        Assert.DoesNotContain("?", parsed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Plus_in_the_raw_url_stays_a_plus_in_secrets()
    {
        var parsed = StorageUrl.Parse($"s3://b/p?access-key=AK&secret-access-key={Secret}", NoEnvironment());
        Assert.Equal("AK", parsed.S3!.AccessKey);
        Assert.Equal(Secret, parsed.S3.SecretAccessKey);
        Assert.DoesNotContain(Secret, parsed.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, parsed.S3.ToString(), StringComparison.Ordinal);
        Assert.Contains(Redact.Placeholder, parsed.S3.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alibaba")]
    [InlineData("NetEase")]
    public void Virtual_hosted_providers_turn_path_style_off(string provider)
    {
        var parsed = StorageUrl.Parse($"s3://b/p?provider={provider}&force-path-style=true", NoEnvironment());
        Assert.False(parsed.S3!.ForcePathStyle);
    }

    [Fact]
    public void Force_path_style_can_be_turned_off_and_must_be_a_boolean()
    {
        Assert.False(StorageUrl.Parse("s3://b?force_path_style=false", NoEnvironment()).S3!.ForcePathStyle);
        var error = Assert.Throws<StorageException>(() => StorageUrl.Parse("s3://b?force-path-style=maybe", NoEnvironment()));
        Assert.Equal(StorageErrorKind.InvalidArgument, error.Kind);
    }

    [Theory]
    [InlineData("s3://b/p?access-key=AK")]
    [InlineData("s3://b/p?secret-access-key=" + Secret)]
    public void Access_key_and_secret_come_together_or_not_at_all(string url)
    {
        var error = Assert.Throws<StorageException>(() => StorageUrl.Parse(url, NoEnvironment()));
        Assert.Equal(StorageErrorKind.InvalidArgument, error.Kind);
        Assert.False(error.IsTransient);
        Assert.Contains("access-key and secret-access-key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:7480")]
    [InlineData("ftp://host")]
    [InlineData("http://")]
    public void Endpoint_needs_a_scheme_and_a_host(string endpoint)
    {
        var error = Assert.Throws<StorageException>(() => StorageUrl.Parse($"s3://b?endpoint={endpoint}&secret-access-key={Secret}&access-key=A", NoEnvironment()));
        Assert.Contains("must include a scheme and a host", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void S3_credentials_and_region_fall_back_to_the_environment()
    {
        var env = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = "ENVKEY",
            ["AWS_SECRET_ACCESS_KEY"] = Secret,
            ["AWS_SESSION_TOKEN"] = "session-token-value",
            ["AWS_REGION"] = "eu-north-1",
        };
        var s3 = StorageUrl.Parse("s3://b/p", Environment(env)).S3!;
        Assert.Equal("ENVKEY", s3.AccessKey);
        Assert.Equal(Secret, s3.SecretAccessKey);
        Assert.Equal("session-token-value", s3.SessionToken);
        Assert.Equal("eu-north-1", s3.Region);
        Assert.DoesNotContain("session-token-value", s3.ToString(), StringComparison.Ordinal);

        // Explicit keys win over the environment, and the environment's session token does not leak onto them.
        var explicitKeys = StorageUrl.Parse("s3://b/p?access-key=A&secret-access-key=B", Environment(env)).S3!;
        Assert.Equal("A", explicitKeys.AccessKey);
        Assert.Null(explicitKeys.SessionToken);

        var half = Assert.Throws<StorageException>(() => StorageUrl.Parse("s3://b", Environment(new() { ["AWS_SECRET_ACCESS_KEY"] = Secret })));
        Assert.DoesNotContain(Secret, half.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("azure://container/some/prefix")]
    [InlineData("azblob://container/some/prefix/")]
    public void Azure_urls_produce_blob_options(string url)
    {
        var options = NoEnvironment(("azblob.account-name", "acct"), ("azblob.access-tier", "Cool"));
        var parsed = StorageUrl.Parse(url + "?account-key=" + Uri.EscapeDataString(Secret) + "&endpoint=http://127.0.0.1:10000/acct", options);
        Assert.Equal(StorageKind.AzureBlob, parsed.Kind);
        var azure = parsed.Azure!;
        Assert.Equal("container", azure.Container);
        Assert.Equal("some/prefix", azure.Prefix);
        Assert.Equal("acct", azure.AccountName);
        Assert.Equal(Secret, azure.AccountKey);
        Assert.Equal("Cool", azure.AccessTier);
        Assert.Equal("http://127.0.0.1:10000/acct", azure.Endpoint);
        Assert.Equal("azure://container/some/prefix", parsed.Uri);
        Assert.DoesNotContain(Secret, azure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Azure_credentials_fall_back_to_the_environment()
    {
        var env = new Dictionary<string, string>
        {
            ["AZURE_STORAGE_ACCOUNT"] = "envacct",
            ["AZURE_STORAGE_SAS_TOKEN"] = "sv=2021&sig=" + Secret,
        };
        var azure = StorageUrl.Parse("azure://c", Environment(env)).Azure!;
        Assert.Equal("envacct", azure.AccountName);
        Assert.Null(azure.AccountKey);
        Assert.Equal("sv=2021&sig=" + Secret, azure.SasToken);
    }

    [Theory]
    [InlineData("gcs://bucket/pre/fix")]
    [InlineData("gs://bucket/pre/fix")]
    public void Gcs_urls_produce_gcs_options(string url)
    {
        var parsed = StorageUrl.Parse(url + "?storage_class=NEARLINE&predefined-acl=private&credentials-file=/etc/key.json", NoEnvironment(("gcs.endpoint", "http://127.0.0.1:9199")));
        Assert.Equal(StorageKind.Gcs, parsed.Kind);
        var gcs = parsed.Gcs!;
        Assert.Equal("bucket", gcs.Bucket);
        Assert.Equal("pre/fix", gcs.Prefix);
        Assert.Equal("NEARLINE", gcs.StorageClass);
        Assert.Equal("private", gcs.PredefinedAcl);
        Assert.Equal("/etc/key.json", gcs.CredentialsFile);
        Assert.Equal("http://127.0.0.1:9199", gcs.Endpoint);
        Assert.Equal("gcs://bucket/pre/fix", parsed.Uri);
    }

    [Fact]
    public void Gcs_takes_the_credentials_file_from_the_environment_for_real_gcs_only()
    {
        var env = new Dictionary<string, string> { ["GOOGLE_APPLICATION_CREDENTIALS"] = "/keys/sa.json" };
        Assert.Equal("/keys/sa.json", StorageUrl.Parse("gs://b", Environment(env)).Gcs!.CredentialsFile);
        Assert.Null(StorageUrl.Parse("gs://b?endpoint=http://127.0.0.1:9199", Environment(env)).Gcs!.CredentialsFile);
    }

    [Fact]
    public void Unknown_scheme_lists_the_supported_ones_without_secrets()
    {
        var error = Assert.Throws<StorageException>(() => StorageUrl.Parse($"hdfs://nn/path?secret-access-key={Secret}", NoEnvironment()));
        Assert.Equal(StorageErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("\"hdfs\" is not supported", error.Message, StringComparison.Ordinal);
        foreach (var scheme in new[] { "local://", "file://", "noop://", "s3://", "azure://", "azblob://", "gcs://", "gs://" })
        {
            Assert.Contains(scheme, error.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("s3://b?colour=blue", "unknown query parameter")]
    [InlineData("s3:///prefix", "needs a bucket")]
    [InlineData("azure:///prefix", "needs a container")]
    [InlineData("gcs:///prefix", "needs a bucket")]
    [InlineData("noop://?x=1", "no query parameters")]
    [InlineData("local://", "needs a path")]
    [InlineData("", "empty")]
    public void Malformed_urls_fail_with_a_clear_message(string url, string expected)
    {
        var error = Assert.Throws<StorageException>(() => StorageUrl.Parse(url, NoEnvironment()));
        Assert.Equal(StorageErrorKind.InvalidArgument, error.Kind);
        Assert.False(error.IsTransient);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_flag_of_the_url_family_is_rejected_and_other_families_are_ignored()
    {
        var error = Assert.Throws<StorageException>(() => StorageUrl.Parse("s3://b", NoEnvironment(("s3.colour", "blue"))));
        Assert.Contains("s3.colour", error.Message, StringComparison.Ordinal);
        var parsed = StorageUrl.Parse("s3://b", NoEnvironment(("gcs.storage-class", "COLDLINE"), ("azblob.account-key", Secret)));
        Assert.Equal("b", parsed.S3!.Bucket);
    }

    [Fact]
    public void Open_options_print_without_secrets()
    {
        var options = NoEnvironment(("s3.secret-access-key", Secret), ("azblob.account-key", Secret), ("azblob.sas-token", Secret), ("s3.region", "r1"));
        var text = options.ToString();
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.Contains("s3.region = r1", text, StringComparison.Ordinal);
    }
}
