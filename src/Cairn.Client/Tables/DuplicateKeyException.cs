namespace Cairn.Client.Tables;

/// <summary>An insert or update would give two rows the same primary or unique key.</summary>
public sealed class DuplicateKeyException(string message) : ClientException(message, isRetryable: false);
