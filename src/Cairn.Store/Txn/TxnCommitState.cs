namespace Cairn.Store.Txn;

/// <summary>The commit state of a transaction on one key.</summary>
internal readonly record struct TxnCommitState(TxnCommitKind Kind, ulong CommitTs);
