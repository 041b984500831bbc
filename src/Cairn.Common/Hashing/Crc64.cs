using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Cairn.Common.Hashing;

/// <summary>
/// CRC-64/XZ (also called CRC-64/GO-ECMA): reflected polynomial 0xC96C5795D7870F42, initial value and final XOR all
/// ones (br-spec §g). The API follows Go's <c>hash/crc64</c>: <see cref="Update(ulong, ReadOnlySpan{byte})"/> takes and
/// returns finished CRC values, so <c>Update(0, data)</c> is the CRC of <c>data</c> and
/// <c>Update(Update(0, a), b)</c> is the CRC of <c>a ‖ b</c>.
/// </summary>
/// <remarks>
/// Inputs of <see cref="FoldThreshold"/> bytes or more on x86 with PCLMULQDQ are folded 128 bytes at a time in
/// eight 128-bit lanes by carry-less multiplication (256 bytes at a time in four 512-bit registers where VPCLMULQDQ
/// and AVX-512 exist), then reduced to 64 bits with a Barrett reduction; shorter inputs, the last bytes and other
/// machines use slicing-by-8 tables. All constants are derived at start-up from the polynomial.
/// </remarks>
public static class Crc64
{
    /// <summary>The polynomial in reflected (LSB-first) form.</summary>
    public const ulong ReflectedPolynomial = 0xC96C5795D7870F42UL;

    /// <summary>The polynomial in normal (MSB-first) form, without the x^64 term.</summary>
    public const ulong NormalPolynomial = 0x42F0E1EBA9EA3693UL;

    /// <summary>Inputs at least this long take the carry-less-multiply path when the CPU has it.</summary>
    public const int FoldThreshold = 128;

    private const int Lanes = 8;
    private const int LaneBytes = 16;
    private const int StrideBytes = Lanes * LaneBytes;
    private const int WideRegisters = 4;
    private const int WideBytes = 64;
    private const int WideStrideBytes = WideRegisters * WideBytes;

    // Slicing-by-8 tables, laid out as one array: table k at [k * 256, (k + 1) * 256).
    private static readonly ulong[] s_tables = BuildTables();
    private static readonly FoldConstants s_constants = FoldConstants.Derive();

    /// <summary>True when this process uses a carry-less-multiply path for long inputs.</summary>
    public static bool IsHardwareAccelerated => PreferredPath != Crc64Path.Table;

    /// <summary>The first slicing table (the classic byte-wise table); <c>Table[1] == 0xB32E4CBE03A75F6F</c>.</summary>
    public static ReadOnlySpan<ulong> Table => s_tables.AsSpan(0, 256);

    /// <summary>The constants used by the carry-less-multiply path, exposed so tests can check their derivation.</summary>
    public static FoldConstants Constants => s_constants;

    /// <summary>The implementation <see cref="Update(ulong, ReadOnlySpan{byte})"/> uses for long inputs on this machine.</summary>
    public static Crc64Path PreferredPath { get; } =
        IsSupported(Crc64Path.Pclmul512) ? Crc64Path.Pclmul512 : IsSupported(Crc64Path.Pclmul128) ? Crc64Path.Pclmul128 : Crc64Path.Table;

    /// <summary>True when this machine can run <paramref name="path"/>.</summary>
    public static bool IsSupported(Crc64Path path) => path switch
    {
        Crc64Path.Table => true,
        Crc64Path.Pclmul128 => Pclmulqdq.IsSupported && Sse2.IsSupported,
        Crc64Path.Pclmul512 => Pclmulqdq.V512.IsSupported && Avx512F.IsSupported && Pclmulqdq.IsSupported,
        _ => false,
    };

    /// <summary>The CRC of <paramref name="data"/>.</summary>
    public static ulong Compute(ReadOnlySpan<byte> data) => Update(0, data);

    /// <summary>The CRC of <paramref name="first"/> ‖ <paramref name="second"/>, without concatenating them.</summary>
    public static ulong Compute(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second) => Update(Update(0, first), second);

    /// <summary>Extends the finished CRC <paramref name="crc"/> of some prefix with <paramref name="data"/>.</summary>
    public static ulong Update(ulong crc, ReadOnlySpan<byte> data) => ~UpdateRegister(~crc, data, PreferredPath);

    /// <summary>
    /// <see cref="Update(ulong, ReadOnlySpan{byte})"/> with a chosen implementation, for tests and benchmarks. Inputs
    /// too short for the chosen path take the next smaller one, and the last few bytes always go through the tables.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">This machine cannot run <paramref name="path"/>.</exception>
    public static ulong Update(ulong crc, ReadOnlySpan<byte> data, Crc64Path path)
    {
        if (!IsSupported(path))
        {
            throw new PlatformNotSupportedException($"CRC-64 path {path} needs instructions this CPU lacks");
        }

        return ~UpdateRegister(~crc, data, path);
    }

    /// <summary>The table-only implementation; same as <c>Update(crc, data, Crc64Path.Table)</c>.</summary>
    public static ulong UpdateScalar(ulong crc, ReadOnlySpan<byte> data) => ~UpdateTable(~crc, data);

    private static ulong UpdateRegister(ulong state, ReadOnlySpan<byte> data, Crc64Path path)
    {
        if (path == Crc64Path.Pclmul512 && data.Length >= WideStrideBytes)
        {
            var folded = data.Length & ~(LaneBytes - 1);
            state = FoldPclmul512(state, data[..folded]);
            data = data[folded..];
        }
        else if (path != Crc64Path.Table && data.Length >= FoldThreshold)
        {
            var folded = data.Length & ~(LaneBytes - 1);
            state = FoldPclmul(state, data[..folded]);
            data = data[folded..];
        }

        return UpdateTable(state, data);
    }

    // state: the raw register (already inverted). Works on the unfinished register so calls compose.
    private static ulong UpdateTable(ulong state, ReadOnlySpan<byte> data)
    {
        ref var t = ref MemoryMarshal.GetArrayDataReference(s_tables);
        ref var p = ref MemoryMarshal.GetReference(data);
        nint i = 0;
        nint n = data.Length;
        for (; n - i >= 8; i += 8)
        {
            var v = state ^ ReadLittleEndian(ref Unsafe.Add(ref p, i));
            state = Unsafe.Add(ref t, (7 * 256) + (nint)(v & 0xFF)) ^
                    Unsafe.Add(ref t, (6 * 256) + (nint)((v >> 8) & 0xFF)) ^
                    Unsafe.Add(ref t, (5 * 256) + (nint)((v >> 16) & 0xFF)) ^
                    Unsafe.Add(ref t, (4 * 256) + (nint)((v >> 24) & 0xFF)) ^
                    Unsafe.Add(ref t, (3 * 256) + (nint)((v >> 32) & 0xFF)) ^
                    Unsafe.Add(ref t, (2 * 256) + (nint)((v >> 40) & 0xFF)) ^
                    Unsafe.Add(ref t, 256 + (nint)((v >> 48) & 0xFF)) ^
                    Unsafe.Add(ref t, (nint)(v >> 56));
        }

        for (; i < n; i++)
        {
            state = Unsafe.Add(ref t, (nint)((state ^ Unsafe.Add(ref p, i)) & 0xFF)) ^ (state >> 8);
        }

        return state;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadLittleEndian(ref byte source)
    {
        var value = Unsafe.ReadUnaligned<ulong>(ref source);
        return BitConverter.IsLittleEndian ? value : System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value);
    }

    // Folds data (a multiple of 16 bytes, at least one stride) into the register and returns the new register.
    // In the reflected domain a 16-byte little-endian load puts the first message bit (the highest-degree
    // coefficient) at bit 0, so lane element 0 holds the high 64 coefficients and element 1 the low ones.
    private static ulong FoldPclmul(ulong state, ReadOnlySpan<byte> data)
    {
        var c = s_constants;
        ref var p = ref MemoryMarshal.GetReference(data);
        var x0 = Load(ref p, 0) ^ Vector128.CreateScalar(state);
        var x1 = Load(ref p, 1);
        var x2 = Load(ref p, 2);
        var x3 = Load(ref p, 3);
        var x4 = Load(ref p, 4);
        var x5 = Load(ref p, 5);
        var x6 = Load(ref p, 6);
        var x7 = Load(ref p, 7);
        p = ref Unsafe.Add(ref p, StrideBytes);
        var remaining = data.Length - StrideBytes;

        var kStride = Vector128.Create(c.StrideHigh, c.StrideLow);
        while (remaining >= StrideBytes)
        {
            x0 = Fold(x0, kStride, Load(ref p, 0));
            x1 = Fold(x1, kStride, Load(ref p, 1));
            x2 = Fold(x2, kStride, Load(ref p, 2));
            x3 = Fold(x3, kStride, Load(ref p, 3));
            x4 = Fold(x4, kStride, Load(ref p, 4));
            x5 = Fold(x5, kStride, Load(ref p, 5));
            x6 = Fold(x6, kStride, Load(ref p, 6));
            x7 = Fold(x7, kStride, Load(ref p, 7));
            p = ref Unsafe.Add(ref p, StrideBytes);
            remaining -= StrideBytes;
        }

        // Bring every lane to the position of the last one: lane i is 16 * (7 - i) bytes ahead of lane 7.
        var lanes = c.LaneMerge;
        var x = x7;
        x = Fold(x6, Vector128.Create(lanes[0], lanes[1]), x);
        x = Fold(x5, Vector128.Create(lanes[2], lanes[3]), x);
        x = Fold(x4, Vector128.Create(lanes[4], lanes[5]), x);
        x = Fold(x3, Vector128.Create(lanes[6], lanes[7]), x);
        x = Fold(x2, Vector128.Create(lanes[8], lanes[9]), x);
        x = Fold(x1, Vector128.Create(lanes[10], lanes[11]), x);
        x = Fold(x0, Vector128.Create(lanes[12], lanes[13]), x);

        return FoldTailAndReduce(x, ref p, remaining, c);
    }

    // Same scheme with four 512-bit registers (sixteen 128-bit lanes) and 256 bytes per step.
    private static ulong FoldPclmul512(ulong state, ReadOnlySpan<byte> data)
    {
        var c = s_constants;
        ref var p = ref MemoryMarshal.GetReference(data);
        var y0 = Load512(ref p, 0) ^ Vector512.CreateScalar(state);
        var y1 = Load512(ref p, 1);
        var y2 = Load512(ref p, 2);
        var y3 = Load512(ref p, 3);
        p = ref Unsafe.Add(ref p, WideStrideBytes);
        var remaining = data.Length - WideStrideBytes;

        var kStride = Vector512.Create(Vector128.Create(c.WideStrideHigh, c.WideStrideLow));
        while (remaining >= WideStrideBytes)
        {
            y0 = Fold512(y0, kStride, Load512(ref p, 0));
            y1 = Fold512(y1, kStride, Load512(ref p, 1));
            y2 = Fold512(y2, kStride, Load512(ref p, 2));
            y3 = Fold512(y3, kStride, Load512(ref p, 3));
            p = ref Unsafe.Add(ref p, WideStrideBytes);
            remaining -= WideStrideBytes;
        }

        // Registers are 64 bytes apart: fold each into the next, then the four lanes of the last into its top lane.
        var lanes = c.LaneMerge;
        var k64 = Vector512.Create(Vector128.Create(lanes[6], lanes[7]));
        var y = Fold512(y0, k64, y1);
        y = Fold512(y, k64, y2);
        y = Fold512(y, k64, y3);

        var low = y.GetLower();
        var high = y.GetUpper();
        var x = high.GetUpper();
        x = Fold(high.GetLower(), Vector128.Create(lanes[0], lanes[1]), x);
        x = Fold(low.GetUpper(), Vector128.Create(lanes[2], lanes[3]), x);
        x = Fold(low.GetLower(), Vector128.Create(lanes[4], lanes[5]), x);
        return FoldTailAndReduce(x, ref p, remaining, c);
    }

    private static ulong FoldTailAndReduce(Vector128<ulong> x, ref byte p, int remaining, FoldConstants c)
    {
        var k16 = Vector128.Create(c.LaneMerge[0], c.LaneMerge[1]);
        while (remaining >= LaneBytes)
        {
            x = Fold(x, k16, Load(ref p, 0));
            p = ref Unsafe.Add(ref p, LaneBytes);
            remaining -= LaneBytes;
        }

        return Reduce(x, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Load512(ref byte source, int register) =>
        Vector512.LoadUnsafe(ref Unsafe.Add(ref source, register * WideBytes)).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Fold512(Vector512<ulong> x, Vector512<ulong> k, Vector512<ulong> next) =>
        Pclmulqdq.V512.CarrylessMultiply(x, k, 0x00) ^ Pclmulqdq.V512.CarrylessMultiply(x, k, 0x11) ^ next;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Load(ref byte source, int lane) =>
        Vector128.LoadUnsafe(ref Unsafe.Add(ref source, lane * LaneBytes)).AsUInt64();

    // x * x^d + next, with k = (x^(d+63) mod P, x^(d-1) mod P) reflected: one exponent less than the distance
    // because a reflected carry-less product lands one bit lower than the polynomial product.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Fold(Vector128<ulong> x, Vector128<ulong> k, Vector128<ulong> next) =>
        Pclmulqdq.CarrylessMultiply(x, k, 0x00) ^ Pclmulqdq.CarrylessMultiply(x, k, 0x11) ^ next;

    // Turns the 128-bit remainder X (congruent to the message) into the register X * x^64 mod P.
    private static ulong Reduce(Vector128<ulong> x, FoldConstants c)
    {
        // Y = H * x^128 + L * x^64 with the H term pre-reduced: a 128-bit value congruent to X * x^64.
        var y = Pclmulqdq.CarrylessMultiply(x, Vector128.CreateScalar(c.X127), 0x00) ^ Vector128.CreateScalar(x.GetElement(1));
        var yHigh = y.GetElement(0);
        var yLow = y.GetElement(1);

        // Barrett: q = floor(Yh * mu / x^64) with mu = x^64 + mu'; the shifts undo the one-bit offset of reflected products.
        var t = Pclmulqdq.CarrylessMultiply(Vector128.CreateScalar(yHigh), Vector128.CreateScalar(c.MuLow), 0x00);
        var q = yHigh ^ (t.GetElement(0) << 1);

        // Remainder = low 64 coefficients of Y + q * P' (the x^64 term of P only cancels Yh).
        var u = Pclmulqdq.CarrylessMultiply(Vector128.CreateScalar(q), Vector128.CreateScalar(ReflectedPolynomial), 0x00);
        return yLow ^ (u.GetElement(1) << 1) ^ (u.GetElement(0) >> 63);
    }

    private static ulong[] BuildTables()
    {
        var tables = new ulong[8 * 256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ulong)i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ ReflectedPolynomial : crc >> 1;
            }

            tables[i] = crc;
        }

        for (var k = 1; k < 8; k++)
        {
            for (var i = 0; i < 256; i++)
            {
                var previous = tables[((k - 1) * 256) + i];
                tables[(k * 256) + i] = (previous >> 8) ^ tables[(int)(previous & 0xFF)];
            }
        }

        return tables;
    }

    /// <summary>
    /// Constants of the carry-less-multiply path, each the bit-reflection of a residue modulo P
    /// (<see cref="NormalPolynomial"/> plus x^64).
    /// </summary>
    public sealed class FoldConstants
    {
        private FoldConstants(ulong strideHigh, ulong strideLow, ulong wideStrideHigh, ulong wideStrideLow, ulong[] laneMerge, ulong x127, ulong muLow)
        {
            StrideHigh = strideHigh;
            StrideLow = strideLow;
            WideStrideHigh = wideStrideHigh;
            WideStrideLow = wideStrideLow;
            LaneMerge = laneMerge;
            X127 = x127;
            MuLow = muLow;
        }

        /// <summary>reflect(x^(1024+63) mod P): multiplies the high half of a lane across one 128-byte stride.</summary>
        public ulong StrideHigh { get; }

        /// <summary>reflect(x^(1024-1) mod P): multiplies the low half of a lane across one 128-byte stride.</summary>
        public ulong StrideLow { get; }

        /// <summary>reflect(x^(2048+63) mod P): high-half multiplier across one 256-byte step of the 512-bit path.</summary>
        public ulong WideStrideHigh { get; }

        /// <summary>reflect(x^(2048-1) mod P): low-half multiplier across one 256-byte step of the 512-bit path.</summary>
        public ulong WideStrideLow { get; }

        /// <summary>
        /// Pairs (reflect(x^(d+63) mod P), reflect(x^(d-1) mod P)) for d = 128, 256, ..., 896 bits: element 2j and
        /// 2j+1 fold a lane across 16 * (j + 1) bytes.
        /// </summary>
        public IReadOnlyList<ulong> LaneMerge { get; }

        /// <summary>reflect(x^127 mod P), used to pre-reduce the high half before the Barrett step.</summary>
        public ulong X127 { get; }

        /// <summary>reflect(floor(x^128 / P) - x^64): the Barrett constant without its leading term.</summary>
        public ulong MuLow { get; }

        internal static FoldConstants Derive()
        {
            var laneMerge = new ulong[14];
            for (var j = 0; j < 7; j++)
            {
                var distance = 128 * (j + 1);
                laneMerge[2 * j] = Reflect(XPowModP(distance + 63));
                laneMerge[(2 * j) + 1] = Reflect(XPowModP(distance - 1));
            }

            return new FoldConstants(
                Reflect(XPowModP(1024 + 63)),
                Reflect(XPowModP(1024 - 1)),
                Reflect(XPowModP(2048 + 63)),
                Reflect(XPowModP(2048 - 1)),
                laneMerge,
                Reflect(XPowModP(127)),
                Reflect(BarrettQuotientLow()));
        }

        /// <summary>x^n mod P in normal form (bit k is the coefficient of x^k).</summary>
        public static ulong XPowModP(int n)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(n);
            ulong r = 1;
            for (var i = 0; i < n; i++)
            {
                var carry = (r >> 63) != 0;
                r <<= 1;
                if (carry)
                {
                    r ^= NormalPolynomial;
                }
            }

            return r;
        }

        /// <summary>floor(x^128 / P) without its x^64 term, in normal form, by long division.</summary>
        public static ulong BarrettQuotientLow()
        {
            // After the first step (x^128 - x^64 * P) the remainder is P' * x^64, which fits in 128 bits.
            var remainder = (UInt128)NormalPolynomial << 64;
            ulong quotient = 0;
            for (var d = 63; d >= 0; d--)
            {
                if (((remainder >> (64 + d)) & 1) != 0)
                {
                    quotient |= 1UL << d;
                    remainder ^= ((UInt128)1 << (64 + d)) ^ ((UInt128)NormalPolynomial << d);
                }
            }

            return quotient;
        }

        /// <summary>Reverses the bit order of a 64-bit value (normal form ↔ reflected form).</summary>
        public static ulong Reflect(ulong value)
        {
            ulong result = 0;
            for (var i = 0; i < 64; i++)
            {
                result = (result << 1) | ((value >> i) & 1);
            }

            return result;
        }
    }
}
