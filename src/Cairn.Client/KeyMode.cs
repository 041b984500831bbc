namespace Cairn.Client;

/// <summary>How user keys map onto region boundaries (TiKV API v1).</summary>
public enum KeyMode
{
    /// <summary>Transactional data: region boundaries are memcomparable-encoded keys.</summary>
    Txn,

    /// <summary>Raw data: region boundaries are the raw keys themselves.</summary>
    Raw,
}
