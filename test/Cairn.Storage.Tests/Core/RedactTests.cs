namespace Cairn.Storage.Tests.Core;

/// <summary>The redaction facility.</summary>
public sealed class RedactTests
{
    [Theory]
    [InlineData("s3://b/p?access-key=AKIA1&secret-access-key=S3CRETVALUE&region=x", "s3://b/p?access-key=<redacted>&secret-access-key=<redacted>&region=x")]
    [InlineData("azure://c/p?account-name=a&account_key=S3CRETVALUE", "azure://c/p?account-name=a&account_key=<redacted>")]
    [InlineData("https://acct.blob.core.windows.net/c?sv=2021&sig=S3CRETVALUE&se=1", "https://acct.blob.core.windows.net/c?sv=2021&sig=<redacted>&se=1")]
    [InlineData("https://user:S3CRETVALUE@host/path", "https://<redacted>@host/path")]
    [InlineData("s3://b/p?SAS-TOKEN=S3CRETVALUE", "s3://b/p?SAS-TOKEN=<redacted>")]
    [InlineData("/plain/path", "/plain/path")]
    public void Url_hides_secret_parameters_and_user_info(string url, string expected)
    {
        Assert.Equal(expected, Redact.Url(url));
        Assert.DoesNotContain("S3CRETVALUE", Redact.Url(url), StringComparison.Ordinal);
    }

    [Fact]
    public void Secrets_are_removed_from_text_also_when_escaped()
    {
        const string secret = "ab+cd/ef==";
        var text = $"failed: key {secret} and escaped {Uri.EscapeDataString(secret)}";
        var redacted = Redact.Secrets(text, secret, null, "");
        Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(secret), redacted, StringComparison.Ordinal);
        Assert.Equal("failed: key <redacted> and escaped <redacted>", redacted);
    }

    [Theory]
    [InlineData("s3.secret-access-key", true)]
    [InlineData("azblob.account_key", true)]
    [InlineData("SAS-Token", true)]
    [InlineData("s3.region", false)]
    [InlineData("endpoint", false)]
    public void Secret_parameter_names_are_recognised(string name, bool secret) => Assert.Equal(secret, Redact.IsSecretParameter(name));
}
