namespace Cairn.Workloads.Bulk;

/// <summary>A bulk load that cannot be done or did not come out right; the message says what to do.</summary>
public sealed class BulkLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BulkLoadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public BulkLoadException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public BulkLoadException()
    {
    }
}
