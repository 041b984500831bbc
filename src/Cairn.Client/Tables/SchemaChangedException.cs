namespace Cairn.Client.Tables;

/// <summary>The table's schema changed while a write ran; the write is retried with the new schema.</summary>
public sealed class SchemaChangedException(string message) : ClientException(message, isRetryable: true);
