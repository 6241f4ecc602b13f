using CoreFirmware.Ota.Boot;
using CoreFirmware.Ota.Image;

namespace CoreFirmware.Virtual.PowerCut;

/// <summary>What one boot decided (the fields of <see cref="BootDecision"/> the sweep checks).</summary>
public sealed record SweepBootResult(bool RunApplication, bool TestBoot, uint ActiveVersion, string Reason, int Installs, int Rollbacks);

/// <summary>The boot path the sweep drives: the real bootloader, or a deliberately unsafe one that proves the sweep can fail.</summary>
public interface ISweepBootStep
{
    string Name { get; }

    /// <summary>Runs the boot path on <paramref name="board"/>. Flash errors (a power cut) propagate.</summary>
    SweepBootResult Boot(SweepBoard board);
}

/// <summary>The firmware's <see cref="Bootloader"/> (Ota/Boot/BOOT-DESIGN.md), no watchdog.</summary>
public sealed class BootloaderStep : ISweepBootStep
{
    public string Name => "bootloader";

    public SweepBootResult Boot(SweepBoard board)
    {
        BootDecision d = new Bootloader(board.Flash, board.Map, board.Application, board.Verifier, null).Run();
        return new SweepBootResult(d.RunApplication, d.TestBoot, d.ActiveVersion, d.Reason, d.Installs, d.Rollbacks);
    }
}

/// <summary>
/// A deliberately unsafe installer, the kind of bootloader the sweep exists to catch: it consumes the
/// Pending request (writes None) before it copies, takes no backup and records no progress, then
/// erases and programs the application slot page by page and writes Confirmed. A cut inside the copy
/// leaves a torn application slot and nothing that says so: the next boot finds no valid image.
/// </summary>
public sealed class UnsafeInstallStep : ISweepBootStep
{
    private readonly byte[] _buffer = new byte[256];

    public string Name => "unsafe installer (no backup, no progress record)";

    public SweepBootResult Boot(SweepBoard board)
    {
        BootState s = board.Store.Read();
        int installs = 0;
        if (s.State == BootImageState.Pending)
        {
            var staging = board.Map.Staging;
            if (board.Verifier.VerifyInSlot(board.Flash, staging.Start, staging.Size) == ImageVerifyResult.Ok)
            {
                int length = board.Verifier.ImageLength;
                uint version = PackedImageVersion.Of(board.Verifier.Header);
                s.State = BootImageState.None; // the bug: the request is gone before the copy is done
                board.Store.Write(s);
                int page = board.Application.PageSize;
                for (int at = 0; at < length; at += page)
                {
                    board.Application.ErasePage(at);
                    for (int p = at; p < Math.Min(at + page, length); p += _buffer.Length)
                    {
                        int n = Math.Min(_buffer.Length, length - p);
                        board.Flash.Read(staging.Start + p, _buffer, 0, n);
                        if ((n & 1) != 0) _buffer[n++] = 0xFF;
                        board.Application.Program(p, _buffer, 0, n);
                    }
                }
                s.State = BootImageState.Confirmed;
                s.ActiveVersion = version;
                board.Store.Write(s);
                installs = 1;
            }
        }

        var r = board.VerifyApplication(out uint running, out _);
        return r == ImageVerifyResult.Ok
            ? new SweepBootResult(true, false, running, installs > 0 ? "installed" : "running", installs, 0)
            : new SweepBootResult(false, false, 0, "no valid image", installs, 0);
    }
}
