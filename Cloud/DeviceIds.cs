using CoreFirmware.Ota.Protocol;

namespace CoreFirmware.Cloud;

/// <summary>Device ids: 12 bytes (the STM32 unique id), shown as 24 lowercase hex characters.</summary>
public static class DeviceIds
{
    /// <summary>24 lowercase hex characters for a 12-byte id.</summary>
    public static string ToHex(ReadOnlySpan<byte> id) => Convert.ToHexString(id).ToLowerInvariant();

    /// <summary>True when <paramref name="text"/> is 24 hex characters; <paramref name="id"/> gets the 12 bytes.</summary>
    public static bool TryParse(string? text, out byte[] id)
    {
        id = Array.Empty<byte>();
        if (text == null || text.Length != Handshake.DeviceIdLength * 2)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!Uri.IsHexDigit(c))
            {
                return false;
            }
        }

        id = Convert.FromHexString(text);
        return true;
    }

    /// <summary>The id in its canonical form (lowercase), or null when it is not a device id.</summary>
    public static string? Normalize(string? text) => TryParse(text, out byte[] id) ? ToHex(id) : null;

    /// <summary>A fresh random device id (for tests and `corefw keys device` without an id).</summary>
    public static byte[] NewRandom() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(Handshake.DeviceIdLength);
}
