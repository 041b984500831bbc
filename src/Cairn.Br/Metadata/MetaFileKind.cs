namespace Cairn.Br.Metadata;

/// <summary>The kinds of v2 meta file, named <c>backupmeta.{kind}.NNNNNNNNN</c>.</summary>
internal enum MetaFileKind
{
    /// <summary><c>backupmeta.datafile.*</c>, referenced from <c>file_index</c>.</summary>
    DataFile,

    /// <summary><c>backupmeta.schema.*</c>, referenced from <c>schema_index</c>.</summary>
    Schema,

    /// <summary><c>backupmeta.ddl.*</c>, referenced from <c>ddl_indexes</c>.</summary>
    Ddl,
}
