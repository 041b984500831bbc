namespace Cairn.Client.Catalog;

/// <summary>DDL job types (TiDB's <c>model.ActionType</c> numbering).</summary>
public enum DdlActionType
{
    /// <summary>CREATE DATABASE.</summary>
    CreateSchema = 1,

    /// <summary>DROP DATABASE.</summary>
    DropSchema = 2,

    /// <summary>CREATE TABLE.</summary>
    CreateTable = 3,

    /// <summary>DROP TABLE.</summary>
    DropTable = 4,

    /// <summary>ADD INDEX.</summary>
    AddIndex = 7,

    /// <summary>DROP INDEX.</summary>
    DropIndex = 8,

    /// <summary>REBASE AUTO_INCREMENT.</summary>
    RebaseAutoId = 13,

    /// <summary>TRUNCATE TABLE.</summary>
    TruncateTable = 11,

    /// <summary>RENAME TABLE.</summary>
    RenameTable = 14,

    /// <summary>CREATE VIEW.</summary>
    CreateView = 21,

    /// <summary>DROP VIEW.</summary>
    DropView = 24,
    /// <summary>Many tables created in one job (restore's batch create; TiDB's <c>ActionCreateTables</c>).</summary>
    CreateTables = 60,
}
