using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;

namespace Cairn.Storage.S3;

/// <summary>
/// S3 credentials from the shared credentials and config files (<c>~/.aws/credentials</c>, profile <c>AWS_PROFILE</c>
/// or <c>default</c>). The SDK's full default chain would also probe the EC2/ECS metadata endpoints over the network,
/// which a backup tool must not do behind the user's back.
/// </summary>
internal static class S3SharedCredentials
{
    /// <summary>The profile's credentials, or null when there is no such profile.</summary>
    public static AWSCredentials? Find()
    {
        var profile = Environment.GetEnvironmentVariable("AWS_PROFILE");
        return new CredentialProfileStoreChain().TryGetAWSCredentials(string.IsNullOrEmpty(profile) ? "default" : profile, out var found) ? found : null;
    }

    /// <summary>The profile's keys resolved now (for a request to a store), or null when there is no such profile.</summary>
    public static ImmutableCredentials? Resolve() => Find()?.GetCredentials();
}
