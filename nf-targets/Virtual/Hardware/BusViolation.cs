namespace CoreFirmware.Virtual.Hardware;

/// <summary>What the shared bus model saw go wrong on the wires.</summary>
public enum BusViolationKind
{
    /// <summary>A chip select went low while another part's was already low.</summary>
    TwoChipSelectsLow,
    /// <summary>Bytes were clocked for one part while a different part's chip select was low.</summary>
    BytesToForeignPart,
    /// <summary>Bytes were clocked for a part whose chip select was high (they went nowhere).</summary>
    BytesWithNoSelect,
    /// <summary>The controller was clocking in a mode the selected part does not sample in.</summary>
    WrongMode,
}

/// <summary>One recorded violation.</summary>
public sealed record BusViolation(BusViolationKind Kind, string Detail, long AtTicks);
