using System.Diagnostics;
using CoreFirmware.Drivers.Hal;

namespace CoreFirmware.Virtual.Hardware;

/// <summary>
/// The Core's one SPI bus (SCK, MOSI, MISO) with one chip-select line per part. It delivers every
/// clocked byte to every selected part, as the wires do, and records each violation of the
/// one-transaction-at-a-time rule: two chip selects low, bytes clocked for a part while another
/// part is selected, bytes clocked with the wrong mode. When two parts drive MISO at once the
/// controller reads the wired-AND of their outputs (garbage, as on the board).
/// A single transfer is atomic here, as the SPI controller's DMA is on the real chip: the model
/// serialises transfers but not transactions, which is the arbiter's job.
/// </summary>
public sealed class SharedSpiBus
{
    /// <summary>Most violations kept with their details; the counts keep counting after that.</summary>
    public const int MaxRecordedViolations = 256;

    private readonly object _wire = new();
    private readonly List<(ISpiPeripheralModel Part, VirtualGpioPin ChipSelect)> _parts = new();
    private readonly List<BusViolation> _violations = new();
    private readonly long[] _counts = new long[Enum.GetValues<BusViolationKind>().Length];
    private byte[] _scratch = new byte[4096];
    private long _bytesClocked;

    /// <summary>Attaches <paramref name="part"/> with its chip-select pin (idle high).</summary>
    public void Attach(ISpiPeripheralModel part, VirtualGpioPin chipSelect)
    {
        if (chipSelect.PinNumber != part.ChipSelectPin)
            throw new ArgumentException($"{part.PartName} expects CS on pin {part.ChipSelectPin}, wired to {chipSelect.PinNumber}");
        lock (_wire) _parts.Add((part, chipSelect));
        chipSelect.LevelChanged += OnChipSelectChanged;
    }

    /// <summary>Total violations of all kinds.</summary>
    public long ViolationCount { get { lock (_wire) return _counts.Sum(); } }

    public long Count(BusViolationKind kind) { lock (_wire) return _counts[(int)kind]; }

    /// <summary>The first <see cref="MaxRecordedViolations"/> violations, with what happened.</summary>
    public IReadOnlyList<BusViolation> Violations { get { lock (_wire) return _violations.ToArray(); } }

    public long BytesClocked { get { lock (_wire) return _bytesClocked; } }

    /// <summary>Forgets recorded violations (between phases of a test).</summary>
    public void ResetViolations()
    {
        lock (_wire)
        {
            _violations.Clear();
            Array.Clear(_counts);
        }
    }

    private void OnChipSelectChanged(VirtualGpioPin pin, PinValue level)
    {
        ISpiPeripheralModel? part = null;
        lock (_wire)
        {
            foreach (var p in _parts)
            {
                if (p.ChipSelect == pin) part = p.Part;
            }
            if (part == null) return;
            if (level == PinValue.Low)
            {
                foreach (var p in _parts)
                {
                    if (p.ChipSelect != pin && p.ChipSelect.Level == PinValue.Low)
                        RecordLocked(BusViolationKind.TwoChipSelectsLow, $"{part.PartName} selected while {p.Part.PartName} is selected");
                }
            }
            // The part sees its CS edge while the wire lock is held, so no byte can slip between.
            if (level == PinValue.Low) part.OnSelect();
            else part.OnDeselect();
        }
    }

    /// <summary>
    /// The controller clocks mosi.Length bytes on behalf of the device configured with
    /// <paramref name="settings"/>. Every selected part receives them; MISO is what they drive.
    /// </summary>
    public void Transfer(SpiConnectionSettings settings, ReadOnlySpan<byte> mosi, Span<byte> miso)
    {
        lock (_wire)
        {
            _bytesClocked += mosi.Length;
            miso.Fill(0xFF); // pulled up when nothing drives MISO
            bool first = true;
            bool ownSelected = false;
            foreach (var (part, cs) in _parts)
            {
                if (cs.Level != PinValue.Low) continue;
                if (part.ChipSelectPin == settings.ChipSelectLine)
                {
                    ownSelected = true;
                }
                else
                {
                    RecordLocked(BusViolationKind.BytesToForeignPart,
                        $"{mosi.Length} byte(s) meant for CS pin {settings.ChipSelectLine} clocked into {part.PartName}");
                }
                ReadOnlySpan<byte> input = mosi;
                if (part.Mode != settings.Mode)
                {
                    RecordLocked(BusViolationKind.WrongMode, $"{part.PartName} clocked in {settings.Mode}, samples in {part.Mode}");
                    input = Garble(mosi);
                }
                if (_scratch.Length < mosi.Length) _scratch = new byte[mosi.Length];
                Span<byte> answer = _scratch.AsSpan(0, mosi.Length);
                part.Exchange(input, answer);
                if (first) answer.CopyTo(miso);
                else for (int i = 0; i < miso.Length; i++) miso[i] &= answer[i];
                first = false;
            }
            if (!ownSelected && IsAttachedLocked(settings.ChipSelectLine))
                RecordLocked(BusViolationKind.BytesWithNoSelect, $"{mosi.Length} byte(s) clocked for CS pin {settings.ChipSelectLine} while it is high");
        }
    }

    private bool IsAttachedLocked(int chipSelectPin)
    {
        foreach (var p in _parts)
        {
            if (p.Part.ChipSelectPin == chipSelectPin) return true;
        }
        return false;
    }

    private byte[] _garbled = new byte[4096];

    // Sampling on the wrong clock edge shifts every byte by one bit.
    private ReadOnlySpan<byte> Garble(ReadOnlySpan<byte> mosi)
    {
        if (_garbled.Length < mosi.Length) _garbled = new byte[mosi.Length];
        byte carry = 1;
        for (int i = 0; i < mosi.Length; i++)
        {
            _garbled[i] = (byte)((mosi[i] >> 1) | (carry << 7));
            carry = (byte)(mosi[i] & 1);
        }
        return _garbled.AsSpan(0, mosi.Length);
    }

    private void RecordLocked(BusViolationKind kind, string detail)
    {
        _counts[(int)kind]++;
        if (_violations.Count < MaxRecordedViolations)
            _violations.Add(new BusViolation(kind, detail, Stopwatch.GetTimestamp()));
    }
}
