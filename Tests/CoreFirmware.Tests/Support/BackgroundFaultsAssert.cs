using CoreFirmware.Virtual;
using Xunit;

namespace CoreFirmware.Tests.Support;

/// <summary>Fails a test when a host background thread (model, server, runner) reported a fault, naming the thread and the exception.</summary>
internal static class BackgroundFaultsAssert
{
    public static void AssertNone(this BackgroundFaults faults, string owner) =>
        Assert.True(faults.Count == 0, $"{owner}: {faults.Describe()}");
}
