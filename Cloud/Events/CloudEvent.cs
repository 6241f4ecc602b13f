namespace CoreFirmware.Cloud;

/// <summary>
/// One event as the cloud's event streams carry it (spark-server's SSE data fields): a device's
/// publish (public or private), an event published through the API, or one the cloud itself raises.
/// </summary>
/// <param name="Name">Event name (up to 63 characters).</param>
/// <param name="Data">Payload text, null when none.</param>
/// <param name="Ttl">Time to live in seconds (60 when the publisher gave none).</param>
/// <param name="PublishedAt">When the cloud received it (UTC).</param>
/// <param name="CoreId">The publishing device (24 hex), or null for an API publish.</param>
/// <param name="Public">True for a public event, false for a private one.</param>
public sealed record CloudEvent(string Name, string? Data, int Ttl, DateTimeOffset PublishedAt, string? CoreId, bool Public)
{
    /// <summary>spark-protocol's default time to live.</summary>
    public const int DefaultTtl = 60;

    /// <summary>True when <paramref name="prefix"/> is empty or the name starts with it (spark-server's filter).</summary>
    public bool Matches(string? prefix) => string.IsNullOrEmpty(prefix) || Name.StartsWith(prefix, StringComparison.Ordinal);
}
