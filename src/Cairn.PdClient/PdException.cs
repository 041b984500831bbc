using Cairn.Common.Errors;
using Cairn.Rpc.Pdpb;

namespace Cairn.Pd.Client;

/// <summary>A pd call failed: pd refused it (<see cref="ErrorType"/> set) or could not be reached in time.</summary>
public sealed class PdException : Exception, ITransientAware
{
    /// <summary>Creates the exception.</summary>
    public PdException(string operation, string? address, ErrorType? errorType, string detail, bool isTransient, Exception? innerException = null)
        : base(Format(operation, address, errorType, detail), innerException)
    {
        Operation = operation;
        Address = address;
        ErrorType = errorType;
        Detail = detail;
        IsTransient = isTransient;
    }

    /// <summary>The pd method, e.g. <c>GetRegion</c>.</summary>
    public string Operation { get; }

    /// <summary>The pd address the call went to; null when no pd could be reached.</summary>
    public string? Address { get; }

    /// <summary>pd's error type from the response header; null when the call itself failed.</summary>
    public ErrorType? ErrorType { get; }

    /// <summary>pd's message or the transport failure.</summary>
    public string Detail { get; }

    /// <summary>Whether retrying later may succeed (pd unreachable or restarting).</summary>
    public bool IsTransient { get; }

    private static string Format(string operation, string? address, ErrorType? type, string detail) =>
        $"pd {operation} at {address ?? "(no pd reachable)"} failed: {(type is { } t ? t + ": " : "")}{detail}";
}
