namespace Cairn.Client;

/// <summary>
/// A request could not be served within its backoff budget: the region kept answering region errors or its store
/// could not be reached. Transient: the cluster may recover.
/// </summary>
public sealed class RegionUnavailableException : ClientException
{
    /// <summary>Creates the exception.</summary>
    public RegionUnavailableException(string message, string target, string? lastError, Exception? innerException = null)
        : base(message, isRetryable: true, innerException)
    {
        Target = target;
        LastError = lastError;
    }

    /// <summary>What the request was for: key (hex), region id and store address.</summary>
    public string Target { get; }

    /// <summary>The last region error or transport failure seen.</summary>
    public string? LastError { get; }
}
