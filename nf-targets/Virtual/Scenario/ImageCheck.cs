using CoreFirmware.Cloud.Images;
using CoreFirmware.Ota.Image;
using CoreFirmware.SparkCore;
using CoreFirmware.Virtual.Runner;

namespace CoreFirmware.Virtual.Scenario;

/// <summary>
/// Is the device on a valid image, and which one? Read from outside the firmware: the application
/// slot (MCU internal flash, not on the SPI bus) is read whole and verified on the host with the
/// cloud's image key (signature, hash, board), and the bootloader's decision of the running boot
/// says whether the app runs. Valid: the firmware is up, runs an application, and the application
/// slot holds a whole signed image; <see cref="ActiveVersion"/> is that image's packed version.
/// </summary>
public sealed record ImageCheck(bool Valid, uint ActiveVersion, bool TestBoot, string Description)
{
    public static ImageCheck Read(VirtualCore core, byte[] imagePublicKey) =>
        Read(core.Runtime != null, core.LastBootDecision is { } d ? (d.RunApplication, d.TestBoot, d.Reason ?? "") : null, core.Board, imagePublicKey);

    /// <summary>The check for the scenario's device, on either CLR.</summary>
    public static ImageCheck Read(IScenarioCore core, byte[] imagePublicKey) => Read(core.Running, core.Decision, core.Board, imagePublicKey);

    private static ImageCheck Read(bool running, (bool RunApplication, bool TestBoot, string Reason)? decision, VirtualBoard board, byte[] imagePublicKey)
    {
        if (!running) return new ImageCheck(false, 0, false, "firmware not running");
        if (decision is not { RunApplication: true })
            return new ImageCheck(false, 0, false, "safe mode: " + (decision?.Reason ?? "no boot decision"));

        var flash = board.InternalFlash;
        var header = new byte[ImageFormat.HeaderSize];
        flash.Peek(0, header);
        var h = new ImageHeader();
        h.Read(header, 0);
        int slot = Math.Min(flash.Size, SparkCoreFlashLayout.SlotSize);
        long body = ImageFormat.HeaderSize + (long)h.PayloadSize;
        if (h.Magic != ImageFormat.Magic || body + ImageFormat.MinTrailerSize > slot)
            return new ImageCheck(false, 0, false, "application slot holds no image header");
        var info = new byte[ImageFormat.TrailerInfoSize];
        flash.Peek((int)body, info);
        int length = (int)body + ImageFormat.ReadUInt16(info, 2);
        if (length > slot) return new ImageCheck(false, 0, false, "application slot trailer runs past the slot");
        var image = new byte[length];
        flash.Peek(0, image);
        using var key = ImageSigner.LoadPublicPoint(imagePublicKey);
        ImageVerifyResult r = ImageSigner.Verify(image, key, SparkCoreBoard.ImageBoardId, slot);
        uint version = PackedImageVersion.Of(h);
        return r == ImageVerifyResult.Ok
            ? new ImageCheck(true, version, decision.Value.TestBoot, $"running {PackedImageVersion.ToText(version)}{(decision.Value.TestBoot ? " (test boot)" : "")}")
            : new ImageCheck(false, version, decision.Value.TestBoot, $"application slot does not verify: {r}");
    }
}
