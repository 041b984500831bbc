namespace Cairn.Store.Txn;

/// <summary>What the write CF says about one transaction on one key.</summary>
internal enum TxnCommitKind
{
    /// <summary>No commit or rollback record of the transaction.</summary>
    None,

    /// <summary>Committed at <see cref="TxnCommitState.CommitTs"/>.</summary>
    Committed,

    /// <summary>Rolled back.</summary>
    RolledBack,
}
