namespace Cairn.Common.Hashing;

/// <summary>Implementations of <see cref="Crc64"/>, for tests and benchmarks that compare them.</summary>
public enum Crc64Path
{
    /// <summary>Slicing-by-8 tables; works everywhere.</summary>
    Table,

    /// <summary>128-bit carry-less multiplication (PCLMULQDQ), eight lanes, for inputs of 128 bytes or more.</summary>
    Pclmul128,

    /// <summary>512-bit carry-less multiplication (VPCLMULQDQ with AVX-512), four registers, for inputs of 256 bytes or more.</summary>
    Pclmul512,
}
