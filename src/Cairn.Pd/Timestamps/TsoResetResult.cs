namespace Cairn.Pd.Timestamps;

/// <summary>What <see cref="TsoAllocator.ResetAbove"/> did with a requested timestamp.</summary>
internal enum TsoResetResult
{
    /// <summary>Every later timestamp is above the requested one.</summary>
    Reset,

    /// <summary>Refused: not above the last timestamp handed out.</summary>
    NotAbove,

    /// <summary>Refused: further ahead of the clock than the allowed gap.</summary>
    TooFarAhead,

    /// <summary>Refused: its physical part leaves no room in the 46-bit field.</summary>
    Overflow,
}
