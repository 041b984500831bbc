namespace Cairn.Client.Catalog;

/// <summary>A DDL statement or catalog lookup failed (unknown or duplicate name, invalid definition).</summary>
public sealed class CatalogException(string message) : ClientException(message, isRetryable: false);
