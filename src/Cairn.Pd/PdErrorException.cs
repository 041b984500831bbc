using Cairn.Rpc.Pdpb;

namespace Cairn.Pd;

/// <summary>A request pd refuses; the handler turns it into a response header error of <see cref="Type"/>.</summary>
internal sealed class PdErrorException(ErrorType type, string message) : Exception(message)
{
    public ErrorType Type { get; } = type;
}
