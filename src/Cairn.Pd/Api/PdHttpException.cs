namespace Cairn.Pd.Api;

/// <summary>A request pd's HTTP API refuses: answered with <see cref="Status"/> and the message as a JSON string.</summary>
internal sealed class PdHttpException(int status, string message) : Exception(message)
{
    /// <summary>The HTTP status to answer with.</summary>
    public int Status { get; } = status;
}
