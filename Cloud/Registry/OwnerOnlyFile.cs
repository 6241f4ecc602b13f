namespace CoreFirmware.Cloud;

/// <summary>
/// Writes secrets (private keys, access tokens) readable and writable by the owner only (0600 on
/// Unix): the file is created with that mode before any byte goes in, so it is never readable by
/// others, even briefly; an existing file is truncated and its mode set again.
/// </summary>
public static class OwnerOnlyFile
{
    /// <summary>The mode every secret is written with.</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> (0600).</summary>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = Mode;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(bytes);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, Mode); // an existing file keeps its old mode on open
        }
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="path"/> (0600).</summary>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
}
