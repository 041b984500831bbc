namespace Cairn.Br.Restore;

/// <summary>
/// A raw-key prefix rewrite applied to restored keys: <c>t{old}_r</c> → <c>t{new}_r</c> for record keys and
/// <c>t{old}_i{oldIdx}</c> → <c>t{new}_i{newIdx}</c> for index keys (br-spec §d.8).
/// </summary>
/// <param name="OldPrefix">The key prefix as it is in the backup (memcomparable-encoded, without the MVCC suffix).</param>
/// <param name="NewPrefix">The prefix that replaces <paramref name="OldPrefix"/> in the target cluster.</param>
public sealed record RewriteRule(byte[] OldPrefix, byte[] NewPrefix);
