namespace Cairn.Testing.Faults;

/// <summary>Which faults a <see cref="FaultProxy"/> injects. Patterns count requests and responses, so they are deterministic.</summary>
public sealed record FaultProxyOptions
{
    /// <summary>Answer every Nth request (1-based count over all connections) with a 503 instead of forwarding it; 0 never does.</summary>
    /// <remarks>Injected answers alternate between <c>503 Slow Down</c> (S3's throttling body) and <c>503 Service Unavailable</c>.</remarks>
    public int ServiceUnavailableEvery { get; init; }

    /// <summary>Cut every Nth eligible response in the middle of its body (reset the connection); 0 never does.</summary>
    public int DropResponseEvery { get; init; }

    /// <summary>Only responses with a Content-Length of at least this many bytes are eligible for dropping.</summary>
    public long DropMinBodyBytes { get; init; } = 64 * 1024;

    /// <summary>Fraction of the body forwarded before the cut (0: the headers only).</summary>
    public double DropAfterFraction { get; init; } = 0.5;

    /// <summary>Hold back the response to every Nth request (the same count as <see cref="ServiceUnavailableEvery"/>) for <see cref="SlowResponseDelay"/>; 0 never does.</summary>
    public int SlowResponseEvery { get; init; }

    /// <summary>How long a slowed response is held back.</summary>
    public TimeSpan SlowResponseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Body of injected <c>503 Slow Down</c> answers (S3 XML by default).</summary>
    public string SlowDownBody { get; init; } =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";

    /// <summary>Content type of <see cref="SlowDownBody"/>.</summary>
    public string SlowDownContentType { get; init; } = "application/xml";
}
