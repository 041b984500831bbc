namespace Cairn.Store.Services;

/// <summary>How a request's keys are compared with region boundaries.</summary>
internal enum KeyCheck
{
    /// <summary>Transactional keys: memcomparable-encode, then compare.</summary>
    Encoded,

    /// <summary>Raw keys (API v1): compare as they are.</summary>
    Raw,
}
