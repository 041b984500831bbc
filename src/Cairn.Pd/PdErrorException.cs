using Cairn.Common.Errors;
using Cairn.Rpc.Pdpb;

namespace Cairn.Pd;

/// <summary>A request pd refuses; the handler turns it into a response header error of <see cref="Type"/>.</summary>
internal sealed class PdErrorException(ErrorType type, string message) : Exception(message), ITransientAware
{
    public ErrorType Type { get; } = type;

    // Only a cluster that is not bootstrapped yet may answer differently later; the other refusals are about the request.
    public bool IsTransient => Type == ErrorType.NotBootstrapped;
}
