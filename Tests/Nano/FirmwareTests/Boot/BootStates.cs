using CoreFirmware.Nano.FirmwareTests.Support;
using CoreFirmware.Nano.TestFramework;
using CoreFirmware.Ota.Boot;

namespace CoreFirmware.Nano.FirmwareTests.Boot
{
    /// <summary>Shared helpers of the boot tests: distinct states, a store over a rig, state checks.</summary>
    public static class BootStates
    {
        /// <summary>A distinct state per <paramref name="i"/> that uses every field.</summary>
        public static BootState Numbered(int i)
        {
            BootState s = new BootState();
            s.State = (BootImageState)(i % 7);
            s.BootAttempts = i % 256;
            s.WatchdogResets = (i * 7) % 256;
            s.Flags = (i * 13) % 256;
            s.PendingImageSize = 1000 + i;
            s.PendingImageCrc = 0xA5000000u + (uint)i;
            s.InstallProgress = (i % 160) * 4096;
            s.ActiveVersion = 0x10000u + (uint)i;
            return s;
        }

        /// <summary>A new store over the rig's boot-state sectors (what a new boot creates).</summary>
        public static BootStateStore Open(FlashRig rig)
        {
            return new BootStateStore(rig.Flash, rig.Map.BootStateA, rig.Map.BootStateB);
        }

        /// <summary>Fails unless the two states have the same fields.</summary>
        public static void AssertSame(BootState expected, BootState actual, string what)
        {
            Assert.IsTrue(expected.SameAs(actual), what + ": expected [" + expected.ToString() + "] got [" + actual.ToString() + "]");
        }
    }
}
