namespace Cairn.Client.Catalog;

/// <summary>The state of a schema object during a DDL change (TiDB's <c>model.SchemaState</c> numbering).</summary>
public enum SchemaState
{
    /// <summary>Not visible and not maintained.</summary>
    None = 0,

    /// <summary>Only deletes are applied.</summary>
    DeleteOnly = 1,

    /// <summary>Writes are maintained but reads do not use it.</summary>
    WriteOnly = 2,

    /// <summary>Writes maintained while existing data is reorganised (index backfill).</summary>
    WriteReorganization = 3,

    /// <summary>Being removed: existing data is cleaned.</summary>
    DeleteReorganization = 4,

    /// <summary>Fully visible.</summary>
    Public = 5,
}
