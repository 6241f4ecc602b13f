namespace CoreFirmware.Tests.Support;

/// <summary>
/// Whole-test bounds for async tests (<c>[Fact(Timeout = ...)]</c>; xunit 2 honours Timeout only on
/// async tests). Far above what a test needs on a loaded 2-core machine; they exist so a test that
/// awaits something that never comes fails with its name, instead of the run waiting for CI's limit.
/// Each stays below the hang bound in .ci/run (--blame-hang-timeout), which covers tests blocked in
/// synchronous code, where these cannot act.
/// </summary>
internal static class TestTimeouts
{
    /// <summary>In-process tests with servers or a CLI (ticker server, image CLI): a few seconds normally.</summary>
    public const int Host = 60_000;

    /// <summary>The local cloud with scripted devices (handshakes, flashes with 3-40 s bounds).</summary>
    public const int Cloud = 120_000;

    /// <summary>The whole system with the virtual core (boots, several OTAs, watchdog resets).</summary>
    public const int EndToEnd = 200_000;

    /// <summary>Long end-to-end series (the soak's 20 cycles, 50 OTAs in a row); the soak's own backstop is 3.5 min.</summary>
    public const int Series = 240_000;
}
