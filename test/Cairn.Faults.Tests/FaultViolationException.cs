namespace Cairn.Faults.Tests;

/// <summary>A fault case ended in a way the matrix forbids: a job that neither completed nor failed cleanly, or data that does not match.</summary>
public sealed class FaultViolationException : Exception
{
    public FaultViolationException()
    {
    }

    public FaultViolationException(string message)
        : base(message)
    {
    }

    public FaultViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
