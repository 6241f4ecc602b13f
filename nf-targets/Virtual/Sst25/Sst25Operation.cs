namespace CoreFirmware.Virtual.Sst25;

/// <summary>Kinds of internal write the modelled part performs (each is one counted operation).</summary>
public enum Sst25OperationKind
{
    /// <summary>Byte program (0x02): one byte.</summary>
    ByteProgram,
    /// <summary>One AAI word step (0xAD): two bytes.</summary>
    AaiWordProgram,
    /// <summary>4 KB sector erase (0x20).</summary>
    SectorErase,
    /// <summary>32 KB block erase (0x52).</summary>
    Block32Erase,
    /// <summary>64 KB block erase (0xD8).</summary>
    Block64Erase,
    /// <summary>Chip erase (0x60 / 0xC7).</summary>
    ChipErase,
}

/// <summary>
/// One internal write of the modelled part: its index in the model's operation sequence (0-based,
/// counted across the model's life), kind and byte range.
/// </summary>
public readonly record struct Sst25Operation(long Index, Sst25OperationKind Kind, int Address, int Length)
{
    public bool IsErase => Kind is Sst25OperationKind.SectorErase or Sst25OperationKind.Block32Erase
        or Sst25OperationKind.Block64Erase or Sst25OperationKind.ChipErase;
}
