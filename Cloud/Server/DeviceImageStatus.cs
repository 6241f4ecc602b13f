namespace CoreFirmware.Cloud;

/// <summary>The image a device runs, as its last "corefw/boot" event said.</summary>
/// <param name="Version">"1.2.3" (or "none" in safe mode without an image).</param>
/// <param name="Status">"testing" (a test boot, not yet confirmed), "confirmed", or "safe-mode".</param>
/// <param name="Boot">What the bootloader did at that boot: "ran", "installed", "rolled-back", "factory" (restored), or the safe-mode reason.</param>
/// <param name="At">When the cloud heard it (UTC).</param>
public sealed record RunningImage(string Version, string Status, string Boot, DateTimeOffset At);

/// <summary>How the device's last OTA ended, as far as the cloud knows.</summary>
/// <param name="Outcome">"flashing", "refused", "failed", "pending" (accepted, installing at the reboot),
/// "aborted", "installed" (test boot), "confirmed", "rolled-back".</param>
/// <param name="Message">The device's (or the cloud's) words, e.g. "bad signature".</param>
/// <param name="At">When it was recorded (UTC).</param>
public sealed record OtaOutcome(string Outcome, string Message, DateTimeOffset At);

/// <summary>
/// Reads the device's status events (private events "corefw/ota" and "corefw/boot", the texts
/// Ota/Cloud/DeviceStatusEvents and Ota/Update/OtaService send) into <see cref="RunningImage"/> and
/// <see cref="OtaOutcome"/>. Texts:
/// <list type="bullet">
/// <item>"corefw/boot": "&lt;version&gt; &lt;testing|confirmed&gt; &lt;ran|installed|rolled-back|factory&gt;", or "safe-mode &lt;reason&gt;";</item>
/// <item>"corefw/ota": "pending &lt;size&gt; &lt;crc&gt;", "aborted: &lt;reason&gt;", "installed &lt;size&gt; &lt;crc&gt;", "confirmed &lt;version&gt;".</item>
/// </list>
/// </summary>
public static class DeviceImageStatus
{
    /// <summary>The private event a device sends once per cloud session with the image it runs.</summary>
    public const string BootEventName = "corefw/boot";

    /// <summary>Parses a "corefw/boot" text; null when it is not one.</summary>
    public static RunningImage? ParseBoot(string text, DateTimeOffset at)
    {
        string[] parts = text.Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length >= 1 && parts[0] == "safe-mode")
        {
            return new RunningImage("none", "safe-mode", parts.Length > 1 ? string.Join(' ', parts[1..]) : "", at);
        }

        if (parts.Length < 3)
        {
            return null;
        }

        return new RunningImage(parts[0], parts[1], parts[2], at);
    }

    /// <summary>The OTA outcome a "corefw/ota" text means; null for texts that say nothing about it.</summary>
    public static OtaOutcome? ParseOta(string text, DateTimeOffset at)
    {
        text = text.Trim();
        if (text.StartsWith("aborted:", StringComparison.Ordinal))
        {
            return new OtaOutcome("aborted", text["aborted:".Length..].Trim(), at);
        }

        if (text.StartsWith("pending", StringComparison.Ordinal))
        {
            return new OtaOutcome("pending", "image accepted; the device installs it at the reboot", at);
        }

        if (text.StartsWith("installed", StringComparison.Ordinal))
        {
            return new OtaOutcome("installed", "installed; running in test mode until confirmed", at);
        }

        if (text.StartsWith("confirmed", StringComparison.Ordinal))
        {
            return new OtaOutcome("confirmed", text, at);
        }

        return null;
    }

    /// <summary>The OTA outcome a boot implies (a rollback), null when it implies none.</summary>
    public static OtaOutcome? OutcomeOfBoot(RunningImage boot) =>
        boot.Boot == "rolled-back"
            ? new OtaOutcome("rolled-back", "the new image did not confirm; the device rolled back to " + boot.Version, boot.At)
            : null;
}
