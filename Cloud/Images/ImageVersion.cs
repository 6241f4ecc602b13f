using System.Globalization;

namespace CoreFirmware.Cloud.Images;

/// <summary>An image version major.minor.revision+build (u8.u8.u16+u32 in the header).</summary>
public readonly record struct ImageVersion(int Major, int Minor, int Revision, uint Build)
{
    /// <summary>Parses "1.2.3" or "1.2.3+45".</summary>
    public static ImageVersion Parse(string text)
    {
        string main = text;
        uint build = 0;
        int plus = text.IndexOf('+');
        if (plus >= 0)
        {
            main = text[..plus];
            if (!uint.TryParse(text[(plus + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out build))
            {
                throw new ArgumentException($"'{text}': build number must be 0..{uint.MaxValue}");
            }
        }

        string[] parts = main.Split('.');
        if (parts.Length != 3
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int major) || major > 255
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int minor) || minor > 255
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int revision) || revision > 65535)
        {
            throw new ArgumentException($"'{text}' is not a version major.minor.revision[+build] (0-255.0-255.0-65535)");
        }

        return new ImageVersion(major, minor, revision, build);
    }

    public override string ToString() => $"{Major}.{Minor}.{Revision}+{Build}";
}
