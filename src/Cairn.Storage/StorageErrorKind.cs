namespace Cairn.Storage;

/// <summary>Broad classes of storage failure, for callers that react differently to each.</summary>
public enum StorageErrorKind
{
    /// <summary>Anything not listed below.</summary>
    Other,
    /// <summary>The object, bucket or container does not exist.</summary>
    NotFound,
    /// <summary>Credentials are wrong or lack permission.</summary>
    AccessDenied,
    /// <summary>The request was malformed or the options are invalid.</summary>
    InvalidArgument,
    /// <summary>The service asked us to slow down.</summary>
    Throttled,
    /// <summary>The network failed or timed out.</summary>
    Network,
    /// <summary>The service failed (5xx).</summary>
    ServerError,
}
